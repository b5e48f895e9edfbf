//! Every client-credentials error answers in the Microsoft error shape with its exact status, `error`
//! and AADSTS code (protocol reference §4 and §9).

use reqwest::StatusCode;
use serde_json::Value;
use signet::admin;

use crate::on_every_backend;
use crate::support::seed::{Directory, daemon_form, directory, tenant};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    wrong_secret_is_401_invalid_client_7000215,
    expired_secret_is_401_invalid_client_7000222,
    missing_credential_is_invalid_client_7000218,
    app_unknown_in_tenant_is_unauthorized_client_700016,
    common_and_organizations_are_refused_9001023,
    scope_errors_name_the_rule,
    unknown_resource_is_invalid_resource_500011,
    missing_parameters_are_900144,
    malformed_requests_are_invalid_request,
    unknown_tenant_is_90002,
    unknown_paths_and_methods_get_protocol_errors,
    a_portal_form_field_sent_twice_is_refused,
);

/// The directory's daemon form with some fields replaced (`None` removes the field).
fn form(d: &Directory, changes: &[(&'static str, Option<&str>)]) -> Vec<(&'static str, String)> {
    let mut form = daemon_form(d);
    for (name, value) in changes {
        form.retain(|(n, _)| n != name);
        if let Some(v) = value {
            form.push((name, (*v).to_owned()));
        }
    }
    form
}

async fn post(server: &TestServer, tenant: &str, form: &[(&'static str, String)]) -> (StatusCode, Value) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    server.token(tenant, &form).await
}

async fn wrong_secret_is_401_invalid_client_7000215(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let response = server
        .http
        .post(server.token_url(&d.tenant_id()))
        .header("client-request-id", "7c2c1f5e-52d4-4b89-9e4e-3c2cf5bd3d34")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &d.daemon_id()),
            ("client_secret", "not-the-secret"),
            ("scope", &d.scope()),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(response.headers()["www-authenticate"], "Basic realm=\"signet\"");
    assert_eq!(response.headers()["cache-control"], "no-store, no-cache");
    let body: Value = response.json().await.unwrap();
    assert_error(status, &body, 401, "invalid_client", 7000215);
    assert_eq!(
        body["correlation_id"], "7c2c1f5e-52d4-4b89-9e4e-3c2cf5bd3d34",
        "the client's request id is the correlation id"
    );
    assert!(!body.to_string().contains(&d.secret), "the error never echoes the secret");
}

async fn expired_secret_is_401_invalid_client_7000222(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    server.clock.advance(366 * 86_400);
    server.maintain_keys().await;
    let (status, body) = post(&server, &d.tenant_id(), &daemon_form(&d)).await;
    assert_error(status, &body, 401, "invalid_client", 7000222);
}

async fn missing_credential_is_invalid_client_7000218(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let (status, body) = post(&server, &d.tenant_id(), &form(&d, &[("client_secret", None)])).await;
    assert_error(status, &body, 401, "invalid_client", 7000218);
}

async fn app_unknown_in_tenant_is_unauthorized_client_700016(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let other = tenant(&server, "Fabrikam", "fabrikam.example").await;
    // A registered app asking in a tenant where it has no service principal.
    let (status, body) = post(&server, &other.id.to_string(), &daemon_form(&d)).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);
    // An appId nobody registered, and a client_id that is not a GUID.
    let random = uuid::Uuid::new_v4().to_string();
    let (status, body) = post(&server, &d.tenant_id(), &form(&d, &[("client_id", Some(&random))])).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);
    let (status, body) = post(&server, &d.tenant_id(), &form(&d, &[("client_id", Some("daemon"))])).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);
}

async fn common_and_organizations_are_refused_9001023(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    for alias in ["common", "organizations", "Common"] {
        let (status, body) = post(&server, alias, &daemon_form(&d)).await;
        assert_error(status, &body, 400, "invalid_request", 9001023);
    }
}

async fn scope_errors_name_the_rule(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let tid = d.tenant_id();
    let named = format!("{}/Forecast.Read", d.api_uri);
    let (status, body) = post(&server, &tid, &form(&d, &[("scope", Some(&named))])).await;
    assert_error(status, &body, 400, "invalid_scope", 70011);
    let two = format!("{} https://graph.microsoft.com/.default", d.scope());
    let (status, body) = post(&server, &tid, &form(&d, &[("scope", Some(&two))])).await;
    assert_error(status, &body, 400, "invalid_scope", 700022);
    let mixed = format!("{} openid", d.scope());
    let (status, body) = post(&server, &tid, &form(&d, &[("scope", Some(&mixed))])).await;
    assert_error(status, &body, 400, "invalid_scope", 70011);
}

