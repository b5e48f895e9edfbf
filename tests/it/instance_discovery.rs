//! MSAL's instance discovery (issue 19): `GET /common/discovery/instance` (or under a tenant) answers as
//! Entra does for its own hosts, for this server's host: where the tenant's discovery document is, and
//! the host's aliases; for `api-version` 1.0 and 1.1, and for an authorization endpoint whose host lost
//! its port, as MSAL Python sends it. MSAL Python pointed at it with `instance_discovery` gets tokens.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::msal::run_msal;
use crate::on_every_backend;
use crate::support::seed;
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    instance_discovery_answers_for_this_host_with_or_without_its_port,
    instance_discovery_refuses_other_hosts_and_bad_requests,
    msal_python_uses_signets_instance_discovery_endpoint,
);

async fn discover(server: &TestServer, segment: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let url = server.url(&format!("/{segment}/discovery/instance"));
    let response = server.http.get(url).query(query).header("Origin", "https://spa.example").send().await.unwrap();
    let status = response.status();
    assert_eq!(response.headers()["access-control-allow-origin"], "https://spa.example", "single-page apps read it");
    (status, response.json().await.unwrap())
}

async fn instance_discovery_answers_for_this_host_with_or_without_its_port(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let tid = d.tenant_id();
    let netloc = server.base.trim_start_matches("http://").to_owned();
    let portless = format!("http://127.0.0.1/{tid}/oauth2/v2.0/authorize");
    let with_port = format!("{}/{tid}/oauth2/v2.0/authorize", server.base);
    for (segment, version, endpoint) in [
        ("common", "1.1", &with_port),
        ("common", "1.1", &portless),
        ("common", "1.0", &portless),
        (tid.as_str(), "1.1", &with_port),
    ] {
        let (status, body) =
            discover(&server, segment, &[("api-version", version), ("authorization_endpoint", endpoint)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let expected = json!({
            "tenant_discovery_endpoint": format!("{}/{tid}/v2.0/.well-known/openid-configuration", server.base),
            "api-version": version,
            "metadata": [{ "preferred_network": netloc, "preferred_cache": netloc, "aliases": [netloc, "127.0.0.1"] }],
        });
        assert_eq!(body, expected, "{segment} {version} {endpoint}");
    }
    // The endpoint it names is the tenant's discovery document.
    let (status, _) = server.get_json(&format!("/{tid}/v2.0/.well-known/openid-configuration")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn instance_discovery_refuses_other_hosts_and_bad_requests(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ours = format!("{}/common/oauth2/v2.0/authorize", server.base);
    for endpoint in [
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "http://127.0.0.1:1/common/oauth2/v2.0/authorize",
        "http://127.0.0.1/",
        "not a url",
    ] {
        let (status, body) =
            discover(&server, "common", &[("api-version", "1.1"), ("authorization_endpoint", endpoint)]).await;
        assert_error(status, &body, 400, "invalid_instance", 50049);
    }
    let (status, body) = discover(&server, "common", &[("api-version", "1.1")]).await;
    assert_error(status, &body, 400, "invalid_request", 900144);
    let (status, body) =
        discover(&server, "common", &[("api-version", "2.0"), ("authorization_endpoint", &ours)]).await;
    assert_error(status, &body, 400, "invalid_request", 90014);
}

async fn msal_python_uses_signets_instance_discovery_endpoint(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let env = [
        ("AUTHORITY", format!("{}/{}", server.base, d.tenant_id())),
        ("INSTANCE_DISCOVERY", format!("{}/common/discovery/instance", server.base)),
        ("CLIENT_ID", d.daemon_id()),
        ("SCOPE", d.scope()),
        ("CLIENT_SECRET", d.secret.clone()),
    ];
    let result = run_msal(&server, "secret", &env);
    assert_eq!(result["token_type"], "Bearer", "{result}");
    let claims = crate::support::jwt_claims(result["access_token"].as_str().unwrap());
    assert_eq!((&claims["azp"], &claims["tid"]), (&json!(d.daemon_id()), &json!(d.tenant_id())));
}
