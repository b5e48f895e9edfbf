//! What an attacker tries, as regression tests: each probe of the security review that found issue 16's
//! holes, with the exact answer Signet gives.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::flow::*;
use crate::support::seed::{self, ClientApp, Directory, PASSWORD, REDIRECT_URI};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    a_redeemed_code_presented_by_another_client_revokes_nothing,
    every_html_route_sends_the_security_headers,
    a_dangerous_redirect_uri_is_refused_at_registration_and_at_use,
    logout_redirects_only_to_a_uri_of_an_app_of_the_paths_tenant,
    a_bare_logout_asks_before_ending_the_session,
    simultaneous_wrong_passwords_are_throttled_before_they_are_checked,
    a_body_that_never_arrives_is_answered_408,
    tls_responses_demand_https_and_logout_cookies_stay_secure,
    form_tokens_are_bound_to_their_request_expire_and_act_once,
);

/// A tenant with a user and two confidential web apps.
struct Setup {
    server: TestServer,
    d: Directory,
    username: String,
    web: ClientApp,
    other: ClientApp,
}

async fn setup(backend: Backend) -> Setup {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let other = seed::client_app(&server, &d, "Other App", false, false).await;
    Setup { server, d, username: user.username, web, other }
}

impl Setup {
    /// Signs alice in to `client` with a new browser and returns a fresh code.
    async fn code_for(&self, client: &ClientApp) -> String {
        self.code_for_in(&Browser::new(&self.server), client).await
    }

    /// A fresh code for `client` in `browser`, signing in when it has no session.
    async fn code_for_in(&self, browser: &Browser, client: &ClientApp) -> String {
        let url = authorize_url(&self.server, &self.d.tenant_id(), client, &[]);
        let response = browser.get(&url).await;
        if response.status() == StatusCode::FOUND {
            return code_of(&response);
        }
        let html = response.text().await.unwrap();
        code_of(&accept_consent_if_asked(browser, browser.sign_in(&html, &self.username, PASSWORD).await).await)
    }
}

/// A code already redeemed, presented by another (authenticated) client, is refused as a code of
/// another client; the real client's tokens stay valid (issue 16, item 5).
async fn a_redeemed_code_presented_by_another_client_revokes_nothing(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let code = s.code_for(&s.web).await;
    let (status, first) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{first}");

    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.other, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 70000);

    let refresh = [
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", s.web.id()),
        ("client_secret", s.web.secret.clone().unwrap()),
        ("refresh_token", first["refresh_token"].as_str().unwrap().to_owned()),
    ];
    let (status, body) = post_token(&s.server, &tid, &refresh).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The real client's own replay still revokes the family.
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 54005);
}

