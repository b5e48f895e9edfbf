//! The directory API's users (issue 17): list with `$filter`, `$select`, `$top` and key paging; create
//! with a `passwordProfile`; block sign-in, reset a password and delete through `PATCH` and `DELETE`,
//! with what each does to the user's sign-ins; and who may do each.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::browser::{Browser, page};
use crate::support::flow::*;
use crate::support::graph::{CLIENT_REQUEST_ID, GraphSetup, assert_graph_error};
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, assert_error};

on_every_backend!(
    users_are_listed_by_key_page_by_page_with_filter_and_select,
    unsupported_or_malformed_query_options_are_400s,
    an_admin_creates_a_user_who_then_signs_in,
    creating_a_user_validates_every_property,
    blocking_a_user_ends_its_sign_ins_until_it_is_unblocked,
    a_password_reset_ends_sign_ins_and_replaces_the_password,
    deleting_a_user_removes_it_with_its_grants,
    members_read_users_but_only_admins_change_them,
    the_last_administrator_cannot_be_removed,
);

/// The daemon's token with these directory roles.
async fn daemon_with(s: &GraphSetup, roles: &[&str]) -> String {
    s.grant_daemon(roles).await;
    s.app_token().await
}

fn ids(body: &Value) -> Vec<String> {
    body["value"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect()
}

async fn users_are_listed_by_key_page_by_page_with_filter_and_select(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let mut users = Vec::new();
    for name in ["alice", "bob", "carol", "dave", "erin"] {
        users.push(seed::user(&s.server, &s.d, name).await);
    }
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    seed::user(&s.server, &fabrikam, "alice").await;
    let token = daemon_with(&s, &["User.Read.All"]).await;

    // Pages of two, in id order, each linking to the next; the last links nowhere.
    let mut expected: Vec<String> = users.iter().map(|u| u.id.to_string()).collect();
    expected.sort();
    let (mut seen, mut next, mut pages) = (Vec::new(), Some(s.server.url("/v1.0/users?$top=2")), 0);
    while let Some(url) = next {
        let (status, _, body) = s.get(&url, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["@odata.context"], format!("{}/v1.0/$metadata#users", s.server.base));
        seen.extend(ids(&body));
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
        if let Some(link) = &next {
            assert!(link.starts_with(&format!("{}/v1.0/users?", s.server.base)), "{link}");
            assert!(link.contains("%24top=2"), "{link}");
        }
        pages += 1;
    }
    assert_eq!((seen, pages), (expected, 3));

    // Filters on names ignore case; $select returns exactly the named properties.
    let (status, _, body) = s
        .get("/v1.0/users?$filter=startswith(displayName,'A') or userPrincipalName eq 'BOB@contoso.example'&$select=userPrincipalName,accountEnabled", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut matching = [&users[0], &users[1]];
    matching.sort_by_key(|u| u.id);
    let value: Vec<Value> =
        matching.iter().map(|u| json!({ "userPrincipalName": u.username, "accountEnabled": true })).collect();
    assert_eq!(
        body,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#users(userPrincipalName,accountEnabled)", s.server.base),
            "value": value,
        })
    );
    let (_, _, body) = s.get(&format!("/v1.0/users?$filter=id eq '{}'", users[2].id), Some(&token)).await;
    assert_eq!(ids(&body), [users[2].id.to_string()]);
    // A wildcard in a prefix is a character, not a wildcard.
    let (_, _, body) = s.get("/v1.0/users?$filter=startswith(displayName,'%25')", Some(&token)).await;
    assert_eq!(body["value"], json!([]));
    let (_, _, body) = s.get("/v1.0/users?$filter=startswith(displayName,'_')", Some(&token)).await;
    assert_eq!(body["value"], json!([]));
}

