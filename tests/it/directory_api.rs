//! The directory API in Microsoft Graph's shape (issue 17), first part: who may call, Graph's error
//! shape, `GET /v1.0/me` and `GET /v1.0/organization`.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_every_backend;
use crate::support::Backend;
use crate::support::flow::*;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::seed;

on_every_backend!(
    me_is_the_signed_in_user_in_graphs_shape,
    organization_is_the_callers_tenant_only,
    calls_without_a_valid_graph_token_get_401_in_graphs_shape,
    an_app_only_token_has_no_me_and_needs_a_role,
    a_daemon_granted_a_directory_role_reads_the_organization,
    users_are_read_by_id_or_upn_within_the_callers_tenant,
);

async fn setup(backend: Backend) -> GraphSetup {
    GraphSetup::start(backend).await
}

async fn me_is_the_signed_in_user_in_graphs_shape(backend: Backend) {
    let s = setup(backend).await;
    let user = seed::user(&s.server, &s.d, "alice").await;
    let token = s.user_token(&user.username, "openid User.Read").await;
    let (status, _, body) = s.get("/v1.0/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#users/$entity", s.server.base),
            "id": user.id.to_string(),
            "businessPhones": [],
            "displayName": "alice",
            "givenName": null,
            "jobTitle": null,
            "mail": "alice@contoso.example",
            "mobilePhone": null,
            "officeLocation": null,
            "preferredLanguage": null,
            "surname": null,
            "userPrincipalName": "alice@contoso.example",
        })
    );
    // A token with only `openid` is not enough to read the profile.
    let token = s.user_token(&user.username, "openid").await;
    let (status, _, body) = s.get("/v1.0/me", Some(&token)).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
}

async fn organization_is_the_callers_tenant_only(backend: Backend) {
    let s = setup(backend).await;
    seed::directory(&s.server, "fabrikam.example").await;
    let user = seed::user(&s.server, &s.d, "alice").await;
    let token = s.user_token(&user.username, "User.Read").await;
    let (status, _, body) = s.get("/v1.0/organization", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#organization", s.server.base),
            "value": [{
                "id": s.d.tenant_id(),
                "displayName": s.d.tenant.display_name,
                "tenantType": "AAD",
                "verifiedDomains": [{
                    "capabilities": "None", "isDefault": true, "isInitial": true,
                    "name": "contoso.example", "type": "Managed",
                }],
            }],
        })
    );
}

async fn calls_without_a_valid_graph_token_get_401_in_graphs_shape(backend: Backend) {
    let s = setup(backend).await;
    // A token for another resource: the daemon's for the Forecast API.
    let form = seed::daemon_form(&s.d);
    let (status, api) = post_token(&s.server, &s.d.tenant_id(), &form).await;
    assert_eq!(status, StatusCode::OK, "{api}");
    let other_audience = api["access_token"].as_str().unwrap().to_owned();
    let tampered = format!("{}x", s.app_token().await);
    for (token, message) in [
        (None, "Access token is empty."),
        (Some("not-a-token"), "Access token validation failure. Invalid signature, issuer or lifetime."),
        (Some(tampered.as_str()), "Access token validation failure. Invalid signature, issuer or lifetime."),
        (Some(other_audience.as_str()), "Access token validation failure. Invalid audience."),
    ] {
        for path in ["/v1.0/me", "/v1.0/organization"] {
            let (status, headers, body) = s.get(path, token).await;
            assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
            assert_eq!(body["error"]["message"], message);
            let challenge = headers["www-authenticate"].to_str().unwrap();
            assert!(challenge.starts_with("Bearer realm=\"\", authorization_uri=\""), "{challenge}");
            assert!(challenge.ends_with("client_id=\"00000003-0000-0000-c000-000000000000\""), "{challenge}");
        }
    }
    // An expired token.
    let token = s.app_token().await;
    s.server.clock.advance(3600 + 301);
    let (status, _, body) = s.get("/v1.0/organization", Some(&token)).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
}

