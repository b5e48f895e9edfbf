//! The directory API's service principals and app role assignments (issue 17): users assigned an
//! API's roles get them in `roles` of its access tokens, and an app's own roles in its ID tokens; an
//! app requiring assignment signs in only assigned users (AADSTS50105); service principals are listed,
//! added for multi-tenant apps, blocked and unblocked, and removed.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use signet::admin;

use crate::on_every_backend;
use crate::support::browser::Browser;
use crate::support::flow::*;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::seed;
use crate::support::{Backend, assert_error, jwt_claims};

on_every_backend!(
    assigned_roles_reach_users_tokens_and_assignment_required_admits_only_assigned_users,
    role_assignments_are_checked_against_the_role_and_the_principal,
    service_principals_are_listed_added_blocked_and_removed,
    an_app_without_roles_on_a_resource_requiring_assignment_gets_no_token,
);

async fn admin_token(s: &GraphSetup) -> String {
    s.grant_daemon(&["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All"]).await;
    s.app_token().await
}

/// The tokens `username` gets from the web app for `scope`.
async fn tokens(s: &GraphSetup, username: &str, scope: &str) -> Value {
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[("scope", scope)]);
    let code = code_of(&sign_in_and_consent(&Browser::new(&s.server), &url, username).await);
    let (status, tokens) = post_token(&s.server, &s.d.tenant_id(), &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

async fn sp_id(s: &GraphSetup, token: &str, app_id: &str) -> String {
    let (status, _, sp) = s.get(&format!("/v1.0/servicePrincipals(appId='{app_id}')"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{sp}");
    sp["id"].as_str().unwrap().to_owned()
}

async fn assign(s: &GraphSetup, token: &str, resource: &str, principal: &str, role: &str) -> (StatusCode, Value) {
    let body = json!({ "principalId": principal, "resourceId": resource, "appRoleId": role });
    let path = format!("/v1.0/servicePrincipals/{resource}/appRoleAssignedTo");
    let (status, _, response) = s.call(Method::POST, &path, Some(token), Some(&body)).await;
    (status, response)
}

async fn assigned_roles_reach_users_tokens_and_assignment_required_admits_only_assigned_users(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let bob = seed::user(&s.server, &s.d, "bob").await;
    let token = admin_token(&s).await;
    let api_sp = sp_id(&s, &token, &s.d.api.app_id.to_string()).await;
    let read_all = s.d.api.app_role("Forecast.Read.All").unwrap().id.to_string();

    let (status, assignment) = assign(&s, &token, &api_sp, &alice.id.to_string(), &read_all).await;
    assert_eq!(status, StatusCode::CREATED, "{assignment}");
    let id = assignment["id"].as_str().unwrap();
    assert_eq!(
        assignment,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#servicePrincipals('{api_sp}')/appRoleAssignedTo/$entity", s.server.base),
            "id": id,
            "appRoleId": read_all,
            "createdDateTime": assignment["createdDateTime"],
            "deletedDateTime": null,
            "principalDisplayName": "alice",
            "principalId": alice.id.to_string(),
            "principalType": "User",
            "resourceDisplayName": "Forecast API",
            "resourceId": api_sp,
        })
    );
    assert!(assignment["createdDateTime"].as_str().unwrap().ends_with('Z'));
    // The API's assignments: the daemon's role from the seed's admin consent, and Alice's.
    let (_, _, listed) = s.get(&format!("/v1.0/servicePrincipals/{api_sp}/appRoleAssignedTo"), Some(&token)).await;
    let mut principals: Vec<(&str, &str)> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["principalType"].as_str().unwrap(), a["principalDisplayName"].as_str().unwrap()))
        .collect();
    principals.sort_unstable();
    assert_eq!(principals, [("ServicePrincipal", "Daemon"), ("User", "alice")]);
    s.grant_daemon(&["User.Read.All"]).await;
    let reader = s.app_token().await;
    let (_, _, held) = s.get(&format!("/v1.0/users/{}/appRoleAssignments", alice.username), Some(&reader)).await;
    assert_eq!(held["value"][0]["id"], id, "{held}");

    // Alice's access token for the API carries the role; Bob's does not.
    let scope = format!("openid {}/Forecast.Read", s.d.api_uri);
    let claims = jwt_claims(tokens(&s, &alice.username, &scope).await["access_token"].as_str().unwrap());
    assert_eq!(
        (claims["roles"].clone(), claims["scp"].clone()),
        (json!(["Forecast.Read.All"]), json!("Forecast.Read"))
    );
    let claims = jwt_claims(tokens(&s, &bob.username, &scope).await["access_token"].as_str().unwrap());
    assert_eq!(claims.get("roles"), None);

    // The web app's own role, assigned to Alice, is in her ID token for it.
    let admin_role = "6b3a6f5e-3c5d-4d8e-9f0a-1b2c3d4e5f60";
    let roles = json!({ "appRoles": [{ "id": admin_role, "value": "Web.Admin", "displayName": "Web admins", "allowedMemberTypes": ["User"] }] });
    let web_path = format!("/v1.0/applications(appId='{}')", s.web.id());
    let (status, _, body) = s.call(Method::PATCH, &web_path, Some(&token), Some(&roles)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let web_sp = sp_id(&s, &token, &s.web.id()).await;
    let (status, body) = assign(&s, &token, &web_sp, &alice.id.to_string(), admin_role).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id_token = tokens(&s, &alice.username, &scope).await["id_token"].as_str().unwrap().to_owned();
    assert_eq!(jwt_claims(&id_token)["roles"], json!(["Web.Admin"]));

    // With assignment required, Bob (unassigned) is refused and Alice signs in.
    let patch = json!({ "appRoleAssignmentRequired": true });
    let (status, _, _) =
        s.call(Method::PATCH, &format!("/v1.0/servicePrincipals/{web_sp}"), Some(&token), Some(&patch)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[("scope", &scope)]);
    let refused = sign_in_and_consent(&Browser::new(&s.server), &url, &bob.username).await;
    assert_error_redirect(&refused, "access_denied", 50105);
    tokens(&s, &alice.username, &scope).await;

    // Removing Alice's assignments takes the roles out of her next tokens, and then the sign-in.
    let (status, _, _) = s
        .call(Method::DELETE, &format!("/v1.0/servicePrincipals/{api_sp}/appRoleAssignedTo/{id}"), Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let claims = jwt_claims(tokens(&s, &alice.username, &scope).await["access_token"].as_str().unwrap());
    assert_eq!(claims.get("roles"), None);
    let (_, _, held) = s.get(&format!("/v1.0/servicePrincipals/{web_sp}/appRoleAssignedTo"), Some(&token)).await;
    assert_eq!(held["value"].as_array().unwrap().len(), 1, "{held}");
    let web_assignment = held["value"][0]["id"].as_str().unwrap();
    let path = format!("/v1.0/servicePrincipals/{web_sp}/appRoleAssignedTo/{web_assignment}");
    let (status, _, _) = s.call(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let refused = sign_in_and_consent(&Browser::new(&s.server), &url, &alice.username).await;
    assert_error_redirect(&refused, "access_denied", 50105);
    let (status, _, body) = s.call(Method::DELETE, &path, Some(&token), None).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
}

async fn role_assignments_are_checked_against_the_role_and_the_principal(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let carol = seed::user(&s.server, &fabrikam, "carol").await;
    let token = admin_token(&s).await;
    let api_sp = sp_id(&s, &token, &s.d.api.app_id.to_string()).await;
    let daemon_sp = sp_id(&s, &token, &s.d.daemon_id()).await;
    // An application-only role, and a disabled one.
    let app_only = "0a7f3c1e-5b2d-4c8e-9a6f-2d4b6c8e0a11";
    let disabled = "0a7f3c1e-5b2d-4c8e-9a6f-2d4b6c8e0a12";
    let mut roles: Vec<Value> = s.d.api.app_roles.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    roles.push(json!({ "id": app_only, "value": "Forecast.Sync", "displayName": "Sync", "allowedMemberTypes": ["Application"] }));
    roles.push(json!({ "id": disabled, "value": "Forecast.Old", "displayName": "Old", "allowedMemberTypes": ["User"], "isEnabled": false }));
    let path = format!("/v1.0/applications/{}", s.d.api.id);
    let (status, _, body) = s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "appRoles": roles }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let alice_id = alice.id.to_string();
    for (principal, role, want, code) in [
        (alice_id.as_str(), app_only, 400, "Request_BadRequest"),
        (alice_id.as_str(), disabled, 400, "Request_BadRequest"),
        (alice_id.as_str(), "3f0c7f22-0000-4000-8000-000000000000", 400, "Request_BadRequest"),
        (&carol.id.to_string(), "00000000-0000-0000-0000-000000000000", 404, "Request_ResourceNotFound"),
    ] {
        let (status, body) = assign(&s, &token, &api_sp, principal, role).await;
        assert_graph_error(status, &body, want, code);
    }
    // An app may hold the application-only role; default access is assignable to anyone, once.
    let (status, body) = assign(&s, &token, &api_sp, &daemon_sp, app_only).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["principalType"], "ServicePrincipal");
    let nil = "00000000-0000-0000-0000-000000000000";
    let (status, body) = assign(&s, &token, &api_sp, &alice_id, nil).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = assign(&s, &token, &api_sp, &alice_id, nil).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    // The body's resource must be the path's.
    let body = json!({ "principalId": alice_id, "resourceId": daemon_sp, "appRoleId": nil });
    let (status, _, response) = s
        .call(Method::POST, &format!("/v1.0/servicePrincipals/{api_sp}/appRoleAssignedTo"), Some(&token), Some(&body))
        .await;
    assert_graph_error(status, &response, 400, "Request_BadRequest");
    let (_, _, held) = s.get(&format!("/v1.0/servicePrincipals/{daemon_sp}/appRoleAssignments"), Some(&token)).await;
    let mut held: Vec<&str> = held["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["resourceId"] == api_sp.as_str())
        .map(|a| a["appRoleId"].as_str().unwrap())
        .collect();
    held.sort_unstable();
    let read_all = s.d.api.app_role("Forecast.Read.All").unwrap().id.to_string();
    let mut expected = [read_all.as_str(), app_only];
    expected.sort_unstable();
    assert_eq!(held, expected, "the seed's consent and the new assignment");

    // A member with the scope may not assign.
    s.grant_web(&["AppRoleAssignment.ReadWrite.All"]).await;
    let member = s.user_token(&alice.username, "AppRoleAssignment.ReadWrite.All").await;
    let (status, body) = assign(&s, &member, &api_sp, &alice_id, &read_all).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
}

async fn service_principals_are_listed_added_blocked_and_removed(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let token = admin_token(&s).await;
    let (status, _, listed) = s.get("/v1.0/servicePrincipals?$select=appId", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let mut app_ids: Vec<String> =
        listed["value"].as_array().unwrap().iter().map(|sp| sp["appId"].as_str().unwrap().to_owned()).collect();
    app_ids.sort();
    let mut expected = vec![
        "00000003-0000-0000-c000-000000000000".to_owned(),
        s.d.api.app_id.to_string(),
        s.d.daemon_id(),
        s.web.id(),
    ];
    expected.sort();
    assert_eq!(app_ids, expected);
    let (_, _, one) =
        s.get(&format!("/v1.0/servicePrincipals?$filter=appId eq '{}'", s.d.daemon_id()), Some(&token)).await;
    let daemon = &one["value"][0];
    assert_eq!(
        (daemon["displayName"].clone(), daemon["accountEnabled"].clone(), daemon["appOwnerOrganizationId"].clone()),
        (json!("Daemon"), json!(true), json!(s.d.tenant_id()))
    );
    assert_eq!(daemon["servicePrincipalNames"], json!([s.d.daemon_id()]));

    // A multi-tenant app of Fabrikam is added to Contoso; a single-tenant one cannot be.
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let store = &s.server.state().store;
    let spec = admin::AppSpec { name: "Partner".into(), multi_tenant: true, ..Default::default() };
    let partner = admin::create_app(store, &fabrikam.tenant, spec, s.server.now()).await.unwrap();
    let body = json!({ "appId": partner.app_id });
    let (status, _, added) = s.call(Method::POST, "/v1.0/servicePrincipals", Some(&token), Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        (added["appId"].clone(), added["appOwnerOrganizationId"].clone()),
        (json!(partner.app_id), json!(fabrikam.tenant_id()))
    );
    let (status, _, again) = s.call(Method::POST, "/v1.0/servicePrincipals", Some(&token), Some(&body)).await;
    assert_graph_error(status, &again, 400, "Request_BadRequest");
    let body = json!({ "appId": fabrikam.daemon_id() });
    let (status, _, refused) = s.call(Method::POST, "/v1.0/servicePrincipals", Some(&token), Some(&body)).await;
    assert_graph_error(status, &refused, 400, "Request_BadRequest");

    // Blocking the daemon in this tenant stops its tokens; unblocking restarts them.
    let path = format!("/v1.0/servicePrincipals(appId='{}')", s.d.daemon_id());
    let (status, _, _) = s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "accountEnabled": false }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &seed::daemon_form(&s.d)).await;
    assert_error(status, &body, 400, "unauthorized_client", 7000112);
    // The daemon is blocked; an admin user unblocks it.
    let root = seed::admin_user(&s.server, &s.d, "root").await;
    let admin = s.user_token(&root.username, "Application.ReadWrite.All").await;
    let (status, _, _) = s.call(Method::PATCH, &path, Some(&admin), Some(&json!({ "accountEnabled": true }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &seed::daemon_form(&s.d)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The directory API's own service principal is neither changed nor removed.
    let graph = "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')";
    let (status, _, body) = s.call(Method::PATCH, graph, Some(&admin), Some(&json!({ "accountEnabled": false }))).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    let (status, _, body) = s.call(Method::DELETE, graph, Some(&admin), None).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");

    // Removing the partner's service principal leaves its registration in Fabrikam.
    let path = format!("/v1.0/servicePrincipals/{}", added["id"].as_str().unwrap());
    let (status, _, _) = s.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = s.get(&path, Some(&admin)).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    assert!(store.app_in_tenant(fabrikam.tenant.id, partner.app_id).await.unwrap().is_some());
}

async fn an_app_without_roles_on_a_resource_requiring_assignment_gets_no_token(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let token = admin_token(&s).await;
    let other = seed::client_app(&s.server, &s.d, "Other", false, false).await;
    let api = format!("/v1.0/servicePrincipals(appId='{}')", s.d.api.app_id);
    let (status, _, _) =
        s.call(Method::PATCH, &api, Some(&token), Some(&json!({ "appRoleAssignmentRequired": true }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let form = [
        ("grant_type", "client_credentials".to_owned()),
        ("client_id", other.id()),
        ("client_secret", other.secret.clone().unwrap()),
        ("scope", s.d.scope()),
    ];
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &form).await;
    assert_error(status, &body, 400, "invalid_grant", 501051);
    // The daemon holds a role on it and still gets its token.
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &seed::daemon_form(&s.d)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
