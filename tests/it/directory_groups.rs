//! The directory API's groups (issue 19): `/v1.0/groups` (list, create, get, delete) and their members
//! (list, add a user or a group by `$ref`, remove one), with Graph's permissions (`Group.*`,
//! `GroupMember.*`) and Graph's shapes; only security groups; another tenant's group is not found.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_every_backend;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::{Backend, seed};

on_every_backend!(
    groups_are_created_and_given_members_through_the_directory_api,
    members_are_removed_and_groups_deleted_with_their_role_assignments,
);

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

async fn members_are_removed_and_groups_deleted_with_their_role_assignments(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let store = &s.server.state().store;
    let cli = signet::admin::Actor::cli();
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let group = |name: &'static str| signet::admin::create_group(store, &s.d.tenant, name, &cli, s.server.now());
    let (engineering, backend_group) = (group("Engineering").await.unwrap(), group("Backend").await.unwrap());
    for (g, member) in [("Backend", alice.username.as_str()), ("Engineering", "Backend")] {
        signet::admin::add_group_member(store, &s.d.tenant, (g, member), &cli, s.server.now()).await.unwrap();
    }
    // Engineering holds a role of the API, which alice gets through Backend.
    let api_sp = store.service_principal(s.d.tenant.id, s.d.api.app_id).await.unwrap().unwrap();
    let role = s.d.api.app_role("Forecast.Read.All").unwrap().id;
    signet::admin::assign_app_role(store, &s.d.tenant, &api_sp, engineering.id, role, &cli, s.server.now())
        .await
        .unwrap();
    assert_eq!(store.transitive_groups(s.d.tenant.id, alice.id).await.unwrap().len(), 2);

    let member_writer = s.app_token_of(&["GroupMember.ReadWrite.All"]).await;
    let member_reader = s.app_token_of(&["GroupMember.Read.All"]).await;
    let members = format!("/v1.0/groups/{}/members", engineering.id);
    let (status, _, listed) = s.get(&members, Some(&member_reader)).await;
    assert_eq!((status, listed["value"][0]["id"].clone()), (StatusCode::OK, json!(backend_group.id)), "{listed}");
    // GroupMember.Read.All reads; it does not remove.
    let remove = format!("{members}/{}/$ref", backend_group.id);
    let (status, _, body) = s.call(Method::DELETE, &remove, Some(&member_reader), None).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let (status, _, body) = s.call(Method::DELETE, &remove, Some(&member_writer), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, body) = s.call(Method::DELETE, &remove, Some(&member_writer), None).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    s.server.clock.advance(2);
    assert_eq!(store.transitive_groups(s.d.tenant.id, alice.id).await.unwrap(), [backend_group.id]);
    let (_, _, listed) = s.get(&members, Some(&member_reader)).await;
    assert_eq!(listed["value"], json!([]));

    // Deleting a group needs Group.ReadWrite.All; it takes its memberships and role assignments along.
    signet::admin::add_group_member(store, &s.d.tenant, ("Engineering", "Backend"), &cli, s.server.now())
        .await
        .unwrap();
    let group_path = format!("/v1.0/groups/{}", engineering.id);
    let (status, _, body) = s.call(Method::DELETE, &group_path, Some(&member_writer), None).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let writer = s.app_token_of(&["Group.ReadWrite.All"]).await;
    let (status, _, body) = s.call(Method::DELETE, &group_path, Some(&writer), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, body) = s.get(&group_path, Some(&writer)).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    s.server.clock.advance(2);
    assert_eq!(store.transitive_groups(s.d.tenant.id, alice.id).await.unwrap(), [backend_group.id]);
    assert!(store.group_role_assignments(s.d.tenant.id, api_sp.id).await.unwrap().is_empty());
    let events = store.audit_events(s.d.tenant.id).await.unwrap();
    let changes: Vec<&str> =
        events.iter().filter(|e| e.action.starts_with("group.")).map(|e| e.action.as_str()).collect();
    assert_eq!(
        changes,
        [
            "group.create",
            "group.create",
            "group.addMember",
            "group.addMember",
            "group.removeMember",
            "group.addMember",
            "group.delete"
        ]
    );
}
