//! The probes of issue 16's security review that Signet already refused, kept as regression tests with
//! the exact answer: redirect-URI look-alikes, PKCE downgrades, code and refresh-token races, `alg`
//! confusion in client assertions, script in displayed names, oversized and malformed input, and
//! Host-header tricks. (Replayed `jti`s and forms without or with another browser's CSRF token are in
//! `client_assertion.rs` and `sign_in.rs`.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::certs::ClientCert;
use crate::support::flow::*;
use crate::support::seed::{self, ClientApp, PASSWORD, REDIRECT_URI};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    redirect_uri_look_alikes_get_an_error_page,
    pkce_downgrades_are_refused,
    twenty_way_races_have_one_winner,
    unsigned_and_hmac_assertions_are_refused,
    script_in_names_is_text_on_every_page,
    oversized_input_gets_protocol_errors,
    invalid_utf8_and_nul_in_any_field_get_protocol_errors,
    host_and_forwarded_headers_are_ignored,
);

type Setup = seed::SignInSetup;

async fn setup(backend: Backend) -> Setup {
    seed::sign_in_setup(backend).await
}

impl Setup {
    /// A fresh code for `client`, signing alice in with a new browser.
    async fn code_for(&self, client: &ClientApp, extra: &[(&str, &str)]) -> String {
        let url = authorize_url(&self.server, &self.d.tenant_id(), client, extra);
        code_of(&sign_in_and_consent(&Browser::new(&self.server), &url, &self.username).await)
    }
}

async fn redirect_uri_look_alikes_get_an_error_page(backend: Backend) {
    let s = setup(backend).await;
    let browser = Browser::new(&s.server);
    for look_alike in [
        "http://localhost:8400.evil.com/callback",
        "http://localhost:8400@evil.com/callback",
        "http://evil.com#@localhost:8400/callback",
        "http://localhost:8400/callback/../evil",
        "http://localhost:8400/callback%2F..%2Fevil",
        "http://LOCALHOST:8400/callback",
        "http://localhost:8400/Callback",
        "http://localhost:8400/callback/",
        "http://localhost:8400/callback?next=https://evil.com",
        "http://localhost:8400/callback#x",
        "http://localhost:8401/callback",
        "https://localhost:8400/callback",
    ] {
        let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[("redirect_uri", look_alike)]);
        let (status, location, html) = error_page_of(&browser, &url).await;
        assert_error_page(status, location.as_deref(), &html, 50011);
    }
}

async fn pkce_downgrades_are_refused(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let browser = Browser::new(&s.server);
    code_of(&sign_in_and_consent(&browser, &authorize_url(&s.server, &tid, &s.public, &[]), &s.username).await);
    // A public client must send an S256 challenge: none, or `plain`, is refused at /authorize.
    for extra in [
        vec![("code_challenge", ""), ("code_challenge_method", "")],
        vec![("code_challenge", VERIFIER), ("code_challenge_method", "plain")],
    ] {
        let response = browser.get(&authorize_url(&s.server, &tid, &s.public, &extra)).await;
        assert_error_redirect(&response, "invalid_request", 9002325);
    }
    // A code issued for an S256 challenge needs its verifier: none, the challenge itself, or another.
    for verifier in ["", CHALLENGE, &"A".repeat(43)] {
        let code = s.code_for(&s.web, &[]).await;
        let mut form = redeem_form(&s.web, &code, verifier);
        form.retain(|(name, value)| *name != "code_verifier" || !value.is_empty());
        let (status, body) = post_token(&s.server, &tid, &form).await;
        assert_error(status, &body, 400, "invalid_grant", 501481);
    }
}

