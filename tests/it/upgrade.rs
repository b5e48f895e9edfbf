//! Upgrading a database: what was stored under an earlier schema is still found, and honoured, after
//! the later migrations run.

use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Value};
use signet::domain::ids::{AppId, ObjectId, TenantId};
use signet::domain::refresh::{RefreshToken, RefreshUse};
use signet::secrets::{random_token, refresh_token_key, token_hash};
use signet::store::Store;

use crate::on_every_backend;
use crate::support::{Backend, TestDatabase};

on_every_backend!(codes_and_refresh_tokens_stored_before_ordered_keys_are_found_after_them);

/// Migration m0008 rebuilds (SQLite) or alters (PostgreSQL) the tables of redeemed codes and refresh
/// tokens. A refresh token issued before it has no selector; its plain hash stays its key. The rows are
/// written as the schema before m0008 held them, without the store, which writes the later schema.
async fn codes_and_refresh_tokens_stored_before_ordered_keys_are_found_after_them(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(&backend, dir.path()).await;
    let db = Database::connect(&database.url).await.unwrap();
    Migrator::up(&db, Some(7)).await.unwrap();
    let (tenant_id, user_id, client) = (TenantId::new_random(), ObjectId::new_random(), AppId::new_random());
    let family = uuid::Uuid::new_v4();
    let (code, refresh) = (random_token().unwrap(), random_token().unwrap());
    let (tenant, user) = (tenant_id.to_string(), user_id.to_string());
    insert(
        &db,
        "tenants",
        [("id", tenant.as_str().into()), ("display_name", "Contoso".into()), ("created_at", 1_000i64.into())],
    )
    .await;
    insert(
        &db,
        "users",
        [
            ("id", user.as_str().into()),
            ("tenant_id", tenant.as_str().into()),
            ("username", "alice@contoso.example".into()),
            ("display_name", "Alice".into()),
            ("password_hash", "-".into()),
            ("is_admin", false.into()),
            ("created_at", 1_000i64.into()),
        ],
    )
    .await;
    insert(
        &db,
        "authorization_codes",
        [
            ("code_hash", token_hash(&code).into()),
            ("tenant_id", tenant.as_str().into()),
            ("client_app_id", client.to_string().into()),
            ("user_id", user.as_str().into()),
            ("redirect_uri", "https://app.contoso.example/cb".into()),
            ("scope", "openid offline_access".into()),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
            ("code_challenge_method", "S256".into()),
            ("nonce", "n-0S6".into()),
            ("family_id", family.to_string().into()),
            ("issued_at", 1_000i64.into()),
            ("expires_at", 1_600i64.into()),
            ("redeemed_at", 1_010i64.into()),
        ],
    )
    .await;
    insert(
        &db,
        "refresh_tokens",
        [
            ("token_hash", token_hash(&refresh).into()),
            ("tenant_id", tenant.as_str().into()),
            ("client_app_id", client.to_string().into()),
            ("user_id", user.as_str().into()),
            ("scope", "openid offline_access".into()),
            ("family_id", family.to_string().into()),
            ("issued_at", 1_010i64.into()),
            ("expires_at", 9_000i64.into()),
        ],
    )
    .await;

    let store = Store::connect(&database.url).await.unwrap();
    store.migrate().await.unwrap();

    assert!(store.code_redeemed(&token_hash(&code), 1_000).await.unwrap());
    let key = refresh_token_key(&refresh);
    assert_eq!(key, token_hash(&refresh));
    let bound = RefreshToken {
        tenant_id,
        client_id: client,
        user_id,
        scopes: vec!["openid".into(), "offline_access".into()],
        family_id: family,
        issued_at: 1_010,
        expires_at: 9_000,
        spa: false,
    };
    assert_eq!(store.use_refresh_token(tenant_id, &key, 1_020).await.unwrap(), RefreshUse::First(bound.clone()));
    assert_eq!(store.revoke_refresh_family(tenant_id, family, 1_030).await.unwrap(), 1);
    assert_eq!(store.use_refresh_token(tenant_id, &key, 1_040).await.unwrap(), RefreshUse::Revoked);
    // Purged a day after expiry, by the new key's prefix.
    assert_eq!(store.purge_codes(1_600 + 86_400).await.unwrap(), 0);
    assert_eq!(store.purge_codes(1_600 + 86_401).await.unwrap(), 1);
    assert!(!store.code_redeemed(&token_hash(&code), 1_000).await.unwrap());
    store.close().await.unwrap();
    db.close().await.unwrap();
}

/// Inserts one row as an earlier schema held it.
async fn insert<const N: usize>(db: &DatabaseConnection, table: &str, row: [(&str, Value); N]) {
    let (columns, values): (Vec<_>, Vec<_>) = row.into_iter().map(|(c, v)| (Alias::new(c), v.into())).unzip();
    let query: sea_orm::sea_query::InsertStatement =
        Query::insert().into_table(Alias::new(table)).columns(columns).values_panic(values).to_owned();
    db.execute(&query).await.unwrap();
}
