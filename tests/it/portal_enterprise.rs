//! Enterprise applications in the admin portal (issue 18): an administrator disables an app and
//! enables it again (its tokens stop and resume), requires assignment and assigns a user, then a group,
//! to an app role (the role reaches the user's token), revokes a grant after a confirmation, and deletes an app;
//! the built-in directory API cannot be deleted, and another tenant's apps are not found.

use reqwest::StatusCode;

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::flow::{VERIFIER, authorize_url, code_of, post_token, redeem_form};
use crate::support::seed::{self, PASSWORD, daemon_form};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    an_admin_disables_and_enables_an_app_and_assigns_a_user_a_role,
    an_admin_revokes_a_grant_and_deletes_an_app_after_confirming,
);

async fn admin_browser(server: &TestServer, tenant: &str, username: &str) -> Browser {
    let browser = Browser::new(server);
    let url = server.url(&format!("/{tenant}/admin/enterprise-apps"));
    let (_, html) = page(browser.get(&url).await).await;
    let response = browser.sign_in(&html, username, PASSWORD).await;
    assert_eq!(response.headers()["location"], format!("/{tenant}/admin/enterprise-apps"));
    browser
}

fn form_of(html: &str, action: &str) -> Form {
    Form::all(html).into_iter().find(|f| f.action.ends_with(action)).unwrap_or_else(|| panic!("{action}: {html}"))
}

