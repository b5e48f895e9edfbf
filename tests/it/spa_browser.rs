//! A real single-page app (issue 19): Microsoft's `@azure/msal-browser` in headless Chromium, on a page
//! this test serves from another origin than Signet's, with only its authority changed. `loginRedirect`,
//! then `acquireTokenSilent` from msal's cache, then a refresh through the refresh token; and the same
//! page for an app registered on the web platform fails with Entra's AADSTS9002326.
//!
//! msal-browser comes from npm (`SIGNET_TEST_NODE_MODULES`, which `./scripts/test` installs).

use serde_json::{Value, json};
use signet::admin::{self, AppSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::browser::{node_module, python, screenshots};
use crate::on_every_backend;
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, TestServer, jwt_claims};

on_every_backend!(msal_browser_signs_a_single_page_app_in_and_refreshes_cross_origin);

/// The pages the test's app server answers with: path → HTML.
type Pages = Vec<(String, String)>;

async fn msal_browser_signs_a_single_page_app_in_and_refreshes_cross_origin(backend: Backend) {
    let label = if matches!(backend, Backend::Sqlite) { "sqlite" } else { "postgres" };
    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let tid = d.tenant_id();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let store = &server.state().store;
    let spa_uri = format!("{origin}/");
    let spec = AppSpec { name: "Orders SPA".into(), spa_redirect_uris: vec![spa_uri.clone()], ..AppSpec::default() };
    let spa = admin::create_app(store, &d.tenant, spec, server.now()).await.unwrap();
    let web_uri = format!("{origin}/web");
    let spec = AppSpec { name: "Orders web".into(), redirect_uris: vec![web_uri.clone()], ..AppSpec::default() };
    let web = admin::create_app(store, &d.tenant, spec, server.now()).await.unwrap();
    let page = |client_id: String, redirect_uri: &str| {
        let config = json!({
            "clientId": client_id,
            "authority": format!("{}/{tid}", server.base),
            "knownAuthority": server.base.trim_start_matches("https://"),
            "redirectUri": redirect_uri,
            "scopes": [format!("{}/Forecast.Read", d.api_uri)],
        });
        include_str!("../browser/spa.html").replace("/*CONFIG*/", &config.to_string())
    };
    let pages = vec![
        ("/".to_owned(), page(spa.app_id.to_string(), &spa_uri)),
        ("/web".to_owned(), page(web.app_id.to_string(), &web_uri)),
    ];
    tokio::spawn(serve_pages(listener, pages));

    let output = python()
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/spa.py"))
        .env("SPA_URL", &spa_uri)
        .env("WEB_URL", &web_uri)
        .env("USERNAME", &alice.username)
        .env("PASSWORD", PASSWORD)
        .env("SCREENSHOT_DIR", screenshots().join(format!("spa-{label}")))
        .output()
        .expect("run python (./scripts/test installs Playwright; .ci/run installs chromium)");
    assert!(output.status.success(), "the browser run failed: {}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_slice(&output.stdout).expect("JSON");

    let signed_in = &seen["spa"];
    assert_eq!(signed_in["landed"], spa_uri, "{seen}");
    assert_eq!((&signed_in["username"], &signed_in["tenantId"]), (&json!(alice.username), &json!(tid)), "{seen}");
    assert_eq!(signed_in["login"]["idTokenAud"], spa.app_id.to_string());
    let access = jwt_claims(signed_in["login"]["accessToken"].as_str().unwrap());
    assert_eq!((&access["scp"], &access["azpacr"]), (&json!("Forecast.Read"), &json!("0")), "{access}");
    assert_eq!(signed_in["silent"], json!({ "fromCache": true, "sameToken": true }), "from msal's cache");
    assert_eq!(
        (&signed_in["refreshed"]["fromCache"], &signed_in["refreshed"]["newToken"]),
        (&json!(false), &json!(true))
    );
    let refreshed = jwt_claims(signed_in["refreshed"]["accessToken"].as_str().unwrap());
    assert_eq!(refreshed["oid"], access["oid"]);

    let refused = &seen["web"];
    assert_eq!(refused["errorCode"], "invalid_request", "{seen}");
    let message = refused["errorMessage"].as_str().unwrap();
    assert!(message.starts_with("Error(s): 9002326 - "), "msal's rendering of the error codes: {message}");
    let why = "Description: AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type";
    assert!(message.contains(why), "{message}");
}

/// The single-page apps' server: each page of `pages`, and msal-browser's bundle.
async fn serve_pages(listener: tokio::net::TcpListener, pages: Pages) {
    let bundle = std::fs::read(node_module("@azure/msal-browser/lib/msal-browser.min.js")).unwrap();
    while let Ok((mut socket, _)) = listener.accept().await {
        let mut buffer = vec![0u8; 8192];
        let read = socket.read(&mut buffer).await.unwrap_or(0);
        let request = String::from_utf8_lossy(&buffer[..read]);
        let path = request.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_owned();
        let (content_type, body) = match pages.iter().find(|(p, _)| *p == path) {
            Some((_, html)) => ("text/html; charset=utf-8", html.as_bytes().to_vec()),
            None if path == "/msal-browser.min.js" => ("text/javascript", bundle.clone()),
            None => ("text/plain", b"not found".to_vec()),
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(&body).await;
    }
}
