//! Users sign in: the authorization code flow with PKCE through the `openidconnect` crate as relying
//! party, the SSO session, consent, and every error of the authorization endpoint.

use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page, param, redirect_params};
use crate::support::flow::*;
use crate::support::seed::{self, ClientApp, PASSWORD, REDIRECT_URI};
use crate::support::{Backend, TestServer, assert_error, jwt_claims};

on_every_backend!(
    code_flow_with_pkce_through_openidconnect,
    a_second_app_signs_in_without_a_password,
    untrusted_client_or_redirect_uri_gets_an_error_page,
    later_errors_go_back_to_the_redirect_uri,
    form_post_and_fragment_response_modes,
    code_replay_fails_and_revokes_its_tokens,
    code_bindings_are_checked,
    refresh_tokens_rotate_and_public_replay_revokes_the_family,
    prompt_none_never_shows_a_page,
    forms_without_their_csrf_token_are_refused,
    wrong_passwords_are_refused_and_throttled,
    organizations_signs_in_users_of_any_tenant,
    consent_cancel_and_admin_only_scopes,
    userinfo_and_sign_out,
    consent_is_incremental_and_default_means_what_was_granted,
    session_cookies_are_http_only_lax_and_secure_over_tls,
);

type Setup = seed::SignInSetup;

async fn setup(backend: Backend) -> Setup {
    seed::sign_in_setup(backend).await
}

impl Setup {
    fn api_scope(&self) -> String {
        format!("{}/Forecast.Read", self.d.api_uri)
    }

    /// An authorization URL for `client` at the tenant's GUID.
    fn authorize_url(&self, client: &ClientApp, extra: &[(&str, &str)]) -> String {
        authorize_url(&self.server, &self.d.tenant_id(), client, extra)
    }
}

async fn code_flow_with_pkce_through_openidconnect(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let issuer = IssuerUrl::new(s.server.url(&format!("/{tid}/v2.0"))).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &http).await.expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(s.web.id()),
        Some(ClientSecret::new(s.web.secret.clone().unwrap())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            openidconnect::AuthenticationFlow::<openidconnect::core::CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .add_scope(Scope::new(s.api_scope()))
        .set_pkce_challenge(challenge)
        .url();

    let browser = Browser::new(&s.server);
    let (_, signin) = page(browser.get(url.as_str()).await).await;
    assert!(signin.contains("to continue to <strong>Web App</strong>"), "{signin}");
    let consent = browser.sign_in(&signin, &s.username, PASSWORD).await;
    let (status, html) = page(consent).await;
    assert_eq!(status, StatusCode::OK);
    for shown in ["Web App", "Published by your organization, Test tenant", "Sign users in", "Forecast.Read"] {
        assert!(html.contains(shown), "consent page lacks {shown}: {html}");
    }
    let redirect = browser.submit(&Form::first(&html), Some(("decision", "accept"))).await;
    let (_, params) = redirect_params(&redirect);
    assert_eq!(param(&params, "state"), Some(csrf.secret().as_str()));
    let code = param(&params, "code").unwrap().to_owned();

    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code redemption");
    let id_token = response.id_token().expect("id_token");
    let verified = id_token.claims(&client.id_token_verifier(), &nonce).expect("ID token verifies");
    assert_eq!(verified.issuer().as_str(), s.server.url(&format!("/{tid}/v2.0")));
    assert_eq!(verified.preferred_username().map(|u| u.as_str()), Some(s.username.as_str()));
    assert_eq!(verified.email().map(|e| e.as_str()), Some(s.username.as_str()));
    let id_claims = jwt_claims(&id_token.to_string());
    assert_eq!(id_claims["aud"], s.web.id());
    assert_eq!(id_claims["tid"], tid);
    assert_eq!(id_claims["ver"], "2.0");
    assert_eq!(id_claims["name"], "alice");

    let access = s.server.verify(&tid, response.access_token().secret()).await;
    assert_eq!(access["aud"], s.d.api.app_id.to_string());
    assert_eq!(access["scp"], "Forecast.Read");
    assert_eq!(access["azp"], s.web.id());
    assert_eq!(access["azpacr"], "1");
    assert_eq!(access["tid"], tid);
    assert_eq!(access["oid"], id_claims["oid"]);
    assert_eq!(access["sub"], id_claims["sub"], "sub is pairwise per user and app");
    assert_eq!(access["preferred_username"], s.username.as_str());
    assert_eq!(access["ver"], "2.0");
    assert!(response.refresh_token().is_some(), "offline_access gives a refresh token");
    let scopes: Vec<String> = response.scopes().unwrap().iter().map(|s| s.to_string()).collect();
    assert_eq!(scopes, [s.api_scope(), "openid".into(), "profile".into(), "email".into(), "offline_access".into()]);

    // The refresh token is not bound to a resource: it gets a token for the directory too, which the
    // user consented to with openid and profile.
    let refreshed = client
        .exchange_refresh_token(response.refresh_token().unwrap())
        .unwrap()
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("profile".into()))
        .request_async(&http)
        .await
        .expect("refresh");
    let graph = s.server.verify(&tid, refreshed.access_token().secret()).await;
    assert_eq!(graph["aud"], signet::domain::graph::GRAPH_APP_ID.to_string());
    assert_eq!(graph["scp"], "openid profile");
    assert_ne!(refreshed.refresh_token().unwrap().secret(), response.refresh_token().unwrap().secret());
}

