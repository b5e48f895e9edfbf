//! Single-page apps (issue 19): `spa` redirect URIs, the token endpoint's CORS, and Entra's rules for
//! them. A code sent to an SPA redirect URI needs PKCE and is redeemed only cross-origin, from the
//! origin of one of the app's SPA redirect URIs, without a secret; a web client redeeming cross-origin
//! gets AADSTS9002326; an SPA's code or refresh token redeemed without an `Origin` gets AADSTS9002327;
//! an SPA's refresh tokens expire 24 hours after sign-in however often they are rotated (AADSTS700084).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use signet::admin::{self, AppSpec};

use crate::on_every_backend;
use crate::support::browser::Browser;
use crate::support::flow::{VERIFIER, assert_error_redirect, authorize_url, code_of, redeem_form, sign_in_and_consent};
use crate::support::seed::{self, ClientApp, REDIRECT_URI};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    the_token_endpoint_answers_cors_preflight_from_any_origin,
    a_single_page_app_redeems_its_code_cross_origin_from_its_own_origin_only,
    a_web_client_cannot_redeem_cross_origin,
    a_single_page_apps_refresh_tokens_expire_24_hours_after_sign_in,
    the_portal_and_the_command_line_register_single_page_apps,
);

/// The origin of [`REDIRECT_URI`].
const ORIGIN: &str = "http://localhost:8400";

/// An app whose only redirect URI is a single-page app's, with no secret.
async fn spa(server: &TestServer, d: &seed::Directory) -> ClientApp {
    let spec =
        AppSpec { name: "Orders SPA".into(), spa_redirect_uris: vec![REDIRECT_URI.into()], ..AppSpec::default() };
    let app = admin::create_app(&server.state().store, &d.tenant, spec, server.now()).await.unwrap();
    ClientApp { app, secret: None }
}

/// A token request sent as a browser sends it from `origin`; the answer and its CORS header.
async fn post_from(
    server: &TestServer,
    tenant: &str,
    origin: Option<&str>,
    form: &[(&str, String)],
) -> (StatusCode, Value, Option<String>) {
    let mut request = server.http.post(server.token_url(tenant)).form(form);
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let response = request.send().await.unwrap();
    let allowed = response.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned());
    (response.status(), response.json().await.unwrap(), allowed)
}

/// A user's code for `client`, through the sign-in and consent pages.
async fn code_for(server: &TestServer, tid: &str, client: &ClientApp, username: &str) -> String {
    let browser = Browser::new(server);
    let url = authorize_url(server, tid, client, &[]);
    code_of(&sign_in_and_consent(&browser, &url, username).await)
}

async fn the_token_endpoint_answers_cors_preflight_from_any_origin(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let response = server
        .http
        .request(reqwest::Method::OPTIONS, server.token_url(&d.tenant_id()))
        .header("Origin", "https://anywhere.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-client-sku,x-client-ver")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_ascii_lowercase());
    assert_eq!(header("access-control-allow-origin").as_deref(), Some("https://anywhere.example"));
    assert_eq!(header("access-control-allow-methods").as_deref(), Some("post"));
    assert_eq!(header("access-control-allow-headers").as_deref(), Some("content-type,x-client-sku,x-client-ver"));
    assert_eq!(header("access-control-max-age").as_deref(), Some("86400"));
    assert_eq!(header("access-control-allow-credentials"), None, "no cookies cross-origin");
}

async fn a_single_page_app_redeems_its_code_cross_origin_from_its_own_origin_only(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let app = spa(&server, &d).await;

    // No PKCE, no code: the error goes back to the registered redirect URI.
    let browser = Browser::new(&server);
    let url = authorize_url(&server, &tid, &app, &[("code_challenge", ""), ("code_challenge_method", "")]);
    assert_error_redirect(&browser.get(&url).await, "invalid_request", 9002325);

    // Without an Origin, from another origin, or with a secret: refused, and the code stays unspent.
    let code = code_for(&server, &tid, &app, &alice.username).await;
    let form = redeem_form(&app, &code, VERIFIER);
    let (status, body, _) = post_from(&server, &tid, None, &form).await;
    assert_error(status, &body, 400, "invalid_request", 9002327);
    let (status, body, allowed) = post_from(&server, &tid, Some("https://evil.example"), &form).await;
    assert_error(status, &body, 400, "invalid_request", 9002326);
    assert_eq!(allowed.as_deref(), Some("https://evil.example"), "the browser may read the error");
    let with_secret = [form.clone(), vec![("client_secret", "guessed".to_owned())]].concat();
    let (status, body, _) = post_from(&server, &tid, Some(ORIGIN), &with_secret).await;
    assert_error(status, &body, 400, "invalid_client", 700025);

    // From the app's origin: tokens, readable by the page.
    let (status, tokens, allowed) = post_from(&server, &tid, Some(ORIGIN), &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(allowed.as_deref(), Some(ORIGIN));
    let claims = crate::support::jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], app.id());
    let access = crate::support::jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["azpacr"], "0", "a public client");
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
}

