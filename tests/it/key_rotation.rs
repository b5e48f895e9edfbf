//! Key lifecycle on an injected clock: published before signing, signing while active, published after
//! retirement for the overlap, then removed; and a running server noticing keys another process added.

use std::time::Duration;

use serde_json::Value;
use signet::signing::rotation::{RotationPolicy, rotate};
use signet::store::Store;

use crate::on_every_backend;
use crate::support::seed::{daemon_form, directory};
use crate::support::{Backend, TestServer, jwt_header, verify_with_jwks};

on_every_backend!(
    scheduled_rotation_keeps_every_token_verifiable,
    emergency_rotation_signs_at_once_and_keeps_the_old_key_published,
    running_server_notices_keys_added_by_another_process,
);

const DAY: i64 = 86_400;

async fn token(server: &TestServer, tenant: &str, form: &[(&'static str, String)]) -> String {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = server.token(tenant, &form).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn published_kids(server: &TestServer) -> Vec<String> {
    let (_, jwks) = server.get_json("/common/discovery/v2.0/keys").await;
    jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

async fn jwks(server: &TestServer) -> Value {
    server.get_json("/common/discovery/v2.0/keys").await.1
}

fn kid(token: &str) -> String {
    jwt_header(token)["kid"].as_str().unwrap().to_owned()
}

async fn scheduled_rotation_keeps_every_token_verifiable(backend: Backend) {
    // Defaults: rotate every 30 days, publish 1 day ahead, keep retired keys 2 days.
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let form = daemon_form(&d);
    let tid = d.tenant_id();
    let first = token(&server, &tid, &form).await;
    let k1 = kid(&first);
    assert_eq!(published_kids(&server).await, vec![k1.clone()]);

    // 29 days on, the successor is published but does not sign yet.
    server.clock.advance(29 * DAY);
    server.maintain_keys().await;
    let kids = published_kids(&server).await;
    assert_eq!(kids.len(), 2);
    let k2 = kids.iter().find(|k| **k != k1).unwrap().clone();
    assert_eq!(kid(&token(&server, &tid, &form).await), k1, "a pending key does not sign");

    // A day later it signs; the first key stays published and its tokens verify.
    server.clock.advance(DAY);
    server.maintain_keys().await;
    let second = token(&server, &tid, &form).await;
    assert_eq!(kid(&second), k2);
    let keys = jwks(&server).await;
    assert!(verify_with_jwks(&keys, &first).is_ok(), "old tokens verify during the overlap");
    assert!(verify_with_jwks(&keys, &second).is_ok());

    // Past the overlap (2 days, longer than any token), the retired key is gone, from JWKS and the store.
    server.clock.advance(2 * DAY - 1);
    server.maintain_keys().await;
    assert_eq!(published_kids(&server).await.len(), 2, "still published one second before the overlap ends");
    server.clock.advance(1);
    server.maintain_keys().await;
    assert_eq!(published_kids(&server).await, vec![k2.clone()]);
    let stored: Vec<String> = server.state().store.signing_keys().await.unwrap().into_iter().map(|k| k.kid).collect();
    assert_eq!(stored, [k2]);
}

async fn emergency_rotation_signs_at_once_and_keeps_the_old_key_published(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let form = daemon_form(&d);
    let first = token(&server, &d.tenant_id(), &form).await;
    let state = server.state();
    let policy = RotationPolicy::from_config(&state.config);
    let new_kid = rotate(&state.store, &state.kek, policy, server.now(), true).await.unwrap().unwrap();
    server.maintain_keys().await;
    let second = token(&server, &d.tenant_id(), &form).await;
    assert_eq!(kid(&second), new_kid);
    assert_ne!(kid(&first), new_kid);
    assert!(verify_with_jwks(&jwks(&server).await, &first).is_ok());
}

async fn running_server_notices_keys_added_by_another_process(backend: Backend) {
    let server = TestServer::start_with(backend, |c| c.key_refresh_interval = signet::config::Seconds(1)).await;
    // Another process: its own connection and its own read of the key file, as the CLI has.
    let store = Store::connect(&server.config.database_url).await.unwrap();
    let kek = signet::key_file::load_or_create(&server.config.key_file).unwrap();
    let policy = RotationPolicy::from_config(&server.config);
    let added = rotate(&store, &kek, policy, server.now(), false).await.unwrap().unwrap();
    // Bounded wait for the background refresh (interval 1 s); no test clock can drive another task's timer.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !published_kids(&server).await.contains(&added) {
        assert!(tokio::time::Instant::now() < deadline, "the server did not publish {added} within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    store.close().await.unwrap();
}