async fn a_second_app_signs_in_without_a_password(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    let first = sign_in_and_consent(&browser, &s.authorize_url(&s.web, &[]), &s.username).await;
    code_of(&first);
    // The public client: the session signs the user in; only consent is asked.
    let second = browser.get(&s.authorize_url(&s.public, &[])).await;
    let (status, html) = page(second).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Permissions requested</h1>"), "{html}");
    let code = code_of(&browser.submit(&Form::first(&html), Some(("decision", "accept"))).await);
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &redeem_form(&s.public, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(jwt_claims(body["access_token"].as_str().unwrap())["azpacr"], "0");
    // Consented already: straight back with a code. prompt=login asks for the password again.
    code_of(&browser.get(&s.authorize_url(&s.public, &[])).await);
    let (_, html) = page(browser.get(&s.authorize_url(&s.public, &[("prompt", "login")])).await).await;
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    // prompt=select_account shows the signed-in account and lets the user continue with it.
    let (_, html) = page(browser.get(&s.authorize_url(&s.public, &[("prompt", "select_account")])).await).await;
    assert!(html.contains(&s.username), "{html}");
    code_of(&browser.submit(&Form::first(&html), Some(("choice", "continue"))).await);
    // prompt=consent asks again even though everything is granted.
    let (_, html) = page(browser.get(&s.authorize_url(&s.public, &[("prompt", "consent")])).await).await;
    assert!(html.contains("<h1>Permissions requested</h1>"), "{html}");
}

/// The error page of the authorization endpoint: status, AADSTS code, no redirect.
async fn untrusted_client_or_redirect_uri_gets_an_error_page(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    let unknown = ClientApp { app: s.web.app.clone(), secret: None };
    let mut url = s.authorize_url(&unknown, &[("client_id", "6731de76-14a6-49ae-97bc-6eba6914391e")]);
    let (status, location, html) = error_page_of(&browser, &url).await;
    assert_error_page(status, location.as_deref(), &html, 700016);
    url = s.authorize_url(&s.web, &[("redirect_uri", "http://localhost:8400/callback/evil")]);
    let (status, location, html) = error_page_of(&browser, &url).await;
    assert_error_page(status, location.as_deref(), &html, 50011);
    url = s.authorize_url(&s.web, &[("redirect_uri", "")]);
    let (status, location, html) = error_page_of(&browser, &url).await;
    assert_error_page(status, location.as_deref(), &html, 900144);
    // A single-tenant app does not exist for another tenant's endpoint.
    let other = seed::tenant(&s.server, "Fabrikam", "fabrikam.example").await;
    url = authorize_url(&s.server, &other.id.to_string(), &s.web, &[]);
    let (status, location, html) = error_page_of(&browser, &url).await;
    assert_error_page(status, location.as_deref(), &html, 700016);
    url = s.authorize_url(&s.web, &[("client_id", "not-a-guid")]);
    let (status, location, html) = error_page_of(&browser, &url).await;
    assert_error_page(status, location.as_deref(), &html, 700016);
}

async fn later_errors_go_back_to_the_redirect_uri(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    type Case<'a> = (ClientApp, Vec<(&'a str, &'a str)>, &'a str, u32);
    let cases: Vec<Case> = vec![
        (s.web.clone(), vec![("response_type", "token")], "unsupported_response_type", 700054),
        (s.web.clone(), vec![("response_type", "")], "invalid_request", 900144),
        (s.web.clone(), vec![("scope", "")], "invalid_request", 900144),
        (s.web.clone(), vec![("code_challenge_method", "S512")], "invalid_request", 90014),
        (s.web.clone(), vec![("code_challenge", "short")], "invalid_request", 90014),
        (s.web.clone(), vec![("prompt", "sometimes")], "invalid_request", 90014),
        (s.web.clone(), vec![("response_mode", "carrier_pigeon")], "invalid_request", 70007),
        (s.public.clone(), vec![("code_challenge", ""), ("code_challenge_method", "")], "invalid_request", 9002325),
        (s.public.clone(), vec![("code_challenge_method", "plain")], "invalid_request", 9002325),
    ];
    for (client, extra, error, code) in cases {
        let response = browser.get(&s.authorize_url(&client, &extra)).await;
        assert_error_redirect(&response, error, code);
    }
    // Scope problems are found once the user's tenant is known, after sign-in.
    let url = s.authorize_url(&s.web, &[("scope", "openid api://nowhere.example/Read")]);
    let response = sign_in_and_consent(&browser, &url, &s.username).await;
    assert_error_redirect(&response, "invalid_resource", 500011);
    let url = s.authorize_url(&s.web, &[("scope", &format!("openid {}/Forecast.Delete", s.d.api_uri))]);
    assert_error_redirect(&browser.get(&url).await, "invalid_scope", 70011);
}

