//! Several replicas on one PostgreSQL: started at the same moment on an empty database they agree on
//! one schema, one key-encryption key file and one signing key, and a token one issues verifies with
//! the keys the other publishes.

use serde_json::Value;
use signet::admin::{self, AppSpec};
use signet::clock::Clock;
use signet::config::Config;
use signet::server::start;

use crate::support::{Backend, TestDatabase, verify_with_jwks};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_together_share_schema_and_keys() {
    let Some(backend) = Backend::postgres() else {
        eprintln!("SIGNET_TEST_POSTGRES_URL is not set: the replica test needs PostgreSQL");
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(&backend, dir.path()).await;
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: Some("http://signet.test".into()),
        database_url: database.url.clone(),
        key_file: dir.path().join("keys/signet.kek"),
        workers: 1,
        ..Config::default()
    };
    let clock = Clock::manual(Clock::System.now());
    let (a, b) = tokio::join!(start(config.clone(), clock.clone(), None), start(config.clone(), clock.clone(), None));
    let (a, b) = (a.expect("replica A starts"), b.expect("replica B starts"));
    let keys = a.state.store.signing_keys().await.unwrap();
    assert_eq!(keys.len(), 1, "racing replicas add one key between them");
    assert_eq!(b.state.keys.signer(clock.now()).unwrap().kid(), keys[0].kid);

    // A directory written through replica A; a token from replica B; verified with A's JWKS.
    let store = &a.state.store;
    let now = clock.now();
    let tenant = admin::create_tenant(store, "Contoso", "contoso.example", now).await.unwrap();
    let spec =
        AppSpec { name: "API".into(), identifier_uris: vec!["api://contoso.example/api".into()], ..AppSpec::default() };
    let api = admin::create_app(store, &tenant, spec, now).await.unwrap();
    admin::add_role(store, &tenant, &api.app_id.to_string(), "Data.Read.All", None, now).await.unwrap();
    let daemon =
        admin::create_app(store, &tenant, AppSpec { name: "Daemon".into(), ..AppSpec::default() }, now).await.unwrap();
    let daemon_id = daemon.app_id.to_string();
    admin::require(store, &tenant, &daemon_id, "api://contoso.example/api", &[], &["Data.Read.All".into()], now)
        .await
        .unwrap();
    admin::grant_consent(store, &tenant, &daemon_id, now).await.unwrap();
    let (_, secret) = admin::add_secret(store, &a.state.kek, &tenant, &daemon_id, 1, now).await.unwrap();

    let http = reqwest::Client::new();
    let response = http
        .post(format!("http://{}/{}/oauth2/v2.0/token", b.addr, tenant.id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &daemon_id),
            ("client_secret", secret.expose()),
            ("scope", "api://contoso.example/api/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token: Value = response.json().await.unwrap();
    let jwks: Value =
        http.get(format!("http://{}/common/discovery/v2.0/keys", a.addr)).send().await.unwrap().json().await.unwrap();
    let claims = verify_with_jwks(&jwks, token["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["iss"], format!("http://signet.test/{}/v2.0", tenant.id));
    assert_eq!(claims["roles"], serde_json::json!(["Data.Read.All"]));
    a.stop().await;
    b.stop().await;
}
