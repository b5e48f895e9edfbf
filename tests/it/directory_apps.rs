//! The directory API's applications (issue 17): register, read (by id or appId), list with filters and
//! key paging, change under the registration rules, delete, and add or remove client secrets that then
//! work, or stop working, at the token endpoint.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::seed::{self, REDIRECT_URI};
use crate::support::{Backend, assert_error};

on_every_backend!(
    an_admin_registers_an_app_and_reads_it_back_in_graphs_shape,
    a_secret_added_works_once_its_text_is_shown_and_stops_when_removed,
    patch_replaces_named_properties_under_the_registration_rules,
    applications_are_listed_by_key_with_filters_in_the_callers_tenant,
    deleting_an_app_removes_its_principal_and_its_credentials_stop_working,
    members_read_apps_but_only_admins_change_them,
);

async fn writer(s: &GraphSetup) -> String {
    s.grant_daemon(&["Application.ReadWrite.All"]).await;
    s.app_token().await
}

const SCOPE_ID: &str = "8a2f63d5-6f51-4d43-9c1b-0c8f1d1c3e01";
const ROLE_ID: &str = "1e8f0a8c-2b7d-4a57-8d6e-5b3c9a0f7d02";

fn orders_api() -> Value {
    json!({
        "displayName": "Orders API",
        "signInAudience": "AzureADMyOrg",
        "identifierUris": ["api://contoso.example/orders"],
        "web": { "redirectUris": [REDIRECT_URI] },
        "spa": { "redirectUris": ["http://localhost:5173/"] },
        "api": { "oauth2PermissionScopes": [{
            "id": SCOPE_ID, "value": "Orders.Read", "type": "User",
            "adminConsentDisplayName": "Read orders", "adminConsentDescription": "Reads orders.",
        }] },
        "appRoles": [{
            "id": ROLE_ID, "value": "Orders.Admin", "displayName": "Administer orders",
            "allowedMemberTypes": ["User", "Application"],
        }],
    })
}

async fn an_admin_registers_an_app_and_reads_it_back_in_graphs_shape(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let token = writer(&s).await;
    let (status, _, created) = s.call(Method::POST, "/v1.0/applications", Some(&token), Some(&orders_api())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (id, app_id) = (created["id"].as_str().unwrap(), created["appId"].as_str().unwrap());
    let expected = json!({
        "@odata.context": format!("{}/v1.0/$metadata#applications/$entity", s.server.base),
        "id": id,
        "appId": app_id,
        "displayName": "Orders API",
        "signInAudience": "AzureADMyOrg",
        "identifierUris": ["api://contoso.example/orders"],
        "publisherDomain": "contoso.example",
        "isFallbackPublicClient": false,
        "api": {
            "requestedAccessTokenVersion": 2,
            "oauth2PermissionScopes": [{
                "id": SCOPE_ID, "value": "Orders.Read", "type": "User",
                "adminConsentDisplayName": "Read orders", "adminConsentDescription": "Reads orders.",
                "userConsentDisplayName": "Read orders", "userConsentDescription": "Reads orders.",
                "isEnabled": true,
            }],
            "knownClientApplications": [],
            "preAuthorizedApplications": [],
        },
        "appRoles": [{
            "id": ROLE_ID, "value": "Orders.Admin", "displayName": "Administer orders",
            "description": "Administer orders", "allowedMemberTypes": ["User", "Application"], "isEnabled": true,
        }],
        "web": {
            "redirectUris": [REDIRECT_URI],
            "homePageUrl": null,
            "logoutUrl": null,
            "implicitGrantSettings": { "enableAccessTokenIssuance": false, "enableIdTokenIssuance": false },
        },
        "publicClient": { "redirectUris": [] },
        "spa": { "redirectUris": ["http://localhost:5173/"] },
        "requiredResourceAccess": [],
        "passwordCredentials": [],
        "keyCredentials": [],
        "verifiedPublisher": { "displayName": null, "verifiedPublisherId": null, "addedDateTime": null },
        "groupMembershipClaims": null,
    });
    assert_eq!(created, expected);
    for path in [format!("/v1.0/applications/{id}"), format!("/v1.0/applications(appId='{app_id}')")] {
        let (status, _, body) = s.get(&path, Some(&token)).await;
        assert_eq!((status, body), (StatusCode::OK, expected.clone()), "{path}");
    }
    let (_, _, body) = s.get(&format!("/v1.0/applications/{id}?$select=appId,displayName"), Some(&token)).await;
    assert_eq!(
        body,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#applications(appId,displayName)/$entity", s.server.base),
            "appId": app_id,
            "displayName": "Orders API",
        })
    );

    // Registered alone, as in Graph: the service principal is added apart. Audited with the caller and
    // the request.
    let store = &s.server.state().store;
    assert!(store.service_principal(s.d.tenant.id, app_id.parse().unwrap()).await.unwrap().is_none());
    let (status, _, sp) =
        s.call(Method::POST, "/v1.0/servicePrincipals", Some(&token), Some(&json!({ "appId": app_id }))).await;
    assert_eq!(status, StatusCode::CREATED, "{sp}");
    assert!(store.service_principal(s.d.tenant.id, app_id.parse().unwrap()).await.unwrap().is_some());
    let events = store.audit_events(s.d.tenant.id).await.unwrap();
    let event = events.iter().find(|e| e.action == "app.create" && e.target == format!("app:{app_id}")).unwrap();
    assert_eq!(event.actor, format!("app:{}", s.d.daemon_id()));
    assert_eq!(event.correlation_id.to_string(), crate::support::graph::CLIENT_REQUEST_ID);
}