async fn form_post_and_fragment_response_modes(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    let url = s.authorize_url(&s.web, &[("response_mode", "form_post")]);
    let response = sign_in_and_consent(&browser, &url, &s.username).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    let html = response.text().await.unwrap();
    let form = Form::first(&html);
    assert_eq!(form.action, REDIRECT_URI);
    assert_eq!(form.get("state"), Some("st4te"));
    let code = form.get("code").expect("code field").to_owned();
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let response = browser.get(&s.authorize_url(&s.web, &[("response_mode", "fragment")])).await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{REDIRECT_URI}#code=")), "{location}");
    code_of(&response);
}

/// Signs alice in to `client` and returns a fresh code.
async fn fresh_code(s: &Setup, browser: &Browser, client: &ClientApp) -> String {
    let response = browser.get(&s.authorize_url(client, &[])).await;
    if response.status() == StatusCode::FOUND {
        return code_of(&response);
    }
    let html = response.text().await.unwrap();
    let after = browser.sign_in(&html, &s.username, PASSWORD).await;
    code_of(&accept_consent_if_asked(browser, after).await)
}

async fn code_replay_fails_and_revokes_its_tokens(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let browser = Browser::new(&s.server);
    // The refresh token a first redemption returned, presented by the confidential web app.
    let refresh_form = |first: &Value| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", s.web.id()),
            ("client_secret", s.web.secret.clone().unwrap()),
            ("refresh_token", first["refresh_token"].as_str().unwrap().to_owned()),
        ]
    };
    let code = fresh_code(&s, &browser, &s.web).await;
    let (status, first) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 54005);
    let (status, body) = post_token(&s.server, &tid, &refresh_form(&first)).await;
    assert_error(status, &body, 400, "invalid_grant", 70008);

    // A replay that also fails a check (here the verifier, there the expiry) is a replay all the same.
    let code = fresh_code(&s, &browser, &s.web).await;
    let (status, first) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, &"A".repeat(43))).await;
    assert_error(status, &body, 400, "invalid_grant", 54005);
    let (status, body) = post_token(&s.server, &tid, &refresh_form(&first)).await;
    assert_error(status, &body, 400, "invalid_grant", 70008);
    s.server.clock.advance(601);
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 54005);
}

