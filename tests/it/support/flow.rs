//! The browser side of the authorization code flow, as tests drive it: authorization URLs, signing in
//! and consenting, and redeeming the code.

use reqwest::StatusCode;
use serde_json::Value;

use super::TestServer;
use super::browser::{Browser, Form, page, param, redirect_params};
use super::seed::{ClientApp, PASSWORD, REDIRECT_URI};

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub fn authorize_url(server: &TestServer, segment: &str, client: &ClientApp, extra: &[(&str, &str)]) -> String {
    let mut params: Vec<(&str, String)> = vec![
        ("client_id", client.id()),
        ("response_type", "code".into()),
        ("redirect_uri", REDIRECT_URI.into()),
        ("scope", "openid profile offline_access".into()),
        ("state", "st4te".into()),
        ("code_challenge", CHALLENGE.into()),
        ("code_challenge_method", "S256".into()),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, (*value).to_owned()));
        }
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    server.url(&format!("/{segment}/oauth2/v2.0/authorize?{query}"))
}

/// Signs in on the page `url` shows and accepts consent when asked; returns the final redirect.
pub async fn sign_in_and_consent(browser: &Browser, url: &str, username: &str) -> reqwest::Response {
    let (status, html) = page(browser.get(url).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    let after = browser.sign_in(&html, username, PASSWORD).await;
    accept_consent_if_asked(browser, after).await
}

pub async fn accept_consent_if_asked(browser: &Browser, response: reqwest::Response) -> reqwest::Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>Permissions requested</h1>"), "{html}");
    browser.submit(&Form::first(&html), Some(("decision", "accept"))).await
}

/// The code a redirect carries, after checking `state`.
pub fn code_of(response: &reqwest::Response) -> String {
    let (target, params) = redirect_params(response);
    assert_eq!(target, REDIRECT_URI);
    assert_eq!(param(&params, "state"), Some("st4te"), "{params:?}");
    param(&params, "code").unwrap_or_else(|| panic!("no code: {params:?}")).to_owned()
}

pub fn redeem_form<'a>(client: &'a ClientApp, code: &'a str, verifier: &'a str) -> Vec<(&'a str, String)> {
    let mut form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("client_id", client.id()),
        ("code", code.to_owned()),
        ("redirect_uri", REDIRECT_URI.to_owned()),
        ("code_verifier", verifier.to_owned()),
    ];
    if let Some(secret) = &client.secret {
        form.push(("client_secret", secret.clone()));
    }
    form
}

pub async fn post_token(server: &TestServer, tenant: &str, form: &[(&str, String)]) -> (StatusCode, Value) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    server.token(tenant, &form).await
}

pub fn assert_error_page(status: StatusCode, location: Option<&str>, html: &str, code: u32) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert_eq!(location, None, "no redirect");
    assert!(html.contains(&format!("<strong>AADSTS{code}</strong>")), "{html}");
    assert!(html.contains("Correlation ID"), "{html}");
}

pub async fn error_page_of(browser: &Browser, url: &str) -> (StatusCode, Option<String>, String) {
    let response = browser.get(url).await;
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    let headers = response.headers().clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(headers["cache-control"], "no-store");
    let (status, html) = page(response).await;
    (status, location, html)
}

/// The error parameters of a redirect to the client.
pub fn assert_error_redirect(response: &reqwest::Response, error: &str, code: u32) {
    let (target, params) = redirect_params(response);
    assert_eq!(target, REDIRECT_URI);
    assert_eq!(param(&params, "error"), Some(error), "{params:?}");
    let description = param(&params, "error_description").unwrap();
    assert!(description.starts_with(&format!("AADSTS{code}: ")), "{description}");
    assert!(description.contains("Correlation ID: "), "{description}");
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert!(param(&params, "code").is_none());
}