async fn a_web_client_cannot_redeem_cross_origin(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let code = code_for(&server, &tid, &web, &alice.username).await;
    let (status, body, allowed) = post_from(&server, &tid, Some(ORIGIN), &redeem_form(&web, &code, VERIFIER)).await;
    assert_error(status, &body, 400, "invalid_request", 9002326);
    assert!(
        body["error_description"].as_str().unwrap().contains("the app has no single-page application redirect URI")
    );
    assert_eq!(allowed.as_deref(), Some(ORIGIN));
    // The same code still works from the web app's server.
    let (status, tokens, _) = post_from(&server, &tid, None, &redeem_form(&web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    // Its refresh token is not redeemable cross-origin either, even by a client naming no secret.
    let refresh = [
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", web.id()),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap().to_owned()),
    ];
    let (status, body, _) = post_from(&server, &tid, Some(ORIGIN), &refresh).await;
    assert_error(status, &body, 400, "invalid_request", 9002326);
}

async fn a_single_page_apps_refresh_tokens_expire_24_hours_after_sign_in(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let app = spa(&server, &d).await;
    let code = code_for(&server, &tid, &app, &alice.username).await;
    let (status, tokens, _) = post_from(&server, &tid, Some(ORIGIN), &redeem_form(&app, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let refresh = |token: &str| {
        vec![("grant_type", "refresh_token".to_owned()), ("client_id", app.id()), ("refresh_token", token.to_owned())]
    };
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();

    // Server-side, the SPA's refresh token is refused.
    let (status, body, _) = post_from(&server, &tid, None, &refresh(&first)).await;
    assert_error(status, &body, 400, "invalid_request", 9002327);

    // Rotated a second before the 24 hours are up, the new token keeps the sign-in's expiry.
    server.clock.advance_by(Duration::from_secs(86_399));
    let (status, rotated, _) = post_from(&server, &tid, Some(ORIGIN), &refresh(&first)).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let second = rotated["refresh_token"].as_str().unwrap().to_owned();
    server.clock.advance_by(Duration::from_secs(1));
    let (status, body, _) = post_from(&server, &tid, Some(ORIGIN), &refresh(&second)).await;
    assert_error(status, &body, 400, "invalid_grant", 700084);
}

/// The portal registers a single-page app and lists its redirect URI under its platform; the command
/// line does too.
async fn the_portal_and_the_command_line_register_single_page_apps(backend: Backend) {
    use crate::support::browser::{Form, page};
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let tid = d.tenant_id();
    let admin = crate::portal_apps::signed_in(&server, &tid, &root.username, "/apps").await;
    let (_, html) = page(admin.get(&server.url(&format!("/{tid}/admin/apps/new"))).await).await;
    assert!(html.contains("<option value=\"spa\">Single-page application</option>"), "{html}");
    let form = Form::first(&html)
        .set("name", "Orders SPA")
        .remove("audience")
        .set("audience", "single")
        .set("platform", "spa")
        .set("redirect_uri", "https://orders.example/");
    let response = admin.submit(&form, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let app_id = location.rsplit('/').next().unwrap();
    let app = server.state().store.app_by_app_id(app_id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(
        (app.spa_redirect_uris.clone(), app.web_redirect_uris.clone(), app.is_public_client),
        (vec!["https://orders.example/".to_owned()], vec![], false)
    );
    let (_, html) = page(admin.get(&server.url(&location)).await).await;
    assert!(
        html.contains("<tr><td>Single-page application</td><td><code>https://orders.example/</code></td>"),
        "{html}"
    );
    // An SPA URI follows the web's rules: no custom scheme.
    let add = Form::all(&html).into_iter().find(|f| f.action.ends_with("/redirect-uris")).unwrap();
    let (status, html) =
        page(admin.submit(&add.set("platform", "spa").set("redirect_uri", "myapp://cb"), None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("uses a custom scheme, which only a public client may register"), "{html}");

    let args = ["app", "create", "--tenant", &tid, "--name", "CLI SPA", "--spa-redirect-uri", "http://localhost:3000/"];
    let created = crate::cli::json_of(&server, &args);
    assert_eq!(created["spaRedirectUris"], serde_json::json!(["http://localhost:3000/"]), "{created}");
}
