//! On-behalf-of (issue 19): a confidential middle-tier API exchanges a user's access token for itself
//! for a token to a downstream API, with the user's consent for the downstream scopes. Exact errors
//! for missing consent (with `suberror: consent_required`), a token for another audience, an app-only
//! token, an expired one and a forged one; and Python msal's `acquire_token_on_behalf_of`.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use signet::admin::{self, AppSpec};
use signet::domain::claims::pairwise_subject;

use crate::msal::run_script;
use crate::on_every_backend;
use crate::support::browser::Browser;
use crate::support::flow::{VERIFIER, authorize_url, code_of, post_token, redeem_form, sign_in_and_consent};
use crate::support::seed::{self, Directory};
use crate::support::{Backend, TestServer, assert_error, jwt_claims};

on_every_backend!(
    a_middle_tier_exchanges_a_users_token_for_a_downstream_api_once_consented,
    on_behalf_of_refuses_tokens_of_another_audience_app_only_expired_or_forged,
    msal_acquires_a_token_on_behalf_of_a_user,
    a_middle_tier_that_gets_v1_tokens_exchanges_them_too,
);

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const MIDDLE_URI: &str = "api://contoso.example/orders";

/// The middle tier (an API that calls the Forecast API), and a user's access token for it that a web
/// client got.
struct Setup {
    server: TestServer,
    d: Directory,
    user: signet::store::User,
    middle: String,
    secret: String,
    assertion: String,
    web: seed::ClientApp,
}

async fn setup(server: TestServer) -> Setup {
    let d = seed::directory(&server, "contoso.example").await;
    let user = seed::user(&server, &d, "alice").await;
    let state = server.state();
    let (store, now) = (&state.store, server.now());
    let spec = AppSpec { name: "Orders API".into(), identifier_uris: vec![MIDDLE_URI.into()], ..AppSpec::default() };
    let middle = admin::create_app(store, &d.tenant, spec, now).await.unwrap().app_id.to_string();
    admin::add_scope(store, &d.tenant, &middle, seed::scope("access_as_user", false), now).await.unwrap();
    admin::require(store, &d.tenant, &middle, &d.api_uri, &["Forecast.Read".into()], &[], now).await.unwrap();
    let (_, secret) = admin::add_secret(store, &state.kek, &d.tenant, &middle, 30, now).await.unwrap();
    let web = seed::client_app(&server, &d, "Orders web", false, false).await;
    let scope = format!("openid {MIDDLE_URI}/access_as_user");
    let url = authorize_url(&server, &d.tenant_id(), &web, &[("scope", &scope)]);
    let code = code_of(&sign_in_and_consent(&Browser::new(&server), &url, &user.username).await);
    let (status, tokens) = post_token(&server, &d.tenant_id(), &redeem_form(&web, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let assertion = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(jwt_claims(&assertion)["aud"], middle, "a token for the middle tier");
    Setup { server, d, user, middle, secret: secret.expose().to_owned(), assertion, web }
}

impl Setup {
    async fn exchange(&self, assertion: &str, scope: &str) -> (StatusCode, Value) {
        let form = [
            ("grant_type", GRANT.to_owned()),
            ("client_id", self.middle.clone()),
            ("client_secret", self.secret.clone()),
            ("assertion", assertion.to_owned()),
            ("requested_token_use", "on_behalf_of".to_owned()),
            ("scope", scope.to_owned()),
        ];
        post_token(&self.server, &self.d.tenant_id(), &form).await
    }

    fn forecast_read(&self) -> String {
        format!("{}/Forecast.Read", self.d.api_uri)
    }
}

async fn a_middle_tier_exchanges_a_users_token_for_a_downstream_api_once_consented(backend: Backend) {
    let s = setup(TestServer::start(backend).await).await;
    // Nobody consented to the middle tier calling the Forecast API: the client must ask the user.
    let (status, body) = s.exchange(&s.assertion, &s.forecast_read()).await;
    assert_error(status, &body, 400, "invalid_grant", 65001);
    assert_eq!(body["suberror"], "consent_required", "{body}");

    let state = s.server.state();
    admin::grant_consent(&state.store, &s.d.tenant, &s.middle, s.server.now()).await.unwrap();
    for scope in [s.forecast_read(), s.d.scope()] {
        let (status, tokens) = s.exchange(&s.assertion, &scope).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!((tokens["id_token"].is_null(), tokens["refresh_token"].is_null()), (true, true), "{tokens}");
        let claims = jwt_claims(tokens["access_token"].as_str().unwrap());
        let sub = pairwise_subject(state.kek.pairwise_key(), s.d.tenant.id, s.user.id, s.middle.parse().unwrap());
        let expected = (
            json!(s.d.api.app_id.to_string()),
            json!("Forecast.Read"),
            json!(s.user.id.to_string()),
            json!(s.d.tenant_id()),
            json!(s.middle),
            json!(sub),
        );
        let got = (
            claims["aud"].clone(),
            claims["scp"].clone(),
            claims["oid"].clone(),
            claims["tid"].clone(),
            claims["azp"].clone(),
            claims["sub"].clone(),
        );
        assert_eq!(got, expected, "{scope}: {claims}");
    }
}

async fn on_behalf_of_refuses_tokens_of_another_audience_app_only_expired_or_forged(backend: Backend) {
    let s = setup(TestServer::start(backend).await).await;
    admin::grant_consent(&s.server.state().store, &s.d.tenant, &s.middle, s.server.now()).await.unwrap();
    let (_, downstream) = s.exchange(&s.assertion, &s.forecast_read()).await;

    // A token for the Forecast API is not the middle tier's to exchange.
    let (status, body) = s.exchange(downstream["access_token"].as_str().unwrap(), &s.forecast_read()).await;
    assert_error(status, &body, 400, "invalid_grant", 500131);

    // An app's own token (client credentials for the middle tier) stands for no user.
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &s.d.daemon_id()),
        ("client_secret", &s.d.secret),
        ("scope", &format!("{MIDDLE_URI}/.default")),
    ];
    let (status, app_only) = s.server.token(&s.d.tenant_id(), &form).await;
    assert_eq!(status, StatusCode::OK, "{app_only}");
    let (status, body) = s.exchange(app_only["access_token"].as_str().unwrap(), &s.forecast_read()).await;
    assert_error(status, &body, 400, "invalid_grant", 7000114);

    // A forged signature, and something that is not a token.
    let mut parts: Vec<String> = s.assertion.split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    for forged in [parts.join("."), "not-a-token".to_owned()] {
        let (status, body) = s.exchange(&forged, &s.forecast_read()).await;
        assert_error(status, &body, 400, "invalid_grant", 50013);
    }

    // Without the middle tier's secret it is not the middle tier.
    let form = [
        ("grant_type", GRANT.to_owned()),
        ("client_id", s.middle.clone()),
        ("assertion", s.assertion.clone()),
        ("requested_token_use", "on_behalf_of".to_owned()),
        ("scope", s.forecast_read()),
    ];
    let (status, body) = post_token(&s.server, &s.d.tenant_id(), &form).await;
    assert_error(status, &body, 401, "invalid_client", 7000218);

    // Once the user's token has expired (an hour, and the clock skew allowed), it is refused.
    s.server.clock.advance_by(Duration::from_secs(3600 + 301));
    let (status, body) = s.exchange(&s.assertion, &s.forecast_read()).await;
    assert_error(status, &body, 400, "invalid_grant", 500133);
}