/// Every route Signet serves, as `src/http/mod.rs` lists it, is either here or in [`JSON_ROUTES`], so a
/// new route cannot be added without deciding which kind it is (issue 16, item 2).
const HTML_ROUTES: [&str; 57] = [
    "/{tenant}/oauth2/v2.0/authorize",
    "/{tenant}/oauth2/logout",
    "/{tenant}/oauth2/authorize",
    "/devicelogin",
    "/{tenant}/v2.0/adminconsent",
    "/{tenant}/adminconsent",
    "/{tenant}/login",
    "/{tenant}/account",
    "/{tenant}/consent",
    "/{tenant}/admin/signin",
    "/{tenant}/admin/consent-requests",
    "/{tenant}/admin/audit",
    "/{tenant}/admin",
    "/{tenant}/admin/",
    "/{tenant}/admin/apps",
    "/{tenant}/admin/apps/new",
    "/{tenant}/admin/apps/{app}",
    "/{tenant}/admin/apps/{app}/redirect-uris",
    "/{tenant}/admin/apps/{app}/redirect-uris/remove",
    "/{tenant}/admin/apps/{app}/secrets",
    "/{tenant}/admin/apps/{app}/certificates",
    "/{tenant}/admin/apps/{app}/permissions",
    "/{tenant}/admin/apps/{app}/permissions/add",
    "/{tenant}/admin/apps/{app}/permissions/remove",
    "/{tenant}/admin/apps/{app}/permissions/{decision}",
    "/{tenant}/admin/apps/{app}/expose",
    "/{tenant}/admin/apps/{app}/expose/uri",
    "/{tenant}/admin/apps/{app}/expose/scopes",
    "/{tenant}/admin/apps/{app}/expose/state",
    "/{tenant}/admin/apps/{app}/roles",
    "/{tenant}/admin/apps/{app}/roles/state",
    "/{tenant}/admin/apps/{app}/{kind}/{key}/remove",
    "/{tenant}/admin/signing-keys",
    "/{tenant}/admin/signing-keys/rotate",
    "/{tenant}/admin/users",
    "/{tenant}/admin/users/new",
    "/{tenant}/admin/users/{id}",
    "/{tenant}/admin/users/{id}/properties",
    "/{tenant}/admin/users/{id}/password",
    "/{tenant}/admin/users/{id}/delete",
    "/{tenant}/admin/consent",
    "/{tenant}/admin/consent/user-consent",
    "/{tenant}/admin/consent/requests",
    "/{tenant}/admin/consent/classifications",
    "/{tenant}/admin/consent/classifications/remove",
    "/{tenant}/admin/enterprise-apps",
    "/{tenant}/admin/enterprise-apps/{app}",
    "/{tenant}/admin/enterprise-apps/{app}/properties",
    "/{tenant}/admin/enterprise-apps/{app}/assignments",
    "/{tenant}/admin/enterprise-apps/{app}/assignments/remove",
    "/{tenant}/admin/enterprise-apps/{app}/grants/{id}/revoke",
    "/{tenant}/admin/enterprise-apps/{app}/delete",
    "/{tenant}/admin/consent-requests/{id}/approve",
    "/{tenant}/admin/consent-requests/{id}/deny",
    "/{tenant}/admin/consent-requests/{id}/block",
    "/{tenant}/oauth2/v2.0/logout",
    "/error",
];
const JSON_ROUTES: [&str; 66] = [
    "/{tenant}/oauth2/v2.0/token",
    "/{tenant}/oauth2/devicecode",
    "/{tenant}/oauth2/token",
    "/{tenant}/.well-known/openid-configuration",
    "/{tenant}/discovery/keys",
    "/{tenant}/oauth2/v2.0/devicecode",
    "/oidc/userinfo",
    "/healthz",
    "/readyz",
    "/static/signet.css",
    "/common/UserRealm/{username}",
    "/common/userrealm/{username}",
    "/static/portal.js",
    "/{tenant}/v2.0/.well-known/openid-configuration",
    "/{tenant}/discovery/v2.0/keys",
    "/{tenant}/discovery/instance",
    "/v1.0/me",
    "/v1.0/$metadata/openapi.json",
    "/v1.0/users",
    "/v1.0/users/{user}",
    "/v1.0/users/{user}/getMemberObjects",
    "/v1.0/groups",
    "/v1.0/groups/{id}",
    "/v1.0/groups/{id}/members",
    "/v1.0/groups/{id}/members/$ref",
    "/v1.0/groups/{id}/members/{member}/$ref",
    "/v1.0/applications",
    "/v1.0/applications/{id}",
    "/v1.0/applications(appId='{app_id}')",
    "/v1.0/applications/{id}/addPassword",
    "/v1.0/applications/{id}/removePassword",
    "/v1.0/applications(appId='{app_id}')/addPassword",
    "/v1.0/applications(appId='{app_id}')/removePassword",
    "/v1.0/applications/{id}/addKey",
    "/v1.0/applications/{id}/removeKey",
    "/v1.0/applications(appId='{app_id}')/addKey",
    "/v1.0/applications(appId='{app_id}')/removeKey",
    "/v1.0/users/{user}/appRoleAssignments",
    "/v1.0/servicePrincipals",
    "/v1.0/servicePrincipals/{id}/delegatedPermissionClassifications",
    "/v1.0/servicePrincipals/{id}/delegatedPermissionClassifications/{classification}",
    "/v1.0/servicePrincipals(appId='{app_id}')/delegatedPermissionClassifications",
    "/v1.0/servicePrincipals(appId='{app_id}')/delegatedPermissionClassifications/{classification}",
    "/v1.0/oauth2PermissionGrants",
    "/v1.0/policies/authorizationPolicy",
    "/v1.0/auditLogs/directoryAudits",
    "/v1.0/signet/signingKeys",
    "/v1.0/signet/signingKeys/rotate",
    "/v1.0/identityGovernance/appConsent/appConsentRequests",
    "/v1.0/identityGovernance/appConsent/appConsentRequests/{id}",
    "/v1.0/identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests",
    "/v1.0/policies/adminConsentRequestPolicy",
    "/v1.0/oauth2PermissionGrants/{id}",
    "/v1.0/servicePrincipals/{id}/oauth2PermissionGrants",
    "/v1.0/servicePrincipals(appId='{app_id}')/oauth2PermissionGrants",
    "/v1.0/servicePrincipals/{id}",
    "/v1.0/servicePrincipals/{id}/appRoleAssignedTo",
    "/v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignment}",
    "/v1.0/servicePrincipals/{id}/appRoleAssignments",
    "/v1.0/servicePrincipals(appId='{app_id}')",
    "/v1.0/servicePrincipals(appId='{app_id}')/appRoleAssignedTo",
    "/v1.0/servicePrincipals(appId='{app_id}')/appRoleAssignedTo/{assignment}",
    "/v1.0/servicePrincipals(appId='{app_id}')/appRoleAssignments",
    "/v1.0/organization",
    "/v1.0/domains",
    "/v1.0/domains/{id}",
];

