//! Signet's extension to the directory API (issue 17): the signing keys, and a rotation on the usual
//! schedule that publishes the new key at once and signs with it only later.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::on_every_backend;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::{Backend, seed};

on_every_backend!(signing_keys_are_listed_and_rotated_on_schedule);

fn kids(keys: &Value) -> Vec<String> {
    keys["value"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

async fn signing_keys_are_listed_and_rotated_on_schedule(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    s.grant_daemon(&["Policy.Read.All", "Policy.ReadWrite.Authorization"]).await;
    let token = s.app_token().await;
    let (status, _, keys) = s.get("/v1.0/signet/signingKeys", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    let before = kids(&keys);
    assert_eq!(keys["value"][0]["state"], "active", "{keys}");
    assert!(keys["nextRotationDateTime"].as_str().is_some_and(|t| t.ends_with('Z')), "{keys}");

    let (status, _, added) = s.call(Method::POST, "/v1.0/signet/signingKeys/rotate", Some(&token), None).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["state"], "pending", "it signs only after the publish lead: {added}");
    let kid = added["kid"].as_str().unwrap().to_owned();
    let (_, _, keys) = s.get("/v1.0/signet/signingKeys", Some(&token)).await;
    assert_eq!(kids(&keys), [before.clone(), vec![kid.clone()]].concat());
    // Published at once; tokens are still signed with the active key.
    let (_, jwks) = s.server.get_json(&format!("/{}/discovery/v2.0/keys", s.d.tenant_id())).await;
    let published: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(published.contains(&kid.as_str()), "{jwks}");
    let fresh = s.app_token().await;
    assert_eq!(crate::support::jwt_header(&fresh)["kid"], before[0].as_str());
    let events = s.server.state().store.audit_events(s.d.tenant.id).await.unwrap();
    assert!(events.iter().any(|e| e.action == "keys.rotate" && e.target == format!("key:{kid}")));

    // A member with the scope may read but not rotate; a caller without a permission may not read.
    let alice = seed::user(&s.server, &s.d, "alice").await;
    s.grant_web(&["Policy.ReadWrite.Authorization"]).await;
    let member = s.user_token(&alice.username, "Policy.ReadWrite.Authorization").await;
    let (status, _, _) = s.get("/v1.0/signet/signingKeys", Some(&member)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = s.call(Method::POST, "/v1.0/signet/signingKeys/rotate", Some(&member), None).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let other = s.app_token_of(&[]).await;
    let (status, _, body) = s.get("/v1.0/signet/signingKeys", Some(&other)).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
}
