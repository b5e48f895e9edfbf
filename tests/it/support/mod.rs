//! Test support: a real Signet server per test on 127.0.0.1:0 with its own database, seed builders,
//! and token verification against the published JWKS.

pub mod browser;
pub mod certs;
pub mod flow;
pub mod graph;
pub mod seed;

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use signet::clock::Clock;
use signet::config::Config;
use signet::server::{Running, start};
use signet::state::AppState;

/// Runs a test body once per database backend: SQLite always, PostgreSQL when
/// `SIGNET_TEST_POSTGRES_URL` is set.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::support::Backend::postgres() {
                    Some(backend) => super::$name(backend).await,
                    None => eprintln!("SIGNET_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                }
            }
        }
    )*};
}

/// Where a test server keeps its data.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// The server URL of a PostgreSQL instance; each test makes its own database there.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL, when `SIGNET_TEST_POSTGRES_URL` names a server. Under CI (`CI=true`) it must: a
    /// PostgreSQL run skipped there would report a pass it never earned. (An unreachable server fails
    /// the test when its database is created.)
    pub fn postgres() -> Option<Self> {
        let url = std::env::var("SIGNET_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());
        if url.is_none() && std::env::var("CI").is_ok_and(|ci| ci == "true") {
            panic!("CI=true but SIGNET_TEST_POSTGRES_URL is not set: the PostgreSQL runs cannot be skipped in CI");
        }
        url.map(Self::Postgres)
    }
}

/// A database for one test, removed when the test ends.
pub struct TestDatabase {
    pub url: String,
    cleanup: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(backend: &Backend, dir: &std::path::Path) -> Self {
        match backend {
            Backend::Sqlite => {
                Self { url: format!("sqlite://{}?mode=rwc", dir.join("signet.db").display()), cleanup: None }
            }
            Backend::Postgres(server_url) => {
                let name = format!("signet_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(server_url.as_str()).await.expect("connect to PostgreSQL");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                admin.close().await.ok();
                let mut url = url::Url::parse(server_url).expect("PostgreSQL URL");
                url.set_path(&name);
                Self { url: url.to_string(), cleanup: Some((server_url.clone(), name)) }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server_url, name)) = self.cleanup.take() else { return };
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(server_url.as_str()).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Stops the server it holds when dropped, before the database goes away.
struct ServerGuard(Option<Running>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Some(running) = self.0.take() {
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                runtime.block_on(async {
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), running.stop()).await;
                });
            })
            .join();
        }
    }
}