async fn every_html_route_sends_the_security_headers(backend: Backend) {
    let s = setup(backend).await;
    let table = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/mod.rs")).unwrap();
    let served: Vec<&str> = table.split("resource(\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let mut listed: Vec<&str> = HTML_ROUTES.iter().chain(&JSON_ROUTES).copied().collect();
    listed.sort_unstable();
    let mut sorted = served.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, listed, "every route is listed as HTML or JSON");

    let tid = s.d.tenant_id();
    let request_id = uuid::Uuid::new_v4().to_string();
    let browser = Browser::new(&s.server);
    let authorize = authorize_url(&s.server, &tid, &s.web, &[]);
    for route in HTML_ROUTES {
        let path = route.replace("{tenant}", &tid).replace("{id}", &request_id);
        let url = s.server.url(&path);
        let mut answers = vec![browser.http.get(&url).send().await.unwrap()];
        answers.push(browser.http.post(&url).form(&[("csrf", "x")]).send().await.unwrap());
        if route == "/error" {
            answers.push(browser.get(&s.server.url("/error?code=50011")).await);
            answers.push(browser.get(&s.server.url("/error?code=1")).await);
        }
        if route.ends_with("/authorize") {
            answers.push(browser.get(&authorize).await);
        }
        for response in answers {
            let status = response.status();
            if status == StatusCode::METHOD_NOT_ALLOWED {
                continue;
            }
            let headers = response.headers();
            let what = format!("{route} answered {status}");
            let content_type = headers.get("content-type").map(|v| v.to_str().unwrap().to_owned());
            if status.is_redirection() {
                assert_eq!(headers["x-frame-options"], "DENY", "{what}");
                continue;
            }
            assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"), "{what}");
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{what}: {csp}");
            assert_eq!(headers["x-frame-options"], "DENY", "{what}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
            assert_eq!(headers["cache-control"], "no-store", "{what}");
        }
    }
}

async fn a_dangerous_redirect_uri_is_refused_at_registration_and_at_use(backend: Backend) {
    let s = setup(backend).await;
    let store = &s.server.state().store;
    for (uri, public) in [
        ("javascript:alert(1)", false),
        ("javascript:alert(1)", true),
        ("data:text/html,<script>alert(1)</script>", true),
        ("vbscript:msgbox(1)", true),
        ("file:///etc/passwd", true),
        ("https://*.contoso.example/cb", false),
        ("https://app.contoso.example/cb#frag", false),
        ("https://user@app.contoso.example/cb", false),
        ("http://app.contoso.example/cb", false),
        ("myapp://auth", false),
    ] {
        let spec = signet::admin::AppSpec {
            name: "Bad".into(),
            redirect_uris: vec![uri.to_owned()],
            public_client: public,
            ..Default::default()
        };
        let refused = signet::admin::create_app(store, &s.d.tenant, spec, s.server.now()).await;
        assert!(matches!(refused, Err(signet::admin::AdminError::Invalid(_))), "{uri} (public: {public}): {refused:?}");
    }
    // A public client may use its own custom scheme.
    let spec = signet::admin::AppSpec {
        name: "Native".into(),
        redirect_uris: vec!["myapp://auth".into()],
        public_client: true,
        ..Default::default()
    };
    signet::admin::create_app(store, &s.d.tenant, spec, s.server.now()).await.unwrap();

    // One stored before the rules: /authorize shows an error page instead of sending the browser there.
    let mut app = s.web.app.clone();
    app.web_redirect_uris.push("javascript:alert(1)".into());
    store.save_app(s.d.tenant.id, &app, None).await.unwrap();
    s.server.clock.advance_by(Duration::from_millis(1100));
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[("redirect_uri", "javascript:alert(1)")]);
    let (status, location, html) = error_page_of(&Browser::new(&s.server), &url).await;
    assert_error_page(status, location.as_deref(), &html, 50011);
    // Nor does logout.
    let logout = s.server.url(&format!(
        "/{}/oauth2/v2.0/logout?client_id={}&post_logout_redirect_uri=javascript:alert(1)",
        s.d.tenant_id(),
        s.web.id()
    ));
    let response = Browser::new(&s.server).get(&logout).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("location").is_none());
}

