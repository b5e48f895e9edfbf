//! The v1.0 endpoint (issue 19): `/{tenant}/oauth2/authorize` and `/{tenant}/oauth2/token` with
//! `resource` instead of `scope`, for the code, client credentials, refresh and password grants, answered
//! in v1.0's shape (`resource`, and `expires_in`, `ext_expires_in`, `expires_on`, `not_before` as
//! strings). Which access token a resource gets is its `api.requestedAccessTokenVersion`, on both
//! endpoints: v1.0 tokens (`ver` 1.0, `iss` `{base}/{tid}/`, `appid`, `appidacr`, `upn`,
//! `unique_name`) for 1, v2.0 for 2 (Signet's default). v1.0 discovery, and ADAL for Python.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::msal::{run_script, spawn_script, spawned_result};
use crate::on_every_backend;
use crate::support::browser::{Browser, page, param, redirect_params};
use crate::support::flow::{
    VERIFIER, accept_consent_if_asked, authorize_url, code_of, post_token, redeem_form, sign_in_and_consent,
};
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::seed::{self, ClientApp, Directory, PASSWORD, REDIRECT_URI, daemon_form};
use crate::support::{Backend, TestServer, assert_error, jwt_claims};

on_every_backend!(
    access_tokens_follow_the_resources_requested_version_on_both_endpoints,
    the_v1_endpoint_signs_users_in_by_resource_and_answers_in_v1_shape,
    v1_discovery_and_instance_discovery_name_the_v1_endpoints,
    adal_gets_tokens_with_client_credentials_and_an_authorization_code,
    adal_signs_a_device_in_while_a_browser_enters_the_code,
);

/// POSTs a form to a tenant's v1.0 token endpoint.
async fn post_v1_token(server: &TestServer, tenant: &str, form: &[(&str, String)]) -> (StatusCode, Value) {
    let url = server.url(&format!("/{tenant}/oauth2/token"));
    let response = server.http.post(url).form(form).send().await.expect("token request");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

/// The v1.0 client credentials form of the seeded daemon for the seeded API.
fn daemon_v1_form(d: &Directory) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".to_owned()),
        ("client_id", d.daemon_id()),
        ("client_secret", d.secret.clone()),
        ("resource", d.api_uri.clone()),
    ]
}

/// Sets the seeded API's `requestedAccessTokenVersion` through the directory API.
async fn request_version(s: &GraphSetup, token: &str, version: Value) -> (StatusCode, Value) {
    let path = format!("/v1.0/applications(appId='{}')", s.d.api.app_id);
    let body = json!({ "api": { "requestedAccessTokenVersion": version } });
    let (status, _, body) = s.call(Method::PATCH, &path, Some(token), Some(&body)).await;
    s.server.clock.advance(2);
    (status, body)
}

