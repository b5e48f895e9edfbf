//! Tenant consent governance: admin consent in the browser (v2.0 and v1 endpoints, `prompt=admin_consent`,
//! "on behalf of your organization"), the user-consent policy and the integrated-apps switch, revocation,
//! the audit log, and the partner (multi-tenant daemon) flow.

use reqwest::StatusCode;
use serde_json::{Value, json};
use signet::admin::{self, PolicyChange, RevokeWhat};
use signet::domain::app::GrantConsentType;
use signet::domain::policy::UserConsent;
use signet::store::User;

use crate::msal::run_msal;
use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page, param, redirect_params};
use crate::support::flow::*;
use crate::support::seed::{self, ClientApp, Directory, PASSWORD, REDIRECT_URI, scope};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    partner_daemon_gets_tokens_in_a_tenant_after_its_admin_consents,
    admin_consent_refusals_cancel_and_the_v1_endpoint,
    an_admin_of_one_tenant_cannot_consent_for_another,
    user_consent_policy_decides_who_may_grant_what,
    grants_survive_policy_changes_and_revocation_stops_refresh_tokens,
    an_admin_consents_for_the_organization_from_the_consent_page,
    prompt_admin_consent_grants_and_returns_a_code,
    msal_gets_a_partner_token_after_admin_consent,
    low_impact_trusts_a_partner_app_once_its_publisher_is_verified,
);

/// Tenant A publishes a multi-tenant daemon that needs the role `Forecast.Read.All` of tenant B's API;
/// B has an admin and a user.
struct Partner {
    server: TestServer,
    a: Directory,
    b: Directory,
    app: ClientApp,
    b_admin: User,
    b_user: User,
}

async fn partner(backend: Backend) -> Partner {
    partner_on(TestServer::start(backend).await).await
}

async fn partner_on(server: TestServer) -> Partner {
    let a = seed::directory(&server, "publisher.example").await;
    let b = seed::directory(&server, "customer.example").await;
    let app = seed::client_app(&server, &a, "Partner Daemon", false, true).await;
    let store = &server.state().store;
    admin::require(store, &a.tenant, &app.id(), &b.api_uri, &[], &["Forecast.Read.All".to_owned()], server.now())
        .await
        .unwrap();
    let app = ClientApp { app: store.app_by_app_id(app.app.app_id).await.unwrap().unwrap(), secret: app.secret };
    let b_admin = seed::admin_user(&server, &b, "admin").await;
    let b_user = seed::user(&server, &b, "bob").await;
    Partner { server, a, b, app, b_admin, b_user }
}

impl Partner {
    fn admin_consent_url(&self, segment: &str, scope: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("client_id", self.app.id()),
                ("redirect_uri", REDIRECT_URI.to_owned()),
                ("scope", scope.to_owned()),
                ("state", "st4te".to_owned()),
            ])
            .finish();
        self.server.url(&format!("/{segment}/v2.0/adminconsent?{query}"))
    }

    async fn client_credentials(&self, tenant: &str) -> (StatusCode, Value) {
        let secret = self.app.secret.clone().unwrap();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", &self.app.id()),
            ("client_secret", &secret),
            ("scope", &self.b.scope()),
        ];
        self.server.token(tenant, &form).await
    }
}

