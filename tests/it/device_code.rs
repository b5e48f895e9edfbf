//! The device code flow (issue 19, RFC 8628): a device asks `/devicecode`, its user enters the code at
//! `/devicelogin`, signs in and consents on the usual pages, and the device's poll gets the tokens
//! once. Polls before that are `authorization_pending` (AADSTS70016), or `slow_down` when too early;
//! an unknown code is `bad_verification_code` (70018), an expired one `expired_token` (70019), a
//! declined one `authorization_declined` (65004), a spent one `invalid_grant` (70000). Wrong codes typed
//! at `/devicelogin` are throttled per address; requests survive a restart; Python msal's
//! `initiate_device_flow` and `acquire_token_by_device_flow` work while a browser enters the code.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::msal::{spawn_script, spawned_result};
use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::flow::post_token;
use crate::support::seed::{self, ClientApp, Directory, PASSWORD};
use crate::support::{Backend, TestServer, assert_error, jwt_claims};

on_every_backend!(
    a_device_gets_tokens_once_after_its_user_signs_in_and_polls_get_exact_errors_before,
    a_declined_sign_in_and_an_expired_code_end_the_request,
    wrong_codes_are_throttled_and_forms_are_checked,
    a_device_request_survives_a_restart,
    msal_device_flow_gets_tokens_while_a_browser_enters_the_code,
);

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn scope(d: &Directory) -> String {
    format!("openid profile offline_access {}/Forecast.Read", d.api_uri)
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
async fn device_code(server: &TestServer, tenant: &str, form: &[(&str, String)]) -> (StatusCode, Value) {
    let url = server.url(&format!("/{tenant}/oauth2/v2.0/devicecode"));
    let response = server.http.post(url).form(form).send().await.expect("devicecode");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

/// A new request of `app` for the seeded API, checked field by field.
async fn start(server: &TestServer, d: &Directory, app: &ClientApp) -> Value {
    let (status, flow) = device_code(server, &d.tenant_id(), &[("client_id", app.id()), ("scope", scope(d))]).await;
    assert_eq!(status, StatusCode::OK, "{flow}");
    let user_code = flow["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9, "{flow}");
    assert!(user_code.bytes().all(|b| b"BCDFGHJKLMNPQRSTVWXZ".contains(&b)), "{flow}");
    let verification_uri = server.url("/devicelogin");
    assert_eq!(
        (&flow["verification_uri"], &flow["expires_in"], &flow["interval"]),
        (&json!(verification_uri), &json!(900), &json!(5))
    );
    assert_eq!(
        flow["message"],
        format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."
        )
    );
    assert!(flow["device_code"].as_str().unwrap().len() >= 43);
    flow
}

fn poll_form(app: &ClientApp, flow: &Value) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", GRANT.to_owned()),
        ("client_id", app.id()),
        ("device_code", flow["device_code"].as_str().unwrap().to_owned()),
    ]
}

