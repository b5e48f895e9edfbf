//! The directory API's groups (issue 19): `/v1.0/groups` (list, create, get) and their members (list,
//! add a user or a group by `$ref`), with Graph's permissions (`Group.Read.All`, `Group.ReadWrite.All`)
//! and Graph's shapes; only security groups; another tenant's group is not found.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_every_backend;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::{Backend, seed};

on_every_backend!(groups_are_created_and_given_members_through_the_directory_api);

async fn groups_are_created_and_given_members_through_the_directory_api(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let theirs = signet::admin::create_group(
        &s.server.state().store,
        &fabrikam.tenant,
        "Theirs",
        &signet::admin::Actor::cli(),
        s.server.now(),
    )
    .await
    .unwrap();
    let writer = s.app_token_of(&["Group.ReadWrite.All"]).await;
    let reader = s.app_token_of(&["Group.Read.All"]).await;
    let nobody = s.app_token_of(&[]).await;

    let new = |name: &str| json!({ "displayName": name, "mailEnabled": false, "mailNickname": name.to_lowercase(), "securityEnabled": true });
    let (status, _, engineering) = s.call(Method::POST, "/v1.0/groups", Some(&writer), Some(&new("Engineering"))).await;
    assert_eq!(status, StatusCode::CREATED, "{engineering}");
    let id = engineering["id"].as_str().unwrap().to_owned();
    assert_eq!(
        engineering,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#groups/$entity", s.server.base),
            "id": id, "displayName": "Engineering", "groupTypes": [], "mailEnabled": false, "securityEnabled": true,
        })
    );
    let (_, _, backend_group) = s.call(Method::POST, "/v1.0/groups", Some(&writer), Some(&new("Backend"))).await;
    let backend_id = backend_group["id"].as_str().unwrap().to_owned();
    // A Microsoft 365 group, or a reader, or nobody: refused, and nothing made.
    let unified = json!({ "displayName": "Team", "mailEnabled": true, "mailNickname": "team", "securityEnabled": false, "groupTypes": ["Unified"] });
    let (status, _, body) = s.call(Method::POST, "/v1.0/groups", Some(&writer), Some(&unified)).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    let (status, _, body) = s.call(Method::POST, "/v1.0/groups", Some(&reader), Some(&new("Nope"))).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");

    // Members by $ref: a user and a group; the group itself is refused.
    let members = format!("/v1.0/groups/{id}/members");
    for member in [alice.id.to_string(), backend_id.clone()] {
        let body = json!({ "@odata.id": format!("{}/v1.0/directoryObjects/{member}", s.server.base) });
        let (status, _, answer) = s.call(Method::POST, &format!("{members}/$ref"), Some(&writer), Some(&body)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    }
    let itself = json!({ "@odata.id": format!("{}/v1.0/directoryObjects/{id}", s.server.base) });
    let (status, _, body) = s.call(Method::POST, &format!("{members}/$ref"), Some(&writer), Some(&itself)).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");

    let (status, _, listed) = s.get(&members, Some(&reader)).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let mut expected = vec![
        json!({ "@odata.type": "#microsoft.graph.user", "id": alice.id, "displayName": alice.display_name, "userPrincipalName": alice.username }),
        json!({ "@odata.type": "#microsoft.graph.group", "id": backend_id, "displayName": "Backend" }),
    ];
    expected.sort_by_key(|m| m["id"].as_str().unwrap().to_owned());
    assert_eq!(
        listed,
        json!({ "@odata.context": format!("{}/v1.0/$metadata#directoryObjects", s.server.base), "value": expected })
    );
    let (_, _, all) = s.get("/v1.0/groups", Some(&reader)).await;
    let names: Vec<&str> =
        all["value"].as_array().unwrap().iter().map(|g| g["displayName"].as_str().unwrap()).collect();
    assert_eq!(names, ["Backend", "Engineering"], "this tenant's, by name");
    let (status, _, body) = s.get("/v1.0/groups", Some(&nobody)).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let (status, _, body) = s.get(&format!("/v1.0/groups/{}", theirs.id), Some(&reader)).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    let events = s.server.state().store.audit_events(s.d.tenant.id).await.unwrap();
    let made: Vec<&str> = events.iter().filter(|e| e.action.starts_with("group.")).map(|e| e.action.as_str()).collect();
    assert_eq!(made, ["group.create", "group.create", "group.addMember", "group.addMember"]);
}
