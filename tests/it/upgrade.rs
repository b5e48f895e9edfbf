//! Upgrading a database: what was stored under an earlier schema is still found, and honoured, after
//! the later migrations run.

use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database};
use signet::domain::ids::AppId;
use signet::domain::refresh::{RefreshToken, RefreshUse};
use signet::secrets::{random_token, refresh_token_key, token_hash};
use signet::store::Store;

use crate::on_every_backend;
use crate::support::{Backend, TestDatabase};

on_every_backend!(codes_and_refresh_tokens_stored_before_ordered_keys_are_found_after_them);

/// Migration m0008 rebuilds (SQLite) or alters (PostgreSQL) the tables of redeemed codes and refresh
/// tokens. A refresh token issued before it has no selector; its plain hash stays its key.
async fn codes_and_refresh_tokens_stored_before_ordered_keys_are_found_after_them(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(&backend, dir.path()).await;
    let db = Database::connect(&database.url).await.unwrap();
    Migrator::up(&db, Some(7)).await.unwrap();
    let store = Store::connect(&database.url).await.unwrap();
    let tenant = store.create_tenant("Contoso", "contoso.example", 1_000).await.unwrap();
    let user = store.create_user(tenant.id, "alice@contoso.example", "Alice", "-", false, 1_000).await.unwrap();
    let client = AppId::new_random();
    let family = uuid::Uuid::new_v4();
    let (code, refresh) = (random_token().unwrap(), random_token().unwrap());
    let (tenant_id, user_id) = (tenant.id.to_string(), user.id.to_string());
    let old_code = Query::insert()
        .into_table(Alias::new("authorization_codes"))
        .columns(
            [
                "code_hash",
                "tenant_id",
                "client_app_id",
                "user_id",
                "redirect_uri",
                "scope",
                "code_challenge",
                "code_challenge_method",
                "nonce",
                "family_id",
                "issued_at",
                "expires_at",
                "redeemed_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            token_hash(&code).into(),
            tenant_id.clone().into(),
            client.to_string().into(),
            user_id.clone().into(),
            "https://app.contoso.example/cb".into(),
            "openid offline_access".into(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            "S256".into(),
            "n-0S6".into(),
            family.to_string().into(),
            1_000i64.into(),
            1_600i64.into(),
            1_010i64.into(),
        ])
        .to_owned();
    db.execute(&old_code).await.unwrap();
    let old_refresh = Query::insert()
        .into_table(Alias::new("refresh_tokens"))
        .columns(
            ["token_hash", "tenant_id", "client_app_id", "user_id", "scope", "family_id", "issued_at", "expires_at"]
                .map(Alias::new),
        )
        .values_panic([
            token_hash(&refresh).into(),
            tenant_id.into(),
            client.to_string().into(),
            user_id.into(),
            "openid offline_access".into(),
            family.to_string().into(),
            1_010i64.into(),
            9_000i64.into(),
        ])
        .to_owned();
    db.execute(&old_refresh).await.unwrap();

    store.migrate().await.unwrap();

    assert!(store.code_redeemed(&token_hash(&code), 1_000).await.unwrap());
    let key = refresh_token_key(&refresh);
    assert_eq!(key, token_hash(&refresh));
    let bound = RefreshToken {
        tenant_id: tenant.id,
        client_id: client,
        user_id: user.id,
        scopes: vec!["openid".into(), "offline_access".into()],
        family_id: family,
        issued_at: 1_010,
        expires_at: 9_000,
    };
    assert_eq!(store.use_refresh_token(tenant.id, &key, 1_020).await.unwrap(), RefreshUse::First(bound.clone()));
    assert_eq!(store.revoke_refresh_family(tenant.id, family, 1_030).await.unwrap(), 1);
    assert_eq!(store.use_refresh_token(tenant.id, &key, 1_040).await.unwrap(), RefreshUse::Revoked);
    // Purged a day after expiry, by the new key's prefix.
    assert_eq!(store.purge_codes(1_600 + 86_400).await.unwrap(), 0);
    assert_eq!(store.purge_codes(1_600 + 86_401).await.unwrap(), 1);
    assert!(!store.code_redeemed(&token_hash(&code), 1_000).await.unwrap());
    store.close().await.unwrap();
    db.close().await.unwrap();
}
