//! The directory API's delegated permission grants (issue 17): an admin grants an app a user's
//! delegated permission directly, the user then signs in without a consent page, and narrowing or
//! deleting the grant takes effect at the next refresh.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::browser::{Browser, page};
use crate::support::flow::*;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, assert_error};

on_every_backend!(grants_made_directly_sign_users_in_and_their_changes_reach_refresh, grants_are_validated);

async fn admin_token(s: &GraphSetup) -> String {
    s.grant_daemon(&["DelegatedPermissionGrant.ReadWrite.All", "Application.Read.All"]).await;
    s.app_token().await
}

async fn sp_id(s: &GraphSetup, token: &str, app_id: &str) -> String {
    let (status, _, sp) = s.get(&format!("/v1.0/servicePrincipals(appId='{app_id}')?$select=id"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{sp}");
    sp["id"].as_str().unwrap().to_owned()
}

async fn create(s: &GraphSetup, token: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, response) = s.call(Method::POST, "/v1.0/oauth2PermissionGrants", Some(token), Some(body)).await;
    (status, response)
}

async fn grants_made_directly_sign_users_in_and_their_changes_reach_refresh(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let token = admin_token(&s).await;
    let web_sp = sp_id(&s, &token, &s.web.id()).await;
    let api_sp = sp_id(&s, &token, &s.d.api.app_id.to_string()).await;
    let body = json!({
        "clientId": web_sp, "consentType": "Principal", "principalId": alice.id,
        "resourceId": api_sp, "scope": "Forecast.Read",
    });
    let (status, grant) = create(&s, &token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    let id = grant["id"].as_str().unwrap().to_owned();
    assert_eq!(
        grant,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#oauth2PermissionGrants/$entity", s.server.base),
            "id": id, "clientId": web_sp, "consentType": "Principal", "principalId": alice.id.to_string(),
            "resourceId": api_sp, "scope": "Forecast.Read",
        })
    );
    let (status, again) = create(&s, &token, &body).await;
    assert_graph_error(status, &again, 409, "Request_BadRequest");
    // Signing in and staying signed in are delegated permissions of the directory API.
    let graph_sp = sp_id(&s, &token, "00000003-0000-0000-c000-000000000000").await;
    let oidc = json!({
        "clientId": web_sp, "consentType": "Principal", "principalId": alice.id,
        "resourceId": graph_sp, "scope": "openid offline_access",
    });
    let (status, body) = create(&s, &token, &oidc).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Alice signs in without a consent page, and gets a refresh token.
    let scope = format!("openid offline_access {}/Forecast.Read", s.d.api_uri);
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[("scope", &scope)]);
    let browser = Browser::new(&s.server);
    let (_, html) = page(browser.get(&url).await).await;
    let response = browser.sign_in(&html, &alice.username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::FOUND, "no consent page");
    let code = code_of(&response);
    let (status, tokens) = post_token(&s.server, &s.d.tenant_id(), &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_owned();

    // Listed, on its own and under the client's service principal.
    for path in [
        format!("/v1.0/oauth2PermissionGrants?$filter=clientId eq '{web_sp}' and resourceId eq '{api_sp}'"),
        format!("/v1.0/servicePrincipals/{web_sp}/oauth2PermissionGrants?$filter=resourceId eq '{api_sp}'"),
    ] {
        let (status, _, listed) = s.get(&path, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let ids: Vec<&str> = listed["value"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [id.as_str()], "{path}");
    }

    // Narrowed to nothing, the refresh needs consent again; deleted, it is gone.
    let path = format!("/v1.0/oauth2PermissionGrants/{id}");
    let (status, _, _) = s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "scope": "" }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, read) = s.get(&path, Some(&token)).await;
    assert_eq!(read["scope"], "");
    let form = [
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", s.web.id()),
        ("client_secret", s.web.secret.clone().unwrap()),
        ("refresh_token", refresh_token),
    ];
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &form).await;
    assert_error(status, &body, 400, "invalid_grant", 65001);
    let (status, _, _) = s.call(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for method in [Method::GET, Method::DELETE] {
        let (status, _, body) = s.call(method, &path, Some(&token), None).await;
        assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    }
    let events = s.server.state().store.audit_events(s.d.tenant.id).await.unwrap();
    let actions: Vec<&str> =
        events.iter().filter(|e| e.action.starts_with("grant.")).map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["grant.create", "grant.create", "grant.update", "grant.delete"]);
}

async fn grants_are_validated(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let token = admin_token(&s).await;
    let web_sp = sp_id(&s, &token, &s.web.id()).await;
    let api_sp = sp_id(&s, &token, &s.d.api.app_id.to_string()).await;
    let store = &s.server.state().store;
    let theirs =
        store.service_principal(fabrikam.tenant.id, fabrikam.api.app_id).await.unwrap().unwrap().id.to_string();
    let base =
        json!({ "clientId": web_sp, "consentType": "AllPrincipals", "resourceId": api_sp, "scope": "Forecast.Read" });
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    for (body, want, code, message) in [
        (
            with("scope", json!("Forecast.Read Forecast.Nope")),
            400,
            "Request_BadRequest",
            "no enabled delegated permission 'Forecast.Nope'",
        ),
        (with("consentType", json!("Everyone")), 400, "Request_BadRequest", "consentType 'Everyone' is not valid"),
        (with("consentType", json!("Principal")), 400, "Request_BadRequest", "principalId is required"),
        (with("principalId", json!(alice.id)), 400, "Request_BadRequest", "must be absent with AllPrincipals"),
        (with("resourceId", json!(theirs)), 400, "Request_BadRequest", "was not found in this tenant"),
        (with("clientId", json!(uuid::Uuid::new_v4())), 400, "Request_BadRequest", "was not found in this tenant"),
        (with("expiryTime", json!("2099-01-01T00:00:00Z")), 400, "BadRequest", "unknown field `expiryTime`"),
    ] {
        let (status, response) = create(&s, &token, &body).await;
        assert_graph_error(status, &response, want, code);
        assert!(response["error"]["message"].as_str().unwrap().contains(message), "{body}: {response}");
    }
    // A member with the scope may not grant.
    s.grant_web(&["DelegatedPermissionGrant.ReadWrite.All"]).await;
    let member = s.user_token(&alice.username, "DelegatedPermissionGrant.ReadWrite.All").await;
    let (status, response) = create(&s, &member, &base).await;
    assert_graph_error(status, &response, 403, "Authorization_RequestDenied");
    // The scopes are normalized: each once, in order.
    let (status, grant) = create(&s, &token, &with("scope", json!("  Forecast.Read   Forecast.Read "))).await;
    assert_eq!((status, grant["scope"].clone()), (StatusCode::CREATED, json!("Forecast.Read")), "{grant}");
}