async fn code_bindings_are_checked(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let browser = Browser::new(&s.server);
    // A code is sealed: an altered one is not a code at all.
    let code = fresh_code(&s, &browser, &s.web).await;
    let altered = format!("{}{}", if code.starts_with('A') { "B" } else { "A" }, &code[1..]);
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &altered, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 70000);
    let wrong_verifier = "A".repeat(43);
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, &wrong_verifier)).await;
    assert_error(status, &body, 400, "invalid_grant", 501481);
    // A refused attempt writes nothing: the code still redeems once with its verifier.
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let code = fresh_code(&s, &browser, &s.web).await;
    let mut form = redeem_form(&s.web, &code, VERIFIER);
    form[3].1 = "http://localhost:8400/other".into();
    let (status, body) = post_token(&s.server, &tid, &form).await;
    assert_error(status, &body, 400, "invalid_grant", 70000);

    let code = fresh_code(&s, &browser, &s.web).await;
    s.server.clock.advance(601);
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 70008);

    // A code of this tenant at another tenant's endpoint.
    let code = fresh_code(&s, &browser, &s.web).await;
    let other = seed::tenant(&s.server, "Fabrikam", "fabrikam.example").await;
    let (status, body) = post_token(&s.server, &other.id.to_string(), &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 700005);
    // Another client cannot redeem it; a confidential client must authenticate.
    let mut form = redeem_form(&s.web, &code, VERIFIER);
    form.retain(|(k, _)| *k != "client_secret");
    let (status, body) = post_token(&s.server, &tid, &form).await;
    assert_error(status, &body, 401, "invalid_client", 7000218);
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.public, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_grant", 70000);
    // Redeemed at `organizations`, a code finds its own tenant.
    let code = fresh_code(&s, &browser, &s.web).await;
    let (status, body) = post_token(&s.server, "organizations", &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(jwt_claims(body["id_token"].as_str().unwrap())["tid"], tid);
}

async fn refresh_tokens_rotate_and_public_replay_revokes_the_family(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let browser = Browser::new(&s.server);
    let code = fresh_code(&s, &browser, &s.public).await;
    let (status, tokens) = post_token(&s.server, &tid, &redeem_form(&s.public, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let refresh = |token: &str, scope: Option<&str>| {
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", s.public.id()),
            ("refresh_token", token.to_owned()),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope.to_owned()));
        }
        form
    };
    let first_rt = tokens["refresh_token"].as_str().unwrap().to_owned();
    // `{selector}.{secret}`; the store keeps the selector and the token's hash, never the token.
    let (selector, secret) = first_rt.split_once('.').unwrap();
    assert_eq!((selector.len(), secret.len()), (32, 43), "{first_rt}");
    let store = &s.server.state().store;
    let key = format!("{selector}.{}", signet::secrets::token_hash(&first_rt));
    assert_eq!(
        store.peek_refresh_token(s.d.tenant.id, &key).await.unwrap().map(|t| t.client_id),
        Some(s.public.app.app_id)
    );
    assert_eq!(store.peek_refresh_token(s.d.tenant.id, &first_rt).await.unwrap(), None);
    let (status, second) = post_token(&s.server, &tid, &refresh(&first_rt, None)).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let second_rt = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_rt, first_rt, "rotated");
    assert_eq!(second["scope"], "openid profile offline_access");
    assert_eq!(jwt_claims(second["id_token"].as_str().unwrap())["aud"], s.public.id());

    // Another consented resource: the directory's User.Read is not consented, the API is not either.
    let (status, body) = post_token(&s.server, &tid, &refresh(&second_rt, Some(&s.api_scope()))).await;
    assert_error(status, &body, 400, "invalid_grant", 65001);

    // Replaying a rotated token from a public client revokes the family: the newest one too.
    let (status, body) = post_token(&s.server, &tid, &refresh(&first_rt, None)).await;
    assert_error(status, &body, 400, "invalid_grant", 70008);
    let third_rt = body_refresh_after_revocation(&s, &tid, &second_rt).await;
    assert_eq!(third_rt, None);
}

async fn body_refresh_after_revocation(s: &Setup, tid: &str, token: &str) -> Option<String> {
    let form = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", s.public.id()),
        ("refresh_token", token.to_owned()),
    ];
    let (status, body) = post_token(&s.server, tid, &form).await;
    if status == StatusCode::OK {
        return body["refresh_token"].as_str().map(str::to_owned);
    }
    assert_error(status, &body, 400, "invalid_grant", 70008);
    None
}