async fn client_credentials(s: &GraphSetup, app_id: &str, secret: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id),
        ("client_secret", secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    s.server.token(&s.d.tenant_id(), &form).await
}

async fn a_secret_added_works_once_its_text_is_shown_and_stops_when_removed(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let token = writer(&s).await;
    let (_, _, app) =
        s.call(Method::POST, "/v1.0/applications", Some(&token), Some(&json!({ "displayName": "Sync" }))).await;
    let (id, app_id) = (app["id"].as_str().unwrap().to_owned(), app["appId"].as_str().unwrap().to_owned());
    let (status, _, _) =
        s.call(Method::POST, "/v1.0/servicePrincipals", Some(&token), Some(&json!({ "appId": app_id }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let asked = json!({ "passwordCredential": { "displayName": "CI", "endDateTime": "2099-01-01T00:00:00Z" } });
    let path = format!("/v1.0/applications/{id}/addPassword");
    let (status, _, added) = s.call(Method::POST, &path, Some(&token), Some(&asked)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "more than two years: {added}");
    let asked = json!({ "passwordCredential": { "displayName": "CI" } });
    let (status, _, added) = s.call(Method::POST, &path, Some(&token), Some(&asked)).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let secret = added["secretText"].as_str().unwrap().to_owned();
    assert_eq!(added["hint"], secret[..3]);
    assert_eq!(added["displayName"], "CI");
    assert_eq!(added["@odata.context"], format!("{}/v1.0/$metadata#microsoft.graph.passwordCredential", s.server.base));
    let (status, body) = client_credentials(&s, &app_id, &secret).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Reading the app shows the secret's metadata, never its text.
    let (_, _, read) = s.get(&format!("/v1.0/applications(appId='{app_id}')"), Some(&token)).await;
    let listed = &read["passwordCredentials"][0];
    assert_eq!((listed["keyId"].clone(), listed["secretText"].clone()), (added["keyId"].clone(), Value::Null));
    assert!(!read.to_string().contains(&secret));

    let remove = format!("/v1.0/applications/{id}/removePassword");
    let (status, _, _) = s.call(Method::POST, &remove, Some(&token), Some(&json!({ "keyId": added["keyId"] }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = client_credentials(&s, &app_id, &secret).await;
    assert_error(status, &body, 401, "invalid_client", 7000215);
    let (status, _, body) =
        s.call(Method::POST, &remove, Some(&token), Some(&json!({ "keyId": added["keyId"] }))).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
}

async fn patch_replaces_named_properties_under_the_registration_rules(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let token = writer(&s).await;
    let (_, _, app) = s.call(Method::POST, "/v1.0/applications", Some(&token), Some(&orders_api())).await;
    let path = format!("/v1.0/applications/{}", app["id"].as_str().unwrap());
    let patch = json!({ "displayName": "Orders", "web": { "redirectUris": ["https://orders.example/signin"] } });
    let (status, _, _) = s.call(Method::PATCH, &path, Some(&token), Some(&patch)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, read) = s.get(&path, Some(&token)).await;
    assert_eq!(
        (read["displayName"].clone(), read["web"]["redirectUris"].clone()),
        (json!("Orders"), json!(["https://orders.example/signin"]))
    );
    assert_eq!(read["identifierUris"], json!(["api://contoso.example/orders"]), "properties not named are kept");

    let scope = |enabled: bool| {
        json!({ "api": { "oauth2PermissionScopes": [{
        "id": SCOPE_ID, "value": "Orders.Read", "type": "User", "isEnabled": enabled,
        "adminConsentDisplayName": "Read orders", "adminConsentDescription": "Reads orders.",
    }] } })
    };
    for (patch, code, message) in [
        (json!({ "web": { "redirectUris": ["http://orders.example/signin"] } }), "Request_BadRequest", "http"),
        (json!({ "identifierUris": [s.d.api_uri] }), "Request_BadRequest", "is already used by another app"),
        (
            json!({ "api": { "oauth2PermissionScopes": [] } }),
            "Request_BadRequest",
            "Orders.Read is enabled: set its isEnabled to false before removing it",
        ),
        (json!({ "appRoles": [] }), "Request_BadRequest", "Orders.Admin is enabled"),
        (
            json!({ "spa": { "redirectUris": ["http://orders.example/spa"] } }),
            "Request_BadRequest",
            "redirect URI 'http://orders.example/spa' must use https",
        ),
        (
            json!({ "signInAudience": "PersonalMicrosoftAccount" }),
            "Request_BadRequest",
            "signInAudience 'PersonalMicrosoftAccount' is not supported",
        ),
        (
            json!({ "requiredResourceAccess": [{ "resourceAppId": uuid::Uuid::new_v4(), "resourceAccess": [] }] }),
            "Request_BadRequest",
            "was not found",
        ),
        (
            json!({ "requiredResourceAccess": [{ "resourceAppId": s.d.api.app_id, "resourceAccess": [{ "id": uuid::Uuid::new_v4(), "type": "Role" }] }] }),
            "Request_BadRequest",
            "defines no Role permission",
        ),
        (json!({ "displayName": "" }), "Request_BadRequest", "display name"),
        (json!({ "tags": ["x"] }), "BadRequest", "unknown field `tags`"),
    ] {
        let (status, _, body) = s.call(Method::PATCH, &path, Some(&token), Some(&patch)).await;
        assert_graph_error(status, &body, 400, code);
        assert!(body["error"]["message"].as_str().unwrap().contains(message), "{patch}: {body}");
    }
    let (_, _, unchanged) = s.get(&path, Some(&token)).await;
    assert_eq!(unchanged, read, "a refused change changes nothing");

    // Disabled first, a scope can go; a permission of the tenant's API can be required.
    for patch in [scope(false), json!({ "api": { "oauth2PermissionScopes": [] } })] {
        let (status, _, body) = s.call(Method::PATCH, &path, Some(&token), Some(&patch)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let forecast_read = s.d.api.scope("Forecast.Read").unwrap().id;
    let required = json!({ "requiredResourceAccess": [{ "resourceAppId": s.d.api.app_id, "resourceAccess": [{ "id": forecast_read, "type": "Scope" }] }] });
    let (status, _, _) = s.call(Method::PATCH, &path, Some(&token), Some(&required)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, read) = s.get(&path, Some(&token)).await;
    assert_eq!(read["requiredResourceAccess"], required["requiredResourceAccess"]);
    assert_eq!(read["api"]["oauth2PermissionScopes"], json!([]));
}

async fn applications_are_listed_by_key_with_filters_in_the_callers_tenant(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    seed::directory(&s.server, "fabrikam.example").await;
    s.grant_daemon(&["Application.Read.All"]).await;
    let token = s.app_token().await;
    // Contoso has the Forecast API, the daemon and the web app; Fabrikam's are not listed.
    let mut expected: Vec<String> = [&s.d.api, &s.d.daemon, &s.web.app].iter().map(|a| a.id.to_string()).collect();
    expected.sort();
    let (status, _, first) = s.get("/v1.0/applications?$top=2&$select=id", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["@odata.context"], format!("{}/v1.0/$metadata#applications(id)", s.server.base));
    let next = first["@odata.nextLink"].as_str().unwrap();
    let (_, _, second) = s.get(next, Some(&token)).await;
    assert!(second.get("@odata.nextLink").is_none(), "{second}");
    let seen: Vec<Value> =
        first["value"].as_array().unwrap().iter().chain(second["value"].as_array().unwrap()).cloned().collect();
    assert_eq!(seen, expected.iter().map(|id| json!({ "id": id })).collect::<Vec<_>>());

    let daemon = s.d.daemon_id();
    for (filter, expected) in [
        (format!("appId eq '{daemon}'"), vec!["Daemon"]),
        ("startswith(displayName,'fore')".to_owned(), vec!["Forecast API"]),
        ("displayName eq 'WEB APP' or displayName eq 'Daemon'".to_owned(), {
            let mut both = vec![(s.d.daemon.id, "Daemon"), (s.web.app.id, "Web App")];
            both.sort();
            both.into_iter().map(|(_, name)| name).collect()
        }),
    ] {
        let (status, _, body) =
            s.get(&format!("/v1.0/applications?$filter={filter}&$select=displayName"), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let names: Vec<&str> =
            body["value"].as_array().unwrap().iter().map(|a| a["displayName"].as_str().unwrap()).collect();
        assert_eq!(names, expected, "{filter}");
    }
    let (status, _, body) = s.get("/v1.0/applications?$filter=signInAudience eq 'AzureADMyOrg'", Some(&token)).await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
}

async fn deleting_an_app_removes_its_principal_and_its_credentials_stop_working(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let token = writer(&s).await;
    let (status, body) = client_credentials(&s, &s.web.id(), s.web.secret.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let path = format!("/v1.0/applications(appId='{}')", s.web.id());
    let (status, _, _) = s.call(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = s.get(&path, Some(&token)).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    let (status, body) = client_credentials(&s, &s.web.id(), s.web.secret.as_deref().unwrap()).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);
    let store = &s.server.state().store;
    assert!(store.service_principal(s.d.tenant.id, s.web.app.app_id).await.unwrap().is_none());

    // Another tenant's writer finds nothing to read or delete here.
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let roles = ["Application.ReadWrite.All".to_owned()];
    signet::admin::require(
        store,
        &fabrikam.tenant,
        &fabrikam.daemon_id(),
        "https://graph.microsoft.com",
        &[],
        &roles,
        s.server.now(),
    )
    .await
    .unwrap();
    signet::admin::grant_consent(store, &fabrikam.tenant, &fabrikam.daemon_id(), s.server.now()).await.unwrap();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &fabrikam.daemon_id()),
        ("client_secret", &fabrikam.secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (_, tokens) = s.server.token(&fabrikam.tenant_id(), &form).await;
    let theirs = tokens["access_token"].as_str().unwrap();
    for path in
        [format!("/v1.0/applications/{}", s.d.api.id), format!("/v1.0/applications(appId='{}')", s.d.api.app_id)]
    {
        let (status, _, body) = s.get(&path, Some(theirs)).await;
        assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
        let (status, _, body) = s.call(Method::DELETE, &path, Some(theirs), None).await;
        assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    }
    assert!(store.app_in_tenant(s.d.tenant.id, s.d.api.app_id).await.unwrap().is_some());
}

async fn members_read_apps_but_only_admins_change_them(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    s.grant_web(&["Application.ReadWrite.All"]).await;
    let token = s.user_token(&alice.username, "Application.ReadWrite.All").await;
    let (status, _, body) = s.get("/v1.0/applications", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let path = format!("/v1.0/applications/{}", s.d.api.id);
    for (method, path, body) in [
        (Method::POST, "/v1.0/applications".to_owned(), Some(json!({ "displayName": "Mine" }))),
        (Method::PATCH, path.clone(), Some(json!({ "displayName": "Renamed" }))),
        (Method::DELETE, path.clone(), None),
        (Method::POST, format!("{path}/addPassword"), Some(json!({}))),
    ] {
        let (status, _, response) = s.call(method, &path, Some(&token), body.as_ref()).await;
        assert_graph_error(status, &response, 403, "Authorization_RequestDenied");
    }
    let admin = seed::admin_user(&s.server, &s.d, "root").await;
    let token = s.user_token(&admin.username, "Application.ReadWrite.All").await;
    let (status, _, body) =
        s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "displayName": "Renamed" }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}
