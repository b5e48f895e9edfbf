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

on_every_backend!(
    msal_gets_tokens_with_a_secret_and_with_a_certificate,
    msal_signs_users_in_with_the_auth_code_flow,
    microsofts_graph_sdk_administers_a_tenant_and_the_assigned_role_reaches_the_users_token,
    a_user_signed_in_with_msal_reads_me_and_may_not_write_without_admin_rights,
);

fn python() -> String {
    std::env::var("SIGNET_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

pub fn run_msal(server: &TestServer, mode: &str, env: &[(&str, String)]) -> Value {
    run_script(server, "client_credentials.py", mode, env)
}

pub fn run_script(server: &TestServer, script: &str, mode: &str, env: &[(&str, String)]) -> Value {
    let output = script_command(server, script, mode, env)
        .output()
        .expect("run python (set SIGNET_TEST_PYTHON, or run ./scripts/test which installs msal)");
    script_result(script, &output)
}

/// Starts `script` without waiting for it, for a test that acts while msal runs; the script is killed
/// if the test ends (or fails) first.
pub fn spawn_script(server: &TestServer, script: &str, mode: &str, env: &[(&str, String)]) -> tokio::process::Child {
    let mut command = tokio::process::Command::from(script_command(server, script, mode, env));
    command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).kill_on_drop(true);
    command.spawn().expect("run python (set SIGNET_TEST_PYTHON, or run ./scripts/test which installs msal)")
}

/// What a script started by [`spawn_script`] printed, once it ends.
pub async fn spawned_result(script: &str, child: tokio::process::Child) -> Value {
    script_result(script, &child.wait_with_output().await.expect("python ran"))
}

fn script_command(server: &TestServer, script: &str, mode: &str, env: &[(&str, String)]) -> Command {
    let mut command = Command::new(python());
    command
        .arg(format!("{}/tests/msal/{script}", env!("CARGO_MANIFEST_DIR")))
        .arg(mode)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("REQUESTS_CA_BUNDLE", &server.config.tls_cert_out)
        .env("SSL_CERT_FILE", &server.config.tls_cert_out);
    command
}

fn script_result(script: &str, output: &std::process::Output) -> Value {
    assert!(output.status.success(), "msal {script} failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("msal printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

async fn msal_gets_tokens_with_a_secret_and_with_a_certificate(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    assert!(server.base.starts_with("https://127.0.0.1:"));
    let d = directory(&server, "contoso.example").await;
    let cert = ClientCert::generate();
    admin::add_cert(&server.state().store, &d.tenant, &d.daemon_id(), &cert.cert_pem, server.now()).await.unwrap();
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

/// Issue 17's real-client test: azure-identity and the Microsoft Graph SDK for Python, configured only
/// with Signet's base URL and host, register an app, add a secret and a service principal and assign
/// a role to a user; the user's token from msal for that app then carries the role.
async fn microsofts_graph_sdk_administers_a_tenant_and_the_assigned_role_reaches_the_users_token(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let d = directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    let store = &server.state().store;
    let roles = ["Application.ReadWrite.All".to_owned(), "AppRoleAssignment.ReadWrite.All".to_owned()];
    admin::require(store, &d.tenant, &d.daemon_id(), "https://graph.microsoft.com", &[], &roles, server.now())
        .await
        .unwrap();
    admin::grant_consent(store, &d.tenant, &d.daemon_id(), server.now()).await.unwrap();
    let orders_uri = "api://contoso.example/orders";
    let env = [
        ("BASE", server.base.clone()),
        ("TENANT_ID", d.tenant_id()),
        ("CLIENT_ID", d.daemon_id()),
        ("CLIENT_SECRET", d.secret.clone()),
        ("USER_ID", user.id.to_string()),
        ("USERNAME", user.username.clone()),
        ("PASSWORD", seed::PASSWORD.to_owned()),
        ("REDIRECT_URI", seed::REDIRECT_URI.to_owned()),
        ("ORDERS_URI", orders_uri.to_owned()),
    ];
    let result = run_script(&server, "graph_sdk.py", "-", &env);
    let administered = &result["administered"];
    let app_id = administered["app_id"].as_str().unwrap();
    let secret = administered["secret"].as_str().unwrap();
    assert_eq!(administered["secret_hint"], json!(secret[..3]), "{result}");
    assert_eq!(administered["listed_hints"], json!([&secret[..3]]), "{result}");
    assert_eq!(administered["sp_app_id"], json!(app_id));
    assert_eq!(
        administered["assignment"],
        json!({
            "principal_id": user.id.to_string(),
            "resource_id": administered["sp_id"],
            "app_role_id": administered["assignment"]["app_role_id"],
            "principal_type": "User",
        })
    );

    // The registration is Signet's, as the SDK made it.
    let app = store.app_in_tenant(d.tenant.id, app_id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((app.display_name.as_str(), app.identifier_uris.clone()), ("Orders", vec![orders_uri.to_owned()]));
    let role = app.app_role("Orders.Admin").unwrap();
    assert_eq!(administered["assignment"]["app_role_id"], json!(role.id.to_string()));

    // Alice's token for the new API, from msal, carries the role, and so does her ID token for it.
    let tokens = &result["tokens"];
    let claims =
        server.verify(&d.tenant_id(), tokens["access_token"].as_str().unwrap_or_else(|| panic!("{result}"))).await;
    assert_eq!(claims["aud"], json!(app_id));
    assert_eq!((claims["roles"].clone(), claims["scp"].clone()), (json!(["Orders.Admin"]), json!("Orders.Read")));
    assert_eq!(claims["oid"], json!(user.id.to_string()));
    assert_eq!(tokens["id_token_claims"]["roles"], json!(["Orders.Admin"]));

    // Every change is in the audit log with the daemon as actor.
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let by_daemon: Vec<&str> =
        events.iter().filter(|e| e.actor == format!("app:{}", d.daemon_id())).map(|e| e.action.as_str()).collect();
    assert_eq!(by_daemon, ["app.create", "app.addPassword", "sp.add", "role.assign"]);
}

/// Issue 17's delegated call: a member signs in with msal, `GET /v1.0/me` is that member, and a write
/// is refused (403) although an admin granted the app `User.ReadWrite.All` for everyone.
async fn a_user_signed_in_with_msal_reads_me_and_may_not_write_without_admin_rights(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let d = directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let store = &server.state().store;
    let scopes = ["User.ReadWrite.All".to_owned()];
    admin::require(store, &d.tenant, &web.id(), "https://graph.microsoft.com", &scopes, &[], server.now())
        .await
        .unwrap();
    admin::grant_consent(store, &d.tenant, &web.id(), server.now()).await.unwrap();
    let env = [
        ("BASE", server.base.clone()),
        ("TENANT_ID", d.tenant_id()),
        ("CLIENT_ID", web.id()),
        ("CLIENT_SECRET", web.secret.clone().unwrap()),
        ("USERNAME", user.username.clone()),
        ("PASSWORD", seed::PASSWORD.to_owned()),
        ("REDIRECT_URI", seed::REDIRECT_URI.to_owned()),
    ];
    let result = run_script(&server, "graph_sdk.py", "delegated", &env);
    assert_eq!(result["me"][0], json!(200), "{result}");
    assert_eq!(result["me"][1]["id"], json!(user.id.to_string()));
    assert_eq!(result["me"][1]["userPrincipalName"], json!(user.username));
    assert_eq!(result["create"][0], json!(403), "{result}");
    assert_eq!(result["create"][1]["error"]["code"], json!("Authorization_RequestDenied"));
    assert!(store.user_by_username(d.tenant.id, "mallory@contoso.example").await.unwrap().is_none());
}
