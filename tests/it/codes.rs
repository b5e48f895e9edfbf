//! Authorization codes: a code carries its bindings sealed in its value and opens only in its tenant;
//! the store records each redemption once, even when several requests race.

use signet::domain::code::{AuthorizationCode, CODE_LIFETIME};
use signet::domain::pkce::ChallengeMethod;
use signet::secrets::token_hash;

use crate::on_every_backend;
use crate::support::seed::{directory, user};
use crate::support::{Backend, TestServer};

on_every_backend!(
    a_code_is_claimed_once_and_kept_a_day_past_expiry,
    racing_redemptions_have_one_winner,
    a_code_opens_only_in_its_own_tenant
);

async fn code(server: &TestServer) -> (String, AuthorizationCode) {
    let d = directory(server, "contoso.example").await;
    let user = user(server, &d, "alice").await;
    let now = server.now();
    let bound = AuthorizationCode {
        tenant_id: d.tenant.id,
        client_id: d.daemon.app_id,
        user_id: user.id,
        redirect_uri: "https://app.contoso.example/callback".into(),
        scopes: vec!["openid".into(), "User.Read".into()],
        challenge: Some(("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(), ChallengeMethod::S256)),
        nonce: Some("n-0S6_WzA2Mj".into()),
        family_id: uuid::Uuid::new_v4(),
        issued_at: now,
        expires_at: now + CODE_LIFETIME,
    };
    let value = bound.seal(&server.state().kek).unwrap();
    (value, bound)
}

async fn a_code_is_claimed_once_and_kept_a_day_past_expiry(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let store = &server.state().store;
    let hash = token_hash(&value);
    assert!(store.claim_code(&hash, &bound, server.now()).await.unwrap());
    assert!(!store.claim_code(&hash, &bound, server.now()).await.unwrap());
    // Kept a day past expiry so a late replay is still recognised, then purged.
    assert_eq!(store.purge_codes(bound.expires_at + 86_399).await.unwrap(), 0);
    assert_eq!(store.purge_codes(bound.expires_at + 86_401).await.unwrap(), 1);
}

async fn racing_redemptions_have_one_winner(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let hash = token_hash(&value);
    let attempts = (0..8).map(|_| {
        let store = server.state().store.clone();
        let (hash, bound) = (hash.clone(), bound.clone());
        let now = server.now();
        tokio::spawn(async move { store.claim_code(&hash, &bound, now).await.unwrap() })
    });
    let mut winners = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        winners += usize::from(attempt.await.unwrap());
    }
    assert_eq!(winners, 1);
}

async fn a_code_opens_only_in_its_own_tenant(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let other = crate::support::seed::tenant(&server, "Fabrikam", "fabrikam.example").await;
    let kek = &server.state().kek;
    assert_eq!(AuthorizationCode::open(&value, other.id, kek), None);
    assert_eq!(AuthorizationCode::open(&value, bound.tenant_id, kek), Some(bound));
    // Another server's key-encryption key cannot open it.
    let foreign = signet::signing::KeyEncryptionKey::from_bytes(&[9u8; 32]).unwrap();
    assert_eq!(AuthorizationCode::open(&value, other.id, &foreign), None);
}
