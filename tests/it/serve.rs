//! README's first command, run as a user would: `signet serve --demo` (here with
//! `--tls-self-signed`) prints credentials that get a token over HTTPS, and a second run prints the
//! same ones.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

type Lines = tokio::io::Lines<BufReader<tokio::process::ChildStdout>>;

/// A started `signet serve --demo` logging at debug level: the process, its URL, the banner lines
/// printed before it listened, and the rest of its output.
async fn start_demo(dir: &Path) -> (Child, String, Vec<String>, Lines) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(["serve", "--demo", "--tls-self-signed"])
        .current_dir(dir)
        .env("SIGNET_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "debug")
        .env_remove("SIGNET_DATABASE_URL")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start signet");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut banner = Vec::new();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(url) = line.strip_prefix("Signet listening on ") {
                return url.to_owned();
            }
            banner.push(line);
        }
        panic!("signet exited before listening: {banner:?}");
    })
    .await
    .expect("signet listens within 60 s");
    (child, url, banner, lines)
}

/// The value after `label` on the banner line that has it.
fn field(banner: &[String], label: &str) -> String {
    let line =
        banner.iter().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("no {label} in {banner:?}"));
    line.trim_start().trim_start_matches(label).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_over_tls_prints_credentials_that_get_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, banner, mut logs) = start_demo(dir.path()).await;
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    // "  daemon:   {appId} secret {secret}" and "  web API:  {appId} ({identifier URI}), ..."
    let daemon = field(&banner, "daemon:");
    let (daemon_id, secret) = daemon.split_once(" secret ").expect("daemon line");
    let api = field(&banner, "web API:");
    let uri = api.split_once('(').and_then(|(_, rest)| rest.split_once(')')).map(|(uri, _)| uri).expect("API URI");

    let cert = std::fs::read(dir.path().join("data/tls-cert.pem")).expect("certificate written to data/tls-cert.pem");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&cert).unwrap())
        .build()
        .unwrap();
    let scope = format!("{uri}/.default");
    let response = http
        .post(format!("{url}/contoso.onmicrosoft.com/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", daemon_id),
            ("client_secret", secret),
            ("scope", &scope),
        ])
        .send()
        .await
        .expect("token request over TLS");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert!(dir.path().join("keys/signet.kek").exists() && dir.path().join("data/signet.db").exists());
    child.kill().await.unwrap();

    // Everything logged while serving (debug level): requests appear, secrets and tokens never do.
    let mut logged = Vec::new();
    while let Ok(Some(line)) = logs.next_line().await {
        logged.push(line);
    }
    assert!(logged.iter().any(|l| l.contains("served") && l.contains("/oauth2/v2.0/token")), "{logged:?}");
    let leaks: Vec<&String> = logged.iter().filter(|l| l.contains(secret) || l.contains(&token)).collect();
    assert!(leaks.is_empty(), "secret or token in the logs: {leaks:?}");

    // Idempotent: the same tenant, printed with the same credentials.
    let (mut again, _, banner_again, _) = start_demo(dir.path()).await;
    assert_eq!(field(&banner_again, "daemon:"), daemon);
    assert_eq!(field(&banner_again, "admin:"), field(&banner, "admin:"));
    again.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_uses_the_configured_tls_certificate_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().self_signed(&key).unwrap();
    std::fs::write(dir.path().join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .arg("serve")
        .current_dir(dir.path())
        .env("SIGNET_LISTEN", "127.0.0.1:0")
        .env("SIGNET_TLS_CERT", dir.path().join("cert.pem"))
        .env("SIGNET_TLS_KEY", dir.path().join("key.pem"))
        .env("RUST_LOG", "warn")
        .env_remove("SIGNET_DATABASE_URL")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start signet");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let line = lines.next_line().await.unwrap().expect("signet exited before listening");
            if let Some(url) = line.strip_prefix("Signet listening on ") {
                return url.to_owned();
            }
        }
    })
    .await
    .expect("signet listens within 60 s");
    assert!(url.starts_with("https://"), "{url}");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let health = http.get(format!("{url}/healthz")).send().await.expect("TLS with the configured certificate");
    assert_eq!(health.status(), 200);
    child.kill().await.unwrap();
}
