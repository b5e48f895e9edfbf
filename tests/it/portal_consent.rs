//! Consent and permissions in the admin portal (issue 18), issue 18's second seed: an administrator
//! turns user consent off, a user signing in to a new app is stopped while an app granted before still
//! signs in; revoking that app's grant in Enterprise applications stops the user too. The admin
//! consent request settings and the low-impact classifications are set from the same page.

use reqwest::StatusCode;
use signet::domain::policy::UserConsent;

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::flow::{authorize_url, code_of};
use crate::support::seed::{self, ClientApp, Directory, PASSWORD};
use crate::support::{Backend, TestServer};

on_every_backend!(
    turning_user_consent_off_stops_new_apps_and_revoking_stops_granted_ones,
    an_admin_sets_the_request_workflow_and_classifies_permissions,
);

async fn admin_browser(server: &TestServer, tenant: &str, username: &str) -> Browser {
    let browser = Browser::new(server);
    let (_, html) = page(browser.get(&server.url(&format!("/{tenant}/admin/consent"))).await).await;
    let response = browser.sign_in(&html, username, PASSWORD).await;
    assert_eq!(response.headers()["location"], format!("/{tenant}/admin/consent"));
    browser
}

fn form_of(html: &str, action: &str) -> Form {
    Form::all(html).into_iter().find(|f| f.action.ends_with(action)).unwrap_or_else(|| panic!("{action}: {html}"))
}

/// A web app requiring `openid` and the API's `Forecast.Read`, granted for the tenant when `granted`.
async fn web_app(server: &TestServer, d: &Directory, name: &str, granted: bool) -> ClientApp {
    let app = seed::client_app(server, d, name, false, false).await;
    let store = &server.state().store;
    let (now, none) = (server.now(), [] as [String; 0]);
    signet::admin::require(store, &d.tenant, &app.id(), &d.api_uri, &["Forecast.Read".into()], &none, now)
        .await
        .unwrap();
    let graph = "https://graph.microsoft.com";
    signet::admin::require(store, &d.tenant, &app.id(), graph, &["openid".into()], &none, now).await.unwrap();
    if granted {
        signet::admin::grant_consent(store, &d.tenant, &app.id(), now).await.unwrap();
    }
    app
}

/// What a new browser of `username` gets after signing in to `app`: the page, or the redirect.
async fn sign_in(server: &TestServer, d: &Directory, app: &ClientApp, username: &str) -> reqwest::Response {
    let scope = format!("openid {}/Forecast.Read", d.api_uri);
    let url = authorize_url(server, &d.tenant_id(), app, &[("scope", &scope)]);
    let user = Browser::new(server);
    let (_, html) = page(user.get(&url).await).await;
    user.sign_in(&html, username, PASSWORD).await
}

async fn turning_user_consent_off_stops_new_apps_and_revoking_stops_granted_ones(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let alice = seed::user(&server, &d, "alice").await;
    let (granted, new) =
        (web_app(&server, &d, "Granted app", true).await, web_app(&server, &d, "New app", false).await);
    let tid = d.tenant_id();
    let admin = admin_browser(&server, &tid, &root.username).await;
    let consent_url = server.url(&format!("/{tid}/admin/consent"));

    let (_, html) = page(admin.get(&consent_url).await).await;
    assert!(html.contains("id=\"consent-all\" name=\"user_consent\" value=\"all\" checked"), "the default: {html}");
    let off = form_of(&html, "/user-consent").remove("user_consent").set("user_consent", "disabled");
    assert_eq!(admin.submit(&off, None).await.status(), StatusCode::SEE_OTHER);
    let policy = server.state().store.tenant_policy(d.tenant.id).await.unwrap();
    assert_eq!((policy.user_consent, policy.integrated_apps), (UserConsent::Disabled, true));
    let (_, html) = page(admin.get(&consent_url).await).await;
    assert!(html.contains("value=\"disabled\" checked"), "{html}");

    // A new app stops alice; the app granted before still signs her in.
    let (status, html) = page(sign_in(&server, &d, &new, &alice.username).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("AADSTS90093"), "{html}");
    code_of(&sign_in(&server, &d, &granted, &alice.username).await);

    // Revoke the granted app's consent in Enterprise applications: alice is stopped there too.
    let app_url = server.url(&format!("/{tid}/admin/enterprise-apps/{}", granted.id()));
    let (_, html) = page(admin.get(&app_url).await).await;
    let revokes: Vec<&str> =
        html.split("href=\"").filter_map(|s| s.split('"').next()).filter(|s| s.ends_with("/revoke")).collect();
    assert_eq!(revokes.len(), 2, "its Forecast API and Signet Graph grants: {html}");
    for revoke in revokes {
        let (_, confirm) = page(admin.get(&server.url(revoke)).await).await;
        admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    }
    let (status, html) = page(sign_in(&server, &d, &granted, &alice.username).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("AADSTS90093"), "{html}");
}