/// A running Signet with a manual clock, its data folder and an HTTP client.
pub struct TestServer {
    running: ServerGuard,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Clock,
    pub config: Config,
    tls: bool,
    // Dropped last: the database outlives the server.
    database: TestDatabase,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    /// A server on a fresh database.
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    /// A server on a fresh database, with configuration changes.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::create(&backend, dir.path()).await;
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("address"),
            database_url: database.url.clone(),
            key_file: dir.path().join("keys/signet.kek"),
            tls_cert_out: dir.path().join("tls-cert.pem"),
            workers: 1,
            ..Config::default()
        };
        tweak(&mut config);
        let clock = Clock::manual(Clock::System.now());
        Self::launch(config, clock, false, database, dir).await
    }

    /// A server speaking HTTPS with a self-signed certificate written to `tls_cert_out`.
    pub async fn start_tls(backend: Backend) -> Self {
        let server = Self::start(backend).await;
        server.restart_as(true).await
    }

    async fn launch(config: Config, clock: Clock, tls: bool, database: TestDatabase, dir: tempfile::TempDir) -> Self {
        let tls_config =
            tls.then(|| signet::tls::self_signed("127.0.0.1", &config.tls_cert_out).expect("self-signed TLS"));
        let running = start(config.clone(), clock.clone(), tls_config).await.expect("server starts");
        let base = running.state.base_url.to_string();
        let mut http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if tls {
            let pem = std::fs::read(&config.tls_cert_out).expect("certificate");
            http = http.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"));
        }
        Self {
            running: ServerGuard(Some(running)),
            base,
            http: http.build().expect("client"),
            clock,
            config,
            tls,
            database,
            dir,
        }
    }

    /// Stops the server and starts another on the same database, key file and clock.
    pub async fn restart(self) -> Self {
        let tls = self.tls;
        self.restart_as(tls).await
    }

    async fn restart_as(mut self, tls: bool) -> Self {
        let mut config = self.config.clone();
        if let Some(running) = self.running.0.take() {
            // The same address, so the issuer (derived from it) stays the same.
            config.listen = running.addr;
            running.stop().await;
        }
        let Self { clock, database, dir, .. } = self;
        Self::launch(config, clock, tls, database, dir).await
    }

    pub fn state(&self) -> &AppState {
        &self.running.0.as_ref().expect("running").state
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn token_url(&self, tenant: &str) -> String {
        self.url(&format!("/{tenant}/oauth2/v2.0/token"))
    }

    /// POSTs a form to a tenant's token endpoint; returns the status and the JSON body.
    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self.http.post(self.token_url(tenant)).form(form).send().await.expect("token request");
        let status = response.status();
        (status, response.json().await.expect("JSON body"))
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
        let status = response.status();
        (status, response.json().await.expect("JSON body"))
    }

    /// One round of key maintenance at the server's current time, as the background task does it.
    pub async fn maintain_keys(&self) {
        let state = self.state();
        signet::signing::rotation::maintain_once(
            &state.store,
            &state.kek,
            &state.keys,
            signet::signing::rotation::RotationPolicy::from_config(&state.config),
            self.now(),
        )
        .await
        .expect("key maintenance");
    }

    /// Verifies `token` with the key its `kid` names in the tenant's JWKS, and returns its claims.
    pub async fn verify(&self, tenant: &str, token: &str) -> Value {
        let (status, jwks) = self.get_json(&format!("/{tenant}/discovery/v2.0/keys")).await;
        assert_eq!(status, StatusCode::OK);
        verify_with_jwks(&jwks, token).unwrap_or_else(|e| panic!("token does not verify: {e}"))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The JWT's claims, unverified (for tokens a test has already verified another way).
pub fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

/// The JWT's header.
pub fn jwt_header(token: &str) -> Value {
    let header = token.split('.').next().expect("header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64url")).expect("JSON")
}

/// Verifies an RS256 JWT with the JWKS key its `kid` names (jsonwebtoken, aws-lc backend) and
/// returns the claims. Expiry is not checked here: tests run on a manual clock.
pub fn verify_with_jwks(jwks: &Value, token: &str) -> Result<Value, String> {
    let kid = jwt_header(token)["kid"].as_str().ok_or("no kid")?.to_owned();
    let keys = jwks["keys"].as_array().ok_or("no keys")?;
    let key = keys.iter().find(|k| k["kid"] == kid.as_str()).ok_or(format!("kid {kid} is not published"))?;
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().ok_or("no n")?,
        key["e"].as_str().ok_or("no e")?,
    )
    .map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &decoding, &validation).map(|t| t.claims).map_err(|e| e.to_string())
}

/// Asserts the Microsoft error body of protocol reference §4: status, `error`, the AADSTS code in
/// `error_codes` and at the start of `error_description`, and the id and time fields.
pub fn assert_error(status: StatusCode, body: &Value, want_status: u16, want_error: &str, want_code: u32) {
    assert_eq!((status.as_u16(), body["error"].as_str()), (want_status, Some(want_error)), "body: {body}");
    assert_eq!(body["error_codes"], serde_json::json!([want_code]), "body: {body}");
    let description = body["error_description"].as_str().expect("error_description");
    assert!(description.starts_with(&format!("AADSTS{want_code}: ")), "{description}");
    let correlation = body["correlation_id"].as_str().expect("correlation_id");
    let trace = body["trace_id"].as_str().expect("trace_id");
    assert!(
        description.contains(&format!("\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: ")),
        "{description}"
    );
    assert!(body["error_uri"].as_str().expect("error_uri").ends_with(&format!("/error?code={want_code}")));
    assert_eq!(body["timestamp"].as_str().map(str::len), Some(20), "timestamp like 2016-01-09 02:02:12Z");
}

/// base64 (standard) DER of the first `x5c` entry.
pub fn x5c_der(jwk: &Value) -> Vec<u8> {
    STANDARD.decode(jwk["x5c"][0].as_str().expect("x5c")).expect("base64")
}
