//! An app registration's "Expose an API", "App roles" and "Revoke admin consent" in the admin portal
//! (issue 18): the identifier URI, scopes with who may consent, app roles with who may hold them, each
//! enabled or disabled; a refused value comes back beside its form with what was typed; revoking the
//! admin consent leaves each user's own consent.

use reqwest::StatusCode;
use signet::admin::{self, Actor, AppSpec, GrantSpec};
use signet::domain::app::{ConsentType, GrantConsentType, MemberType};

use crate::on_every_backend;
use crate::portal_apps::{assert_page_error, signed_in};
use crate::support::browser::{Browser, Form, page};
use crate::support::seed;
use crate::support::{Backend, TestServer};

on_every_backend!(
    an_admin_exposes_scopes_and_roles_and_a_refused_value_is_kept,
    revoking_admin_consent_keeps_each_users_own_consent,
);

/// The form of `html` posting to an action ending in `suffix`.
fn form_to(html: &str, suffix: &str) -> Form {
    Form::all(html).into_iter().find(|f| f.action.ends_with(suffix)).unwrap_or_else(|| panic!("{suffix}: {html}"))
}

async fn get(browser: &Browser, server: &TestServer, path: &str) -> (StatusCode, String) {
    page(browser.get(&server.url(path)).await).await
}