async fn access_tokens_follow_the_resources_requested_version_on_both_endpoints(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let (server, d) = (&s.server, &s.d);
    let tid = d.tenant_id();
    s.grant_daemon(&["Application.ReadWrite.All"]).await;
    let graph = s.app_token().await;
    let alice = seed::user(server, d, "alice").await;
    let public = seed::client_app(server, d, "Native", true, false).await;
    let daemon_sp = server.state().store.sp_with_app(d.tenant.id, d.daemon.app_id).await.unwrap().unwrap().0;

    // The default: v2.0 tokens, at both endpoints.
    let (_, v2) = post_token(server, &tid, &daemon_form(d)).await;
    let claims = jwt_claims(v2["access_token"].as_str().unwrap());
    assert_eq!((&claims["ver"], &claims["aud"]), (&json!("2.0"), &json!(d.api.app_id.to_string())));
    let (status, v1_shape) = post_v1_token(server, &tid, &daemon_v1_form(d)).await;
    assert_eq!(status, StatusCode::OK, "{v1_shape}");
    assert_eq!(jwt_claims(v1_shape["access_token"].as_str().unwrap())["ver"], "2.0");
    let (_, _, app) = s.get(&format!("/v1.0/applications(appId='{}')", d.api.app_id), Some(&graph)).await;
    assert_eq!(app["api"]["requestedAccessTokenVersion"], 2);

    let (status, body) = request_version(&s, &graph, json!(3)).await;
    assert_graph_error(status, &body, 400, "Request_BadRequest");
    let (status, body) = request_version(&s, &graph, json!(1)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, _, app) = s.get(&format!("/v1.0/applications(appId='{}')", d.api.app_id), Some(&graph)).await;
    assert_eq!(app["api"]["requestedAccessTokenVersion"], 1);

    // App-only, at the v2.0 endpoint: a v1.0 token, every claim.
    let (status, tokens) = post_token(server, &tid, &daemon_form(d)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let token = tokens["access_token"].as_str().unwrap();
    let mut claims = server.verify(&tid, token).await;
    let (iat, uti) = (claims["iat"].clone(), claims["uti"].clone());
    assert_eq!(claims["exp"], json!(iat.as_i64().unwrap() + 3600));
    for timing in ["iat", "nbf", "exp", "uti"] {
        claims.as_object_mut().unwrap().remove(timing);
    }
    let issuer = format!("{}/{tid}/", server.base);
    assert_eq!(
        claims,
        json!({
            "aud": d.api_uri,
            "iss": issuer,
            "idp": issuer,
            "appid": d.daemon_id(),
            "appidacr": "1",
            "idtyp": "app",
            "oid": daemon_sp.id.to_string(),
            "sub": daemon_sp.id.to_string(),
            "roles": ["Forecast.Read.All"],
            "tid": tid,
            "ver": "1.0",
        })
    );
    assert_eq!(iat, json!(server.now()));
    assert!(uti.as_str().is_some_and(|u| u.len() == 22));

    // A user's, through the v2.0 code flow of a public client.
    let scope = format!("openid {}/Forecast.Read", d.api_uri);
    let url = authorize_url(server, &tid, &public, &[("scope", &scope)]);
    let code = code_of(&sign_in_and_consent(&Browser::new(server), &url, &alice.username).await);
    let (status, tokens) = post_token(server, &tid, &redeem_form(&public, &code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let claims = server.verify(&tid, tokens["access_token"].as_str().unwrap()).await;
    let pick =
        |names: &[&str]| names.iter().map(|n| (n.to_string(), claims[n].clone())).collect::<serde_json::Map<_, _>>();
    assert_eq!(
        Value::Object(pick(&[
            "aud",
            "iss",
            "appid",
            "appidacr",
            "idtyp",
            "name",
            "oid",
            "scp",
            "tid",
            "unique_name",
            "upn",
            "ver"
        ])),
        json!({
            "aud": d.api_uri,
            "iss": issuer,
            "appid": public.id(),
            "appidacr": "0",
            "idtyp": "user",
            "name": alice.display_name,
            "oid": alice.id.to_string(),
            "scp": "Forecast.Read",
            "tid": tid,
            "unique_name": alice.username,
            "upn": alice.username,
            "ver": "1.0",
        })
    );
    assert!(claims["azp"].is_null() && claims["preferred_username"].is_null() && claims["idp"].is_null(), "{claims}");
    assert_eq!(jwt_claims(tokens["id_token"].as_str().unwrap())["ver"], "2.0", "ID tokens keep their version");

    // Back to 2 (null means Signet's default, 2): the v1.0 endpoint then issues v2.0 tokens.
    let (status, _) = request_version(&s, &graph, Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, tokens) = post_v1_token(server, &tid, &daemon_v1_form(d)).await;
    let claims = jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!((&claims["ver"], &claims["iss"]), (&json!("2.0"), &json!(format!("{issuer}v2.0"))));
}

/// The v1.0 authorization URL of `client` for `resource`.
fn v1_authorize_url(server: &TestServer, tenant: &str, client: &ClientApp, resource: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", client.id().as_str()),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("resource", resource),
            ("state", "st4te"),
        ])
        .finish();
    server.url(&format!("/{tenant}/oauth2/authorize?{query}"))
}

/// Asserts the v1.0 response shape: the times as strings, at `now`.
fn assert_v1_shape(tokens: &Value, resource: &str, now: i64) {
    assert_eq!(
        (&tokens["token_type"], &tokens["expires_in"], &tokens["ext_expires_in"]),
        (&json!("Bearer"), &json!("3600"), &json!("3600")),
        "{tokens}"
    );
    assert_eq!(
        (&tokens["expires_on"], &tokens["not_before"]),
        (&json!((now + 3600).to_string()), &json!(now.to_string()))
    );
    assert_eq!(tokens["resource"], resource);
}

async fn the_v1_endpoint_signs_users_in_by_resource_and_answers_in_v1_shape(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web", false, false).await;
    let tid = d.tenant_id();

    // Client credentials: the shape, and `resource` required.
    let (status, tokens) = post_v1_token(&server, &tid, &daemon_v1_form(&d)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_v1_shape(&tokens, &d.api_uri, server.now());
    assert!(tokens["refresh_token"].is_null() && tokens["id_token"].is_null() && tokens["scope"].is_null());
    let without: Vec<_> = daemon_v1_form(&d).into_iter().filter(|(n, _)| *n != "resource").collect();
    let (status, body) = post_v1_token(&server, &tid, &without).await;
    assert_error(status, &body, 400, "invalid_request", 900144);

    // The user consents to Forecast.Read at v2.0, with the sign-in scopes v1.0 always asks for; v1.0's
    // `.default` of the resource is then what was granted.
    let scope = format!("openid profile offline_access {}/Forecast.Read", d.api_uri);
    let url = authorize_url(&server, &tid, &web, &[("scope", &scope)]);
    let browser = Browser::new(&server);
    code_of(&sign_in_and_consent(&browser, &url, &alice.username).await);
    let response = browser.get(&v1_authorize_url(&server, &tid, &web, &d.api_uri)).await;
    let (target, params) = redirect_params(&response);
    assert_eq!((target.as_str(), param(&params, "state")), (REDIRECT_URI, Some("st4te")), "{params:?}");
    let code = param(&params, "code").expect("a code").to_owned();
    let redeem = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("client_id", web.id()),
        ("client_secret", web.secret.clone().unwrap()),
        ("code", code),
        ("redirect_uri", REDIRECT_URI.to_owned()),
        ("resource", d.api_uri.clone()),
    ];
    let (status, tokens) = post_v1_token(&server, &tid, &redeem).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_v1_shape(&tokens, &d.api_uri, server.now());
    assert_eq!(tokens["scope"], "Forecast.Read");
    let access = jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!((&access["scp"], &access["oid"]), (&json!("Forecast.Read"), &json!(alice.id.to_string())));
    assert_eq!(jwt_claims(tokens["id_token"].as_str().unwrap())["oid"], json!(alice.id.to_string()));

    // Refresh, for the resource.
    let refresh = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", web.id()),
        ("client_secret", web.secret.clone().unwrap()),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap().to_owned()),
        ("resource", d.api_uri.clone()),
    ];
    let (status, refreshed) = post_v1_token(&server, &tid, &refresh).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_v1_shape(&refreshed, &d.api_uri, server.now());
    assert!(refreshed["refresh_token"].is_string(), "{refreshed}");

    // The password grant, once the tenant turns it on; ADAL sends `scope=openid` beside the resource.
    let public = seed::client_app(&server, &d, "Script", true, false).await;
    let url = authorize_url(&server, &tid, &public, &[("scope", &scope)]);
    code_of(&sign_in_and_consent(&Browser::new(&server), &url, &alice.username).await);
    let password = vec![
        ("grant_type", "password".to_owned()),
        ("client_id", public.id()),
        ("username", alice.username.clone()),
        ("password", PASSWORD.to_owned()),
        ("resource", d.api_uri.clone()),
        ("scope", "openid".to_owned()),
    ];
    let (status, body) = post_v1_token(&server, &tid, &password).await;
    assert_error(status, &body, 400, "unsupported_grant_type", 70003);
    crate::cli::json_of(&server, &["tenant", "set", "--tenant", &tid, "--password-grant", "on"]);
    server.clock.advance(2);
    let (status, tokens) = post_v1_token(&server, &tid, &password).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_v1_shape(&tokens, &d.api_uri, server.now());
    assert!(tokens["id_token"].is_string() && tokens["refresh_token"].is_string(), "{tokens}");

    // A user who has not consented is asked at the v1.0 endpoint, as at v2.0.
    let bob = seed::user(&server, &d, "bob").await;
    let browser = Browser::new(&server);
    let (status, html) = page(browser.get(&v1_authorize_url(&server, &tid, &web, &d.api_uri)).await).await;
    assert_eq!(status, StatusCode::OK);
    let after = browser.sign_in(&html, &bob.username, PASSWORD).await;
    let response = accept_consent_if_asked(&browser, after).await;
    assert!(param(&redirect_params(&response).1, "code").is_some());
}