async fn unsupported_or_malformed_query_options_are_400s(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let token = daemon_with(&s, &["User.Read.All"]).await;
    for (query, code, message) in [
        ("$orderby=displayName", "Request_UnsupportedQuery", "Query option '$orderby' is not supported here."),
        ("$count=true", "Request_UnsupportedQuery", "Query option '$count' is not supported here."),
        ("$search=%22displayName:a%22", "Request_UnsupportedQuery", "Query option '$search' is not supported here."),
        ("$top=1000", "BadRequest", "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."),
        ("$top=2&$top=3", "BadRequest", "Query option '$top' was specified more than once."),
        (
            "$select=id,passwordHash",
            "BadRequest",
            "Could not find a property named 'passwordHash' on the selected type.",
        ),
        (
            "$filter=jobTitle eq 'x'",
            "Request_UnsupportedQuery",
            "Unsupported or invalid query filter clause specified for property 'jobTitle'.",
        ),
        (
            "$filter=displayName ne 'x'",
            "Request_UnsupportedQuery",
            "Unsupported query: the operator 'ne' is not supported; use eq, startswith, and, or.",
        ),
        ("$filter=displayName eq 'x", "BadRequest", "Invalid filter clause: a string is not closed."),
        ("$skiptoken=not-a-key", "BadRequest", "Invalid $skiptoken."),
    ] {
        let (status, _, body) = s.get(&format!("/v1.0/users?{query}"), Some(&token)).await;
        assert_graph_error(status, &body, 400, code);
        assert_eq!(body["error"]["message"], message, "{query}");
    }
    // One object takes $select only.
    let (status, _, body) = s.get("/v1.0/organization?$top=1", Some(&token)).await;
    assert_graph_error(status, &body, 400, "Request_UnsupportedQuery");
    // Deep nesting is refused at once.
    let nested = format!("{}displayName eq 'x'{}", "(".repeat(2000), ")".repeat(2000));
    let (status, _, body) = s.get(&format!("/v1.0/users?$filter={nested}"), Some(&token)).await;
    assert_graph_error(status, &body, 400, "BadRequest");
    // Query options are read only after the caller is known.
    let (status, _, body) = s.get("/v1.0/users?$orderby=displayName", None).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
}

fn new_user(upn: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "accountEnabled": true,
        "displayName": "Adele Vance",
        "mailNickname": "adele",
        "userPrincipalName": upn,
        "passwordProfile": { "forceChangePasswordNextSignIn": false, "password": "xWwvJ]6NMw+bWH-d" },
    })
}

async fn an_admin_creates_a_user_who_then_signs_in(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let admin = seed::admin_user(&s.server, &s.d, "root").await;
    let token = s.user_token(&admin.username, "User.ReadWrite.All").await;
    let (status, _, body) =
        s.call(Method::POST, "/v1.0/users", Some(&token), Some(&new_user("Adele@contoso.example"))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        body,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#users/$entity", s.server.base),
            "id": id,
            "businessPhones": [],
            "displayName": "Adele Vance",
            "givenName": null,
            "jobTitle": null,
            "mail": "adele@contoso.example",
            "mobilePhone": null,
            "officeLocation": null,
            "preferredLanguage": null,
            "surname": null,
            "userPrincipalName": "adele@contoso.example",
        })
    );
    let (status, _, body) = s.get(&format!("/v1.0/users/{id}?$select=displayName,accountEnabled"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#users(displayName,accountEnabled)/$entity", s.server.base),
            "displayName": "Adele Vance",
            "accountEnabled": true,
        })
    );

    // The new user signs in with the password the admin set.
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[]);
    let browser = Browser::new(&s.server);
    let (_, html) = page(browser.get(&url).await).await;
    let response =
        accept_consent_if_asked(&browser, browser.sign_in(&html, "adele@contoso.example", "xWwvJ]6NMw+bWH-d").await)
            .await;
    code_of(&response);

    // The audit log names the admin and the request.
    let events = s.server.state().store.audit_events(s.d.tenant.id).await.unwrap();
    let event = events.iter().find(|e| e.target == "user:adele@contoso.example").unwrap();
    assert_eq!(event.actor, format!("user:{} {}", admin.id, admin.username));
    assert_eq!(event.correlation_id.to_string(), CLIENT_REQUEST_ID);
    assert_eq!(
        event.details,
        json!({ "userPrincipalName": "adele@contoso.example", "isAdmin": false, "accountEnabled": true })
    );
    assert!(!event.details.to_string().contains("xWwvJ"), "the password is never logged");
}