async fn twenty_way_races_have_one_winner(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let race = |form: Vec<(&'static str, String)>| {
        let (http, url) = (s.server.http.clone(), s.server.token_url(&tid));
        (0..20)
            .map(|_| {
                let (http, url, form) = (http.clone(), url.clone(), form.clone());
                tokio::spawn(async move {
                    let response = http.post(url).form(&form).send().await.unwrap();
                    (response.status(), response.json::<Value>().await.unwrap())
                })
            })
            .collect::<Vec<_>>()
    };
    let outcomes = |answers: Vec<(StatusCode, Value)>| {
        let winners = answers.iter().filter(|(status, _)| *status == StatusCode::OK).count();
        let mut losers: Vec<_> = answers
            .iter()
            .filter(|(status, _)| *status != StatusCode::OK)
            .map(|(s, b)| (s.as_u16(), b["error_codes"].clone()))
            .collect();
        losers.dedup();
        (winners, losers)
    };

    // A code: one redemption wins; every other is a replay by its own client.
    let code = s.code_for(&s.public, &[]).await;
    let form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("client_id", s.public.id()),
        ("code", code.clone()),
        ("redirect_uri", REDIRECT_URI.to_owned()),
        ("code_verifier", VERIFIER.to_owned()),
    ];
    let mut answers = Vec::new();
    for racer in race(form) {
        answers.push(racer.await.unwrap());
    }
    let refresh = answers.iter().find(|(status, _)| *status == StatusCode::OK).unwrap().1["refresh_token"].clone();
    assert_eq!(outcomes(answers), (1, vec![(400, json!([54005]))]));

    // A public client's refresh token: at most one use wins; the others find it used and revoke the
    // family.
    let code = s.code_for(&s.public, &[]).await;
    let (status, tokens) = post_token(&s.server, &tid, &redeem_form(&s.public, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_ne!(tokens["refresh_token"], refresh);
    let form = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", s.public.id()),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap().to_owned()),
    ];
    let mut answers = Vec::new();
    for racer in race(form.clone()) {
        answers.push(racer.await.unwrap());
    }
    // The replays revoke the family, so the first use's new token dies with it: whether its answer
    // left before the revocation (200) or after (70008) is timing, and at most one use ever wins.
    let rotated: Vec<String> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .map(|(_, body)| body["refresh_token"].as_str().unwrap().to_owned())
        .collect();
    let (winners, losers) = outcomes(answers);
    assert!(winners <= 1, "{winners} winners");
    assert_eq!(losers, vec![(400, json!([70008]))]);
    for token in rotated {
        let again = [form[0].clone(), form[1].clone(), ("refresh_token", token)];
        let (status, body) = post_token(&s.server, &tid, &again).await;
        assert_error(status, &body, 400, "invalid_grant", 70008);
    }
}

async fn unsigned_and_hmac_assertions_are_refused(backend: Backend) {
    let s = setup(backend).await;
    let cert = ClientCert::generate();
    signet::admin::add_cert(&s.server.state().store, &s.d.tenant, &s.d.daemon_id(), &cert.cert_pem, s.server.now())
        .await
        .unwrap();
    let aud = s.server.token_url(&s.d.tenant_id());
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let claims = |now| ClientCert::claims(&s.d.daemon_id(), &aud, now);
    // `none`: no signature at all.
    let unsigned = format!(
        "{}.{}.",
        encode(&json!({"alg": "none", "typ": "JWT", "x5t": cert.x5t()})),
        encode(&claims(s.server.now()))
    );
    // HS256 keyed with the public certificate, which anyone can read from the app's registration.
    let header = encode(&json!({"alg": "HS256", "typ": "JWT", "x5t": cert.x5t()}));
    let input = format!("{header}.{}", encode(&claims(s.server.now())));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, cert.cert_pem.as_bytes());
    let hmac = format!("{input}.{}", URL_SAFE_NO_PAD.encode(ring::hmac::sign(&key, input.as_bytes())));
    for assertion in [unsigned, hmac] {
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", s.d.daemon_id()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
            ("client_assertion", assertion),
            ("scope", s.d.scope()),
        ];
        let (status, body) = post_token(&s.server, &s.d.tenant_id(), &form).await;
        assert_error(status, &body, 401, "invalid_client", 50013);
        assert!(body["error_description"].as_str().unwrap().contains("is not supported"), "{body}");
    }
}

