//! Fewer pages written per sign-in. A code's redemption and the refresh token it issues are the two
//! rows the sign-in path writes, and each commit writes every B-tree page those rows touch: with random
//! keys, a page per row and per index.
//!
//! - A redeemed code's row is keyed by `(issued_at, code_hash)`: the server knows both when the code is
//!   redeemed (the issue time is sealed in the code). Expired rows are purged by that key's prefix, so
//!   the `expires_at` index goes. The copies of the code's bindings (redirect URI, scopes, PKCE
//!   challenge, nonce) go too: the code carries them sealed, and nothing reads them here.
//! - A refresh token's key is now `token_key`: for new tokens a time-ordered selector followed by the
//!   token's hash (`crate::secrets::refresh_token_key` in the server), so new rows land on the last page
//!   of the table instead of a random one. Stored tokens keep their plain hash as their key.
//! - On SQLite both tables become `WITHOUT ROWID` tables, clustered on their primary key: one B-tree
//!   instead of a rowid table plus the primary key's index.
//!
//! SQLite cannot change a table's primary key or storage, so there the tables are rebuilt and their
//! rows copied; PostgreSQL changes them in place.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::references::{tenant_fk, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthorizationCodes {
    Table,
    CodeHash,
    TenantId,
    ClientAppId,
    UserId,
    RedirectUri,
    Scope,
    CodeChallenge,
    CodeChallengeMethod,
    Nonce,
    FamilyId,
    IssuedAt,
    ExpiresAt,
    RedeemedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    TokenHash,
    TokenKey,
    TenantId,
    ClientAppId,
    UserId,
    Scope,
    FamilyId,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

/// The columns a redeemed code keeps, in the rebuilt table's order.
const CODE_COLUMNS: &str =
    "issued_at, code_hash, tenant_id, client_app_id, user_id, family_id, expires_at, redeemed_at";

/// A refresh token's columns, in the rebuilt table's order (`token_hash` becomes `token_key`).
const REFRESH_COLUMNS: &str =
    "tenant_id, client_app_id, user_id, scope, family_id, issued_at, expires_at, used_at, revoked_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too: a rebuild stopped half-way would leave a table missing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DbBackend::Sqlite {
            return change_keys_in_place(m).await;
        }
        rebuild_without_rowid(m, "authorization_codes", codes_table(), CODE_COLUMNS, CODE_COLUMNS).await?;
        let (into, from) = (format!("token_key, {REFRESH_COLUMNS}"), format!("token_hash, {REFRESH_COLUMNS}"));
        rebuild_without_rowid(m, "refresh_tokens", refresh_tokens_table(), &into, &from).await?;
        m.create_index(refresh_family_index()).await
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the dropped copies of a code's bindings cannot be restored".to_owned()))
    }
}

/// PostgreSQL: the codes' new key and fewer columns, and the refresh tokens' renamed key, in place (a
/// heap table with a key index has no cheaper layout there).
async fn change_keys_in_place(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(RefreshTokens::Table)
            .rename_column(RefreshTokens::TokenHash, RefreshTokens::TokenKey)
            .to_owned(),
    )
    .await?;
    let db = m.get_connection();
    db.execute_unprepared("ALTER TABLE authorization_codes DROP CONSTRAINT authorization_codes_pkey").await?;
    db.execute_unprepared("ALTER TABLE authorization_codes ADD PRIMARY KEY (issued_at, code_hash)").await?;
    m.drop_index(Index::drop().name("ix_authorization_codes_expires_at").table(AuthorizationCodes::Table).to_owned())
        .await?;
    m.alter_table(
        Table::alter()
            .table(AuthorizationCodes::Table)
            .drop_column(AuthorizationCodes::RedirectUri)
            .drop_column(AuthorizationCodes::Scope)
            .drop_column(AuthorizationCodes::CodeChallenge)
            .drop_column(AuthorizationCodes::CodeChallengeMethod)
            .drop_column(AuthorizationCodes::Nonce)
            .to_owned(),
    )
    .await
}

/// SQLite: creates `create` (named `{table}_rebuilt`) as a `WITHOUT ROWID` table, copies the columns
/// `from` of `table` into its columns `into`, and puts it in `table`'s place. Nothing references these
/// tables, so dropping the old one cascades nowhere.
async fn rebuild_without_rowid(
    m: &SchemaManager<'_>,
    table: &str,
    create: TableCreateStatement,
    into: &str,
    from: &str,
) -> Result<(), DbErr> {
    let db = m.get_connection();
    let rebuilt = format!("{table}_rebuilt");
    let create = create.to_string(SqliteQueryBuilder);
    db.execute_unprepared(&format!("{create} WITHOUT ROWID")).await?;
    db.execute_unprepared(&format!("INSERT INTO {rebuilt} ({into}) SELECT {from} FROM {table}")).await?;
    db.execute_unprepared(&format!("DROP TABLE {table}")).await?;
    db.execute_unprepared(&format!("ALTER TABLE {rebuilt} RENAME TO {table}")).await?;
    Ok(())
}

/// A redeemed code, keyed by issue time and hash.
fn codes_table() -> TableCreateStatement {
    Table::create()
        .table(Alias::new("authorization_codes_rebuilt"))
        .col(big_integer(AuthorizationCodes::IssuedAt))
        .col(string(AuthorizationCodes::CodeHash))
        .col(string(AuthorizationCodes::TenantId))
        .col(string(AuthorizationCodes::ClientAppId))
        .col(string(AuthorizationCodes::UserId))
        .col(string(AuthorizationCodes::FamilyId))
        .col(big_integer(AuthorizationCodes::ExpiresAt))
        .col(big_integer_null(AuthorizationCodes::RedeemedAt))
        .primary_key(Index::create().col(AuthorizationCodes::IssuedAt).col(AuthorizationCodes::CodeHash))
        .foreign_key(&mut tenant_fk(Alias::new("authorization_codes_rebuilt")))
        .foreign_key(&mut user_fk(Alias::new("authorization_codes_rebuilt")))
        .to_owned()
}

/// A refresh token: the table of m0004, keyed by `token_key` and clustered.
fn refresh_tokens_table() -> TableCreateStatement {
    Table::create()
        .table(Alias::new("refresh_tokens_rebuilt"))
        .col(string(RefreshTokens::TokenKey).primary_key())
        .col(string(RefreshTokens::TenantId))
        .col(string(RefreshTokens::ClientAppId))
        .col(string(RefreshTokens::UserId))
        .col(text(RefreshTokens::Scope))
        .col(string(RefreshTokens::FamilyId))
        .col(big_integer(RefreshTokens::IssuedAt))
        .col(big_integer(RefreshTokens::ExpiresAt))
        .col(big_integer_null(RefreshTokens::UsedAt))
        .col(big_integer_null(RefreshTokens::RevokedAt))
        .foreign_key(&mut tenant_fk(Alias::new("refresh_tokens_rebuilt")))
        .foreign_key(&mut user_fk(Alias::new("refresh_tokens_rebuilt")))
        .to_owned()
}

/// The index that finds a token family to revoke (m0004's, dropped with the old table).
fn refresh_family_index() -> IndexCreateStatement {
    Index::create()
        .name("ix_refresh_tokens_family")
        .table(RefreshTokens::Table)
        .col(RefreshTokens::TenantId)
        .col(RefreshTokens::FamilyId)
        .to_owned()
}