async fn creating_a_user_validates_every_property(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    seed::user(&s.server, &s.d, "taken").await;
    seed::directory(&s.server, "fabrikam.example").await;
    let token = daemon_with(&s, &["User.ReadWrite.All"]).await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = new_user("adele@contoso.example");
        change(&mut body);
        body
    };
    for (body, code, message) in [
        (new_user("taken@contoso.example"), "Request_BadRequest", "user taken@contoso.example already exists"),
        (new_user("adele@fabrikam.example"), "Request_BadRequest", "'fabrikam.example' is not a verified domain"),
        (new_user("adele"), "Request_BadRequest", "must look like name@domain"),
        (new_user("a dele@contoso.example"), "Request_BadRequest", "is not a valid user name"),
        (
            with(&|b| b["passwordProfile"]["password"] = json!("short")),
            "Request_BadRequest",
            "the password must have 8 to 256 characters",
        ),
        (
            with(&|b| b["displayName"] = json!(" ")),
            "Request_BadRequest",
            "the display name must have 1 to 256 characters",
        ),
        (with(&|b| b["displayName"] = json!("a\u{7}b")), "Request_BadRequest", "no control characters"),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("passwordProfile");
            }),
            "BadRequest",
            "missing field `passwordProfile`",
        ),
        (with(&|b| b["jobTitle"] = json!("CEO")), "BadRequest", "unknown field `jobTitle`"),
        (
            with(&|b| b["@odata.type"] = json!("#microsoft.graph.group")),
            "BadRequest",
            "The type '#microsoft.graph.group' is not '#microsoft.graph.user'.",
        ),
        (json!("not an object"), "BadRequest", "Invalid request body"),
    ] {
        let (status, _, response) = s.call(Method::POST, "/v1.0/users", Some(&token), Some(&body)).await;
        assert_graph_error(status, &response, 400, code);
        let said = response["error"]["message"].as_str().unwrap();
        assert!(said.contains(message), "{body}: {said}");
    }
    // Nothing was created by the refused requests.
    let (_, _, body) = s.get("/v1.0/users", Some(&token)).await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1, "{body}");
}

/// `alice` signs in and gets tokens with a refresh token.
async fn signed_in_with_refresh(s: &GraphSetup, username: &str) -> String {
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[("scope", "openid offline_access")]);
    let code = code_of(&sign_in_and_consent(&Browser::new(&s.server), &url, username).await);
    let (status, tokens) = post_token(&s.server, &s.d.tenant_id(), &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens["refresh_token"].as_str().unwrap().to_owned()
}

async fn refresh(s: &GraphSetup, refresh_token: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", s.web.id()),
        ("client_secret", s.web.secret.clone().unwrap()),
        ("refresh_token", refresh_token.to_owned()),
    ];
    post_token(&s.server, &s.d.tenant_id(), &form).await
}

/// The sign-in page's answer to `username` with `password`.
async fn sign_in_page(s: &GraphSetup, browser: &Browser, username: &str, password: &str) -> reqwest::Response {
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[]);
    let (_, html) = page(browser.get(&url).await).await;
    browser.sign_in(&html, username, password).await
}

async fn blocking_a_user_ends_its_sign_ins_until_it_is_unblocked(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let refresh_token = signed_in_with_refresh(&s, &alice.username).await;
    let token = daemon_with(&s, &["User.ReadWrite.All"]).await;
    let path = format!("/v1.0/users/{}", alice.username);

    let (status, _, body) = s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "accountEnabled": false }))).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (_, _, body) = s.get(&format!("{path}?$select=accountEnabled"), Some(&token)).await;
    assert_eq!(body["accountEnabled"], false);

    // Its refresh token is refused, and a right password shows that the account is disabled.
    let (status, body) = refresh(&s, &refresh_token).await;
    assert_error(status, &body, 400, "invalid_grant", 50057);
    let (status, html) = page(sign_in_page(&s, &Browser::new(&s.server), &alice.username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("AADSTS50057: Your account has been disabled."), "{html}");
    // A wrong password says only that it is wrong.
    let (_, html) = page(sign_in_page(&s, &Browser::new(&s.server), &alice.username, "wrong password").await).await;
    assert!(html.contains("Your account or password is incorrect."), "{html}");

    // Unblocked, the user signs in again; the revoked refresh token stays revoked.
    let (status, _, _) = s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "accountEnabled": true }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = refresh(&s, &refresh_token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    signed_in_with_refresh(&s, &alice.username).await;
}

async fn a_password_reset_ends_sign_ins_and_replaces_the_password(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let refresh_token = signed_in_with_refresh(&s, &alice.username).await;
    let token = daemon_with(&s, &["User.ReadWrite.All"]).await;
    let reset =
        json!({ "passwordProfile": { "forceChangePasswordNextSignIn": false, "password": "a new passphrase" } });
    let (status, _, _) = s.call(Method::PATCH, &format!("/v1.0/users/{}", alice.id), Some(&token), Some(&reset)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, body) = refresh(&s, &refresh_token).await;
    assert_error(status, &body, 400, "invalid_grant", 70008);
    let (_, html) = page(sign_in_page(&s, &Browser::new(&s.server), &alice.username, PASSWORD).await).await;
    assert!(html.contains("Your account or password is incorrect."), "{html}");
    let browser = Browser::new(&s.server);
    let response = sign_in_page(&s, &browser, &alice.username, "a new passphrase").await;
    let response = accept_consent_if_asked(&browser, response).await;
    assert_eq!(response.status(), StatusCode::FOUND);

    let events = s.server.state().store.audit_events(s.d.tenant.id).await.unwrap();
    let event = events.iter().find(|e| e.action == "user.update").unwrap();
    assert_eq!(event.actor, format!("app:{}", s.d.daemon_id()));
    assert_eq!(event.target, format!("user:{}", alice.id));
    assert_eq!(event.details["changed"], json!(["passwordProfile"]));
    assert!(!event.details.to_string().contains("passphrase"), "the password is never logged");
}