async fn logout_redirects_only_to_a_uri_of_an_app_of_the_paths_tenant(backend: Backend) {
    let s = setup(backend).await;
    let other = seed::tenant(&s.server, "Fabrikam", "fabrikam.example").await;
    let registered = url::form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>();
    let logout = |segment: &str| {
        s.server.url(&format!(
            "/{segment}/oauth2/v2.0/logout?client_id={}&post_logout_redirect_uri={registered}&state=bye",
            s.web.id()
        ))
    };
    let browser = Browser::new(&s.server);
    let response = browser.get(&logout(&s.d.tenant_id())).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], format!("{REDIRECT_URI}?state=bye"));
    // The single-tenant app is not an app of Fabrikam: no redirect there, nor at an unknown tenant.
    for segment in [other.id.to_string(), "nowhere.example".to_owned()] {
        let response = browser.get(&logout(&segment)).await;
        assert_eq!(response.status(), StatusCode::OK, "{segment}");
        assert!(response.headers().get("location").is_none(), "{segment}");
    }
    // An unregistered URI, or one the named app did not register, is not followed either.
    let evil = s.server.url(&format!(
        "/{}/oauth2/v2.0/logout?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F",
        s.d.tenant_id(),
        s.web.id()
    ));
    assert!(browser.get(&evil).await.headers().get("location").is_none());
}