async fn script_in_names_is_text_on_every_page(backend: Backend) {
    let server = TestServer::start(backend).await;
    let script = "<script>alert(1)</script>";
    let d = seed::directory(&server, "contoso.example").await;
    let store = &server.state().store;
    let admin = seed::admin_user(&server, &d, "root").await;
    let username = format!("x@{}", d.tenant.domains[0]);
    let spec =
        signet::admin::UserSpec { display_name: Some(script), ..signet::admin::UserSpec::new(&username, PASSWORD) };
    let user =
        signet::admin::create_user(store, &d.tenant, spec, &signet::admin::Actor::cli(), server.now()).await.unwrap();
    let spec =
        signet::admin::AppSpec { name: script.into(), redirect_uris: vec![REDIRECT_URI.into()], ..Default::default() };
    let app = signet::admin::create_app(store, &d.tenant, spec, server.now()).await.unwrap();
    let client = ClientApp { app, secret: None };
    let api_scope = format!("openid {}/Forecast.Read", d.api_uri);
    let browser = Browser::new(&server);
    let mut pages = Vec::new();
    // Sign-in page (the app's name), consent page (app and user), account picker.
    let url = authorize_url(&server, &d.tenant_id(), &client, &[("scope", &api_scope)]);
    let (_, html) = page(browser.get(&url).await).await;
    pages.push(html.clone());
    let (_, consent) = page(browser.sign_in(&html, &user.username, PASSWORD).await).await;
    pages.push(consent);
    let (_, picker) =
        page(browser.get(&authorize_url(&server, &d.tenant_id(), &client, &[("prompt", "select_account")])).await)
            .await;
    pages.push(picker);
    // Admin consent page, as the admin sees it.
    let admin_browser = Browser::new(&server);
    let url = server.url(&format!(
        "/{}/adminconsent?client_id={}&redirect_uri={REDIRECT_URI}",
        d.tenant_id(),
        client.app.app_id
    ));
    let (_, html) = page(admin_browser.get(&url).await).await;
    let (_, admin_consent) = page(admin_browser.sign_in(&html, &admin.username, PASSWORD).await).await;
    pages.push(admin_consent);
    // An error page that quotes what the client sent.
    let url = server.url(&format!(
        "/{}/oauth2/v2.0/authorize?client_id={}&response_type=code",
        d.tenant_id(),
        url::form_urlencoded::byte_serialize(script.as_bytes()).collect::<String>()
    ));
    let (status, error) = page(Browser::new(&server).get(&url).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    pages.push(error);
    for (n, html) in pages.iter().enumerate() {
        assert!(!html.contains(script), "page {n} carries the script as markup:\n{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"),
            "page {n} shows the name:\n{html}"
        );
    }
}