async fn an_admin_exposes_scopes_and_roles_and_a_refused_value_is_kept(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let fabrikam = seed::directory(&server, "fabrikam.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let tid = d.tenant_id();
    let store = &server.state().store;
    let spec = AppSpec { name: "Orders API".into(), ..AppSpec::default() };
    let api = admin::create_app(store, &d.tenant, spec, server.now()).await.unwrap();
    let app_id = api.app_id.to_string();
    let expose = format!("/{tid}/admin/apps/{app_id}/expose");
    let admin = signed_in(&server, &tid, &root.username, "/apps").await;

    // Entra's suggestion for an app without an identifier URI; a bad one is refused beside the field.
    let (status, html) = get(&admin, &server, &expose).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("name=\"identifier_uri\" value=\"api://{app_id}\" required>")), "{html}");
    assert!(html.contains("<p id=\"no-scopes\">"), "{html}");
    let bad = form_to(&html, "/expose/uri").set("identifier_uri", "not a uri");
    let (status, html) = page(admin.submit(&bad, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains("value=\"not a uri\" required aria-invalid=\"true\" aria-describedby=\"uri-error\""),
        "{html}"
    );
    assert!(html.contains("<p class=\"message\" id=\"uri-error\">identifier URI &#39;not a uri&#39;"), "{html}");
    let good = form_to(&html, "/expose/uri").set("identifier_uri", "api://contoso.example/orders");
    assert_eq!(admin.submit(&good, None).await.status(), StatusCode::SEE_OTHER);

    // A scope users may consent to; the same value again is refused with the input kept.
    let (_, html) = get(&admin, &server, &expose).await;
    let scope = form_to(&html, "/expose/scopes")
        .remove("who")
        .set("who", "users")
        .set("value", "Orders.Read")
        .set("admin_name", "Read orders")
        .set("admin_description", "Allows the app to read orders as the signed-in user.");
    assert_eq!(admin.submit(&scope, None).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&admin, &server, &expose).await;
    let again = form_to(&html, "/expose/scopes").remove("who").set("who", "admins").set("value", "orders.read");
    let again = again.set("admin_name", "Again").set("admin_description", "Twice");
    let (status, html) = page(admin.submit(&again, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("name=\"value\" value=\"orders.read\""), "{html}");
    assert!(html.contains("id=\"who-admins\" name=\"who\" value=\"admins\" checked"), "{html}");
    assert!(html.contains("id=\"scope-error\">the value orders.read of a scope is used twice</p>"), "{html}");
    let row = "<td><code>api://contoso.example/orders/Orders.Read</code></td><td>Admins and users</td>\
               <td>Read orders</td><td class=\"state\">Enabled</td>";
    assert!(html.contains(row), "{html}");

    // An app role for applications; one without a description is refused.
    let roles = format!("/{tid}/admin/apps/{app_id}/roles");
    let (_, html) = get(&admin, &server, &roles).await;
    assert!(html.contains("<p id=\"no-roles\">"), "{html}");
    let role = form_to(&html, "/roles")
        .remove("members")
        .set("members", "applications")
        .set("name", "Orders reader")
        .set("value", "Orders.Read.All");
    let (status, html) = page(admin.submit(&role, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"role-error\">Enter the role&#39;s display name and description.</p>"), "{html}");
    assert!(html.contains("id=\"members-applications\" name=\"members\" value=\"applications\" checked"), "{html}");
    let role = form_to(&html, "/roles").remove("members").set("members", "applications");
    let role = role.set("description", "Reads every order.");
    assert_eq!(admin.submit(&role, None).await.status(), StatusCode::SEE_OTHER);

    // Disable the scope and the role; each goes back to the page that lists it.
    let (_, html) = get(&admin, &server, &expose).await;
    let response = admin.submit(&form_to(&html, "/expose/state"), None).await;
    assert_eq!(response.headers()["location"], expose.as_str());
    let (_, html) = get(&admin, &server, &roles).await;
    let response = admin.submit(&form_to(&html, "/roles/state"), None).await;
    assert_eq!(response.headers()["location"], roles.as_str());
    let (_, html) = get(&admin, &server, &roles).await;
    let row = "<td>Orders reader</td><td>Reads every order.</td><td>Applications</td><td><code>Orders.Read.All</code></td>\
               <td class=\"state\">Disabled</td>";
    assert!(html.contains(row), "{html}");

    let app = store.app_in_tenant(d.tenant.id, api.app_id).await.unwrap().unwrap();
    assert_eq!(app.identifier_uris, ["api://contoso.example/orders"]);
    let s = &app.scopes[0];
    assert_eq!(
        (s.value.as_str(), s.consent_type, s.user_consent_display_name.as_str(), s.is_enabled),
        ("Orders.Read", ConsentType::User, "Read orders", false)
    );
    let r = &app.app_roles[0];
    assert_eq!(
        (r.value.as_str(), r.allowed_member_types.clone(), r.is_enabled),
        ("Orders.Read.All", vec![MemberType::Application], false)
    );
    let actor = format!("user:{} {}", root.id, root.username);
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let mine: Vec<&str> = events.iter().filter(|e| e.actor == actor).map(|e| e.action.as_str()).collect();
    assert_eq!(mine, ["app.update"; 5], "the URI, a scope, a role, and two state changes");

    // Another tenant's app is not found, and its token does not work for it.
    let theirs = format!("/{tid}/admin/apps/{}/expose", fabrikam.api.app_id);
    let (status, html) = get(&admin, &server, &theirs).await;
    assert_page_error(status, &html, 404, 90099);
    let (_, html) = get(&admin, &server, &expose).await;
    let forged = Form { action: format!("{theirs}/uri"), ..form_to(&html, "/expose/uri") };
    let (status, html) = page(admin.submit(&forged.set("identifier_uri", "api://evil"), None).await).await;
    assert_page_error(status, &html, 400, 90102);
    let after = store.app_in_tenant(fabrikam.tenant.id, fabrikam.api.app_id).await.unwrap().unwrap();
    assert_eq!(after.identifier_uris, std::slice::from_ref(&fabrikam.api_uri), "nothing of the other tenant changed");
}

async fn revoking_admin_consent_keeps_each_users_own_consent(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let alice = seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let store = &server.state().store;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let roles = ["Forecast.Read.All".to_owned()];
    admin::require(store, &d.tenant, &web.id(), &d.api_uri, &["Forecast.Read".to_owned()], &roles, server.now())
        .await
        .unwrap();
    admin::grant_consent(store, &d.tenant, &web.id(), server.now()).await.unwrap();
    let client = store.service_principal(d.tenant.id, web.app.app_id).await.unwrap().unwrap();
    let resource = store.service_principal(d.tenant.id, d.api.app_id).await.unwrap().unwrap();
    let own = GrantSpec {
        client: client.id,
        resource: resource.id,
        consent_type: GrantConsentType::Principal,
        principal: Some(alice.id),
        scope: "Forecast.Read".into(),
    };
    admin::create_grant(store, &d.tenant, own, &Actor::cli(), server.now()).await.unwrap();
    let permissions = format!("/{tid}/admin/apps/{}/permissions", web.id());
    let admin = signed_in(&server, &tid, &root.username, "/apps").await;
    let (_, html) = get(&admin, &server, &permissions).await;
    assert_eq!(html.matches("<td class=\"status\">Granted for Test tenant</td>").count(), 2, "{html}");

    let (status, confirm) = get(&admin, &server, &format!("{permissions}/revoke")).await;
    assert_eq!(status, StatusCode::OK, "{confirm}");
    assert!(confirm.contains("<h1>Revoke admin consent for Test tenant</h1>"), "{confirm}");
    // Cancel changes nothing.
    let response = admin.submit(&Form::first(&confirm), Some(("decision", "cancel"))).await;
    assert_eq!(response.headers()["location"], permissions.as_str());
    assert_eq!(store.app_role_assignments(d.tenant.id, client.id, resource.id).await.unwrap().len(), 1);
    let (_, confirm) = get(&admin, &server, &format!("{permissions}/revoke")).await;
    let response = admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    assert_eq!(response.headers()["location"], permissions.as_str());

    let (_, html) = get(&admin, &server, &permissions).await;
    assert_eq!(html.matches("<td class=\"status\">Not granted</td>").count(), 2, "{html}");
    let grants = store.list_grants(d.tenant.id, None, None, 100).await.unwrap();
    let of_web: Vec<_> = grants.iter().filter(|g| g.client_id == client.id).collect();
    assert_eq!(of_web.len(), 1, "{of_web:?}");
    assert_eq!((of_web[0].consent_type, of_web[0].principal_id), (GrantConsentType::Principal, Some(alice.id)));
    assert!(store.app_role_assignments(d.tenant.id, client.id, resource.id).await.unwrap().is_empty());
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("consent.revoke", format!("user:{} {}", root.id, root.username).as_str())
    );
    // The daemon's admin consent, another app's, is untouched.
    let daemon = store.service_principal(d.tenant.id, d.daemon.app_id).await.unwrap().unwrap();
    assert_eq!(store.app_role_assignments(d.tenant.id, daemon.id, resource.id).await.unwrap().len(), 1);
}