/// Opens `url`, signs in as `username`, and returns the page that follows.
async fn signed_in_page(browser: &Browser, url: &str, username: &str) -> (StatusCode, String) {
    let (status, html) = page(browser.get(url).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    page(browser.sign_in(&html, username, PASSWORD).await).await
}

async fn partner_daemon_gets_tokens_in_a_tenant_after_its_admin_consents(backend: Backend) {
    let p = partner(backend).await;
    let b_tid = p.b.tenant_id();
    let (status, body) = p.client_credentials(&b_tid).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);

    let browser = Browser::new(&p.server);
    let url = p.admin_consent_url(&b_tid, &p.b.scope());
    let (status, html) = signed_in_page(&browser, &url, &p.b_admin.username).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Partner Daemon") && html.contains("Published by Test tenant, not your organization"),
        "{html}"
    );
    assert!(html.contains("<h2>Forecast API</h2>") && html.contains("<strong>Forecast.Read.All</strong>"), "{html}");
    assert!(!html.contains("Forecast.Write.All"), "only what the app requires: {html}");
    assert!(html.contains("Accepting grants these permissions for everyone in Test tenant."), "{html}");
    let response = browser.submit(&Form::first(&html), Some(("decision", "accept"))).await;
    let (target, params) = redirect_params(&response);
    assert_eq!(target, REDIRECT_URI);
    assert_eq!(
        params,
        vec![
            ("admin_consent".to_owned(), "True".to_owned()),
            ("tenant".to_owned(), b_tid.clone()),
            ("scope".to_owned(), format!("{}/Forecast.Read.All", p.b.api_uri)),
            ("state".to_owned(), "st4te".to_owned()),
        ]
    );

    let (status, body) = p.client_credentials(&b_tid).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = p.server.verify(&b_tid, body["access_token"].as_str().unwrap()).await;
    assert_eq!((claims["tid"].as_str(), claims["roles"].clone()), (Some(b_tid.as_str()), json!(["Forecast.Read.All"])));
    assert_eq!(claims["azp"].as_str(), Some(p.app.id().as_str()));
    // The home tenant's service principal is untouched and has no role of B.
    let (status, body) = p.client_credentials(&p.a.tenant_id()).await;
    assert_error(status, &body, 400, "invalid_resource", 500011);

    let store = &p.server.state().store;
    let events = store.audit_events(p.b.tenant.id).await.unwrap();
    let consent = events.iter().find(|e| e.action == "consent.admin" && e.actor.contains(&p.b_admin.username));
    let consent = consent.unwrap_or_else(|| panic!("no admin consent in the audit log: {events:?}"));
    assert_eq!(consent.target, format!("app:{}", p.app.id()));
    assert_eq!(consent.details["consentType"], "AllPrincipals");

    // Revoking the grants leaves a token without roles; removing the service principal refuses tokens.
    admin::revoke_consent(store, &p.b.tenant, &p.app.id(), RevokeWhat::default(), p.server.now()).await.unwrap();
    let (status, body) = p.client_credentials(&b_tid).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(p.server.verify(&b_tid, body["access_token"].as_str().unwrap()).await.get("roles"), None);
    admin::remove_service_principal(store, &p.b.tenant, &p.app.id(), p.server.now()).await.unwrap();
    let (status, body) = p.client_credentials(&b_tid).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);
    let actions: Vec<String> = store.audit_events(p.b.tenant.id).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.ends_with(&["consent.admin".into(), "consent.revoke".into(), "sp.remove".into()]), "{actions:?}");
}

