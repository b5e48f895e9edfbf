//! Authorization codes in the store: bound to what was authorized, redeemed once even when several
//! requests race, invisible to other tenants.

use signet::domain::code::{AuthorizationCode, CODE_LIFETIME, Redemption};
use signet::domain::pkce::ChallengeMethod;
use signet::secrets::{random_token, token_hash};

use crate::on_every_backend;
use crate::support::seed::{directory, user};
use crate::support::{Backend, TestServer};

on_every_backend!(
    a_code_is_redeemed_once_with_its_bindings,
    racing_redemptions_have_one_winner,
    codes_are_invisible_to_other_tenants
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
    let value = random_token().unwrap();
    server.state().store.insert_code(&token_hash(&value), &bound).await.unwrap();
    (value, bound)
}

async fn a_code_is_redeemed_once_with_its_bindings(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let store = &server.state().store;
    let hash = token_hash(&value);
    assert_eq!(
        store.redeem_code(bound.tenant_id, &hash, server.now()).await.unwrap(),
        Redemption::Redeemed(bound.clone())
    );
    assert_eq!(
        store.redeem_code(bound.tenant_id, &hash, server.now()).await.unwrap(),
        Redemption::Replayed(bound.clone())
    );
    assert_eq!(
        store.redeem_code(bound.tenant_id, &token_hash("not-a-code"), server.now()).await.unwrap(),
        Redemption::Unknown
    );
    // Kept a day past expiry so a late replay is still recognised, then purged.
    assert_eq!(store.purge_codes(bound.expires_at + 86_399).await.unwrap(), 0);
    assert_eq!(store.purge_codes(bound.expires_at + 86_401).await.unwrap(), 1);
    assert_eq!(store.redeem_code(bound.tenant_id, &hash, server.now()).await.unwrap(), Redemption::Unknown);
}

async fn racing_redemptions_have_one_winner(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let hash = token_hash(&value);
    let attempts = (0..8).map(|_| {
        let store = server.state().store.clone();
        let hash = hash.clone();
        let now = server.now();
        tokio::spawn(async move { store.redeem_code(bound.tenant_id, &hash, now).await.unwrap() })
    });
    let mut winners = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        match attempt.await.unwrap() {
            Redemption::Redeemed(_) => winners += 1,
            Redemption::Replayed(_) => {}
            Redemption::Unknown => panic!("the code vanished"),
        }
    }
    assert_eq!(winners, 1);
}

async fn codes_are_invisible_to_other_tenants(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (value, bound) = code(&server).await;
    let other = crate::support::seed::tenant(&server, "Fabrikam", "fabrikam.example").await;
    let store = &server.state().store;
    let hash = token_hash(&value);
    assert_eq!(store.redeem_code(other.id, &hash, server.now()).await.unwrap(), Redemption::Unknown);
    // The failed attempt from the other tenant did not use the code up.
    assert!(matches!(store.redeem_code(bound.tenant_id, &hash, server.now()).await.unwrap(), Redemption::Redeemed(_)));
}