async fn prompt_none_never_shows_a_page(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    let none = [("prompt", "none")];
    let response = browser.get(&s.authorize_url(&s.web, &none)).await;
    assert_error_redirect(&response, "login_required", 50058);
    code_of(&sign_in_and_consent(&browser, &s.authorize_url(&s.web, &[]), &s.username).await);
    code_of(&browser.get(&s.authorize_url(&s.web, &none)).await);
    // Not yet consented for the public client.
    let response = browser.get(&s.authorize_url(&s.public, &none)).await;
    assert_error_redirect(&response, "consent_required", 65001);
    // A scope only an admin can grant.
    let response =
        browser.get(&s.authorize_url(&s.web, &[("prompt", "none"), ("scope", "openid User.Read.All")])).await;
    assert_error_redirect(&response, "consent_required", 65001);
}

async fn forms_without_their_csrf_token_are_refused(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    let (_, html) = page(browser.get(&s.authorize_url(&s.web, &[])).await).await;
    let form = Form::first(&html).set("username", &s.username).set("password", PASSWORD);
    for forged in [form.clone().remove("csrf"), form.clone().set("csrf", "AAAA")] {
        let (status, html) = page(browser.submit(&forged, None).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("<strong>AADSTS90102</strong>"), "{html}");
    }
    // A token from another browser is bound to that browser's cookie.
    let other = Browser::new(&s.server);
    let (status, html) = page(other.submit(&form, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("AADSTS90102"), "{html}");
    // The consent form's token is bound to the session.
    let (_, consent) = page(browser.submit(&form, None).await).await;
    let consent_form = Form::first(&consent);
    let (status, _) = page(other.submit(&consent_form, Some(("decision", "accept"))).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    code_of(&browser.submit(&consent_form, Some(("decision", "accept"))).await);
}

async fn wrong_passwords_are_refused_and_throttled(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    // Each attempt posts the form of the page the previous one returned, as a person would.
    let (_, mut html) = page(browser.get(&s.authorize_url(&s.web, &[])).await).await;
    let wrong = "Your account or password is incorrect.";
    for (username, password) in [(s.username.as_str(), "wrong password"), ("nobody@contoso.example", PASSWORD)] {
        let (status, page_html) = page(browser.sign_in(&html, username, password).await).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page_html.contains(wrong), "{page_html}");
        assert!(!page_html.contains(password), "the password is not echoed");
        html = page_html;
    }
    for _ in 0..4 {
        html = page(browser.sign_in(&html, &s.username, "wrong password").await).await.1;
    }
    let (status, page_html) = page(browser.sign_in(&html, &s.username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page_html.contains("Too many failed sign-in attempts. Wait"), "{page_html}");
    // The longest wait is five minutes; the form stays good for an hour.
    s.server.clock.advance(600);
    let response = accept_consent_if_asked(&browser, browser.sign_in(&page_html, &s.username, PASSWORD).await).await;
    code_of(&response);
}

async fn organizations_signs_in_users_of_any_tenant(backend: Backend) {
    let s = setup(backend).await;
    let partner = seed::directory(&s.server, "fabrikam.example").await;
    let bob = seed::user(&s.server, &partner, "bob").await;
    let multi = seed::client_app(&s.server, &s.d, "Partner Portal", false, true).await;
    let browser = Browser::new(&s.server);
    let url = authorize_url(&s.server, "organizations", &multi, &[]);
    let (_, html) = page(browser.get(&url).await).await;
    let consent = browser.sign_in(&html, &bob.username, PASSWORD).await;
    let (_, consent_html) = page(consent).await;
    assert!(consent_html.contains("Published by Test tenant, not your organization"), "{consent_html}");
    let code = code_of(&browser.submit(&Form::first(&consent_html), Some(("decision", "accept"))).await);
    let partner_id = partner.tenant_id();
    let (status, body) = post_token(&s.server, "organizations", &redeem_form(&multi, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = jwt_claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["tid"], partner_id);
    assert_eq!(id["iss"], s.server.url(&format!("/{partner_id}/v2.0")));
    // Consent created the app's service principal in the partner tenant, and the grant lives there only.
    let store = &s.server.state().store;
    assert!(store.service_principal(partner.tenant.id, multi.app.app_id).await.unwrap().is_some());
    let partner_grants = store.permission_grants(partner.tenant.id).await.unwrap();
    let bobs: Vec<_> = partner_grants.iter().filter(|g| g.principal_id == Some(bob.id)).collect();
    assert_eq!(bobs.len(), 1, "{partner_grants:?}");
    assert_eq!(bobs[0].scope, "openid profile offline_access");
    assert!(store.permission_grants(s.d.tenant.id).await.unwrap().iter().all(|g| g.principal_id != Some(bob.id)));

    // A single-tenant app refuses the partner's user.
    let browser = Browser::new(&s.server);
    let (_, html) = page(browser.get(&authorize_url(&s.server, "organizations", &s.web, &[])).await).await;
    let response = browser.sign_in(&html, &bob.username, PASSWORD).await;
    assert_error_redirect(&response, "invalid_request", 50194);
}

async fn consent_cancel_and_admin_only_scopes(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    let (_, html) = page(browser.get(&s.authorize_url(&s.web, &[])).await).await;
    let (_, consent) = page(browser.sign_in(&html, &s.username, PASSWORD).await).await;
    let response = browser.submit(&Form::first(&consent), Some(("decision", "cancel"))).await;
    assert_error_redirect(&response, "access_denied", 65004);
    let (_, params) = redirect_params(&response);
    assert_eq!(param(&params, "error_subcode"), Some("cancel"));
    let grants = s.server.state().store.permission_grants(s.d.tenant.id).await.unwrap();
    assert!(grants.iter().all(|g| g.principal_id != Some(s.user_id)), "cancel grants nothing: {grants:?}");

    let response = browser.get(&s.authorize_url(&s.web, &[("scope", "openid User.Read.All")])).await;
    let (status, html) = page(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("<h1>Need admin approval</h1>") && html.contains("AADSTS90094"), "{html}");
    // Accepting anyway grants nothing: the decision is the server's.
    let form = Form::first(&html);
    let (status, again) = page(browser.submit(&form, Some(("decision", "accept"))).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(again.contains("Need admin approval"));
    // An admin may grant it.
    let admin = seed::admin_user(&s.server, &s.d, "root").await;
    let admin_browser = Browser::new(&s.server);
    let url = s.authorize_url(&s.web, &[("scope", "openid User.Read.All")]);
    code_of(&sign_in_and_consent(&admin_browser, &url, &admin.username).await);
}

async fn userinfo_and_sign_out(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let browser = Browser::new(&s.server);
    let url = s.authorize_url(&s.web, &[("scope", "openid profile email User.Read")]);
    let code = code_of(&sign_in_and_consent(&browser, &url, &s.username).await);
    let (status, tokens) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["scope"], "openid profile email User.Read");
    assert!(tokens.get("refresh_token").is_none(), "no offline_access, no refresh token");
    let access = tokens["access_token"].as_str().unwrap();
    let response = s.server.http.get(s.server.url("/oidc/userinfo")).bearer_auth(access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let info: Value = response.json().await.unwrap();
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        info,
        serde_json::json!({"sub": id["sub"], "name": "alice", "preferred_username": s.username, "email": s.username})
    );
    let response = s.server.http.get(s.server.url("/oidc/userinfo")).bearer_auth("not.a.token").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers()["www-authenticate"].to_str().unwrap().contains("error=\"invalid_token\""));
    let body: Value = response.json().await.unwrap();
    assert_error(StatusCode::UNAUTHORIZED, &body, 401, "invalid_token", 90103);

    // Sign-out: without an id_token_hint the user confirms first; an unregistered destination then gets
    // a page, a registered one a redirect; the session ends.
    let logout = s.server.url(&format!("/{tid}/oauth2/v2.0/logout"));
    let evil = format!("{logout}?client_id={}&post_logout_redirect_uri=https://evil.example/", s.web.id());
    let (status, html) = page(browser.get(&evil).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Sign out?</h1>"), "{html}");
    let (status, html) = page(browser.submit(&Form::first(&html), Some(("confirm", "yes"))).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You signed out"), "{html}");
    let (_, html) = page(browser.get(&s.authorize_url(&s.web, &[])).await).await;
    assert!(html.contains("<h1>Sign in</h1>"), "signed out: {html}");
    let registered = format!(
        "{logout}?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
        tokens["id_token"].as_str().unwrap(),
        url::form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>()
    );
    let response = browser.get(&registered).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], format!("{REDIRECT_URI}?state=bye"));
}

async fn consent_is_incremental_and_default_means_what_was_granted(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let browser = Browser::new(&s.server);
    code_of(&sign_in_and_consent(&browser, &s.authorize_url(&s.web, &[]), &s.username).await);
    // Only what is not granted yet is asked.
    let url = s.authorize_url(&s.web, &[("scope", &format!("openid profile {}", s.api_scope()))]);
    let (_, html) = page(browser.get(&url).await).await;
    assert!(html.contains("Forecast.Read") && !html.contains("Sign users in"), "{html}");
    code_of(&browser.submit(&Form::first(&html), Some(("decision", "accept"))).await);
    // `.default` with a grant: no prompt, and the token carries every granted scope of the resource.
    let url = s.authorize_url(&s.web, &[("scope", &format!("openid {}/.default", s.d.api_uri))]);
    let code = code_of(&browser.get(&url).await);
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(jwt_claims(body["access_token"].as_str().unwrap())["scp"], "Forecast.Read");

    // `.default` without a grant: the consent page lists what the registration requires.
    let store = &s.server.state().store;
    signet::admin::require(
        store,
        &s.d.tenant,
        &s.public.id(),
        &s.d.api_uri,
        &["Forecast.Read".to_owned()],
        &[],
        s.server.now(),
    )
    .await
    .unwrap();
    let url = s.authorize_url(&s.public, &[("scope", &format!("{}/.default", s.d.api_uri))]);
    let (_, html) = page(browser.get(&url).await).await;
    assert!(html.contains("<h1>Permissions requested</h1>") && html.contains("Forecast.Read"), "{html}");
    let code = code_of(&browser.submit(&Form::first(&html), Some(("decision", "accept"))).await);
    let (status, body) = post_token(&s.server, &tid, &redeem_form(&s.public, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(jwt_claims(body["access_token"].as_str().unwrap())["scp"], "Forecast.Read");
    assert_eq!(body["scope"], format!("{}/Forecast.Read", s.d.api_uri));
}

/// The `Set-Cookie` of the session after a sign-in.
async fn session_cookie_after_sign_in(s: &Setup, http: reqwest::Client) -> String {
    let browser = Browser { http, base: s.server.base.clone() };
    let (_, html) = page(browser.get(&s.authorize_url(&s.web, &[])).await).await;
    let response = browser.sign_in(&html, &s.username, PASSWORD).await;
    let cookies: Vec<String> =
        response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    cookies.into_iter().find(|c| c.starts_with("signet_session=")).expect("session cookie")
}

async fn session_cookies_are_http_only_lax_and_secure_over_tls(backend: Backend) {
    let s = setup(backend.clone()).await;
    let plain = session_cookie_after_sign_in(&s, Browser::new(&s.server).http).await;
    assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax") && plain.contains("Path=/"), "{plain}");
    assert!(!plain.contains("Secure"), "{plain}");
    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let public = seed::client_app(&server, &d, "Native App", true, false).await;
    let pem = std::fs::read(&server.config.tls_cert_out).unwrap();
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let tls = Setup { server, d, username: user.username, user_id: user.id, web, public };
    let secure = session_cookie_after_sign_in(&tls, http).await;
    assert!(secure.contains("Secure") && secure.contains("HttpOnly") && secure.contains("SameSite=Lax"), "{secure}");
    // The cookie holds a random value; the store holds only its hash.
    let value = secure.trim_start_matches("signet_session=").split(';').next().unwrap();
    assert_eq!(value.len(), 43);
    let hash = signet::secrets::token_hash(value);
    assert!(tls.server.state().store.session(&hash, tls.server.now()).await.unwrap().is_some());
    assert!(tls.server.state().store.session(value, tls.server.now()).await.unwrap().is_none());
}
