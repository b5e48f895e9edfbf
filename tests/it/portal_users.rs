//! Users in the admin portal (issue 18): search, create with a typed or generated password (shown
//! once), block sign-in, reset a password, delete after a confirmation; the last administrator stays.

use reqwest::StatusCode;

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, TestServer};

on_every_backend!(an_admin_creates_blocks_resets_and_deletes_users);

fn form_of(html: &str, action: &str) -> Form {
    Form::all(html).into_iter().find(|f| f.action.ends_with(action)).unwrap_or_else(|| panic!("{action}: {html}"))
}

/// Whether `username` signs in to the portal of `tenant` with `password` (a member is then refused
/// the page, but the sign-in itself succeeded).
async fn signs_in(server: &TestServer, tenant: &str, username: &str, password: &str) -> bool {
    let browser = Browser::new(server);
    let (_, html) = page(browser.get(&server.url(&format!("/{tenant}/admin/users"))).await).await;
    browser.sign_in(&html, username, password).await.status() == StatusCode::SEE_OTHER
}

async fn an_admin_creates_blocks_resets_and_deletes_users(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let admin = Browser::new(&server);
    let (_, html) = page(admin.get(&server.url(&format!("/{tid}/admin/users"))).await).await;
    admin.sign_in(&html, &root.username, PASSWORD).await;
    let get = |url: String| {
        let (admin, server) = (&admin, &server);
        async move { page(admin.get(&server.url(&url)).await).await }
    };
    let (_, html) = get(format!("/{tid}/admin/users?search=ali")).await;
    assert!(html.contains(">alice@contoso.example</a>") && !html.contains(">root@contoso.example</a>"), "{html}");

    // A weak password and a taken name are refused beside their field, with the input kept.
    let new = format!("/{tid}/admin/users/new");
    let (_, html) = get(new.clone()).await;
    let weak =
        Form::first(&html).set("username", "bob@contoso.example").set("display_name", "Bob").set("password", "short");
    let (status, html) = page(admin.submit(&weak, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"password-error\">the password must have 8 to"), "{html}");
    assert!(html.contains("value=\"bob@contoso.example\" required>") && html.contains("value=\"Bob\""), "{html}");
    let taken = Form::first(&html).set("username", "alice@contoso.example").set("password", "long enough pass");
    let (status, html) = page(admin.submit(&taken, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"username-error\">"), "{html}");

    // An empty password is generated and shown once; it signs bob in.
    let generate =
        Form::first(&html).set("username", "bob@contoso.example").set("display_name", "Bob").set("password", "");
    let (status, html) = page(admin.submit(&generate, None).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let password =
        html.split("<code id=\"password-value\">").nth(1).unwrap().split("</code>").next().unwrap().to_owned();
    assert_eq!(password.len(), 16);
    assert!(signs_in(&server, &tid, "bob@contoso.example", &password).await);
    let store = &server.state().store;
    let bob = store.user_by_username(d.tenant.id, "bob@contoso.example").await.unwrap().unwrap();
    let bob_path = format!("/{tid}/admin/users/{}", bob.id);

    // Block bob: he no longer signs in. Reset his password (typed): the new one works once unblocked.
    let (_, html) = get(bob_path.clone()).await;
    let block = form_of(&html, "/properties").remove("enabled").remove("is_admin");
    assert_eq!(admin.submit(&block, None).await.status(), StatusCode::SEE_OTHER);
    assert!(!store.user(d.tenant.id, bob.id).await.unwrap().unwrap().account_enabled);
    assert!(!signs_in(&server, &tid, "bob@contoso.example", &password).await);
    let (_, html) = get(bob_path.clone()).await;
    let reset = form_of(&html, "/password").set("password", "a new long password");
    assert_eq!(admin.submit(&reset, None).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(bob_path.clone()).await;
    let unblock = form_of(&html, "/properties").set("enabled", "yes").remove("is_admin");
    assert_eq!(admin.submit(&unblock, None).await.status(), StatusCode::SEE_OTHER);
    assert!(signs_in(&server, &tid, "bob@contoso.example", "a new long password").await);
    assert!(!signs_in(&server, &tid, "bob@contoso.example", &password).await);

    // The last administrator cannot demote itself.
    let (_, html) = get(format!("/{tid}/admin/users/{}", root.id)).await;
    let demote = form_of(&html, "/properties").remove("is_admin");
    let (status, html) = page(admin.submit(&demote, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"properties-error\">"), "{html}");
    assert!(store.user(d.tenant.id, root.id).await.unwrap().unwrap().is_admin);

    // Delete bob after the confirmation.
    let (_, confirm) = get(format!("{bob_path}/delete")).await;
    let yes = admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    assert_eq!(yes.headers()["location"], format!("/{tid}/admin/users").as_str());
    assert!(store.user(d.tenant.id, bob.id).await.unwrap().is_none());

    let actor = format!("user:{} {}", root.id, root.username);
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let mine: Vec<&str> = events.iter().filter(|e| e.actor == actor).map(|e| e.action.as_str()).collect();
    assert_eq!(mine, ["user.create", "user.update", "user.update", "user.update", "user.delete"]);
}