async fn v1_discovery_and_instance_discovery_name_the_v1_endpoints(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let tid = d.tenant_id();
    let base = &server.base;
    let (status, doc) = server.get_json(&format!("/{tid}/.well-known/openid-configuration")).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(
        (&doc["issuer"], &doc["authorization_endpoint"], &doc["token_endpoint"], &doc["jwks_uri"]),
        (
            &json!(format!("{base}/{tid}/")),
            &json!(format!("{base}/{tid}/oauth2/authorize")),
            &json!(format!("{base}/{tid}/oauth2/token")),
            &json!(format!("{base}/{tid}/discovery/keys")),
        )
    );
    assert_eq!(
        (&doc["device_authorization_endpoint"], &doc["end_session_endpoint"]),
        (&json!(format!("{base}/{tid}/oauth2/devicecode")), &json!(format!("{base}/{tid}/oauth2/logout")))
    );
    let (_, common) = server.get_json("/common/.well-known/openid-configuration").await;
    assert_eq!(common["issuer"], format!("{base}/{{tenantid}}/"));
    let (_, v2) = server.get_json(&format!("/{tid}/v2.0/.well-known/openid-configuration")).await;
    assert_eq!(v2["issuer"], format!("{base}/{tid}/v2.0"));
    assert_eq!(v2["device_authorization_endpoint"], format!("{base}/{tid}/oauth2/v2.0/devicecode"));
    let (status, keys) = server.get_json(&format!("/{tid}/discovery/keys")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, v2_keys) = server.get_json(&format!("/{tid}/discovery/v2.0/keys")).await;
    assert_eq!(keys, v2_keys);

    for (endpoint, document) in [
        (format!("{base}/{tid}/oauth2/authorize"), format!("{base}/{tid}/.well-known/openid-configuration")),
        (format!("{base}/{tid}/oauth2/v2.0/authorize"), format!("{base}/{tid}/v2.0/.well-known/openid-configuration")),
    ] {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("api-version", "1.1"), ("authorization_endpoint", endpoint.as_str())])
            .finish();
        let (status, found) = server.get_json(&format!("/common/discovery/instance?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["tenant_discovery_endpoint"], document);
    }
}

