//! A real browser: headless Chromium (Debian's `chromium`, driven by Playwright from Python) signs a user
//! in with the keyboard and JavaScript off, accepts consent, and lands on the redirect URI with a code;
//! a tenant admin completes `/adminconsent` for a partner app and lands with `admin_consent=True`; a
//! user the policy stops files an admin consent request, a reviewer approves it, and the user signs in.
//! Screenshots of each page are kept in `{CARGO_TARGET_TMPDIR}/screenshots/`.

use std::process::Command;

use serde_json::Value;

use signet::admin::{self, AppSpec, PolicyChange};
use signet::domain::policy::UserConsent;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_in_and_consents_without_javascript() {
    let server = TestServer::start(Backend::Sqlite).await;
    let d = seed::directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    // The app's redirect URI is a listener of this test, so the browser really lands there.
    let app = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://127.0.0.1:{}/callback", app.local_addr().unwrap().port());
    tokio::spawn(serve_app(app));
    let state = server.state();
    let spec = AppSpec { name: "Web App".into(), redirect_uris: vec![redirect_uri.clone()], ..AppSpec::default() };
    let web = admin::create_app(&state.store, &d.tenant, spec, server.now()).await.unwrap();
    let web_id = web.app_id.to_string();
    let (_, secret) = admin::add_secret(&state.store, &state.kek, &d.tenant, &web_id, 30, server.now()).await.unwrap();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &web_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", &format!("openid profile {}/Forecast.Read", d.api_uri))
        .append_pair("state", "from-chromium")
        .finish();
    let url = server.url(&format!("/{}/oauth2/v2.0/authorize?{query}", d.tenant_id()));
    let (seen, shots) = run_chromium(&url, &user.username, "");
    assert_eq!(seen["signin_title"], "Sign in · Signet");
    assert_eq!(
        (seen["username_label"].as_str(), seen["password_label"].as_str()),
        (Some("Username"), Some("Password"))
    );
    assert_eq!(seen["focus_after_username"], "password", "Tab goes from username to password");
    assert_eq!(seen["focus_after_password"], "Sign in", "then to the Sign in button");
    assert_eq!(seen["consent_title"], "Permissions requested · Signet");
    let consent = seen["consent_text"].as_str().unwrap();
    assert!(consent.contains("Web App") && consent.contains("Forecast.Read"), "{consent}");
    assert!(seen["landed"].as_str().unwrap().starts_with(&format!("{redirect_uri}?code=")), "{seen}");
    assert_eq!(seen["state"], "from-chromium");
    let code = seen["code"].as_str().expect("landed with a code");
    for shot in ["1-sign-in.png", "2-consent.png", "3-redirect.png"] {
        assert!(shots.join(shot).metadata().map(|m| m.len() > 1000).unwrap_or(false), "screenshot {shot}");
    }
    // The code the browser brought back is a real one.
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", &web_id),
        ("client_secret", secret.expose()),
        ("redirect_uri", &redirect_uri),
        ("code", code),
    ];
    let (status, body) = server.token(&d.tenant_id(), &form).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_admin_consents_for_a_partner_app() {
    let server = TestServer::start(Backend::Sqlite).await;
    let publisher = seed::directory(&server, "publisher.example").await;
    let customer = seed::directory(&server, "customer.example").await;
    let admin_user = seed::admin_user(&server, &customer, "admin").await;
    let app = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://127.0.0.1:{}/callback", app.local_addr().unwrap().port());
    tokio::spawn(serve_app(app));
    let store = &server.state().store;
    let spec = AppSpec {
        name: "Partner Daemon".into(),
        multi_tenant: true,
        redirect_uris: vec![redirect_uri.clone()],
        ..AppSpec::default()
    };
    let partner = admin::create_app(store, &publisher.tenant, spec, server.now()).await.unwrap();
    let partner_id = partner.app_id.to_string();
    let roles = ["Forecast.Read.All".to_owned()];
    admin::require(store, &publisher.tenant, &partner_id, &customer.api_uri, &[], &roles, server.now()).await.unwrap();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &partner_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", &customer.scope())
        .append_pair("state", "from-chromium")
        .finish();
    let url = server.url(&format!("/{}/v2.0/adminconsent?{query}", customer.tenant_id()));
    let (seen, shots) = run_chromium(&url, &admin_user.username, "admin-consent-");
    assert_eq!(seen["consent_title"], "Permissions requested · Accept for your organization · Signet");
    let consent = seen["consent_text"].as_str().unwrap();
    assert!(consent.contains("Partner Daemon") && consent.contains("Forecast.Read.All"), "{consent}");
    assert!(consent.contains("Accepting grants these permissions for everyone in Test tenant."), "{consent}");
    assert!(seen["landed"].as_str().unwrap().starts_with(&format!("{redirect_uri}?admin_consent=True")), "{seen}");
    let expected = serde_json::json!({
        "admin_consent": "True",
        "tenant": customer.tenant_id(),
        "scope": format!("{}/Forecast.Read.All", customer.api_uri),
        "state": "from-chromium",
    });
    assert_eq!(seen["query"], expected);
    for shot in ["1-sign-in.png", "2-consent.png", "3-redirect.png"] {
        let path = shots.join(format!("admin-consent-{shot}"));
        assert!(path.metadata().map(|m| m.len() > 1000).unwrap_or(false), "screenshot {}", path.display());
    }
    let sp = store.service_principal(customer.tenant.id, partner.app_id).await.unwrap().expect("partner SP in B");
    let assigned = store.all_app_role_assignments(customer.tenant.id).await.unwrap();
    assert!(assigned.iter().any(|a| a.principal_id == sp.id), "{assigned:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_user_requests_approval_and_a_reviewer_approves() {
    let server = TestServer::start(Backend::Sqlite).await;
    let d = seed::directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    let reviewer = seed::admin_user(&server, &d, "root").await;
    let app = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://127.0.0.1:{}/callback", app.local_addr().unwrap().port());
    tokio::spawn(serve_app(app));
    let store = &server.state().store;
    let spec = AppSpec { name: "Web App".into(), redirect_uris: vec![redirect_uri.clone()], ..AppSpec::default() };
    let web = admin::create_app(store, &d.tenant, spec, server.now()).await.unwrap();
    let change = PolicyChange {
        user_consent: Some(UserConsent::Disabled),
        consent_requests: Some(true),
        reviewers: Some(vec![reviewer.username.clone()]),
        ..PolicyChange::default()
    };
    admin::set_policy(store, &d.tenant, change, server.now()).await.unwrap();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &web.app_id.to_string())
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", &format!("openid {}/Forecast.Read", d.api_uri))
        .append_pair("state", "from-chromium")
        .finish();
    let authorize = server.url(&format!("/{}/oauth2/v2.0/authorize?{query}", d.tenant_id()));
    let review = server.url(&format!("/{}/admin/consent-requests", d.tenant_id()));
    let shots = screenshots();
    let output = python()
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/consent_request.py"))
        .env("AUTHORIZE_URL", &authorize)
        .env("REVIEW_URL", &review)
        .env("USERNAME", &user.username)
        .env("REVIEWER", &reviewer.username)
        .env("PASSWORD", PASSWORD)
        .env("SCREENSHOT_DIR", &shots)
        .output()
        .expect("run python");
    assert!(output.status.success(), "browser run failed: {}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let text = |name: &str| seen[name].as_str().unwrap_or_default().to_owned();
    assert_eq!(seen["need_admin_title"], "Need admin approval · Signet");
    assert!(text("need_admin_text").contains("AADSTS90095"), "{seen}");
    assert!(text("requested_text").contains("Your request is waiting for a reviewer"), "{seen}");
    assert!(text("review_sign_in_text").contains("to continue to Signet administration"), "{seen}");
    let listed = text("review_text");
    for expected in ["Web App", "Forecast.Read", "alice@contoso.example", "I plan the team's forecasts"] {
        assert!(listed.contains(expected), "{expected} missing from the review page: {listed}");
    }
    assert!(
        text("approval_text").contains("Accepting grants these permissions for everyone in Test tenant."),
        "{seen}"
    );
    assert_eq!(seen["after_approval_url"], review);
    assert!(text("after_approval_text").contains("No request is waiting for a review."), "{seen}");
    assert!(text("landed").starts_with(&format!("{redirect_uri}?code=")), "signed in without a prompt: {seen}");
    assert_eq!(seen["state"], "from-chromium");
    for shot in ["1-need-admin", "2-requested", "3-review", "4-approval", "5-approved", "6-signed-in"] {
        let path = shots.join(format!("request-{shot}.png"));
        assert!(path.metadata().map(|m| m.len() > 1000).unwrap_or(false), "screenshot {}", path.display());
    }
}

/// Runs the Playwright script on `url` as `username`; returns what it saw and the screenshot folder.
fn run_chromium(url: &str, username: &str, shot_prefix: &str) -> (Value, std::path::PathBuf) {
    let shots = screenshots();
    let output = python()
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/sign_in.py"))
        .env("AUTHORIZE_URL", url)
        .env("USERNAME", username)
        .env("PASSWORD", PASSWORD)
        .env("SCREENSHOT_DIR", &shots)
        .env("SHOT_PREFIX", shot_prefix)
        .output()
        .expect("run python (./scripts/test installs Playwright; .ci/run installs Debian's chromium)");
    assert!(output.status.success(), "browser run failed: {}", String::from_utf8_lossy(&output.stderr));
    (serde_json::from_slice(&output.stdout).expect("JSON"), shots)
}

/// A file of an npm package `./scripts/test` installs (in `SIGNET_TEST_NODE_MODULES`).
pub fn node_module(path: &str) -> std::path::PathBuf {
    let modules = std::env::var("SIGNET_TEST_NODE_MODULES")
        .expect("SIGNET_TEST_NODE_MODULES names the node_modules folder: run ./scripts/test");
    let file = std::path::Path::new(&modules).join(path);
    assert!(file.is_file(), "{} is missing: run ./scripts/test", file.display());
    file
}

/// Where the screenshots go: kept as test artifacts.
pub fn screenshots() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
}

/// The Python that has Playwright (`./scripts/test` installs it; `.ci/run` installs Debian's chromium).
pub fn python() -> Command {
    Command::new(std::env::var("SIGNET_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned()))
}

/// The client app at its redirect URI: answers every request with a small page.
pub async fn serve_app(listener: tokio::net::TcpListener) {
    while let Ok((mut socket, _)) = listener.accept().await {
        let mut buffer = vec![0u8; 8192];
        let _ = socket.read(&mut buffer).await;
        let body = "<!doctype html><title>Web App</title><h1>Back at the app</h1>";
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(response.as_bytes()).await;
    }
}