async fn msal_acquires_a_token_on_behalf_of_a_user(backend: Backend) {
    let s = setup(TestServer::start_tls(backend).await).await;
    admin::grant_consent(&s.server.state().store, &s.d.tenant, &s.middle, s.server.now()).await.unwrap();
    let env = [
        ("AUTHORITY", format!("{}/{}", s.server.base, s.d.tenant_id())),
        ("CLIENT_ID", s.middle.clone()),
        ("CLIENT_SECRET", s.secret.clone()),
        ("USER_ASSERTION", s.assertion.clone()),
        ("SCOPE", s.forecast_read()),
    ];
    let result = run_script(&s.server, "on_behalf_of.py", "secret", &env);
    assert_eq!(result["token_type"], "Bearer", "{result}");
    let claims = jwt_claims(result["access_token"].as_str().unwrap());
    assert_eq!((&claims["scp"], &claims["oid"]), (&json!("Forecast.Read"), &json!(s.user.id.to_string())), "{claims}");
}

/// A middle tier whose `requestedAccessTokenVersion` is 1 gets v1.0 tokens, named by its identifier
/// URI; it exchanges them as v2.0 ones, and the downstream API's token keeps that API's version.
async fn a_middle_tier_that_gets_v1_tokens_exchanges_them_too(backend: Backend) {
    let s = setup(TestServer::start(backend).await).await;
    let store = &s.server.state().store;
    admin::grant_consent(store, &s.d.tenant, &s.middle, s.server.now()).await.unwrap();
    let middle_app = store.app_by_app_id(s.middle.parse().unwrap()).await.unwrap().unwrap();
    let edit = admin::AppEdit {
        access_token_version: Some(signet::domain::app::AccessTokenVersion::V1),
        ..admin::AppEdit::default()
    };
    admin::update_app(store, &s.d.tenant, &middle_app, edit, &admin::Actor::cli(), s.server.now()).await.unwrap();
    s.server.clock.advance(2);
    let scope = format!("openid {MIDDLE_URI}/access_as_user");
    let url = authorize_url(&s.server, &s.d.tenant_id(), &s.web, &[("scope", &scope)]);
    let code = code_of(&sign_in_and_consent(&Browser::new(&s.server), &url, &s.user.username).await);
    let (_, tokens) = post_token(&s.server, &s.d.tenant_id(), &redeem_form(&s.web, &code, VERIFIER)).await;
    let assertion = tokens["access_token"].as_str().unwrap();
    let claims = jwt_claims(assertion);
    assert_eq!((&claims["ver"], &claims["aud"]), (&json!("1.0"), &json!(MIDDLE_URI)), "{claims}");
    let (status, downstream) = s.exchange(assertion, &s.forecast_read()).await;
    assert_eq!(status, StatusCode::OK, "{downstream}");
    let claims = jwt_claims(downstream["access_token"].as_str().unwrap());
    assert_eq!(
        (&claims["ver"], &claims["aud"], &claims["oid"], &claims["azp"]),
        (&json!("2.0"), &json!(s.d.api.app_id.to_string()), &json!(s.user.id.to_string()), &json!(s.middle))
    );
    // A v1.0 token for another API is still not the middle tier's.
    let other = admin::AppEdit {
        access_token_version: Some(signet::domain::app::AccessTokenVersion::V1),
        ..admin::AppEdit::default()
    };
    admin::update_app(store, &s.d.tenant, &s.d.api, other, &admin::Actor::cli(), s.server.now()).await.unwrap();
    s.server.clock.advance(2);
    let (_, for_api) = s.exchange(assertion, &s.forecast_read()).await;
    let for_api = for_api["access_token"].as_str().unwrap();
    assert_eq!(jwt_claims(for_api)["aud"], json!(s.d.api_uri));
    let (status, body) = s.exchange(for_api, &s.forecast_read()).await;
    assert_error(status, &body, 400, "invalid_grant", 500131);
}
