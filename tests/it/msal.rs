//! A real Microsoft client: Python msal against Signet over TLS. `acquire_token_for_client` with a
//! secret and with a certificate (RS256 + x5t and PS256 + x5t#S256); the authorization code flow for a
//! confidential and a public client, then `acquire_token_silent` through the refresh token.
//!
//! The interpreter is `SIGNET_TEST_PYTHON` (`scripts/test` points it at a virtual environment with
//! msal), else `python3`, which must then have msal.

use std::process::Command;

use serde_json::{Value, json};
use signet::admin;

use crate::on_every_backend;
use crate::support::certs::ClientCert;
use crate::support::seed::{self, directory};
use crate::support::{Backend, TestServer};

on_every_backend!(msal_gets_tokens_with_a_secret_and_with_a_certificate, msal_signs_users_in_with_the_auth_code_flow);

fn python() -> String {
    std::env::var("SIGNET_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

pub fn run_msal(server: &TestServer, mode: &str, env: &[(&str, String)]) -> Value {
    run_script(server, "client_credentials.py", mode, env)
}

fn run_script(server: &TestServer, script: &str, mode: &str, env: &[(&str, String)]) -> Value {
    let script = format!("{}/tests/msal/{script}", env!("CARGO_MANIFEST_DIR"));
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

async fn msal_signs_users_in_with_the_auth_code_flow(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let d = directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let native = seed::client_app(&server, &d, "Native App", true, false).await;
    let api_scope = format!("{}/Forecast.Read", d.api_uri);
    for (mode, client, azpacr) in [("confidential", &web, "1"), ("public", &native, "0")] {
        let env = [
            ("AUTHORITY", format!("{}/{}", server.base, d.tenant_id())),
            ("CLIENT_ID", client.id()),
            ("CLIENT_SECRET", client.secret.clone().unwrap_or_default()),
            ("SCOPE", api_scope.clone()),
            ("REDIRECT_URI", seed::REDIRECT_URI.to_owned()),
            ("USERNAME", user.username.clone()),
            ("PASSWORD", seed::PASSWORD.to_owned()),
        ];
        let result = run_script(&server, "auth_code.py", mode, &env);
        let first = &result["first"];
        assert_eq!(first["token_type"], json!("Bearer"), "{mode}: {result}");
        assert_eq!(first["id_token_claims"]["preferred_username"], json!(user.username), "{mode}");
        assert_eq!(first["id_token_claims"]["aud"], json!(client.id()), "{mode}");
        assert_eq!(result["accounts"], json!([user.username]), "{mode}");
        let claims = server.verify(&d.tenant_id(), first["access_token"].as_str().unwrap()).await;
        assert_eq!((claims["aud"].clone(), claims["scp"].clone()), (json!(d.api.app_id), json!("Forecast.Read")));
        assert_eq!(claims["azpacr"], json!(azpacr), "{mode}");
        let silent = &result["silent"];
        assert_eq!(silent["token_source"], json!("identity_provider"), "{mode}: refreshed at Signet: {result}");
        let refreshed = server.verify(&d.tenant_id(), silent["access_token"].as_str().unwrap()).await;
        assert_eq!(refreshed["scp"], json!("Forecast.Read"), "{mode}");
        assert_eq!(refreshed["oid"], claims["oid"], "{mode}");
    }
}
