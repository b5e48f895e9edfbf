//! Security groups in tokens (issue 19): groups with members (users and groups) made with the command
//! line; an app's `groupMembershipClaims` puts the user's transitive group ids in `groups` (the
//! client's setting for the ID token, the resource's for the access token), with Entra's overage rule:
//! past 200 groups a JWT carries `_claim_names`/`_claim_sources` instead.

use reqwest::StatusCode;
use serde_json::{Value, json};
use signet::admin::{self, Actor};

use crate::cli::{json_of, signet};
use crate::on_every_backend;
use crate::support::browser::Browser;
use crate::support::flow::{VERIFIER, authorize_url, code_of, post_token, redeem_form, sign_in_and_consent};
use crate::support::seed::{self, ClientApp, Directory};
use crate::support::{Backend, TestServer, jwt_claims};

on_every_backend!(
    a_users_transitive_groups_reach_the_tokens_of_apps_that_ask_for_them,
    past_200_groups_a_token_points_to_where_they_are_read,
);

/// The ID token's and the access token's claims of `username` signing in to `client`.
async fn tokens_of(server: &TestServer, d: &Directory, client: &ClientApp, username: &str) -> (Value, Value) {
    let scope = format!("openid {}/Forecast.Read", d.api_uri);
    let url = authorize_url(server, &d.tenant_id(), client, &[("scope", &scope)]);
    let code = code_of(&sign_in_and_consent(&Browser::new(server), &url, username).await);
    let (status, tokens) = post_token(server, &d.tenant_id(), &redeem_form(client, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    (jwt_claims(tokens["id_token"].as_str().unwrap()), jwt_claims(tokens["access_token"].as_str().unwrap()))
}

async fn a_users_transitive_groups_reach_the_tokens_of_apps_that_ask_for_them(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let bob = seed::user(&server, &d, "bob").await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let tid = d.tenant_id();
    let id_of = |group: &Value| group["id"].as_str().unwrap().to_owned();
    let engineering = id_of(&json_of(&server, &["group", "create", "--tenant", &tid, "--name", "Engineering"]));
    let backend_group = id_of(&json_of(&server, &["group", "create", "--tenant", &tid, "--name", "Backend"]));
    json_of(&server, &["group", "add-member", "--tenant", &tid, "--group", "Engineering", "--member", "Backend"]);
    json_of(
        &server,
        &["group", "add-member", "--tenant", &tid, "--group", &backend_group, "--member", &alice.username],
    );
    // A group cannot contain a group that contains it.
    let cycle =
        signet(&server, &["group", "add-member", "--tenant", &tid, "--group", "Backend", "--member", "Engineering"]);
    assert_eq!(cycle.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&cycle.stderr).contains("Engineering cannot be a member of Backend"));
    for app in [web.id(), d.api.app_id.to_string()] {
        let set =
            json_of(&server, &["group", "set-claims", "--tenant", &tid, "--app", &app, "--claims", "security-group"]);
        assert_eq!(set["groupMembershipClaims"], "SecurityGroup");
    }

    let mut expected = vec![engineering.clone(), backend_group.clone()];
    expected.sort();
    let (id, access) = tokens_of(&server, &d, &web, &alice.username).await;
    assert_eq!((&id["groups"], &access["groups"]), (&json!(expected), &json!(expected)), "transitive, both tokens");
    let (id, access) = tokens_of(&server, &d, &web, &bob.username).await;
    assert_eq!((&id["groups"], &access["groups"]), (&Value::Null, &Value::Null), "bob is in no group");

    // The client's setting decides the ID token; the resource's the access token.
    json_of(&server, &["group", "set-claims", "--tenant", &tid, "--app", &web.id(), "--claims", "none"]);
    // Another process changed the directory: this server sees it once its cache entry is a second old.
    server.clock.advance_by(std::time::Duration::from_secs(2));
    let (id, access) = tokens_of(&server, &d, &web, &alice.username).await;
    assert_eq!((&id["groups"], &access["groups"]), (&Value::Null, &json!(expected)));

    // A role of the API assigned to Engineering reaches its members, direct or not, and only them.
    let store = &server.state().store;
    let api_sp = store.service_principal(d.tenant.id, d.api.app_id).await.unwrap().unwrap();
    let role = d.api.app_role("Forecast.Read.All").unwrap().id;
    let engineering_id = engineering.parse().unwrap();
    admin::assign_app_role(store, &d.tenant, &api_sp, engineering_id, role, &Actor::cli(), server.now()).await.unwrap();
    let (_, access) = tokens_of(&server, &d, &web, &alice.username).await;
    assert_eq!(access["roles"], json!(["Forecast.Read.All"]), "through Backend, a member of Engineering");
    let (_, access) = tokens_of(&server, &d, &web, &bob.username).await;
    assert_eq!(access["roles"], Value::Null);

    // ApplicationGroup: only the user's groups assigned to the app.
    let claims = signet::domain::group::GroupMembershipClaims::ApplicationGroup;
    admin::set_group_claims(store, &d.tenant, &d.api.app_id.to_string(), claims, &Actor::cli(), server.now())
        .await
        .unwrap();
    let (_, access) = tokens_of(&server, &d, &web, &alice.username).await;
    assert_eq!(access["groups"], json!([engineering]));

    // Alice leaves Backend: she is in no group, and holds Engineering's role no more.
    let left = json_of(
        &server,
        &["group", "remove-member", "--tenant", &tid, "--group", "Backend", "--member", &alice.username],
    );
    assert_eq!(left["id"], json!(backend_group));
    let again = signet(
        &server,
        &["group", "remove-member", "--tenant", &tid, "--group", "Backend", "--member", &alice.username],
    );
    assert_eq!(again.status.code(), Some(2), "she is no direct member any more");
    server.clock.advance_by(std::time::Duration::from_secs(2));
    let (_, access) = tokens_of(&server, &d, &web, &alice.username).await;
    assert_eq!((&access["groups"], &access["roles"]), (&Value::Null, &Value::Null));
    // Deleting Engineering takes its role assignment along.
    let deleted = json_of(&server, &["group", "delete", "--tenant", &tid, "--group", "Engineering"]);
    assert_eq!(deleted["id"], json!(engineering));
    let listed = json_of(&server, &["group", "list", "--tenant", &tid]);
    assert_eq!(
        listed.as_array().unwrap().iter().map(|g| g["displayName"].clone()).collect::<Vec<_>>(),
        [json!("Backend")]
    );
    server.clock.advance_by(std::time::Duration::from_secs(2));
    assert!(store.group_role_assignments(d.tenant.id, api_sp.id).await.unwrap().is_empty());
}

async fn past_200_groups_a_token_points_to_where_they_are_read(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let store = &server.state().store;
    let claims = signet::domain::group::GroupMembershipClaims::All;
    admin::set_group_claims(store, &d.tenant, &d.api.app_id.to_string(), claims, &Actor::cli(), server.now())
        .await
        .unwrap();
    let join = async |n: usize| {
        let group =
            admin::create_group(store, &d.tenant, &format!("Team {n:03}"), &Actor::cli(), server.now()).await.unwrap();
        let members = (group.id.to_string(), alice.username.clone());
        admin::add_group_member(store, &d.tenant, (&members.0, &members.1), &Actor::cli(), server.now()).await.unwrap();
    };
    for n in 0..200 {
        join(n).await;
    }
    let (_, access) = tokens_of(&server, &d, &web, &alice.username).await;
    assert_eq!(access["groups"].as_array().map(Vec::len), Some(200), "200 still fit");
    assert_eq!(access["_claim_names"], Value::Null);

    join(200).await;
    let (_, access) = tokens_of(&server, &d, &web, &alice.username).await;
    assert_eq!(access["groups"], Value::Null, "201 do not");
    assert_eq!(access["_claim_names"], json!({ "groups": "src1" }));
    let endpoint = format!("{}/v1.0/users/{}/getMemberObjects", server.base, alice.id);
    assert_eq!(access["_claim_sources"], json!({ "src1": { "endpoint": endpoint } }));

    // The endpoint answers with the 201 groups, to alice herself (a Graph token with User.Read).
    let url =
        authorize_url(&server, &d.tenant_id(), &web, &[("scope", "openid https://graph.microsoft.com/User.Read")]);
    let code = code_of(&sign_in_and_consent(&Browser::new(&server), &url, &alice.username).await);
    let (_, tokens) = post_token(&server, &d.tenant_id(), &redeem_form(&web, &code, VERIFIER)).await;
    let graph_token = tokens["access_token"].as_str().unwrap();
    let response = server
        .http
        .post(&endpoint)
        .bearer_auth(graph_token)
        .json(&json!({ "securityEnabledOnly": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let mut expected = store.transitive_groups(d.tenant.id, alice.id).await.unwrap();
    expected.sort();
    assert_eq!(body["value"].as_array().map(Vec::len), Some(201));
    assert_eq!(body["value"], json!(expected));
    assert_eq!(body["@odata.context"], format!("{}/v1.0/$metadata#Collection(Edm.String)", server.base));
}
