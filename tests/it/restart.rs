//! A restart keeps the keys and the directory: tokens issued before still verify, and the same
//! credentials still work.

use serde_json::json;

use crate::on_every_backend;
use crate::support::seed::{daemon_form, directory};
use crate::support::{Backend, TestServer, jwt_header, verify_with_jwks};

on_every_backend!(restart_keeps_keys_and_data);

async fn restart_keeps_keys_and_data(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let form = daemon_form(&d);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, before) = server.token(&d.tenant_id(), &form).await;
    let old_token = before["access_token"].as_str().unwrap().to_owned();
    let (_, jwks_before) = server.get_json("/common/discovery/v2.0/keys").await;

    let server = server.restart().await;
    let (_, jwks_after) = server.get_json("/common/discovery/v2.0/keys").await;
    assert_eq!(jwks_after, jwks_before, "the same keys are published");
    assert!(verify_with_jwks(&jwks_after, &old_token).is_ok());
    let (status, after) = server.token(&d.tenant_id(), &form).await;
    assert_eq!(status, 200, "{after}");
    let new_token = after["access_token"].as_str().unwrap();
    assert_eq!(jwt_header(new_token)["kid"], jwt_header(&old_token)["kid"]);
    let claims = server.verify(&d.tenant_id(), new_token).await;
    assert_eq!(claims["roles"], json!(["Forecast.Read.All"]));
}