async fn unknown_resource_is_invalid_resource_500011(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let tid = d.tenant_id();
    let (status, body) = post(&server, &tid, &form(&d, &[("scope", Some("api://nobody/.default"))])).await;
    assert_error(status, &body, 400, "invalid_resource", 500011);
    // A resource registered in another tenant, with no service principal here.
    let state = server.state();
    let other = tenant(&server, "Fabrikam", "fabrikam.example").await;
    let spec = admin::AppSpec {
        name: "Fabrikam API".into(),
        multi_tenant: true,
        identifier_uris: vec!["api://fabrikam/api".into()],
        ..Default::default()
    };
    admin::create_app(&state.store, &other, spec, server.now()).await.unwrap();
    let (status, body) = post(&server, &tid, &form(&d, &[("scope", Some("api://fabrikam/api/.default"))])).await;
    assert_error(status, &body, 400, "invalid_resource", 500011);
}

async fn missing_parameters_are_900144(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    for (name, empty) in [("grant_type", false), ("scope", false), ("client_id", false), ("scope", true)] {
        let change = if empty { Some("") } else { None };
        let (status, body) = post(&server, &d.tenant_id(), &form(&d, &[(name, change)])).await;
        assert_error(status, &body, 400, "invalid_request", 900144);
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains(&format!("'{name}'")), "{description}");
    }
}

async fn malformed_requests_are_invalid_request(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let url = server.token_url(&d.tenant_id());
    // A parameter sent twice (RFC 6749 §3.2).
    let mut twice = daemon_form(&d);
    twice.push(("scope", d.scope()));
    let (status, body) = post(&server, &d.tenant_id(), &twice).await;
    assert_error(status, &body, 400, "invalid_request", 90014);
    // JSON instead of a form.
    let response =
        server.http.post(&url).json(&serde_json::json!({"grant_type": "client_credentials"})).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 400, "invalid_request", 90014);
    // Two authentication methods at once.
    let response =
        server.http.post(&url).basic_auth(d.daemon_id(), Some(&d.secret)).form(&daemon_form(&d)).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 400, "invalid_request", 90014);
    // A body over the 64 KiB limit.
    let big = "x".repeat(100_000);
    let response =
        server.http.post(&url).form(&[("grant_type", "client_credentials"), ("padding", &big)]).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 400, "invalid_request", 90014);
    // A grant type Signet does not know.
    let (status, body) = post(&server, &d.tenant_id(), &form(&d, &[("grant_type", Some("password"))])).await;
    assert_error(status, &body, 400, "unsupported_grant_type", 70003);
}

async fn unknown_tenant_is_90002(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let missing = uuid::Uuid::new_v4().to_string();
    for tenant in [missing.as_str(), "nowhere.example"] {
        let (status, body) = post(&server, tenant, &daemon_form(&d)).await;
        assert_error(status, &body, 400, "invalid_request", 90002);
        let (status, body) = server.get_json(&format!("/{tenant}/v2.0/.well-known/openid-configuration")).await;
        assert_error(status, &body, 400, "invalid_request", 90002);
    }
}

async fn unknown_paths_and_methods_get_protocol_errors(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (status, body) = server.get_json("/contoso.example/oauth2/v2.0/nothing").await;
    assert_error(status, &body, 404, "invalid_request", 90099);
    let (status, body) = server.get_json("/common/oauth2/v2.0/token").await;
    assert_error(status, &body, 405, "invalid_request", 90098);
    // The error_uri page explains a code, and says when it does not know one.
    let page = server.http.get(server.url("/error?code=7000215")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>AADSTS7000215</h1>") && html.contains("Invalid client secret provided"), "{html}");
    let page = server.http.get(server.url("/error?code=12345")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("AADSTS12345 is not a code Signet answers with"));
}

/// The administration forms refuse a field sent twice, as the protocol's parsers do: which of two
/// values counts must not be up to the parser. The page is an error page that quotes the request's
/// correlation id, with the security headers of every page.
async fn a_portal_form_field_sent_twice_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    tenant(&server, "Contoso", "contoso.example").await;
    let correlation = "0c0ffee0-0000-4000-8000-000000000001";
    let response = server
        .http
        .post(server.url("/contoso.example/admin/signin"))
        .header("client-request-id", correlation)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=a%40contoso.example&username=b%40contoso.example&password=x&csrf=y")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["client-request-id"], correlation);
    let html = response.text().await.unwrap();
    assert!(html.contains("AADSTS90014") && html.contains("A form field was sent more than once."), "{html}");
    assert!(html.contains(correlation), "the page quotes the correlation id: {html}");
}