/// Types `code` at `/devicelogin` in `browser`; returns the page that follows.
async fn enter_code(server: &TestServer, browser: &Browser, code: &str) -> (StatusCode, String) {
    let (status, html) = page(browser.get(&server.url("/devicelogin")).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Enter code</h1>"), "{html}");
    page(browser.submit(&Form::first(&html).set("user_code", code), None).await).await
}

/// Signs in on a sign-in page and answers the consent page with `decision`.
async fn sign_in_and_answer(browser: &Browser, html: &str, username: &str, decision: &str) -> (StatusCode, String) {
    assert!(html.contains("<h1>Sign in</h1>") && html.contains("to continue to <strong>Device</strong>"), "{html}");
    let (status, consent) = page(browser.sign_in(html, username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK, "{consent}");
    assert!(consent.contains("<h1>Permissions requested</h1>"), "{consent}");
    page(browser.submit(&Form::first(&consent), Some(("decision", decision))).await).await
}

const APPROVED: &str = "You have signed in to the Device application on your device. You may now close this window.";

async fn a_device_gets_tokens_once_after_its_user_signs_in_and_polls_get_exact_errors_before(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let app = seed::client_app(&server, &d, "Device", true, false).await;
    let other = seed::client_app(&server, &d, "Other", true, false).await;
    let tid = d.tenant_id();
    let flow = start(&server, &d, &app).await;

    let (status, body) = post_token(&server, &tid, &poll_form(&app, &flow)).await;
    assert_error(status, &body, 400, "authorization_pending", 70016);
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &flow)).await;
    assert_error(status, &body, 400, "slow_down", 70016);
    assert!(body["error_description"].as_str().unwrap().contains("poll at most every 10 seconds"), "{body}");
    server.clock.advance(9);
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &flow)).await;
    assert_error(status, &body, 400, "slow_down", 70016);
    server.clock.advance(15);
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &flow)).await;
    assert_error(status, &body, 400, "authorization_pending", 70016);

    let made_up = [("grant_type", GRANT.to_owned()), ("client_id", app.id()), ("device_code", "made-up".to_owned())];
    let (status, body) = post_token(&server, &tid, &made_up).await;
    assert_error(status, &body, 400, "bad_verification_code", 70018);
    let (status, body) = post_token(&server, &tid, &poll_form(&other, &flow)).await;
    assert_error(status, &body, 400, "bad_verification_code", 70018);

    // The user types the code as people do: lower case, with a hyphen.
    let browser = Browser::new(&server);
    let (status, html) = enter_code(&server, &browser, "BCDFGHJKL").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("That code didn&#39;t work. Check the code and try again."), "{html}");
    let code = flow["user_code"].as_str().unwrap().to_ascii_lowercase();
    let (status, html) = enter_code(&server, &browser, &format!("{}-{}", &code[..4], &code[4..])).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (status, done) = sign_in_and_answer(&browser, &html, &alice.username, "accept").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done.contains(APPROVED), "{done}");

    let (status, tokens) = post_token(&server, &tid, &poll_form(&app, &flow)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = server.verify(&tid, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (&access["scp"], &access["oid"], &access["tid"], &access["appid"].is_null(), &access["azp"]),
        (&json!("Forecast.Read"), &json!(alice.id.to_string()), &json!(tid), &true, &json!(app.id()))
    );
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!((&id["aud"], &id["preferred_username"]), (&json!(app.id()), &json!(alice.username)));
    let refresh = [
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", app.id()),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap().to_owned()),
    ];
    assert_eq!(post_token(&server, &tid, &refresh).await.0, StatusCode::OK, "its refresh token works");

    // Single use: the device code, and the user code.
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &flow)).await;
    assert_error(status, &body, 400, "invalid_grant", 70000);
    let (_, html) = enter_code(&server, &browser, &code).await;
    assert!(html.contains("That code didn&#39;t work."), "{html}");

    // A second device, in a browser that is signed in now: the user still confirms the account, and
    // consent given once is not asked again.
    let second = start(&server, &d, &app).await;
    let (status, html) = enter_code(&server, &browser, second["user_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Pick an account</h1>") && html.contains(&alice.username), "{html}");
    let (status, done) = page(browser.submit(&Form::first(&html), Some(("choice", "continue"))).await).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done.contains(APPROVED), "{done}");
    let (status, tokens) = post_token(&server, &tid, &poll_form(&app, &second)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
}

async fn a_declined_sign_in_and_an_expired_code_end_the_request(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let app = seed::client_app(&server, &d, "Device", true, false).await;
    let tid = d.tenant_id();

    let declined = start(&server, &d, &app).await;
    let browser = Browser::new(&server);
    let (_, html) = enter_code(&server, &browser, declined["user_code"].as_str().unwrap()).await;
    let (status, done) = sign_in_and_answer(&browser, &html, &alice.username, "cancel").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{done}");
    assert!(done.contains("AADSTS65004: The user declined to consent to access the app."), "{done}");
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &declined)).await;
    assert_error(status, &body, 400, "authorization_declined", 65004);

    let expiring = start(&server, &d, &app).await;
    server.clock.advance(899);
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &expiring)).await;
    assert_error(status, &body, 400, "authorization_pending", 70016);
    server.clock.advance(1);
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &expiring)).await;
    assert_error(status, &body, 400, "expired_token", 70019);
    let (status, html) = enter_code(&server, &Browser::new(&server), expiring["user_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("That code didn&#39;t work."), "{html}");

    // A code entered in time whose sign-in page is posted after the expiry is refused there too.
    let late = start(&server, &d, &app).await;
    let (_, html) = enter_code(&server, &browser, late["user_code"].as_str().unwrap()).await;
    server.clock.advance(900);
    let (status, page_html) = page(browser.submit(&Form::first(&html), Some(("choice", "continue"))).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page_html}");
    assert!(page_html.contains("AADSTS70019"), "{page_html}");
    let (status, body) = post_token(&server, &tid, &poll_form(&app, &late)).await;
    assert_error(status, &body, 400, "expired_token", 70019);

    // The device code endpoint checks what the authorization endpoint checks.
    let (status, body) = device_code(&server, &tid, &[("client_id", app.id())]).await;
    assert_error(status, &body, 400, "invalid_request", 900144);
    let unknown = uuid::Uuid::new_v4().to_string();
    let (status, body) = device_code(&server, &tid, &[("client_id", unknown), ("scope", scope(&d))]).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);
    let (status, body) = device_code(&server, "consumers", &[("client_id", app.id()), ("scope", scope(&d))]).await;
    assert_error(status, &body, 400, "invalid_request", 90023);
}

