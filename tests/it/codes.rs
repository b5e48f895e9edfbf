//! Authorization codes: a code carries its bindings sealed in its value and opens only in its tenant;
//! the store records each redemption once, even when several requests race.

use signet::domain::code::{AuthorizationCode, CODE_LIFETIME};
use signet::domain::pkce::ChallengeMethod;
use signet::domain::refresh::RefreshToken;
use signet::secrets::token_hash;

use crate::on_every_backend;
use crate::support::seed::{directory, user};
use crate::support::{Backend, TestServer};

on_every_backend!(
    a_code_is_claimed_once_and_kept_a_day_past_expiry,
    racing_redemptions_have_one_winner,
    concurrent_redemptions_of_many_codes_each_have_one_winner,
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
    assert!(store.redeem_code(&hash, &bound, server.now(), None).await.unwrap());
    assert!(!store.redeem_code(&hash, &bound, server.now(), None).await.unwrap());
    assert!(store.code_redeemed(&hash, bound.issued_at).await.unwrap());
    assert!(!store.code_redeemed(&hash, bound.issued_at + 1).await.unwrap());
    assert!(!store.code_redeemed(&token_hash("another code"), bound.issued_at).await.unwrap());
    // Kept a day past expiry so a late replay is still recognised, then purged.
    assert_eq!(store.purge_codes(bound.expires_at + 86_399).await.unwrap(), 0);
    assert_eq!(store.purge_codes(bound.expires_at + 86_401).await.unwrap(), 1);
}

async fn racing_redemptions_have_one_winner(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let hash = token_hash(&value);
    // Each attempt would store its own refresh token with the redemption; only the winner's commits.
    let refresh = |i: usize| refresh_for(&server, &bound, &format!("refresh token {i}"));
    let attempts = (0..8).map(|i| {
        let store = server.state().store.clone();
        let (hash, bound, refresh) = (hash.clone(), bound.clone(), refresh(i));
        let now = server.now();
        tokio::spawn(async move { store.redeem_code(&hash, &bound, now, Some(&refresh)).await.unwrap() })
    });
    let mut winners = Vec::new();
    for (i, attempt) in attempts.collect::<Vec<_>>().into_iter().enumerate() {
        if attempt.await.unwrap() {
            winners.push(i);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let store = &server.state().store;
    for i in 0..8 {
        let stored = store.peek_refresh_token(bound.tenant_id, &refresh(i).0).await.unwrap();
        assert_eq!(stored.is_some(), winners.contains(&i), "refresh token {i}");
    }
}

/// A refresh token for a redemption of `bound`, stored under the hash of `label`.
fn refresh_for(server: &TestServer, bound: &AuthorizationCode, label: &str) -> (String, RefreshToken) {
    let token = RefreshToken {
        tenant_id: bound.tenant_id,
        client_id: bound.client_id,
        user_id: bound.user_id,
        scopes: bound.scopes.clone(),
        family_id: bound.family_id,
        issued_at: server.now(),
        expires_at: server.now() + 3600,
        spa: false,
    };
    (token_hash(label), token)
}

/// Redemptions of different codes that arrive together are committed together (group commit); each
/// still gets its own answer, and only each code's first redemption stores its refresh token.
async fn concurrent_redemptions_of_many_codes_each_have_one_winner(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, template) = code(&server).await;
    let codes: Vec<(String, AuthorizationCode)> = (0..12)
        .map(|_| {
            let bound = AuthorizationCode { family_id: uuid::Uuid::new_v4(), ..template.clone() };
            (token_hash(&bound.seal(&server.state().kek).unwrap()), bound)
        })
        .collect();
    let attempts: Vec<_> = (0..2)
        .flat_map(|attempt| codes.iter().enumerate().map(move |(i, code)| (i, attempt, code.clone())))
        .map(|(i, attempt, (hash, bound))| {
            let store = server.state().store.clone();
            let refresh = refresh_for(&server, &bound, &format!("refresh {i}.{attempt}"));
            let now = server.now();
            tokio::spawn(
                async move { (i, attempt, store.redeem_code(&hash, &bound, now, Some(&refresh)).await.unwrap()) },
            )
        })
        .collect();
    let mut winners = vec![Vec::new(); codes.len()];
    for attempt in attempts {
        let (i, attempt, first) = attempt.await.unwrap();
        if first {
            winners[i].push(attempt);
        }
    }
    let store = &server.state().store;
    for (i, won) in winners.iter().enumerate() {
        assert_eq!(won.len(), 1, "code {i}: winners {won:?}");
        for attempt in 0..2 {
            let hash = token_hash(&format!("refresh {i}.{attempt}"));
            let stored = store.peek_refresh_token(template.tenant_id, &hash).await.unwrap();
            assert_eq!(stored.is_some(), won.contains(&attempt), "refresh token {i}.{attempt}");
        }
    }
}

async fn a_code_opens_only_in_its_own_tenant(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let other = crate::support::seed::tenant(&server, "Fabrikam", "fabrikam.example").await;
    let kek = &server.state().kek;
    assert_eq!(AuthorizationCode::open(&value, other.id, kek), None);
    // Another server's key-encryption key cannot open it, even with the code's own tenant: the key
    // itself is what fails, not the tenant check.
    let foreign = signet::seal::KeyEncryptionKey::from_bytes(&[9u8; 32]).unwrap();
    assert_eq!(AuthorizationCode::open(&value, bound.tenant_id, &foreign), None);
    assert_eq!(AuthorizationCode::open(&value, bound.tenant_id, kek), Some(bound));
}
