//! `serve --demo` seeds an idempotent demo whose printed credentials get a token; health endpoints.

use serde_json::json;
use signet::demo::{DEMO_DOMAIN, DEMO_REDIRECT_URI, banner, seed, sign_in_url};

use crate::support::browser::{Browser, page, param, redirect_params};

use crate::on_every_backend;
use crate::support::{Backend, TestServer};

on_every_backend!(demo_seed_is_idempotent_and_its_secret_gets_a_token, health_and_readiness_report_the_store_and_keys);

async fn demo_seed_is_idempotent_and_its_secret_gets_a_token(backend: Backend) {
    let server = TestServer::start(backend).await;
    let state = server.state();
    let first = seed(&state.store, &state.kek, server.dir.path(), server.now()).await.unwrap().expect("credentials");
    let again =
        seed(&state.store, &state.kek, server.dir.path(), server.now()).await.unwrap().expect("credentials kept");
    assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&first).unwrap());
    let tenants = state.store.list_tenants().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].domains, [DEMO_DOMAIN]);
    let printed = banner(&first, &server.base);
    assert!(printed.contains(&first.admin_password) && printed.contains(&first.daemon_secret));

    let scope = format!("{}/.default", first.api_identifier_uri);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", first.daemon_app_id.as_str()),
        ("client_secret", first.daemon_secret.as_str()),
        ("scope", scope.as_str()),
    ];
    let (status, body) = server.token(DEMO_DOMAIN, &form).await;
    assert_eq!(status, 200, "{body}");
    let claims = server.verify(DEMO_DOMAIN, body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (claims["roles"].clone(), claims["aud"].clone()),
        (json!(["Forecast.Read.All"]), json!(first.api_app_id))
    );
    // The admin and the user exist with the printed usernames.
    let tid = first.tenant_id.parse().unwrap();
    let admin = state.store.user_by_username(tid, &first.admin_username).await.unwrap().expect("admin");
    assert!(admin.is_admin && signet::secrets::verify_password(&first.admin_password, &admin.password_hash));
    let user = state.store.user_by_username(tid, &first.user_username).await.unwrap().expect("user");
    assert!(!user.is_admin && signet::secrets::verify_password(&first.user_password, &user.password_hash));
    // Users may consent as by default, and may ask the admin, its reviewer, for the rest.
    let policy = state.store.tenant_policy(tid).await.unwrap();
    assert_eq!(
        (policy.user_consent, policy.consent_requests, policy.reviewers),
        (signet::domain::policy::UserConsent::All, true, vec![admin.id])
    );
    assert!(printed.contains(&format!("{}/{DEMO_DOMAIN}/admin/consent-requests", server.base)), "{printed}");

    // The printed sign-in address signs the user in to the demo web app; its code redeems with the secret.
    assert!(printed.contains(&sign_in_url(&first, &server.base)));
    let browser = Browser::new(&server);
    let (_, html) = page(browser.get(&sign_in_url(&first, &server.base)).await).await;
    let (_, consent) = page(browser.sign_in(&html, &first.user_username, &first.user_password).await).await;
    let form = crate::support::browser::Form::first(&consent);
    let (_, params) = redirect_params(&browser.submit(&form, Some(("decision", "accept"))).await);
    let code = param(&params, "code").expect("code");
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", first.web_app_id.as_str()),
        ("client_secret", first.web_secret.as_str()),
        ("redirect_uri", DEMO_REDIRECT_URI),
        ("code", code),
    ];
    let (status, body) = server.token(DEMO_DOMAIN, &form).await;
    assert_eq!(status, 200, "{body}");
    let claims = server.verify(DEMO_DOMAIN, body["access_token"].as_str().unwrap()).await;
    assert_eq!((claims["scp"].clone(), claims["name"].clone()), (json!("Forecast.Read"), json!("Alice")));
}

async fn health_and_readiness_report_the_store_and_keys(backend: Backend) {
    let server = TestServer::start(backend).await;
    assert_eq!(server.get_json("/healthz").await, (reqwest::StatusCode::OK, json!({ "status": "ok" })));
    assert_eq!(
        server.get_json("/readyz").await,
        (reqwest::StatusCode::OK, json!({ "database": true, "signing_key": true }))
    );
}