async fn an_app_only_token_has_no_me_and_needs_a_role(backend: Backend) {
    let s = setup(backend).await;
    let token = s.app_token().await;
    let (status, _, body) = s.get("/v1.0/me", Some(&token)).await;
    assert_graph_error(status, &body, 400, "BadRequest");
    assert_eq!(body["error"]["message"], "/me request is only valid with delegated authentication flow.");
    // No directory app role was granted to the daemon.
    let (status, _, body) = s.get("/v1.0/organization", Some(&token)).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
}

/// The directory permissions are app roles of the built-in resource: an admin grants the daemon
/// `Directory.Read.All`, its token carries the role, and the role lets it read.
async fn a_daemon_granted_a_directory_role_reads_the_organization(backend: Backend) {
    let s = setup(backend).await;
    let store = &s.server.state().store;
    let roles = ["Directory.Read.All".to_owned()];
    signet::admin::require(
        store,
        &s.d.tenant,
        &s.d.daemon_id(),
        "https://graph.microsoft.com",
        &[],
        &roles,
        s.server.now(),
    )
    .await
    .unwrap();
    signet::admin::grant_consent(store, &s.d.tenant, &s.d.daemon_id(), s.server.now()).await.unwrap();
    let token = s.app_token().await;
    let claims = s.server.verify(&s.d.tenant_id(), &token).await;
    assert_eq!(claims["roles"], json!(["Directory.Read.All"]));
    let (status, _, body) = s.get("/v1.0/organization", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["value"][0]["id"], s.d.tenant_id());
    // A role grants nothing on /me, which only a user has.
    let (status, _, body) = s.get("/v1.0/me", Some(&token)).await;
    assert_graph_error(status, &body, 400, "BadRequest");
}

async fn users_are_read_by_id_or_upn_within_the_callers_tenant(backend: Backend) {
    let s = setup(backend).await;
    let store = &s.server.state().store;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let bob = seed::user(&s.server, &s.d, "bob").await;
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let carol = seed::user(&s.server, &fabrikam, "carol").await;

    // A member reads itself by id or UPN with User.Read, and nobody else.
    let token = s.user_token(&alice.username, "User.Read").await;
    for key in [alice.id.to_string(), alice.username.clone()] {
        let (status, _, body) = s.get(&format!("/v1.0/users/{key}"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["id"], alice.id.to_string());
    }
    let (status, _, body) = s.get(&format!("/v1.0/users/{}", bob.id), Some(&token)).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");

    // A daemon an admin granted User.Read.All reads any user of its tenant, and none of another.
    let roles = ["User.Read.All".to_owned()];
    signet::admin::require(
        store,
        &s.d.tenant,
        &s.d.daemon_id(),
        "https://graph.microsoft.com",
        &[],
        &roles,
        s.server.now(),
    )
    .await
    .unwrap();
    signet::admin::grant_consent(store, &s.d.tenant, &s.d.daemon_id(), s.server.now()).await.unwrap();
    let token = s.app_token().await;
    for key in [bob.id.to_string(), "BOB@contoso.example".to_owned()] {
        let (status, _, body) = s.get(&format!("/v1.0/users/{key}"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({
                "@odata.context": format!("{}/v1.0/$metadata#users/$entity", s.server.base),
                "id": bob.id.to_string(),
                "businessPhones": [],
                "displayName": "bob",
                "givenName": null,
                "jobTitle": null,
                "mail": "bob@contoso.example",
                "mobilePhone": null,
                "officeLocation": null,
                "preferredLanguage": null,
                "surname": null,
                "userPrincipalName": "bob@contoso.example",
            })
        );
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    for key in [unknown.as_str(), &carol.id.to_string(), "carol@fabrikam.example", "nobody@contoso.example"] {
        let (status, _, body) = s.get(&format!("/v1.0/users/{key}"), Some(&token)).await;
        assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
        assert!(body["error"]["message"].as_str().unwrap().contains(key), "{body}");
    }
}
