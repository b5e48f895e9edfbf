//! An application's certificates over the directory API (issue 17): the first one set with `PATCH`
//! `keyCredentials`, then rolled by the app itself with `addKey` and `removeKey` and a proof of
//! possession, as Graph has it; each change shows at the token endpoint, where only the app's current
//! certificates sign assertions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::Algorithm;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::certs::ClientCert;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::{Backend, assert_error};

on_every_backend!(
    an_app_gets_its_first_certificate_by_patch_and_rolls_it_with_a_proof,
    a_proof_must_be_signed_by_a_current_certificate_for_this_app,
    bad_certificates_are_refused_and_change_nothing,
);

/// Graph's audience for proofs of possession.
const PROOF_AUDIENCE: &str = "00000002-0000-0000-c000-000000000000";

/// An app registered through the API with a service principal: its object id and appId.
async fn registered(s: &GraphSetup, token: &str) -> (String, String) {
    let body = json!({ "displayName": "Roller" });
    let (status, _, app) = s.call(Method::POST, "/v1.0/applications", Some(token), Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let app_id = app["appId"].as_str().unwrap().to_owned();
    let (status, _, _) =
        s.call(Method::POST, "/v1.0/servicePrincipals", Some(token), Some(&json!({ "appId": app_id }))).await;
    assert_eq!(status, StatusCode::CREATED);
    (app["id"].as_str().unwrap().to_owned(), app_id)
}

fn upload(cert: &ClientCert, name: &str) -> Value {
    json!({ "type": "AsymmetricX509Cert", "usage": "Verify", "key": STANDARD.encode(&cert.cert_der), "displayName": name })
}

/// A proof of possession signed by `cert` for the app `object_id`, with these claims changed.
fn proof(cert: &ClientCert, object_id: &str, now: i64, changes: Value) -> String {
    let mut claims = json!({ "aud": PROOF_AUDIENCE, "iss": object_id, "nbf": now, "exp": now + 600 });
    for (name, value) in changes.as_object().unwrap() {
        claims[name] = value.clone();
    }
    cert.assertion(Algorithm::RS256, &claims)
}

/// The token endpoint's answer to the app asking for a directory token with an assertion by `cert`.
async fn assertion_token(s: &GraphSetup, app_id: &str, cert: &ClientCert) -> (StatusCode, Value) {
    let aud = s.server.token_url(&s.d.tenant_id());
    let assertion = cert.assertion(Algorithm::RS256, &ClientCert::claims(app_id, &aud, s.server.now()));
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", &assertion),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    s.server.token(&s.d.tenant_id(), &form).await
}

async fn an_app_gets_its_first_certificate_by_patch_and_rolls_it_with_a_proof(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    s.grant_daemon(&["Application.ReadWrite.All"]).await;
    let admin = s.app_token().await;
    let (id, app_id) = registered(&s, &admin).await;
    let (first, second) = (ClientCert::generate(), ClientCert::generate());
    let path = format!("/v1.0/applications/{id}");
    let patch = json!({ "keyCredentials": [upload(&first, "first")] });
    let (status, _, body) = s.call(Method::PATCH, &path, Some(&admin), Some(&patch)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, _, read) = s.get(&path, Some(&admin)).await;
    let key_id = read["keyCredentials"][0]["keyId"].as_str().unwrap().to_owned();
    assert_eq!(
        read["keyCredentials"],
        json!([{
            "customKeyIdentifier": first.x5t(), "displayName": "first", "endDateTime": "4096-01-01T00:00:00Z",
            "key": null, "keyId": key_id, "startDateTime": "1975-01-01T00:00:00Z",
            "type": "AsymmetricX509Cert", "usage": "Verify",
        }])
    );

    // The app itself, signed in with its first certificate, adds a second one: no permission needed.
    let (status, tokens) = assertion_token(&s, &app_id, &first).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let own = tokens["access_token"].as_str().unwrap().to_owned();
    let add = json!({
        "keyCredential": upload(&second, "second"),
        "passwordCredential": null,
        "proof": proof(&first, &id, s.server.now(), json!({})),
    });
    let (status, _, added) = s.call(Method::POST, &format!("{path}/addKey"), Some(&own), Some(&add)).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(
        (added["@odata.context"].clone(), added["displayName"].clone(), added["customKeyIdentifier"].clone()),
        (
            json!(format!("{}/v1.0/$metadata#microsoft.graph.keyCredential", s.server.base)),
            json!("second"),
            json!(second.x5t())
        )
    );
    let (status, body) = assertion_token(&s, &app_id, &second).await;
    assert_eq!(status, StatusCode::OK, "the new certificate signs assertions: {body}");

    // It removes the first with a proof by the second; the first no longer signs anything.
    let remove = json!({ "keyId": key_id, "proof": proof(&second, &id, s.server.now(), json!({})) });
    let by_app_id = format!("/v1.0/applications(appId='{app_id}')/removeKey");
    let (status, _, body) = s.call(Method::POST, &by_app_id, Some(&own), Some(&remove)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = assertion_token(&s, &app_id, &first).await;
    assert_error(status, &body, 401, "invalid_client", 700027);
    let (status, _, body) = s.call(Method::POST, &by_app_id, Some(&own), Some(&remove)).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");

    // PATCH with an empty list removes every certificate; both changes are in the audit log.
    let (status, _, _) = s.call(Method::PATCH, &path, Some(&admin), Some(&json!({ "keyCredentials": [] }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = assertion_token(&s, &app_id, &second).await;
    assert_error(status, &body, 401, "invalid_client", 700027);
    let store = &s.server.state().store;
    let events = store.list_audit(s.d.tenant.id, None, None, 20).await.unwrap();
    let rolled: Vec<(&str, &str)> = events
        .iter()
        .map(|(_, e)| e)
        .filter(|e| e.action.ends_with("Key") || e.details["changed"] == json!(["keyCredentials"]))
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    let own_actor = format!("app:{app_id}");
    let daemon_actor = format!("app:{}", s.d.daemon_id());
    assert_eq!(
        rolled,
        [
            ("app.update", daemon_actor.as_str()),
            ("app.removeKey", own_actor.as_str()),
            ("app.addKey", own_actor.as_str()),
            ("app.update", daemon_actor.as_str()),
        ]
    );
}

async fn a_proof_must_be_signed_by_a_current_certificate_for_this_app(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    s.grant_daemon(&["Application.ReadWrite.All"]).await;
    let admin = s.app_token().await;
    let (id, app_id) = registered(&s, &admin).await;
    let (held, stranger, new) = (ClientCert::generate(), ClientCert::generate(), ClientCert::generate());
    let path = format!("/v1.0/applications/{id}/addKey");
    let now = s.server.now();
    let add = |proof: String| json!({ "keyCredential": upload(&new, "new"), "proof": proof });
    // The header of a proof by the held certificate on the claims and signature of a stranger's.
    let forged = {
        let (ours, theirs) = (proof(&held, &id, now, json!({})), proof(&stranger, &id, now, json!({})));
        let (header, rest) = (ours.split('.').next().unwrap(), theirs.split_once('.').unwrap().1);
        format!("{header}.{rest}")
    };

    // Before the app has a certificate, addKey cannot be used (Graph says to PATCH instead).
    let (status, _, body) =
        s.call(Method::POST, &path, Some(&admin), Some(&add(proof(&held, &id, now, json!({}))))).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    assert!(body["error"]["message"].as_str().unwrap().contains("names no current certificate"), "{body}");
    let patch = json!({ "keyCredentials": [upload(&held, "held")] });
    let (status, _, _) = s.call(Method::PATCH, &format!("/v1.0/applications/{id}"), Some(&admin), Some(&patch)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    for (proof, reason) in [
        (proof(&stranger, &id, now, json!({})), "names no current certificate"),
        (proof(&held, &id, now, json!({ "aud": "https://graph.microsoft.com" })), "its aud must be"),
        (proof(&held, &app_id, now, json!({})), "its iss must be the application's object id"),
        (proof(&held, &id, now, json!({ "exp": now + 3600 })), "for at most 600 seconds"),
        (proof(&held, &id, now - 7200, json!({})), "for at most 600 seconds"),
        (forged, "its signature does not verify"),
        ("not.a.jwt".to_owned(), "not valid"),
    ] {
        let (status, _, body) = s.call(Method::POST, &path, Some(&admin), Some(&add(proof))).await;
        assert_graph_error(status, &body, 400, "Request_BadRequest");
        assert!(body["error"]["message"].as_str().unwrap().contains(reason), "{reason}: {body}");
    }
    // Another app without a permission may not roll this app's keys, even with a good proof.
    let other = s.app_token_of(&[]).await;
    let (status, _, body) =
        s.call(Method::POST, &path, Some(&other), Some(&add(proof(&held, &id, now, json!({}))))).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let (_, _, read) = s.get(&format!("/v1.0/applications/{id}"), Some(&admin)).await;
    assert_eq!(read["keyCredentials"].as_array().unwrap().len(), 1, "nothing refused was added: {read}");
}

async fn bad_certificates_are_refused_and_change_nothing(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    s.grant_daemon(&["Application.ReadWrite.All"]).await;
    let admin = s.app_token().await;
    let (id, _) = registered(&s, &admin).await;
    let cert = ClientCert::generate();
    let path = format!("/v1.0/applications/{id}");
    let (status, _, _) =
        s.call(Method::PATCH, &path, Some(&admin), Some(&json!({ "keyCredentials": [upload(&cert, "kept")] }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, before) = s.get(&path, Some(&admin)).await;

    let garbage = STANDARD.encode(b"not a certificate");
    for (keys, reason) in [
        (json!([{ "type": "AsymmetricX509Cert", "usage": "Verify", "key": "%%%" }]), "base64 DER certificate"),
        (json!([{ "type": "AsymmetricX509Cert", "usage": "Verify", "key": garbage }]), "certificate"),
        (
            json!([{ "type": "Symmetric", "usage": "Verify", "key": STANDARD.encode(&cert.cert_der) }]),
            "AsymmetricX509Cert",
        ),
        (
            json!([{ "type": "AsymmetricX509Cert", "usage": "Sign", "key": STANDARD.encode(&cert.cert_der) }]),
            "'Verify'",
        ),
        (json!([{ "keyId": uuid::Uuid::new_v4() }]), "name a certificate the app has by keyId"),
        (json!([upload(&cert, "a"), upload(&cert, "b")]), "the same certificate is given twice"),
        (json!([upload(&cert, &"x".repeat(300))]), "display name"),
    ] {
        let patch = json!({ "displayName": "Renamed", "keyCredentials": keys });
        let (status, _, body) = s.call(Method::PATCH, &path, Some(&admin), Some(&patch)).await;
        assert_graph_error(status, &body, 400, "Request_BadRequest");
        assert!(body["error"]["message"].as_str().unwrap().contains(reason), "{reason}: {body}");
    }
    let (_, _, after) = s.get(&path, Some(&admin)).await;
    assert_eq!(after, before, "a refused PATCH changes neither the app nor its certificates");

    // A new registration with a bad certificate is refused before anything is stored.
    let (_, _, listed) = s.get("/v1.0/applications?$select=id", Some(&admin)).await;
    let body = json!({ "displayName": "Broken", "keyCredentials": [{ "key": garbage }] });
    let (status, _, refused) = s.call(Method::POST, "/v1.0/applications", Some(&admin), Some(&body)).await;
    assert_graph_error(status, &refused, 400, "Request_BadRequest");
    let (_, _, again) = s.get("/v1.0/applications?$select=id", Some(&admin)).await;
    assert_eq!(again["value"], listed["value"]);
    // A registration with a good certificate has it from the start.
    let body = json!({ "displayName": "With cert", "keyCredentials": [upload(&ClientCert::generate(), "day one")] });
    let (status, _, created) = s.call(Method::POST, "/v1.0/applications", Some(&admin), Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["keyCredentials"][0]["displayName"], "day one", "{created}");
}