async fn oversized_input_gets_protocol_errors(backend: Backend) {
    let s = setup(backend).await;
    let url = s.server.token_url(&s.d.tenant_id());
    // A 10 MB body: refused once 64 KiB have been read.
    let big = "x".repeat(10 * 1024 * 1024);
    let response = s
        .server
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=client_credentials&padding={big}"))
        .send()
        .await;
    let response = response.expect("an answer before the connection closes");
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 400, "invalid_request", 90014);
    // A 1 MB query or header is refused before any handler runs (actix-web bounds a request head at
    // 128 KiB); a 100 KB header fits, and is ignored.
    let address = s.server.base.trim_start_matches("http://").to_owned();
    let megabyte = "x".repeat(1024 * 1024);
    let query = format!(
        "GET /{}/oauth2/v2.0/authorize?client_id={megabyte} HTTP/1.1\r\nHost: {address}\r\n\r\n",
        s.d.tenant_id()
    );
    let header = |size| format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nX-Big: {}\r\n\r\n", "x".repeat(size));
    for (request, status) in [(query, "431"), (header(1024 * 1024), "431"), (header(100 * 1024), "200")] {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let _ = stream.write_all(request.as_bytes()).await;
        let mut answer = vec![0; 64];
        let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer[..read.unwrap().unwrap()]).into_owned();
        assert!(answer.starts_with(&format!("HTTP/1.1 {status}")), "{}: {answer}", &request[..40]);
    }
    // The server is still there.
    assert_eq!(s.server.http.get(s.server.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

async fn invalid_utf8_and_nul_in_any_field_get_protocol_errors(backend: Backend) {
    let s = setup(backend).await;
    let tid = s.d.tenant_id();
    let token_url = s.server.token_url(&tid);
    let fields =
        ["grant_type", "client_id", "client_secret", "scope", "code", "redirect_uri", "code_verifier", "refresh_token"];
    for field in fields {
        for bad in ["%FF%FE", "a%00b"] {
            let mut body: Vec<String> = vec![
                "grant_type=authorization_code".into(),
                format!("client_id={}", s.web.id()),
                format!("client_secret={}", s.web.secret.clone().unwrap()),
                "code=abc".into(),
                format!("redirect_uri={REDIRECT_URI}"),
                format!("code_verifier={VERIFIER}"),
            ];
            body.retain(|pair| !pair.starts_with(&format!("{field}=")));
            body.push(format!("{field}={bad}"));
            let response = s
                .server
                .http
                .post(&token_url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.join("&"))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let json: Value = response.json().await.unwrap();
            assert!(status.is_client_error(), "{field}={bad}: {status} {json}");
            assert!(json["error_codes"][0].is_u64() && json["correlation_id"].is_string(), "{field}={bad}: {json}");
        }
    }
    // NUL in what the store looks up by name (PostgreSQL's text holds none): nothing is found.
    let daemon: Vec<(&str, String)> = seed::daemon_form(&s.d);
    let (status, body) = post_token(&s.server, "contoso%00.example", &daemon).await;
    assert_error(status, &body, 400, "invalid_request", 90002);
    let mut nul_scope = daemon.clone();
    nul_scope.retain(|(name, _)| *name != "scope");
    nul_scope.push(("scope", format!("{}\0/.default", s.d.api_uri)));
    let (status, body) = post_token(&s.server, &tid, &nul_scope).await;
    assert_error(status, &body, 400, "invalid_resource", 500011);

    // The authorization endpoint and the sign-in form: an error page, never a redirect or a 500.
    let browser = Browser::new(&s.server);
    let (_, html) = page(browser.get(&authorize_url(&s.server, &tid, &s.web, &[])).await).await;
    let form = Form::first(&html);
    for name in ["client_id", "redirect_uri", "scope", "state", "username", "login_hint", "domain_hint"] {
        for bad in ["%FF%FE", "a%00b"] {
            let url = format!("{}&{name}={bad}", authorize_url(&s.server, &tid, &s.web, &[(name, "")]));
            let response = browser.get(&url).await;
            let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
            let (status, html) = page(response).await;
            match status {
                // Unknown client or redirect URI: a page, never a redirect.
                StatusCode::BAD_REQUEST => assert!(html.contains("<strong>AADSTS"), "{name}={bad}: {html}"),
                // A later error goes back to the registered redirect URI only.
                StatusCode::FOUND => assert!(location.unwrap().starts_with(REDIRECT_URI), "{name}={bad}"),
                // A hint or state is only text: the sign-in page.
                StatusCode::OK => assert!(html.contains("<h1>Sign in</h1>"), "{name}={bad}: {html}"),
                other => panic!("{name}={bad}: {other}"),
            }
        }
    }
    // The sign-in form, a fresh one per field (each form acts once): a broken request or token is an
    // error page; a broken username is just a wrong one.
    for name in form.fields.iter().map(|(n, _)| n.clone()) {
        let (_, html) = page(browser.get(&authorize_url(&s.server, &tid, &s.web, &[])).await).await;
        let fresh = Form::first(&html);
        let mut body: Vec<String> = fresh
            .fields
            .iter()
            .filter(|(n, _)| *n != name)
            .map(|(n, v)| format!("{n}={}", url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .collect();
        body.push(format!("{name}=%FF%00"));
        body.push("password=x".into());
        let response = browser
            .http
            .post(s.server.url(&fresh.action))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"))
            .send()
            .await
            .unwrap();
        let (status, html) = page(response).await;
        if name == "username" {
            assert_eq!(status, StatusCode::OK, "{name}");
            assert!(html.contains("Your account or password is incorrect."), "{html}");
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {html}");
            assert!(html.contains("<strong>AADSTS"), "{name}: {html}");
        }
    }
}

async fn host_and_forwarded_headers_are_ignored(backend: Backend) {
    let s = setup(backend).await;
    let path = format!("/{}/v2.0/.well-known/openid-configuration", s.d.tenant_id());
    let (_, honest) = s.server.get_json(&path).await;
    let response = s
        .server
        .http
        .get(s.server.url(&path))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
        .header("forwarded", "host=evil.example;proto=https")
        .send()
        .await
        .unwrap();
    let tricked: Value = response.json().await.unwrap();
    assert_eq!(tricked, honest);
    assert!(honest["issuer"].as_str().unwrap().starts_with(&s.server.base));
    assert!(!tricked.to_string().contains("evil.example"));
}
