//! Calling the directory API as its clients do: a tenant with a web app and a daemon, tokens for the
//! directory resource, requests with a `client-request-id`, and Graph's error shape.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use signet::admin;

use super::browser::Browser;
use super::flow::*;
use super::seed::{self, ClientApp, Directory};
use super::{Backend, TestServer};

/// The directory resource, as clients name it.
pub const GRAPH: &str = "https://graph.microsoft.com";

pub const CLIENT_REQUEST_ID: &str = "6f1b0d4e-2a7c-4f0e-9d1a-3b5c7e9f1a2b";

pub struct GraphSetup {
    pub server: TestServer,
    pub d: Directory,
    pub web: ClientApp,
}

impl GraphSetup {
    /// A server with the tenant `contoso.example`, its daemon and a web app.
    pub async fn start(backend: Backend) -> Self {
        let server = TestServer::start(backend).await;
        let d = seed::directory(&server, "contoso.example").await;
        let web = seed::client_app(&server, &d, "Web App", false, false).await;
        Self { server, d, web }
    }

    /// A directory API token of `user` with `scope`, through the code flow.
    pub async fn user_token(&self, username: &str, scope: &str) -> String {
        let url = authorize_url(&self.server, &self.d.tenant_id(), &self.web, &[("scope", scope)]);
        let code = code_of(&sign_in_and_consent(&Browser::new(&self.server), &url, username).await);
        let (status, tokens) =
            post_token(&self.server, &self.d.tenant_id(), &redeem_form(&self.web, &code, VERIFIER)).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        tokens["access_token"].as_str().unwrap().to_owned()
    }

    /// The daemon's app-only token for the directory API.
    pub async fn app_token(&self) -> String {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", &self.d.daemon_id()),
            ("client_secret", &self.d.secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let (status, body) = self.server.token(&self.d.tenant_id(), &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// An app-only directory token of a new app granted `roles`.
    pub async fn app_token_of(&self, roles: &[&str]) -> String {
        let other = super::seed::client_app(&self.server, &self.d, "Another daemon", false, false).await;
        if !roles.is_empty() {
            self.grant(&other.id(), &[], roles).await;
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", &other.id()),
            ("client_secret", other.secret.as_deref().unwrap_or_default()),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let (status, body) = self.server.token(&self.d.tenant_id(), &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// An admin grants the daemon these directory app roles, tenant-wide.
    pub async fn grant_daemon(&self, roles: &[&str]) {
        self.grant(&self.d.daemon_id(), &[], roles).await;
    }

    /// An admin grants the web app these delegated directory permissions for every user.
    pub async fn grant_web(&self, scopes: &[&str]) {
        self.grant(&self.web.id(), scopes, &[]).await;
    }

    async fn grant(&self, app_id: &str, scopes: &[&str], roles: &[&str]) {
        let store = &self.server.state().store;
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        admin::require(store, &self.d.tenant, app_id, GRAPH, &owned(scopes), &owned(roles), self.server.now())
            .await
            .unwrap();
        admin::grant_consent(store, &self.d.tenant, app_id, self.server.now()).await.unwrap();
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.call(Method::GET, path, token, None).await
    }

    /// A request to the directory API; an empty body reads as `null`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let url = if path.starts_with("http") { path.to_owned() } else { self.server.url(path) };
        let mut request = self.server.http.request(method, url).header("client-request-id", CLIENT_REQUEST_ID);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
        (status, headers, body)
    }
}

/// Graph's error body, with its request ids.
pub fn assert_graph_error(status: StatusCode, body: &Value, want_status: u16, code: &str) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    let inner = &body["error"]["innerError"];
    assert_eq!(inner["client-request-id"], CLIENT_REQUEST_ID, "{body}");
    assert!(inner["request-id"].as_str().is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()), "{body}");
    assert!(inner["date"].as_str().is_some_and(|d| d.len() == 19 && d.as_bytes()[10] == b'T'), "{body}");
}