async fn admin_consent_refusals_cancel_and_the_v1_endpoint(backend: Backend) {
    let p = partner(backend).await;
    let b_tid = p.b.tenant_id();
    let store = &p.server.state().store;

    // `common`, an unregistered redirect URI and an unknown client get an error page, never a redirect.
    let browser = Browser::new(&p.server);
    let (status, location, html) = error_page_of(&browser, &p.admin_consent_url("common", &p.b.scope())).await;
    assert_error_page(status, location.as_deref(), &html, 90023);
    let url = p.admin_consent_url(&b_tid, &p.b.scope()).replace("callback", "callback2");
    let (status, location, html) = error_page_of(&browser, &url).await;
    assert_error_page(status, location.as_deref(), &html, 50011);

    // A user who is not an admin gets an error page and grants nothing.
    let (status, html) = signed_in_page(&browser, &p.admin_consent_url(&b_tid, &p.b.scope()), &p.b_user.username).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("<strong>AADSTS90094</strong>") && html.contains("is not an administrator"), "{html}");
    assert_eq!(store.service_principal(p.b.tenant.id, p.app.app.app_id).await.unwrap(), None);

    // Cancel: access_denied with AADSTS65004, still admin_consent=True.
    let admin_browser = Browser::new(&p.server);
    let (_, html) =
        signed_in_page(&admin_browser, &p.admin_consent_url(&b_tid, &p.b.scope()), &p.b_admin.username).await;
    let response = admin_browser.submit(&Form::first(&html), Some(("decision", "cancel"))).await;
    assert_error_redirect(&response, "access_denied", 65004);
    let (_, params) = redirect_params(&response);
    assert_eq!(param(&params, "admin_consent"), Some("True"));
    assert_eq!(store.service_principal(p.b.tenant.id, p.app.app.app_id).await.unwrap(), None);

    // A resource the tenant has no service principal for: AADSTS650052 back at the redirect URI.
    let response = admin_browser.get(&p.admin_consent_url(&b_tid, &p.a.scope())).await;
    assert_error_redirect(&response, "invalid_resource", 650052);
    assert_eq!(param(&redirect_params(&response).1, "admin_consent"), Some("True"));

    // The admin consent form cannot be replayed with the ordinary consent page's token.
    let (_, html) = page(admin_browser.get(&p.admin_consent_url(&b_tid, &p.b.scope())).await).await;
    let form = Form::first(&html).remove("endpoint");
    let (status, html) = page(admin_browser.submit(&form, Some(("decision", "accept"))).await).await;
    assert_error_page(status, None, &html, 90102);

    // v1: everything the app requires; the reply names the tenant and no scope.
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("client_id", p.app.id()), ("redirect_uri", REDIRECT_URI.to_owned()), ("state", "st4te".into())])
        .finish();
    let (status, html) = page(admin_browser.get(&p.server.url(&format!("/{b_tid}/adminconsent?{query}"))).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<strong>Forecast.Read.All</strong>"), "{html}");
    let response = admin_browser.submit(&Form::first(&html), Some(("decision", "accept"))).await;
    let (_, params) = redirect_params(&response);
    let expected = [("admin_consent", "True"), ("tenant", b_tid.as_str()), ("state", "st4te")];
    assert_eq!(params, expected.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec());
    let (status, body) = p.client_credentials(&b_tid).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn an_admin_of_one_tenant_cannot_consent_for_another(backend: Backend) {
    let p = partner(backend).await;
    let a_admin = seed::admin_user(&p.server, &p.a, "root").await;
    let store = &p.server.state().store;
    // At B's endpoint, A's admin is not a user: the sign-in fails.
    let browser = Browser::new(&p.server);
    let (status, html) = page(browser.get(&p.admin_consent_url(&p.b.tenant_id(), &p.b.scope())).await).await;
    assert_eq!(status, StatusCode::OK);
    let (_, html) = page(browser.sign_in(&html, &a_admin.username, PASSWORD).await).await;
    assert!(html.contains("Your account or password is incorrect"), "{html}");
    // At `organizations`, A's admin consents for A only; B's resource is not in A.
    let url = p.admin_consent_url("organizations", &p.b.scope());
    let (_, html) = page(browser.get(&url).await).await;
    let response = browser.sign_in(&html, &a_admin.username, PASSWORD).await;
    assert_error_redirect(&response, "invalid_resource", 650052);
    // And A's admin cannot revoke anything in B: the CLI and store act per tenant.
    assert_eq!(store.service_principal(p.b.tenant.id, p.app.app.app_id).await.unwrap(), None);
    assert!(store.audit_events(p.b.tenant.id).await.unwrap().iter().all(|e| !e.actor.contains(&a_admin.username)));
}

/// A tenant with a user, an admin, a web app of the tenant, and the Forecast API exposing an ordinary
/// scope, an admin-only scope and a scope classified as low impact (as is `openid`).
struct Governed {
    server: TestServer,
    d: Directory,
    web: ClientApp,
    user: User,
    admin: User,
}

async fn governed(backend: Backend) -> Governed {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let store = &server.state().store;
    let api = d.api.app_id.to_string();
    admin::add_scope(store, &d.tenant, &api, scope("Forecast.Admin", true), server.now()).await.unwrap();
    admin::add_scope(store, &d.tenant, &api, scope("Forecast.Basic", false), server.now()).await.unwrap();
    for (resource, scope) in [(d.api_uri.as_str(), "Forecast.Basic"), ("https://graph.microsoft.com", "openid")] {
        admin::classify_permission(store, &d.tenant, resource, scope, true, server.now()).await.unwrap();
    }
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let user = seed::user(&server, &d, "alice").await;
    let admin = seed::admin_user(&server, &d, "root").await;
    Governed { server, d, web, user, admin }
}

impl Governed {
    async fn set_policy(&self, user_consent: UserConsent, integrated_apps: bool) {
        let change = PolicyChange {
            user_consent: Some(user_consent),
            integrated_apps: Some(integrated_apps),
            ..Default::default()
        };
        admin::set_policy(&self.server.state().store, &self.d.tenant, change, self.server.now()).await.unwrap();
    }

    fn url(&self, scope: &str, prompt: &str) -> String {
        let scope = format!("openid {}/{scope}", self.d.api_uri);
        authorize_url(&self.server, &self.d.tenant_id(), &self.web, &[("scope", &scope), ("prompt", prompt)])
    }
}

/// What a signed-in browser is shown for `url`: the consent prompt, or "Need admin approval" with its code.
async fn shown(browser: &Browser, url: &str) -> &'static str {
    let (status, html) = page(browser.get(url).await).await;
    match status {
        StatusCode::OK if html.contains("<h1>Permissions requested</h1>") => "ask",
        StatusCode::FORBIDDEN if html.contains("AADSTS90093") => "90093",
        StatusCode::FORBIDDEN if html.contains("AADSTS90094") => "90094",
        _ => panic!("unexpected page {status}: {html}"),
    }
}