async fn an_admin_sets_the_request_workflow_and_classifies_permissions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let rita = seed::user(&server, &d, "rita").await;
    let tid = d.tenant_id();
    let admin = admin_browser(&server, &tid, &root.username).await;
    let consent_url = server.url(&format!("/{tid}/admin/consent"));
    let store = &server.state().store;

    let (_, html) = page(admin.get(&consent_url).await).await;
    let wrong = form_of(&html, "/requests")
        .set("requests_on", "yes")
        .set("reviewers", "nobody@contoso.example")
        .set("request_days", "14");
    let (status, html) = page(admin.submit(&wrong, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("value=\"nobody@contoso.example\" aria-invalid=\"true\""), "the input is kept: {html}");
    assert!(
        html.split("id=\"requests-error\">").nth(1).is_some_and(|e| e.contains("nobody@contoso.example")),
        "{html}"
    );
    let days = form_of(&html, "/requests")
        .set("requests_on", "yes")
        .set("reviewers", &rita.username)
        .set("request_days", "a week");
    let (status, html) = page(admin.submit(&days, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("&#39;a week&#39; is not a number of days (1 to 365)."), "{html}");
    let good = form_of(&html, "/requests")
        .set("requests_on", "yes")
        .set("reviewers", &rita.username)
        .set("request_days", "14");
    assert_eq!(admin.submit(&good, None).await.status(), StatusCode::SEE_OTHER);
    let policy = store.tenant_policy(d.tenant.id).await.unwrap();
    assert_eq!((policy.consent_requests, policy.reviewers.clone(), policy.request_days), (true, vec![rita.id], 14));

    // Classify the API's Forecast.Read as low impact, then remove it.
    let (_, html) = page(admin.get(&consent_url).await).await;
    let permission = format!("{} Forecast.Read", d.api.app_id);
    let add = form_of(&html, "/classifications").set("permission", &permission);
    assert_eq!(admin.submit(&add, None).await.status(), StatusCode::SEE_OTHER);
    let scope_id = d.api.scope("Forecast.Read").unwrap().id;
    assert_eq!(store.low_impact_permissions(d.tenant.id).await.unwrap(), vec![(d.api.app_id, scope_id)]);
    let (_, html) = page(admin.get(&consent_url).await).await;
    assert!(html.contains("<tr><td>Forecast API</td><td><code>Forecast.Read</code></td>"), "{html}");
    let remove = form_of(&html, "/classifications/remove");
    assert_eq!(remove.get("permission"), Some(permission.as_str()));
    assert_eq!(admin.submit(&remove, None).await.status(), StatusCode::SEE_OTHER);
    assert!(store.low_impact_permissions(d.tenant.id).await.unwrap().is_empty());

    let actor = format!("user:{} {}", root.id, root.username);
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let mine: Vec<&str> = events.iter().filter(|e| e.actor == actor).map(|e| e.action.as_str()).collect();
    assert_eq!(mine, ["policy.set", "permission.classify", "permission.classify"]);
}