async fn an_admin_disables_and_enables_an_app_and_assigns_a_user_a_role(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let alice = seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let admin = admin_browser(&server, &tid, &root.username).await;
    let get = |url: String| {
        let (admin, server) = (&admin, &server);
        async move { page(admin.get(&server.url(&url)).await).await }
    };
    let (_, html) = get(format!("/{tid}/admin/enterprise-apps")).await;
    for name in ["Daemon", "Forecast API", "Signet Graph"] {
        assert!(html.contains(&format!("\">{name}</a></td>")), "{name}: {html}");
    }
    let daemon = format!("/{tid}/admin/enterprise-apps/{}", d.daemon_id());
    let token = || {
        let form = daemon_form(&d);
        let (server, d) = (&server, &d);
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            server.token(&d.tenant_id(), &form).await
        }
    };

    // Untick "Enabled for users to sign in": the daemon's tokens stop; tick it again: they resume.
    let (_, html) = get(daemon.clone()).await;
    let off = form_of(&html, "/properties").remove("enabled").remove("assignment_required");
    assert_eq!(admin.submit(&off, None).await.status(), StatusCode::SEE_OTHER);
    let (status, body) = token().await;
    assert_error(status, &body, 400, "unauthorized_client", 7000112);
    let (_, html) = get(daemon.clone()).await;
    assert!(html.contains("id=\"enabled\" name=\"enabled\" value=\"yes\">"), "unticked now: {html}");
    let on = form_of(&html, "/properties").set("enabled", "yes").remove("assignment_required");
    assert_eq!(admin.submit(&on, None).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(token().await.0, StatusCode::OK);

    // Assign alice the API's Forecast.Write.All role: it reaches her token for the API.
    let api = format!("/{tid}/admin/enterprise-apps/{}", d.api.app_id);
    let role = d.api.app_role("Forecast.Write.All").unwrap().id.to_string();
    let (_, html) = get(api.clone()).await;
    let wrong = form_of(&html, "/assignments").set("user", "nobody@contoso.example").set("role", &role);
    let (status, html) = page(admin.submit(&wrong, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("No user or group nobody@contoso.example in Test tenant."), "{html}");
    assert!(html.contains("value=\"nobody@contoso.example\" required aria-invalid=\"true\""), "{html}");
    let assign = form_of(&html, "/assignments").set("user", &alice.username).set("role", &role);
    assert_eq!(admin.submit(&assign, None).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(api.clone()).await;
    assert!(html.contains(&format!("<tr><td>{}</td><td>Forecast.Write.All</td>", alice.username)), "{html}");
    let store = &server.state().store;
    let sp = store.service_principal(d.tenant.id, d.api.app_id).await.unwrap().unwrap();
    let of_alice = || async {
        let all = store.assignments_to(d.tenant.id, sp.id).await.unwrap();
        all.into_iter().filter(|a| a.principal_id == alice.id).map(|a| a.id.to_string()).collect::<Vec<_>>()
    };
    let assigned = of_alice().await;
    assert_eq!(assigned.len(), 1, "besides the daemon's application permission");
    // Alice signs in to a web app using the API: her access token for it carries the role.
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let now = server.now();
    let (scopes, none) = (["Forecast.Read".to_owned()], [] as [String; 0]);
    signet::admin::require(store, &d.tenant, &web.id(), &d.api_uri, &scopes, &none, now).await.unwrap();
    let openid = ["openid".to_owned()];
    signet::admin::require(store, &d.tenant, &web.id(), "https://graph.microsoft.com", &openid, &none, now)
        .await
        .unwrap();
    signet::admin::grant_consent(store, &d.tenant, &web.id(), now).await.unwrap();
    let scope = format!("openid {}/Forecast.Read", d.api_uri);
    let url = authorize_url(&server, &tid, &web, &[("scope", &scope)]);
    let user = Browser::new(&server);
    let (_, sign_in) = page(user.get(&url).await).await;
    let code = code_of(&user.sign_in(&sign_in, &alice.username, PASSWORD).await);
    let (status, tokens) = post_token(&server, &tid, &redeem_form(&web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let claims = crate::support::jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["roles"], serde_json::json!(["Forecast.Write.All"]));
    // Removing the assignment takes it away again.
    let remove = Form::all(&html).into_iter().find(|f| f.get("id") == Some(assigned[0].as_str())).unwrap();
    assert_eq!(admin.submit(&remove, None).await.status(), StatusCode::SEE_OTHER);
    assert!(of_alice().await.is_empty());

    // A group, by name: its members, direct or not, hold the role.
    let cli = signet::admin::Actor::cli();
    let readers = signet::admin::create_group(store, &d.tenant, "Readers", &cli, now).await.unwrap();
    signet::admin::add_group_member(store, &d.tenant, ("Readers", &alice.username), &cli, now).await.unwrap();
    let (_, html) = get(api.clone()).await;
    let assign = form_of(&html, "/assignments").set("user", "Readers").set("role", &role);
    assert_eq!(admin.submit(&assign, None).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(api.clone()).await;
    assert!(html.contains("<tr><td>Readers (group)</td><td>Forecast.Write.All</td>"), "{html}");
    let to_group = store.assignments_to(d.tenant.id, sp.id).await.unwrap();
    assert!(to_group.iter().any(|a| a.principal_id == readers.id), "{to_group:?}");
    let user = Browser::new(&server);
    let (_, sign_in) = page(user.get(&url).await).await;
    let code = code_of(&user.sign_in(&sign_in, &alice.username, PASSWORD).await);
    let (_, tokens) = post_token(&server, &tid, &redeem_form(&web, &code, VERIFIER)).await;
    let claims = crate::support::jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["roles"], serde_json::json!(["Forecast.Write.All"]), "through Readers");

    let actor = format!("user:{} {}", root.id, root.username);
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let mine: Vec<&str> = events.iter().filter(|e| e.actor == actor).map(|e| e.action.as_str()).collect();
    assert_eq!(mine, ["sp.update", "sp.update", "role.assign", "role.unassign", "role.assign"]);
}

async fn an_admin_revokes_a_grant_and_deletes_an_app_after_confirming(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let other = seed::directory(&server, "fabrikam.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let tid = d.tenant_id();
    let admin = admin_browser(&server, &tid, &root.username).await;
    let get = |url: String| {
        let (admin, server) = (&admin, &server);
        async move { page(admin.get(&server.url(&url)).await).await }
    };
    let daemon = format!("/{tid}/admin/enterprise-apps/{}", d.daemon_id());
    let (_, html) = get(daemon.clone()).await;
    // The daemon holds its application permission, and no delegated grant.
    assert!(html.contains("<tr><td>Forecast API</td><td><code>Forecast.Read.All</code></td></tr>"), "{html}");

    // Give the web app a tenant-wide grant, then revoke it from here.
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let store = &server.state().store;
    signet::admin::require(store, &d.tenant, &web.id(), &d.api_uri, &["Forecast.Read".into()], &[], server.now())
        .await
        .unwrap();
    signet::admin::grant_consent(store, &d.tenant, &web.id(), server.now()).await.unwrap();
    let page_url = format!("/{tid}/admin/enterprise-apps/{}", web.id());
    let (_, html) = get(page_url.clone()).await;
    assert!(
        html.contains(&format!(
            "<tr><td>Admin consent</td><td>Forecast API</td><td><code>Forecast.Read</code></td><td>{}</td>",
            signet::error::format_timestamp(server.now())
        )),
        "{html}"
    );
    let revoke = html.split("href=\"").find(|s| s.contains("/revoke\"")).unwrap().split('"').next().unwrap().to_owned();
    let (_, confirm) = get(revoke).await;
    assert!(confirm.contains("Yes, revoke"), "{confirm}");
    assert_eq!(
        admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await.status(),
        StatusCode::SEE_OTHER
    );
    let sp = store.service_principal(d.tenant.id, web.app.app_id).await.unwrap().unwrap();
    let held = store.list_grants(d.tenant.id, None, None, 100).await.unwrap();
    assert!(held.iter().all(|g| g.client_id != sp.id), "the grant is gone");

    // Delete the web app from the tenant; the built-in directory API offers no delete.
    let (_, confirm) = get(format!("{page_url}/delete")).await;
    let cancel = admin.submit(&Form::first(&confirm), Some(("decision", "cancel"))).await;
    assert_eq!(cancel.headers()["location"], page_url.as_str());
    assert!(store.service_principal(d.tenant.id, web.app.app_id).await.unwrap().is_some());
    let (_, confirm) = get(format!("{page_url}/delete")).await;
    let yes = admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    assert_eq!(yes.headers()["location"], format!("/{tid}/admin/enterprise-apps").as_str());
    assert!(store.service_principal(d.tenant.id, web.app.app_id).await.unwrap().is_none());
    let graph = format!("/{tid}/admin/enterprise-apps/00000003-0000-0000-c000-000000000000");
    let (status, html) = get(graph).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("/delete\""), "{html}");

    // Another tenant's app is not found here.
    let (status, html) = get(format!("/{tid}/admin/enterprise-apps/{}", other.daemon_id())).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    assert!(html.contains("<strong>AADSTS90099</strong>"), "{html}");
}
