//! The admin portal's overview and app registrations (issue 18): an administrator signs in, sees the
//! tenant, registers an app (a refused value is shown beside its field with the input kept), finds it
//! by name or appId, and opens it; members, reviewers and other tenants' administrators cannot.

use reqwest::StatusCode;

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, TestServer};

on_every_backend!(
    an_admin_registers_an_app_and_finds_it_by_name_or_id,
    a_refused_registration_keeps_the_input_and_registers_nothing,
    only_the_tenants_administrators_see_its_apps,
    an_admin_manages_redirect_uris_secrets_and_certificates,
    app_forms_of_another_tenant_or_app_are_refused,
    an_admin_adds_permissions_grants_consent_and_users_sign_in_without_a_prompt,
);

/// Signet Graph's appId (Microsoft Graph's).
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";

/// A browser signed in to the portal of `tenant` as `username`, through the page at `path`.
pub async fn signed_in(server: &TestServer, tenant: &str, username: &str, path: &str) -> Browser {
    let browser = Browser::new(server);
    let url = server.url(&format!("/{tenant}/admin{path}"));
    let (status, html) = page(browser.get(&url).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let response = browser.sign_in(&html, username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], format!("/{tenant}/admin{path}"), "the sign-in leads back");
    browser
}

pub fn assert_page_error(status: StatusCode, html: &str, want_status: u16, code: u32) {
    assert_eq!(status.as_u16(), want_status, "{html}");
    assert!(html.contains(&format!("<strong>AADSTS{code}</strong>")), "{html}");
}