async fn wrong_codes_are_throttled_and_forms_are_checked(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let app = seed::client_app(&server, &d, "Device", true, false).await;
    let flow = start(&server, &d, &app).await;
    let browser = Browser::new(&server);
    for _ in 0..5 {
        let (status, html) = enter_code(&server, &browser, "XXXXXXXXX").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("That code didn&#39;t work."), "{html}");
    }
    // The sixth wrong code waits, and so does the right one from the same address.
    let (status, html) = enter_code(&server, &browser, "XXXXXXXXX").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{html}");
    let (status, html) = enter_code(&server, &browser, flow["user_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{html}");
    assert!(html.contains("Too many codes that did not work. Wait 1 seconds, then try again."), "{html}");
    server.clock.advance(1);
    let (status, html) = enter_code(&server, &browser, flow["user_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");

    // A code form this browser was not served, or one posted twice, is refused.
    server.clock.advance(1);
    let (_, html) = page(browser.get(&server.url("/devicelogin")).await).await;
    let form = Form::first(&html).set("user_code", flow["user_code"].as_str().unwrap());
    let stranger = Browser::new(&server);
    let (status, refused) = page(stranger.submit(&form, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused.contains("AADSTS90102"), "{refused}");
    assert_eq!(page(browser.submit(&form, None).await).await.0, StatusCode::OK);
    let (status, replayed) = page(browser.submit(&form, None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(replayed.contains("AADSTS90102"), "{replayed}");
}

async fn a_device_request_survives_a_restart(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let app = seed::client_app(&server, &d, "Device", true, false).await;
    let flow = start(&server, &d, &app).await;
    let server = server.restart().await;
    let browser = Browser::new(&server);
    let (_, html) = enter_code(&server, &browser, flow["user_code"].as_str().unwrap()).await;
    let (status, done) = sign_in_and_answer(&browser, &html, &alice.username, "accept").await;
    assert_eq!(status, StatusCode::OK);
    assert!(done.contains(APPROVED), "{done}");
    let server = server.restart().await;
    let (status, tokens) = post_token(&server, &d.tenant_id(), &poll_form(&app, &flow)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(jwt_claims(tokens["access_token"].as_str().unwrap())["oid"], json!(alice.id.to_string()));
}

/// msal starts the flow and polls in its own process; the test reads the code msal got from the file
/// the script writes, and enters it in a scripted browser, as a user would on their phone.
async fn msal_device_flow_gets_tokens_while_a_browser_enters_the_code(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let app = seed::client_app(&server, &d, "Device", true, false).await;
    let flow_file = server.path("flow.json");
    let env = [
        ("AUTHORITY", format!("{}/{}", server.base, d.tenant_id())),
        ("CLIENT_ID", app.id()),
        ("SCOPE", format!("{}/Forecast.Read", d.api_uri)),
        ("FLOW_FILE", flow_file.display().to_string()),
    ];
    let msal = spawn_script(&server, "device_flow.py", "public", &env);
    let flow = loop {
        match std::fs::read_to_string(&flow_file).ok().and_then(|s| serde_json::from_str::<Value>(&s).ok()) {
            Some(flow) => break flow,
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    assert_eq!(flow["verification_uri"], json!(server.url("/devicelogin")), "{flow}");
    let browser = Browser::new(&server);
    let (_, html) = enter_code(&server, &browser, flow["user_code"].as_str().unwrap()).await;
    let (status, done) = sign_in_and_answer(&browser, &html, &alice.username, "accept").await;
    assert_eq!(status, StatusCode::OK);
    assert!(done.contains(APPROVED), "{done}");
    // msal waits the interval between polls: the server's clock keeps pace.
    server.clock.advance(5);
    let result = spawned_result("device_flow.py", msal).await;
    let access = jwt_claims(result["access_token"].as_str().unwrap_or_else(|| panic!("no token: {result}")));
    assert_eq!((&access["scp"], &access["oid"]), (&json!("Forecast.Read"), &json!(alice.id.to_string())));
    assert_eq!(result["id_token_claims"]["preferred_username"], json!(alice.username), "{result}");
}
