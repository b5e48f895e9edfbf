//! The built-in directory resource: registered once with Microsoft Graph's appId, reachable by its
//! identifier URIs in every tenant, never a tenant of its own.

use serde_json::json;
use signet::domain::graph::{GRAPH_APP_ID, GRAPH_URI, SYSTEM_TENANT};
use signet::store::ResourceLookup;

use crate::on_every_backend;
use crate::support::seed::directory;
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    every_tenant_has_the_graph_resource_under_each_name,
    daemons_get_graph_tokens_with_the_graph_audience,
    the_system_tenant_is_neither_listed_nor_served,
    tenants_made_before_the_server_started_get_graph_at_start,
);

async fn every_tenant_has_the_graph_resource_under_each_name(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let store = &server.state().store;
    let base_alias = format!("{}/graph", server.base);
    for name in [GRAPH_URI.to_owned(), base_alias, GRAPH_APP_ID.to_string()] {
        match store.resource_in_tenant(d.tenant.id, &name).await.unwrap() {
            ResourceLookup::Found(sp, app) => {
                assert_eq!(
                    (sp.tenant_id, app.app_id, app.home_tenant),
                    (d.tenant.id, GRAPH_APP_ID, SYSTEM_TENANT),
                    "{name}"
                );
                let user_read = app.scope("User.Read").expect("User.Read");
                assert_eq!(user_read.id.to_string(), "e1fe6dd8-ba31-4d61-89e7-88639da4683d");
                assert_eq!(user_read.consent_type, signet::domain::app::ConsentType::User);
                let values: Vec<&str> = app.scopes.iter().map(|s| s.value.as_str()).collect();
                let directory = [
                    "User.Read.All",
                    "User.ReadWrite.All",
                    "Application.Read.All",
                    "Application.ReadWrite.All",
                    "AppRoleAssignment.ReadWrite.All",
                    "DelegatedPermissionGrant.ReadWrite.All",
                    "Group.Read.All",
                    "Group.ReadWrite.All",
                    "GroupMember.Read.All",
                    "GroupMember.ReadWrite.All",
                    "Directory.Read.All",
                    "Policy.Read.All",
                    "Policy.ReadWrite.PermissionGrant",
                    "Policy.ReadWrite.Authorization",
                    "Policy.ReadWrite.ConsentRequest",
                    "ConsentRequest.Read.All",
                    "AuditLog.Read.All",
                    "Domain.ReadWrite.All",
                ];
                let oidc_and_profile = ["openid", "profile", "email", "offline_access", "User.Read"];
                assert_eq!(values, [oidc_and_profile.as_slice(), directory.as_slice()].concat());
                // Each directory permission is also an app role, with Microsoft Graph's ids; only
                // User.Read may be granted by users.
                let roles: Vec<&str> = app.app_roles.iter().map(|r| r.value.as_str()).collect();
                assert_eq!(roles, directory);
                let admin_only: Vec<&str> = app
                    .scopes
                    .iter()
                    .filter(|s| s.consent_type == signet::domain::app::ConsentType::Admin)
                    .map(|s| s.value.as_str())
                    .collect();
                assert_eq!(admin_only, directory);
                let ids = |value: &str| {
                    (app.scope(value).unwrap().id.to_string(), app.app_role(value).unwrap().id.to_string())
                };
                assert_eq!(
                    ids("Application.ReadWrite.All"),
                    (
                        "bdfbf15f-ee85-4955-8675-146e8e5296b5".to_owned(),
                        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9".to_owned()
                    )
                );
                assert_eq!(
                    ids("Directory.Read.All"),
                    (
                        "06da0dbc-49e2-44d2-8312-53f166ab848a".to_owned(),
                        "7ab1d382-f21e-4acd-a863-ba3e13f7da61".to_owned()
                    )
                );
                // Checked against published permission lists, as the others were.
                assert_eq!(
                    ids("Group.ReadWrite.All"),
                    (
                        "4e46008b-f24c-477d-8fff-7bb4ec7aafe0".to_owned(),
                        "62a82d76-70ea-41e2-9197-370581804d09".to_owned()
                    )
                );
                assert_eq!(
                    ids("GroupMember.ReadWrite.All"),
                    (
                        "f81125ac-d3b7-4573-a3b2-7099cc39df9e".to_owned(),
                        "dbaae8cf-10b5-4b86-a4a1-f871c94c6695".to_owned()
                    )
                );
                assert_eq!(
                    ids("GroupMember.Read.All"),
                    (
                        "bc024368-1153-4739-b217-4326f2e966d0".to_owned(),
                        "98830695-27a2-44f7-8c18-0c3ebc9698f6".to_owned()
                    )
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    let graph_sps =
        store.service_principals(d.tenant.id).await.unwrap().into_iter().filter(|sp| sp.app_id == GRAPH_APP_ID).count();
    assert_eq!(graph_sps, 1);
}

async fn daemons_get_graph_tokens_with_the_graph_audience(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &d.daemon_id()),
        ("client_secret", &d.secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (status, body) = server.token(&d.tenant_id(), &form).await;
    assert_eq!(status, 200, "{body}");
    let claims = server.verify(&d.tenant_id(), body["access_token"].as_str().unwrap()).await;
    assert_eq!((claims["aud"].clone(), claims["tid"].clone()), (json!(GRAPH_APP_ID.to_string()), json!(d.tenant_id())));
    assert_eq!(claims.get("roles"), None, "no Graph application permission was granted");
}

async fn the_system_tenant_is_neither_listed_nor_served(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let tenants = server.state().store.list_tenants().await.unwrap();
    assert_eq!(tenants.iter().map(|t| t.id).collect::<Vec<_>>(), [d.tenant.id]);
    let system = SYSTEM_TENANT.to_string();
    let (status, body) = server.get_json(&format!("/{system}/v2.0/.well-known/openid-configuration")).await;
    assert_error(status, &body, 400, "invalid_request", 90002);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &d.daemon_id()),
        ("client_secret", &d.secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (status, body) = server.token(&system, &form).await;
    assert_error(status, &body, 400, "invalid_request", 90002);
}

async fn tenants_made_before_the_server_started_get_graph_at_start(backend: Backend) {
    let server = TestServer::start(backend).await;
    // A tenant written straight to the store, as a CLI run on a new database would before any server ran.
    let tenant = server.state().store.create_tenant("Early", "early.example", server.now()).await.unwrap();
    assert!(server.state().store.service_principal(tenant.id, GRAPH_APP_ID).await.unwrap().is_none());
    let server = server.restart().await;
    let sp = server.state().store.service_principal(tenant.id, GRAPH_APP_ID).await.unwrap();
    assert!(sp.is_some_and(|sp| sp.account_enabled));
}