async fn a_bare_logout_asks_before_ending_the_session(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let browser = Browser::new(&s.server);
    let code = s.code_for_in(&browser, &s.web).await;
    let (status, tokens) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let logout = s.server.url(&format!("/{tid}/oauth2/v2.0/logout"));

    // A bare GET (a cross-site image or link could send it) asks; the session lives on.
    let (status, html) = page(browser.get(&logout).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Sign out?</h1>"), "{html}");
    assert_eq!(browser.get(&authorize_url(&s.server, &tid, &s.web, &[])).await.status(), StatusCode::FOUND);
    // A POST without the page's token asks again; another browser's token does not work either.
    let response = browser.http.post(&logout).form(&[("csrf", "forged")]).send().await.unwrap();
    assert!(page(response).await.1.contains("<h1>Sign out?</h1>"));
    assert_eq!(browser.get(&authorize_url(&s.server, &tid, &s.web, &[])).await.status(), StatusCode::FOUND);
    // Confirming ends it.
    let response = browser.submit(&Form::first(&html), Some(("confirm", "yes"))).await;
    let (status, html) = page(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You signed out"), "{html}");
    let (_, html) = page(browser.get(&authorize_url(&s.server, &tid, &s.web, &[])).await).await;
    assert!(html.contains("<h1>Sign in</h1>"), "signed out: {html}");

    // With a valid id_token_hint the app asked: no question.
    let code = s.code_for_in(&browser, &s.web).await;
    let (_, tokens) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    let hinted = format!("{logout}?id_token_hint={}", tokens["id_token"].as_str().unwrap());
    let (status, html) = page(browser.get(&hinted).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You signed out"), "{html}");
}

async fn simultaneous_wrong_passwords_are_throttled_before_they_are_checked(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[]);
    // Twenty sign-in pages, as twenty tabs would show them: each form may be posted once.
    let mut forms = Vec::new();
    for _ in 0..20 {
        let (_, html) = page(browser.get(&url).await).await;
        forms.push(Form::first(&html).set("username", &s.username).set("password", "wrong password"));
    }
    let attempts: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let (http, action) = (browser.http.clone(), s.server.url(&form.action));
            tokio::spawn(async move { http.post(action).form(&form.fields).send().await.unwrap() })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        let response = attempt.await.unwrap();
        let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        let (status, html) = page(response).await;
        answers.push((status, retry_after, html));
    }
    let checked = answers.iter().filter(|(status, _, html)| *status == StatusCode::OK && html.contains("incorrect"));
    assert_eq!(checked.count(), 5, "five free failures");
    let throttled: Vec<_> = answers.iter().filter(|(status, _, _)| *status == StatusCode::TOO_MANY_REQUESTS).collect();
    assert_eq!(throttled.len(), 15);
    for (_, retry_after, html) in throttled {
        assert!(retry_after.as_deref().is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)), "{retry_after:?}");
        assert!(html.contains("Too many"), "{html}");
    }
    // The right password waits too, while the throttle holds.
    let form = Form::first(&html_of(&answers)).set("username", &s.username).set("password", PASSWORD);
    assert_eq!(browser.submit(&form, None).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

fn html_of(answers: &[(StatusCode, Option<String>, String)]) -> String {
    answers.iter().find(|(status, _, _)| *status == StatusCode::OK).map(|(_, _, html)| html.clone()).unwrap()
}

async fn a_body_that_never_arrives_is_answered_408(backend: Backend) {
    let s = setup(backend).await;
    let address = s.server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /{}/oauth2/v2.0/token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type",
        s.d.tenant_id()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was still open after 30 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error_codes\":[90106]"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

async fn tls_responses_demand_https_and_logout_cookies_stay_secure(backend: Backend) {
    let plain = TestServer::start(backend.clone()).await;
    let response = plain.http.get(plain.url("/healthz")).send().await.unwrap();
    assert!(response.headers().get("strict-transport-security").is_none(), "not over plain HTTP");
    drop(plain);

    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let browser = Browser::new(&server);
    for path in ["/healthz".to_owned(), format!("/{}/v2.0/.well-known/openid-configuration", d.tenant_id())] {
        let response = browser.get(&server.url(&path)).await;
        assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000", "{path}");
    }
    let logout = server.url(&format!("/{}/oauth2/v2.0/logout", d.tenant_id()));
    let response = browser.http.get(&logout).header("cookie", "signet_session=abc").send().await.unwrap();
    let (_, html) = page(response).await;
    let response = browser
        .http
        .post(&logout)
        .header("cookie", "signet_session=abc")
        .form(&Form::first(&html).fields)
        .send()
        .await
        .unwrap();
    let removal = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(removal.starts_with("signet_session=;"), "{removal}");
    for part in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=0"] {
        assert!(removal.contains(part), "{part} in {removal}");
    }
}

async fn form_tokens_are_bound_to_their_request_expire_and_act_once(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let api_scope = format!("openid {}/Forecast.Read", s.d.api_uri);
    let browser = Browser::new(&s.server);

    // A sign-in form expires: an hour after it was shown it is refused.
    let (_, html) = page(browser.get(&authorize_url(&s.server, &tid, &s.web, &[("scope", &api_scope)])).await).await;
    let sign_in = Form::first(&html).set("username", &s.username).set("password", PASSWORD);
    s.server.clock.advance(3600);
    let (status, location, html) = answer(browser.submit(&sign_in, None).await).await;
    assert_error_page(status, location.as_deref(), &html, 90102);

    // A sign-in form acts once: posted again, it gets no second code or page.
    let (_, html) = page(browser.get(&authorize_url(&s.server, &tid, &s.web, &[("scope", &api_scope)])).await).await;
    let sign_in = Form::first(&html).set("username", &s.username).set("password", PASSWORD);
    let (status, html) = page(browser.submit(&sign_in, None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Permissions requested</h1>"), "{html}");
    let (status, location, again) = answer(browser.submit(&sign_in, None).await).await;
    assert_error_page(status, location.as_deref(), &again, 90102);

    // The consent form of the web app, posted for the other app, grants nothing.
    let consent = Form::first(&html);
    let switched = consent.clone().set("client_id", &s.other.id());
    let (status, location, refused) = answer(browser.submit(&switched, Some(("decision", "accept"))).await).await;
    assert_error_page(status, location.as_deref(), &refused, 90102);
    let other = authorize_url(&s.server, &tid, &s.other, &[("scope", &api_scope)]);
    let (status, html) = page(browser.get(&other).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Permissions requested</h1>"), "the other app has no consent: {html}");

    // The real consent acts once: a replay gets no second code.
    code_of(&browser.submit(&consent, Some(("decision", "accept"))).await);
    let (status, location, html) = answer(browser.submit(&consent, Some(("decision", "accept"))).await).await;
    assert_error_page(status, location.as_deref(), &html, 90102);
}

/// A response's status, `Location` and body.
async fn answer(response: reqwest::Response) -> (StatusCode, Option<String>, String) {
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    let (status, html) = page(response).await;
    (status, location, html)
}
