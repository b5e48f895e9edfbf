//! Refresh tokens in the store: bound to tenant, client and user; first use marked once even when
//! requests race; families revoked together; invisible to other tenants.

use signet::domain::refresh::{REFRESH_TOKEN_LIFETIME, RefreshToken, RefreshUse};
use signet::secrets::{random_refresh_token, refresh_token_key, token_hash};
use uuid::{NoContext, Timestamp, Uuid};

use crate::on_every_backend;
use crate::support::seed::{directory, tenant, user};
use crate::support::{Backend, TestServer};

on_every_backend!(
    first_use_then_reuse_is_reported,
    revoking_a_family_revokes_each_of_its_tokens,
    racing_uses_see_one_first_use,
    refresh_tokens_are_invisible_to_other_tenants,
    tokens_are_purged_a_day_after_they_expire_and_live_ones_are_kept,
);

/// Stores `count` refresh tokens of one family; returns their keys and the common bindings.
async fn family(server: &TestServer, count: usize) -> (Vec<String>, RefreshToken) {
    let d = directory(server, "contoso.example").await;
    let alice = user(server, &d, "alice").await;
    let now = server.now();
    let bound = RefreshToken {
        tenant_id: d.tenant.id,
        client_id: d.daemon.app_id,
        user_id: alice.id,
        scopes: vec!["openid".into(), "offline_access".into(), "User.Read".into()],
        family_id: Uuid::new_v4(),
        issued_at: now,
        expires_at: now + REFRESH_TOKEN_LIFETIME,
        spa: false,
    };
    let mut hashes = Vec::new();
    for _ in 0..count {
        let hash = refresh_token_key(&random_refresh_token().unwrap());
        server.state().store.insert_refresh_token(&hash, &bound).await.unwrap();
        hashes.push(hash);
    }
    (hashes, bound)
}

async fn first_use_then_reuse_is_reported(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (hashes, bound) = family(&server, 1).await;
    let store = &server.state().store;
    let now = server.now();
    assert_eq!(
        store.use_refresh_token(bound.tenant_id, &hashes[0], now).await.unwrap(),
        RefreshUse::First(bound.clone())
    );
    assert_eq!(
        store.use_refresh_token(bound.tenant_id, &hashes[0], now).await.unwrap(),
        RefreshUse::Again(bound.clone())
    );
    assert_eq!(store.use_refresh_token(bound.tenant_id, &token_hash("nope"), now).await.unwrap(), RefreshUse::Unknown);
}

async fn revoking_a_family_revokes_each_of_its_tokens(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (hashes, bound) = family(&server, 3).await;
    let store = &server.state().store;
    let now = server.now();
    // A token of another family of the same user and client.
    let other = RefreshToken { family_id: Uuid::new_v4(), ..bound.clone() };
    let other_hash = refresh_token_key(&random_refresh_token().unwrap());
    store.insert_refresh_token(&other_hash, &other).await.unwrap();

    assert_eq!(
        store.use_refresh_token(bound.tenant_id, &hashes[0], now).await.unwrap(),
        RefreshUse::First(bound.clone())
    );
    assert_eq!(store.revoke_refresh_family(bound.tenant_id, bound.family_id, now).await.unwrap(), 3);
    for hash in &hashes {
        assert_eq!(store.use_refresh_token(bound.tenant_id, hash, now).await.unwrap(), RefreshUse::Revoked);
    }
    assert_eq!(store.revoke_refresh_family(bound.tenant_id, bound.family_id, now).await.unwrap(), 0, "already revoked");
    assert_eq!(store.use_refresh_token(bound.tenant_id, &other_hash, now).await.unwrap(), RefreshUse::First(other));
}

async fn racing_uses_see_one_first_use(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (hashes, bound) = family(&server, 1).await;
    let uses: Vec<_> = (0..8)
        .map(|_| {
            let store = server.state().store.clone();
            let hash = hashes[0].clone();
            let now = server.now();
            tokio::spawn(async move { store.use_refresh_token(bound.tenant_id, &hash, now).await.unwrap() })
        })
        .collect();
    let mut first = 0;
    for handle in uses {
        match handle.await.unwrap() {
            RefreshUse::First(_) => first += 1,
            RefreshUse::Again(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(first, 1);
}

async fn refresh_tokens_are_invisible_to_other_tenants(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (hashes, bound) = family(&server, 1).await;
    let fabrikam = tenant(&server, "Fabrikam", "fabrikam.example").await;
    let store = &server.state().store;
    let now = server.now();
    assert_eq!(store.use_refresh_token(fabrikam.id, &hashes[0], now).await.unwrap(), RefreshUse::Unknown);
    assert_eq!(store.revoke_refresh_family(fabrikam.id, bound.family_id, now).await.unwrap(), 0);
    assert_eq!(store.use_refresh_token(bound.tenant_id, &hashes[0], now).await.unwrap(), RefreshUse::First(bound));
}

/// A refresh token as the server issues one at `issued_at`: its selector is a UUIDv7 of that time.
fn token_issued_at(issued_at: i64) -> String {
    let selector = Uuid::new_v7(Timestamp::from_unix(NoContext, issued_at as u64, 0));
    format!("{}.{}", selector.simple(), random_refresh_token().unwrap().split_once('.').unwrap().1)
}

async fn tokens_are_purged_a_day_after_they_expire_and_live_ones_are_kept(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (keys, current) = family(&server, 1).await;
    let store = &server.state().store;
    let issued = current.issued_at - 200 * 86_400;
    let old = RefreshToken { issued_at: issued, expires_at: issued + REFRESH_TOKEN_LIFETIME, ..current.clone() };
    let old_key = refresh_token_key(&token_issued_at(issued));
    store.insert_refresh_token(&old_key, &old).await.unwrap();
    // Issued as long ago but living longer: its key is in the purged range, its expiry keeps it.
    let lasting = RefreshToken { issued_at: issued, expires_at: current.expires_at, ..current.clone() };
    let lasting_key = refresh_token_key(&token_issued_at(issued));
    store.insert_refresh_token(&lasting_key, &lasting).await.unwrap();

    assert_eq!(store.purge_refresh_tokens(old.expires_at + 86_399).await.unwrap(), 0);
    assert_eq!(store.purge_refresh_tokens(old.expires_at + 86_401).await.unwrap(), 1);
    assert_eq!(store.peek_refresh_token(old.tenant_id, &old_key).await.unwrap(), None);
    assert_eq!(store.peek_refresh_token(lasting.tenant_id, &lasting_key).await.unwrap(), Some(lasting.clone()));
    assert_eq!(store.peek_refresh_token(current.tenant_id, &keys[0]).await.unwrap(), Some(current.clone()));
    // At the current time nothing else has expired.
    assert_eq!(store.purge_refresh_tokens(server.now()).await.unwrap(), 0);
}