async fn user_consent_policy_decides_who_may_grant_what(backend: Backend) {
    let g = governed(backend).await;
    let user = Browser::new(&g.server);
    let admin = Browser::new(&g.server);
    signed_in_page(&user, &g.url("Forecast.Read", "consent"), &g.user.username).await;
    signed_in_page(&admin, &g.url("Forecast.Read", "consent"), &g.admin.username).await;
    // (policy, integrated apps) → what a user is shown for a low-impact, an ordinary and an admin-only
    // scope. An admin is asked for every one of them under every policy.
    let matrix = [
        (UserConsent::All, true, ["ask", "ask", "90094"]),
        (UserConsent::LowImpact, true, ["ask", "90093", "90094"]),
        (UserConsent::Disabled, true, ["90093", "90093", "90094"]),
        (UserConsent::All, false, ["90093", "90093", "90094"]),
    ];
    for (policy, integrated, expected) in matrix {
        g.set_policy(policy, integrated).await;
        for (scope, want) in ["Forecast.Basic", "Forecast.Read", "Forecast.Admin"].into_iter().zip(expected) {
            let url = g.url(scope, "consent");
            assert_eq!(shown(&user, &url).await, want, "user, {policy:?}, integrated {integrated}, {scope}");
            assert_eq!(shown(&admin, &url).await, "ask", "admin, {policy:?}, integrated {integrated}, {scope}");
        }
    }
    // Under `low-impact`, a low-impact permission of another tenant's unverified app needs an admin.
    g.set_policy(UserConsent::LowImpact, true).await;
    let other = seed::directory(&g.server, "fabrikam.example").await;
    let foreign = seed::client_app(&g.server, &other, "Foreign App", false, true).await;
    let scope = format!("openid {}/Forecast.Basic", g.d.api_uri);
    let url = authorize_url(&g.server, &g.d.tenant_id(), &foreign, &[("scope", &scope)]);
    assert_eq!(shown(&user, &url).await, "90093");
    // A posted Accept cannot get past the policy.
    let (_, html) = page(user.get(&g.url("Forecast.Read", "")).await).await;
    let (status, _) = page(user.submit(&Form::first(&html), Some(("decision", "accept"))).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        g.server
            .state()
            .store
            .permission_grants(g.d.tenant.id)
            .await
            .unwrap()
            .iter()
            .all(|grant| grant.principal_id != Some(g.user.id))
    );
}

