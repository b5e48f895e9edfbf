//! A real Microsoft client: Python msal's `acquire_token_for_client` against Signet over TLS, with a
//! secret and with a certificate (RS256 + x5t and PS256 + x5t#S256).
//!
//! The interpreter is `SIGNET_TEST_PYTHON` (`scripts/test` points it at a virtual environment with
//! msal), else `python3`, which must then have msal.

use std::process::Command;

use serde_json::{Value, json};
use signet::admin;

use crate::on_every_backend;
use crate::support::certs::ClientCert;
use crate::support::seed::directory;
use crate::support::{Backend, TestServer};

on_every_backend!(msal_gets_tokens_with_a_secret_and_with_a_certificate);

fn python() -> String {
    std::env::var("SIGNET_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn run_msal(server: &TestServer, mode: &str, env: &[(&str, String)]) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/msal/client_credentials.py");
    let output = Command::new(python())
        .arg(script)
        .arg(mode)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("REQUESTS_CA_BUNDLE", &server.config.tls_cert_out)
        .output()
        .expect("run python (set SIGNET_TEST_PYTHON, or run ./scripts/test which installs msal)");
    assert!(output.status.success(), "msal {mode} failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("msal printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

async fn msal_gets_tokens_with_a_secret_and_with_a_certificate(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    assert!(server.base.starts_with("https://127.0.0.1:"));
    let d = directory(&server, "contoso.example").await;
    let cert = ClientCert::generate();
    admin::add_cert(&server.state().store, &d.tenant, &d.daemon_id(), &cert.cert_pem).await.unwrap();
    std::fs::write(server.path("client-key.pem"), &cert.private_pkcs8_pem).unwrap();
    std::fs::write(server.path("client-cert.pem"), &cert.cert_pem).unwrap();
    let common = [
        ("AUTHORITY", format!("{}/{}", server.base, d.tenant_id())),
        ("CLIENT_ID", d.daemon_id()),
        ("SCOPE", d.scope()),
        ("CLIENT_SECRET", d.secret.clone()),
        ("PRIVATE_KEY_FILE", server.path("client-key.pem").display().to_string()),
        ("CERT_FILE", server.path("client-cert.pem").display().to_string()),
        ("THUMBPRINT", cert.thumbprint_hex()),
    ];
    for (mode, azpacr) in [("secret", "1"), ("cert-sha1", "2"), ("cert-ps256", "2")] {
        let result = run_msal(&server, mode, &common);
        assert_eq!(result["token_type"], json!("Bearer"), "{mode}: {result}");
        let claims = server.verify(&d.tenant_id(), result["access_token"].as_str().unwrap()).await;
        assert_eq!(claims["tid"], json!(d.tenant_id()), "{mode}");
        assert_eq!(claims["azpacr"], json!(azpacr), "{mode}");
        assert_eq!(claims["roles"], json!(["Forecast.Read.All"]), "{mode}");
    }
    // msal reports Signet's errors as they are.
    let wrong = [common.to_vec(), vec![("CLIENT_SECRET", "wrong-secret".to_owned())]].concat();
    let result = run_msal(&server, "secret", &wrong);
    assert_eq!((result["error"].clone(), result["error_codes"].clone()), (json!("invalid_client"), json!([7000215])));
}