/// ADAL for Python (v1.0), unchanged but for the authority: client credentials, then a code from the
/// v1.0 authorization endpoint redeemed by ADAL.
async fn adal_gets_tokens_with_client_credentials_and_an_authorization_code(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web", false, false).await;
    let tid = d.tenant_id();
    let authority = format!("{}/{tid}", server.base);
    let env = [
        ("AUTHORITY", authority.clone()),
        ("RESOURCE", d.api_uri.clone()),
        ("CLIENT_ID", d.daemon_id()),
        ("CLIENT_SECRET", d.secret.clone()),
    ];
    let daemon = run_script(&server, "adal_v1.py", "client_credentials", &env);
    assert_eq!(
        (&daemon["tokenType"], &daemon["resource"], &daemon["expiresIn"]),
        (&json!("Bearer"), &json!(d.api_uri), &json!(3600)),
        "{daemon}"
    );
    assert_eq!(jwt_claims(daemon["accessToken"].as_str().unwrap())["roles"], json!(["Forecast.Read.All"]));

    let scope = format!("openid profile offline_access {}/Forecast.Read", d.api_uri);
    let browser = Browser::new(&server);
    code_of(
        &sign_in_and_consent(&browser, &authorize_url(&server, &tid, &web, &[("scope", &scope)]), &alice.username)
            .await,
    );
    let response = browser.get(&v1_authorize_url(&server, &tid, &web, &d.api_uri)).await;
    let code = param(&redirect_params(&response).1, "code").expect("a code").to_owned();
    let env = [
        ("AUTHORITY", authority),
        ("RESOURCE", d.api_uri.clone()),
        ("CLIENT_ID", web.id()),
        ("CLIENT_SECRET", web.secret.clone().unwrap()),
        ("CODE", code),
        ("REDIRECT_URI", REDIRECT_URI.to_owned()),
    ];
    let signed_in = run_script(&server, "adal_v1.py", "authorization_code", &env);
    assert_eq!((&signed_in["tokenType"], &signed_in["resource"]), (&json!("Bearer"), &json!(d.api_uri)), "{signed_in}");
    assert!(signed_in["refreshToken"].is_string(), "{signed_in}");
    assert_eq!(signed_in["oid"], json!(alice.id.to_string()), "ADAL read the ID token: {signed_in}");
    assert_eq!(jwt_claims(signed_in["accessToken"].as_str().unwrap())["scp"], "Forecast.Read");
}