async fn deleting_a_user_removes_it_with_its_grants(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let refresh_token = signed_in_with_refresh(&s, &alice.username).await;
    let store = &s.server.state().store;
    let grants_of_alice = || async {
        let grants = store.permission_grants(s.d.tenant.id).await.unwrap();
        grants.iter().filter(|g| g.principal_id == Some(alice.id)).count()
    };
    assert_eq!(grants_of_alice().await, 1);
    let token = daemon_with(&s, &["User.ReadWrite.All"]).await;
    let path = format!("/v1.0/users/{}", alice.id);

    let (status, _, _) = s.call(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for method in [Method::GET, Method::DELETE, Method::PATCH] {
        let body = (method == Method::PATCH).then(|| json!({ "displayName": "x" }));
        let (status, _, response) = s.call(method, &path, Some(&token), body.as_ref()).await;
        assert_graph_error(status, &response, 404, "Request_ResourceNotFound");
    }
    assert_eq!(grants_of_alice().await, 0);
    let (status, body) = refresh(&s, &refresh_token).await;
    assert_error(status, &body, 400, "invalid_grant", 70000);
}

async fn members_read_users_but_only_admins_change_them(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let alice = seed::user(&s.server, &s.d, "alice").await;
    let bob = seed::user(&s.server, &s.d, "bob").await;
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let carol = seed::user(&s.server, &fabrikam, "carol").await;
    // An admin granted the web app User.ReadWrite.All for everyone; alice is a member.
    s.grant_web(&["User.ReadWrite.All"]).await;
    let token = s.user_token(&alice.username, "User.ReadWrite.All").await;
    let (status, _, body) = s.get("/v1.0/users", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bob_path = format!("/v1.0/users/{}", bob.id);
    for (method, path, body) in [
        (Method::POST, "/v1.0/users", Some(new_user("adele@contoso.example"))),
        (Method::PATCH, bob_path.as_str(), Some(json!({ "accountEnabled": false }))),
        (Method::DELETE, bob_path.as_str(), None),
    ] {
        let (status, _, response) = s.call(method, path, Some(&token), body.as_ref()).await;
        assert_graph_error(status, &response, 403, "Authorization_RequestDenied");
    }

    // A daemon with a read role cannot write; with none it cannot read.
    let token = daemon_with(&s, &["User.Read.All"]).await;
    let (status, _, body) = s.call(Method::DELETE, &bob_path, Some(&token), None).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let other = seed::client_app(&s.server, &s.d, "No roles", false, false).await;
    let form = [
        ("grant_type", "client_credentials".to_owned()),
        ("client_id", other.id()),
        ("client_secret", other.secret.clone().unwrap()),
        ("scope", "https://graph.microsoft.com/.default".to_owned()),
    ];
    let (_, tokens) = post_token(&s.server, &s.d.tenant_id(), &form).await;
    let (status, _, body) = s.get("/v1.0/users", tokens["access_token"].as_str()).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");

    // Another tenant's user does not exist for this tenant's writer.
    let token = daemon_with(&s, &["User.ReadWrite.All"]).await;
    for key in [carol.id.to_string(), carol.username.clone()] {
        let path = format!("/v1.0/users/{key}");
        let (status, _, body) =
            s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "accountEnabled": false }))).await;
        assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
        let (status, _, body) = s.call(Method::DELETE, &path, Some(&token), None).await;
        assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
    }
    let carol_now = s.server.state().store.user(fabrikam.tenant.id, carol.id).await.unwrap().unwrap();
    assert!(carol_now.account_enabled);
}

async fn the_last_administrator_cannot_be_removed(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let root = seed::admin_user(&s.server, &s.d, "root").await;
    let token = daemon_with(&s, &["User.ReadWrite.All"]).await;
    let path = format!("/v1.0/users/{}", root.id);
    let (status, _, body) = s.call(Method::PATCH, &path, Some(&token), Some(&json!({ "accountEnabled": false }))).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    assert_eq!(
        body["error"]["message"],
        "root@contoso.example is the tenant's last enabled administrator and cannot be blocked or made a member"
    );
    let (status, _, body) = s.call(Method::DELETE, &path, Some(&token), None).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    // With a second administrator, the first can go.
    seed::admin_user(&s.server, &s.d, "second").await;
    let (status, _, _) = s.call(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