async fn grants_survive_policy_changes_and_revocation_stops_refresh_tokens(backend: Backend) {
    let g = governed(backend).await;
    let browser = Browser::new(&g.server);
    let url = authorize_url(
        &g.server,
        &g.d.tenant_id(),
        &g.web,
        &[("scope", &format!("openid offline_access {}/Forecast.Read", g.d.api_uri))],
    );
    let code = code_of(&sign_in_and_consent(&browser, &url, &g.user.username).await);
    let tid = g.d.tenant_id();
    let (status, tokens) = post_token(&g.server, &tid, &redeem_form(&g.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");

    g.set_policy(UserConsent::Disabled, false).await;
    // The silent sign-in and the refresh token still work for what was granted.
    code_of(&browser.get(&format!("{url}&prompt=none")).await);
    let refresh = |token: &str| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", g.web.id()),
            ("client_secret", g.web.secret.clone().unwrap()),
            ("refresh_token", token.to_owned()),
            ("scope", format!("{}/Forecast.Read", g.d.api_uri)),
        ]
    };
    let (status, body) = post_token(&g.server, &tid, &refresh(tokens["refresh_token"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scp = g.server.verify(&tid, body["access_token"].as_str().unwrap()).await["scp"].clone();
    assert_eq!(scp, "Forecast.Read");

    // Revoking the user's grant on the API stops the refresh token for it at once; the user's grant on
    // the directory (openid, offline_access) stays.
    let store = &g.server.state().store;
    let what = RevokeWhat { user: Some(&g.user.username), resource: Some(&g.d.api_uri), role: None };
    assert_eq!(admin::revoke_consent(store, &g.d.tenant, &g.web.id(), what, g.server.now()).await.unwrap(), 1);
    let (status, body) = post_token(&g.server, &tid, &refresh(body["refresh_token"].as_str().unwrap())).await;
    assert_error(status, &body, 400, "invalid_grant", 65001);
    let (_, params) = redirect_params(&browser.get(&format!("{url}&prompt=none")).await);
    assert_eq!(param(&params, "error"), Some("consent_required"), "{params:?}");
    let left: Vec<String> = store
        .permission_grants(g.d.tenant.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|grant| grant.principal_id == Some(g.user.id))
        .map(|grant| grant.scope)
        .collect();
    assert_eq!(left, ["openid offline_access"]);
}

async fn an_admin_consents_for_the_organization_from_the_consent_page(backend: Backend) {
    let g = governed(backend).await;
    let admin = Browser::new(&g.server);
    let (_, html) = signed_in_page(&admin, &g.url("Forecast.Read", ""), &g.admin.username).await;
    assert!(html.contains("Consent on behalf of your organization"), "{html}");
    let form = Form::first(&html).set("for_organization", "on");
    code_of(&admin.submit(&form, Some(("decision", "accept"))).await);
    let grants = g.server.state().store.permission_grants(g.d.tenant.id).await.unwrap();
    let org: Vec<_> = grants.iter().filter(|grant| grant.consent_type == GrantConsentType::AllPrincipals).collect();
    assert!(org.iter().any(|grant| grant.scope.split(' ').any(|s| s == "Forecast.Read")), "{grants:?}");
    // A user is not asked, even with user consent off; and a user never sees the checkbox.
    g.set_policy(UserConsent::Disabled, true).await;
    let user = Browser::new(&g.server);
    let response = user.get(&g.url("Forecast.Read", "")).await;
    let (_, html) = page(response).await;
    let response = user.sign_in(&html, &g.user.username, PASSWORD).await;
    code_of(&response);
    g.set_policy(UserConsent::All, true).await;
    let (_, html) = page(user.get(&g.url("Forecast.Basic", "")).await).await;
    assert!(
        html.contains("<h1>Permissions requested</h1>") && !html.contains("on behalf of your organization"),
        "{html}"
    );
    let events = g.server.state().store.audit_events(g.d.tenant.id).await.unwrap();
    assert!(events.iter().any(|e| e.action == "consent.organization"), "{events:?}");
}

async fn prompt_admin_consent_grants_and_returns_a_code(backend: Backend) {
    let g = governed(backend).await;
    let admin = Browser::new(&g.server);
    let url = g.url("Forecast.Admin", "admin_consent");
    let (status, html) = signed_in_page(&admin, &url, &g.admin.username).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Accept for Test tenant"), "{html}");
    let code = code_of(&admin.submit(&Form::first(&html), Some(("decision", "accept"))).await);
    let (status, tokens) = post_token(&g.server, &g.d.tenant_id(), &redeem_form(&g.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    // Every user of the tenant now has the admin-only scope without a prompt.
    let user = Browser::new(&g.server);
    let (_, html) = page(user.get(&g.url("Forecast.Admin", "")).await).await;
    code_of(&user.sign_in(&html, &g.user.username, PASSWORD).await);
}

async fn msal_gets_a_partner_token_after_admin_consent(backend: Backend) {
    let p = partner_on(TestServer::start_tls(backend).await).await;
    let b_tid = p.b.tenant_id();
    let env = [
        ("AUTHORITY", format!("{}/{b_tid}", p.server.base)),
        ("CLIENT_ID", p.app.id()),
        ("SCOPE", p.b.scope()),
        ("CLIENT_SECRET", p.app.secret.clone().unwrap()),
    ];
    let before = run_msal(&p.server, "secret", &env);
    assert_eq!(
        (before["error"].clone(), before["error_codes"].clone()),
        (json!("unauthorized_client"), json!([700016]))
    );
    let browser = Browser::new(&p.server);
    let (_, html) = signed_in_page(&browser, &p.admin_consent_url(&b_tid, &p.b.scope()), &p.b_admin.username).await;
    let response = browser.submit(&Form::first(&html), Some(("decision", "accept"))).await;
    assert_eq!(param(&redirect_params(&response).1, "admin_consent"), Some("True"));
    let after = run_msal(&p.server, "secret", &env);
    assert_eq!(after["token_type"], json!("Bearer"), "{after}");
    let claims = p.server.verify(&b_tid, after["access_token"].as_str().unwrap()).await;
    assert_eq!((claims["tid"].clone(), claims["roles"].clone()), (json!(b_tid), json!(["Forecast.Read.All"])));
}

async fn low_impact_trusts_a_partner_app_once_its_publisher_is_verified(backend: Backend) {
    let p = partner(backend).await;
    let store = &p.server.state().store;
    let change = PolicyChange { user_consent: Some(UserConsent::LowImpact), ..Default::default() };
    admin::set_policy(store, &p.b.tenant, change, p.server.now()).await.unwrap();
    for (resource, scope) in [(p.b.api_uri.as_str(), "Forecast.Read"), ("https://graph.microsoft.com", "openid")] {
        admin::classify_permission(store, &p.b.tenant, resource, scope, true, p.server.now()).await.unwrap();
    }
    let scope = format!("openid {}/Forecast.Read", p.b.api_uri);
    let url = authorize_url(&p.server, &p.b.tenant_id(), &p.app, &[("scope", &scope)]);
    let user = Browser::new(&p.server);
    let (status, html) = signed_in_page(&user, &url, &p.b_user.username).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("AADSTS90093"), "low impact, but from an unverified publisher of another tenant: {html}");

    admin::set_verified_publisher(store, &p.a.tenant, &p.app.id(), true, p.server.now()).await.unwrap();
    let (status, html) = page(user.get(&url).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Permissions requested</h1>") && html.contains("not your organization"), "{html}");
    code_of(&user.submit(&Form::first(&html), Some(("decision", "accept"))).await);
}