/// ADAL's device code flow at the v1.0 endpoint: `acquire_user_code` (`/oauth2/devicecode` with a
/// `resource`, answered with v1.0's `verification_url` and string numbers), then
/// `acquire_token_with_device_code` (`grant_type=device_code`, the code as `code`), while a scripted
/// browser enters the code and consents to what the app requires of the resource.
async fn adal_signs_a_device_in_while_a_browser_enters_the_code(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let device = seed::client_app(&server, &d, "Device", true, false).await;
    let tid = d.tenant_id();
    let store = &server.state().store;
    let read = ["Forecast.Read".to_owned()];
    signet::admin::require(store, &d.tenant, &device.id(), &d.api_uri, &read, &[], server.now()).await.unwrap();

    let (status, raw) = {
        let url = server.url(&format!("/{tid}/oauth2/devicecode"));
        let form = [("client_id", device.id()), ("resource", d.api_uri.clone())];
        let response = server.http.post(url).form(&form).send().await.unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK, "{raw}");
    assert_eq!(
        (&raw["verification_url"], &raw["expires_in"], &raw["interval"]),
        (&json!(server.url("/devicelogin")), &json!("900"), &json!("5"))
    );

    let flow_file = server.path("adal-flow.json");
    let env = [
        ("AUTHORITY", format!("{}/{tid}", server.base)),
        ("RESOURCE", d.api_uri.clone()),
        ("CLIENT_ID", device.id()),
        ("FLOW_FILE", flow_file.display().to_string()),
    ];
    let adal = spawn_script(&server, "adal_v1.py", "device_code", &env);
    let flow = loop {
        match std::fs::read_to_string(&flow_file).ok().and_then(|s| serde_json::from_str::<Value>(&s).ok()) {
            Some(flow) => break flow,
            None => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    };
    let browser = Browser::new(&server);
    let (_, html) = page(browser.get(&server.url("/devicelogin")).await).await;
    let form = crate::support::browser::Form::first(&html).set("user_code", flow["user_code"].as_str().unwrap());
    let (_, sign_in) = page(browser.submit(&form, None).await).await;
    let response = accept_consent_if_asked(&browser, browser.sign_in(&sign_in, &alice.username, PASSWORD).await).await;
    let (status, done) = page(response).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done.contains("You have signed in to the Device application on your device."), "{done}");
    // ADAL waits the interval between polls and gives up on slow_down: the server's clock keeps pace.
    server.clock.advance(5);
    let result = spawned_result("adal_v1.py", adal).await;
    assert_eq!((&result["resource"], &result["oid"]), (&json!(d.api_uri), &json!(alice.id.to_string())), "{result}");
    assert!(result["refreshToken"].is_string(), "{result}");
    assert_eq!(jwt_claims(result["accessToken"].as_str().unwrap())["scp"], "Forecast.Read");
}
