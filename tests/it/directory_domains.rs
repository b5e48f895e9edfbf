//! The directory API's domains (issue 17): listed, added verified (unique across tenants), and removed
//! only when no user's name and no app's identifier URI uses them; the CLI does the same.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_every_backend;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::{Backend, seed};

on_every_backend!(domains_are_added_verified_and_removed_only_when_unused);

async fn domains_are_added_verified_and_removed_only_when_unused(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    seed::directory(&s.server, "fabrikam.example").await;
    s.grant_daemon(&["Domain.ReadWrite.All", "User.ReadWrite.All", "Application.ReadWrite.All"]).await;
    let token = s.app_token().await;
    let (status, _, listed) = s.get("/v1.0/domains", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(
        listed,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#domains", s.server.base),
            "value": [{
                "id": "contoso.example", "authenticationType": "Managed", "isAdminManaged": true, "isDefault": true,
                "isInitial": true, "isRoot": true, "isVerified": true, "supportedServices": [],
            }],
        })
    );
    let (status, _, added) =
        s.call(Method::POST, "/v1.0/domains", Some(&token), Some(&json!({ "id": "Sales.Contoso.Example" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!((added["id"].clone(), added["isVerified"].clone()), (json!("sales.contoso.example"), json!(true)));
    for (id, want, code) in [
        ("fabrikam.example", 409, "Request_BadRequest"),
        ("sales.contoso.example", 409, "Request_BadRequest"),
        ("not a domain", 400, "Request_BadRequest"),
    ] {
        let (status, _, body) = s.call(Method::POST, "/v1.0/domains", Some(&token), Some(&json!({ "id": id }))).await;
        assert_graph_error(status, &body, want, code);
    }

    // A user on the new domain, then an app's identifier URI on it, keep it; once both are gone it goes.
    let user = json!({
        "accountEnabled": true, "displayName": "Sam", "mailNickname": "sam",
        "userPrincipalName": "sam@sales.contoso.example", "passwordProfile": { "password": "a long enough password" },
    });
    let (status, _, sam) = s.call(Method::POST, "/v1.0/users", Some(&token), Some(&user)).await;
    assert_eq!(status, StatusCode::CREATED, "{sam}");
    let app = json!({ "displayName": "Sales API", "identifierUris": ["https://api.sales.contoso.example/orders"] });
    let (status, _, app) = s.call(Method::POST, "/v1.0/applications", Some(&token), Some(&app)).await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let path = "/v1.0/domains/sales.contoso.example";
    let (status, _, body) = s.call(Method::DELETE, path, Some(&token), None).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    assert!(body["error"]["message"].as_str().unwrap().contains("users' names"), "{body}");
    let (status, _, _) =
        s.call(Method::DELETE, &format!("/v1.0/users/{}", sam["id"].as_str().unwrap()), Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = s.call(Method::DELETE, path, Some(&token), None).await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("identifier URI https://api.sales.contoso.example/orders"),
        "{status} {body}"
    );
    let app_path = format!("/v1.0/applications/{}", app["id"].as_str().unwrap());
    let (status, _, _) = s.call(Method::DELETE, &app_path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = s.call(Method::DELETE, path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = s.get(path, Some(&token)).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    // The initial domain stays; another tenant's is not found here.
    let (status, _, body) = s.call(Method::DELETE, "/v1.0/domains/contoso.example", Some(&token), None).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    let (status, _, body) = s.call(Method::DELETE, "/v1.0/domains/fabrikam.example", Some(&token), None).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");

    // A domain removed no longer names the tenant.
    let store = &s.server.state().store;
    s.server.clock.advance_by(std::time::Duration::from_millis(1100));
    assert!(store.resolve_tenant("sales.contoso.example").await.unwrap().is_none());
    let events = store.audit_events(s.d.tenant.id).await.unwrap();
    let actions: Vec<&str> =
        events.iter().filter(|e| e.action.starts_with("domain.")).map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["domain.add", "domain.remove"]);
}