async fn an_admin_registers_an_app_and_finds_it_by_name_or_id(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let tid = d.tenant_id();
    let admin = signed_in(&server, &tid, &root.username, "/").await;

    let (status, html) = page(admin.get(&server.url(&format!("/{tid}/admin/"))).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for expected in [
        format!("<dd id=\"tenant-id\">{tid}</dd>"),
        "<dd id=\"domains\">contoso.example</dd>".to_owned(),
        "<td id=\"users\">1</td><td id=\"apps\">2</td><td id=\"service-principals\">3</td>".to_owned(),
        format!("<code>{}/{tid}/oauth2/v2.0/token</code>", server.base),
        "<a href=\"/".to_owned() + &tid + "/admin\" aria-current=\"page\">Overview</a>",
    ] {
        assert!(html.contains(&expected), "{expected}:\n{html}");
    }

    let new_url = server.url(&format!("/{tid}/admin/apps/new"));
    let (_, html) = page(admin.get(&new_url).await).await;
    let form = Form::first(&html)
        .set("name", "Orders web")
        .remove("audience")
        .set("audience", "single")
        .set("platform", "web")
        .set("redirect_uri", "https://orders.example/signin-oidc");
    let response = admin.submit(&form, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let app_id = location.rsplit('/').next().unwrap().to_owned();
    assert_eq!(location, format!("/{tid}/admin/apps/{app_id}"));
    // The same form again is refused: one post registers one app.
    let (status, html) = page(admin.submit(&form, None).await).await;
    assert_page_error(status, &html, 400, 90102);

    let store = &server.state().store;
    let app = store.app_in_tenant(d.tenant.id, app_id.parse().unwrap()).await.unwrap().expect("registered");
    assert_eq!(
        (app.display_name.as_str(), app.web_redirect_uris.clone()),
        ("Orders web", vec!["https://orders.example/signin-oidc".to_owned()])
    );
    let principals = store.service_principals(d.tenant.id).await.unwrap();
    assert!(principals.iter().any(|sp| sp.app_id == app.app_id), "added to the tenant, as Entra's portal does");
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let actor = format!("user:{} {}", root.id, root.username);
    let last: Vec<(&str, &str)> = events.iter().rev().take(2).map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(last, [("sp.add", actor.as_str()), ("app.create", actor.as_str())]);

    let (status, html) = page(admin.get(&server.url(&location)).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for expected in [
        format!("<dd id=\"client-id\"><span data-copy=\"the application (client) ID\">{app_id}</span></dd>"),
        format!("<dd id=\"tenant-id\"><span data-copy=\"the directory (tenant) ID\">{tid}</span></dd>"),
        "<dd id=\"audience\">My organization only</dd>".to_owned(),
        "<tr><td>Web</td><td><code>https://orders.example/signin-oidc</code></td><td>".to_owned(),
        "<p id=\"credentials\">0 client secret(s), 0 certificate(s).</p>".to_owned(),
    ] {
        assert!(html.contains(&expected), "{expected}:\n{html}");
    }

    let list = |search: &str| {
        let url = server.url(&format!("/{tid}/admin/apps?search={}", urlencoding(search)));
        let admin = &admin;
        async move { page(admin.get(&url).await).await.1 }
    };
    let link = format!("<a href=\"/{tid}/admin/apps/{app_id}\">Orders web</a>");
    assert!(list("orders").await.contains(&link), "by the start of its name, in any case");
    assert!(list(&app_id).await.contains(&link), "by its appId");
    let none = list("Invoices").await;
    assert!(!none.contains(&link) && none.contains("No app matches “Invoices”."), "{none}");
    let all = list("").await;
    assert!(all.contains(&link) && all.contains("Forecast API"), "every app without a search: {all}");
}

async fn a_refused_registration_keeps_the_input_and_registers_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let tid = d.tenant_id();
    let admin = signed_in(&server, &tid, &root.username, "/apps").await;
    let before = server.state().store.audit_events(d.tenant.id).await.unwrap().len();
    let new_url = server.url(&format!("/{tid}/admin/apps/new"));
    for (name, platform, uri, field, message) in [
        ("  ", "none", "", "name-error", "the display name must have 1 to 256 characters"),
        ("Orders", "web", "http://orders.example/cb", "uri-error", "https"),
        ("Orders", "web", "", "uri-error", "Enter the redirect URI, or choose no platform."),
        ("Orders", "web", "https://orders.example/cb#fragment", "uri-error", "fragment"),
    ] {
        let (_, html) = page(admin.get(&new_url).await).await;
        let form = Form::first(&html)
            .set("name", name)
            .remove("audience")
            .set("audience", "multi")
            .set("platform", platform)
            .set("redirect_uri", uri);
        let (status, html) = page(admin.submit(&form, None).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
        let error = html.split(&format!("id=\"{field}\">")).nth(1).and_then(|rest| rest.split("</p>").next());
        assert!(error.is_some_and(|e| e.contains(message)), "{message} beside {field}:\n{html}");
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        // What was typed is kept.
        assert!(html.contains(&format!("id=\"redirect_uri\" name=\"redirect_uri\" value=\"{uri}\"")), "{html}");
        assert!(html.contains("value=\"multi\" checked") && html.contains(&format!("value=\"{platform}\" selected")));
    }
    let after = server.state().store.audit_events(d.tenant.id).await.unwrap().len();
    assert_eq!(after, before, "nothing was registered");
}

async fn only_the_tenants_administrators_see_its_apps(backend: Backend) {
    let server = TestServer::start(backend).await;
    let contoso = seed::directory(&server, "contoso.example").await;
    let fabrikam = seed::directory(&server, "fabrikam.example").await;
    let root = seed::admin_user(&server, &contoso, "root").await;
    let member = seed::user(&server, &contoso, "alice").await;
    let (tid, other) = (contoso.tenant_id(), fabrikam.tenant_id());
    let fabrikam_app = fabrikam.daemon_id();

    // A member is not a reviewer: refused. An admin sees its own tenant's app, not another's.
    let browser = Browser::new(&server);
    let url = server.url(&format!("/{tid}/admin/apps"));
    let (_, html) = page(browser.get(&url).await).await;
    browser.sign_in(&html, &member.username, PASSWORD).await;
    let (status, html) = page(browser.get(&url).await).await;
    assert_page_error(status, &html, 403, 90097);

    let admin = signed_in(&server, &tid, &root.username, "/apps").await;
    let (status, html) = page(admin.get(&server.url(&format!("/{tid}/admin/apps/{fabrikam_app}"))).await).await;
    assert_page_error(status, &html, 404, 90099);
    assert!(!html.contains("Daemon"), "nothing of the other tenant's app is shown: {html}");
    let (status, html) = page(admin.get(&server.url(&format!("/{tid}/admin/apps?search={fabrikam_app}"))).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No app matches"), "{html}");
    // Contoso's session is no sign-in to Fabrikam's portal.
    let (status, html) = page(admin.get(&server.url(&format!("/{other}/admin/apps"))).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"password\""), "the sign-in page: {html}");
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn an_admin_manages_redirect_uris_secrets_and_certificates(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let tid = d.tenant_id();
    let app_id = d.daemon_id();
    let path = format!("/{tid}/admin/apps/{app_id}");
    let admin = signed_in(&server, &tid, &root.username, "/apps").await;
    let form_of = |html: &str, action: &str| {
        Form::all(html).into_iter().find(|f| f.action.ends_with(action)).unwrap_or_else(|| panic!("{action}: {html}"))
    };
    let get = |url: String| {
        let (admin, server) = (&admin, &server);
        async move { page(admin.get(&server.url(&url)).await).await }
    };

    // Redirect URIs: a refused one is shown beside the field with what was typed; a good one is added.
    let (_, html) = get(path.clone()).await;
    let add = form_of(&html, "/redirect-uris").set("platform", "web").set("redirect_uri", "http://orders.example/cb");
    let (status, html) = page(admin.submit(&add, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("value=\"http://orders.example/cb\" required aria-invalid=\"true\""), "{html}");
    let add = form_of(&html, "/redirect-uris").set("platform", "web").set("redirect_uri", "https://orders.example/cb");
    let response = admin.submit(&add, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(path.clone()).await;
    assert!(html.contains("<tr><td>Web</td><td><code>https://orders.example/cb</code></td>"), "{html}");
    let store = &server.state().store;
    let app = || async { store.app_in_tenant(d.tenant.id, app_id.parse().unwrap()).await.unwrap().unwrap() };
    assert_eq!(app().await.web_redirect_uris, ["https://orders.example/cb"]);
    let remove = form_of(&html, "/redirect-uris/remove");
    assert_eq!(remove.get("uri"), Some("https://orders.example/cb"));
    assert_eq!(admin.submit(&remove, None).await.status(), StatusCode::SEE_OTHER);
    assert!(app().await.web_redirect_uris.is_empty());

    // A secret: its value is shown once, works at the token endpoint, and stops when removed.
    let (_, html) = get(path.clone()).await;
    let add = form_of(&html, "/secrets").set("description", "CI").set("days", "90");
    let (status, html) = page(admin.submit(&add, None).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let value = html
        .split("<code id=\"secret-value\" data-copy=\"the secret value\">")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned();
    let key_id = html.split("<dd id=\"secret-id\">").nth(1).unwrap().split("</dd>").next().unwrap().to_owned();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id.as_str()),
        ("client_secret", value.as_str()),
        ("scope", &format!("{}/.default", d.api_uri)),
    ];
    let (status, body) = server.token(&tid, &form).await;
    assert_eq!(status, StatusCode::OK, "the secret from the page works: {body}");
    let (_, html) = get(path.clone()).await;
    assert!(!html.contains(&value), "the value is never shown again");
    let (status, confirm) = get(format!("{path}/secrets/{key_id}/remove")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Remove the client secret CI ("), "{confirm}");
    // Cancel keeps it; Yes removes it.
    let cancel = admin.submit(&Form::first(&confirm), Some(("decision", "cancel"))).await;
    assert_eq!(cancel.headers()["location"], path.as_str());
    assert_eq!(server.token(&tid, &form).await.0, StatusCode::OK);
    let (_, confirm) = get(format!("{path}/secrets/{key_id}/remove")).await;
    let yes = admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    assert_eq!(yes.status(), StatusCode::SEE_OTHER);
    let (status, body) = server.token(&tid, &form).await;
    crate::support::assert_error(status, &body, 401, "invalid_client", 7000215);
    // The confirmation's form acts once.
    let (status, html) = page(admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await).await;
    assert_page_error(status, &html, 400, 90102);

    // A certificate: a malformed PEM is refused beside the field; a good one is listed and removable.
    let (_, html) = get(path.clone()).await;
    let upload = form_of(&html, "/certificates").set("pem", "not a certificate").set("description", "build");
    let (status, html) = page(admin.submit(&upload, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"certificate-error\"") && html.contains(">not a certificate</textarea>"), "{html}");
    let cert = crate::support::certs::ClientCert::generate();
    let upload = form_of(&html, "/certificates").set("pem", &cert.cert_pem).set("description", "build");
    assert_eq!(admin.submit(&upload, None).await.status(), StatusCode::SEE_OTHER);
    let keys = store.key_credentials(d.tenant.id, app_id.parse().unwrap()).await.unwrap();
    assert_eq!((keys.len(), keys[0].display_name.as_deref()), (1, Some("build")));
    let (_, html) = get(path.clone()).await;
    assert!(html.contains(&format!("<code>{}</code>", cert.x5t())), "{html}");
    let (_, confirm) = get(format!("{path}/certificates/{}/remove", keys[0].key_id)).await;
    admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    assert!(store.key_credentials(d.tenant.id, app_id.parse().unwrap()).await.unwrap().is_empty());

    // Every change is audited with the administrator as actor.
    let actor = format!("user:{} {}", root.id, root.username);
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let mine: Vec<&str> = events.iter().filter(|e| e.actor == actor).map(|e| e.action.as_str()).collect();
    assert_eq!(
        mine,
        ["app.update", "app.update", "app.addPassword", "app.removePassword", "app.addKey", "app.removeKey"]
    );
}

async fn app_forms_of_another_tenant_or_app_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let contoso = seed::directory(&server, "contoso.example").await;
    let fabrikam = seed::directory(&server, "fabrikam.example").await;
    let root = seed::admin_user(&server, &contoso, "root").await;
    let tid = contoso.tenant_id();
    let admin = signed_in(&server, &tid, &root.username, "/apps").await;
    let (_, html) = page(admin.get(&server.url(&format!("/{tid}/admin/apps/{}", contoso.daemon_id()))).await).await;
    let add = Form::all(&html).into_iter().find(|f| f.action.ends_with("/redirect-uris")).unwrap();
    let add = add.set("platform", "web").set("redirect_uri", "https://evil.example/cb");

    // The token is bound to the app: posted to another app of the same tenant it is refused.
    let other_app = Form { action: format!("/{tid}/admin/apps/{}/redirect-uris", contoso.api.app_id), ..add.clone() };
    let (status, html) = page(admin.submit(&other_app, None).await).await;
    assert_page_error(status, &html, 400, 90102);
    // Another tenant's app, with a token made for it, is not found from this tenant's portal.
    let (status, html) =
        page(admin.get(&server.url(&format!("/{tid}/admin/apps/{}", fabrikam.daemon_id()))).await).await;
    assert_page_error(status, &html, 404, 90099);
    let store = &server.state().store;
    let theirs = store.app_in_tenant(fabrikam.tenant.id, fabrikam.daemon_id().parse().unwrap()).await.unwrap();
    assert!(theirs.unwrap().web_redirect_uris.is_empty(), "nothing of the other tenant changed");
    // Without the token nothing is changed.
    let bare = Form { fields: vec![("redirect_uri".into(), "https://evil.example/cb".into())], ..add };
    let (status, html) = page(admin.submit(&bare, None).await).await;
    assert_page_error(status, &html, 400, 90102);
    let ours = store.app_in_tenant(contoso.tenant.id, contoso.daemon_id().parse().unwrap()).await.unwrap().unwrap();
    assert!(ours.web_redirect_uris.is_empty());
}

async fn an_admin_adds_permissions_grants_consent_and_users_sign_in_without_a_prompt(backend: Backend) {
    use crate::support::flow::{VERIFIER, authorize_url, code_of, post_token, redeem_form};
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let alice = seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let admin = signed_in(&server, &tid, &root.username, "/apps").await;
    let get = |url: String| {
        let (admin, server) = (&admin, &server);
        async move { page(admin.get(&server.url(&url)).await).await }
    };

    // Register a web app and give it a secret, as an admin would.
    let (_, html) = get(format!("/{tid}/admin/apps/new")).await;
    let form = Form::first(&html)
        .set("name", "Orders web")
        .remove("audience")
        .set("platform", "web")
        .set("redirect_uri", seed::REDIRECT_URI);
    let location = admin.submit(&form, None).await.headers()["location"].to_str().unwrap().to_owned();
    let app_id = location.rsplit('/').next().unwrap().to_owned();
    let (_, html) = get(location.clone()).await;
    let add = Form::all(&html).into_iter().find(|f| f.action.ends_with("/secrets")).unwrap().set("days", "90");
    let (_, html) = page(admin.submit(&add, None).await).await;
    let secret = html
        .split("<code id=\"secret-value\" data-copy=\"the secret value\">")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned();

    // Find the tenant's API by name and add its delegated permission; then sign-in from Signet Graph.
    let (_, html) = get(format!("{location}/permissions/add?search=forecast")).await;
    let api_link = format!("{location}/permissions/add?api={}", d.api.app_id);
    assert!(html.contains(&format!("<a href=\"{api_link}\">Forecast API</a>")), "{html}");
    assert!(!html.contains("Signet Graph"), "only APIs whose name starts with the search: {html}");
    for (api, permission) in [(d.api.app_id.to_string(), "scope:Forecast.Read"), (GRAPH.to_owned(), "scope:openid")] {
        let (_, html) = get(format!("{location}/permissions/add?api={api}")).await;
        assert!(html.contains(&format!("name=\"{permission}\"")), "{html}");
        // A browser sends only the boxes ticked; the scripted form holds every box of the page.
        let mut form = Form::first(&html);
        form.fields.retain(|(name, _)| !name.starts_with("scope:") && !name.starts_with("role:"));
        let response = admin.submit(&form.set(permission, "on"), None).await;
        assert_eq!(response.headers()["location"], format!("{location}/permissions").as_str());
    }
    let row = |value: &str, status: &str| {
        format!(
            "<td><code>{value}</code></td><td>Delegated</td><td>{}</td><td>No</td><td class=\"status\">{status}</td>",
            if value == "openid" { "Sign users in" } else { "Forecast.Read" }
        )
    };
    let (_, html) = get(format!("{location}/permissions")).await;
    assert!(
        html.contains(&row("Forecast.Read", "Not granted")) && html.contains(&row("openid", "Not granted")),
        "{html}"
    );
    assert_eq!(html.matches("<td class=\"status\">").count(), 2, "exactly the two ticked: {html}");

    // Grant admin consent for the tenant, through its confirmation page.
    let (_, confirm) = get(format!("{location}/permissions/grant")).await;
    assert!(confirm.contains("Grant admin consent for Test tenant"), "{confirm}");
    let response = admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(format!("{location}/permissions")).await;
    let granted = "Granted for Test tenant";
    assert!(html.contains(&row("Forecast.Read", granted)) && html.contains(&row("openid", granted)), "{html}");
    let actor = format!("user:{} {}", root.id, root.username);
    let events = server.state().store.audit_events(d.tenant.id).await.unwrap();
    assert_eq!(
        (events.last().unwrap().action.as_str(), events.last().unwrap().actor.as_str()),
        ("consent.admin", actor.as_str())
    );

    // A user signs in with no consent prompt, and the code is redeemed with the secret from the page.
    let app = server.state().store.app_by_app_id(app_id.parse().unwrap()).await.unwrap().unwrap();
    let client = seed::ClientApp { app, secret: Some(secret) };
    let scope = format!("openid {}/Forecast.Read", d.api_uri);
    let url = authorize_url(&server, &tid, &client, &[("scope", &scope)]);
    let user = Browser::new(&server);
    let (_, html) = page(user.get(&url).await).await;
    let response = user.sign_in(&html, &alice.username, PASSWORD).await;
    let code = code_of(&response);
    let (status, tokens) = post_token(&server, &tid, &redeem_form(&client, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let claims = crate::support::jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["scp"], "Forecast.Read");

    // Removing a required permission takes it off the table; what was granted stays until revoked.
    let (_, html) = get(format!("{location}/permissions")).await;
    let remove = Form::all(&html).into_iter().find(|f| f.get("value") == Some("Forecast.Read")).unwrap();
    assert_eq!(remove.get("kind"), Some("Delegated"));
    assert_eq!(admin.submit(&remove, None).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(format!("{location}/permissions")).await;
    assert!(!html.contains("<code>Forecast.Read</code>") && html.contains(&row("openid", granted)), "{html}");
    let app = server.state().store.app_by_app_id(app_id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(
        app.required_resource_access.len(),
        1,
        "only Signet Graph's openid is left: {:?}",
        app.required_resource_access
    );
}
