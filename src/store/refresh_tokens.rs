//! Refresh tokens, stored under a key that holds their hash. Marking first use is one conditional
//! UPDATE, so concurrent uses of the same token see exactly one "first".

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entity::refresh_token;
use super::scoped::InTenant;
use super::{KEEP_AFTER_EXPIRY, Store, StoreResult, parse_id};
use crate::clock::UnixTime;
use crate::domain::ids::TenantId;
use crate::domain::refresh::{REFRESH_TOKEN_LIFETIME, RefreshToken, RefreshUse};
use crate::secrets::refresh_selector_floor;

impl Store {
    /// Stores `token` under `token_key` (see [`crate::secrets::refresh_token_key`]).
    pub async fn insert_refresh_token(&self, token_key: &str, token: &RefreshToken) -> StoreResult<()> {
        let db = self.writing().await;
        refresh_token::Entity::insert(refresh_row(token_key, token)).exec_without_returning(&*db).await?;
        Ok(())
    }

    /// Records a use of the token of `tenant` with this key. Expiry is the caller's to check.
    pub async fn use_refresh_token(&self, tenant: TenantId, token_key: &str, now: UnixTime) -> StoreResult<RefreshUse> {
        let db = self.writing().await;
        let first = refresh_token::Entity::update_in(tenant)
            .set(refresh_token::ActiveModel { used_at: Set(Some(now)), ..Default::default() })
            .filter(refresh_token::Column::TokenKey.eq(token_key))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&*db)
            .await?
            .rows_affected
            == 1;
        let row = refresh_token::Entity::find_by_id_in(tenant, token_key.to_owned()).one(&*db).await?;
        Ok(match row {
            None => RefreshUse::Unknown,
            Some(row) if row.revoked_at.is_some() => RefreshUse::Revoked,
            Some(row) if first => RefreshUse::First(to_refresh_token(row)?),
            Some(row) => RefreshUse::Again(to_refresh_token(row)?),
        })
    }

    /// The token of `tenant` with this key, whatever its state, without recording a use.
    pub async fn peek_refresh_token(&self, tenant: TenantId, token_key: &str) -> StoreResult<Option<RefreshToken>> {
        let row = refresh_token::Entity::find_by_id_in(tenant, token_key.to_owned()).one(&self.db).await?;
        row.map(to_refresh_token).transpose()
    }

    /// Whether the token of `tenant` with this key has been revoked.
    pub async fn refresh_token_revoked(&self, tenant: TenantId, token_key: &str) -> StoreResult<bool> {
        let db = self.writing().await;
        let row = refresh_token::Entity::find_by_id_in(tenant, token_key.to_owned()).one(&*db).await?;
        Ok(row.is_some_and(|row| row.revoked_at.is_some()))
    }

    /// The tenant a refresh token was issued in, for use at `common` or `organizations`.
    pub async fn refresh_token_tenant(&self, token_key: &str) -> StoreResult<Option<TenantId>> {
        let row = refresh_token::Entity::find_by_id(token_key.to_owned()).one(&self.db).await?;
        row.map(|r| parse_id(&r.tenant_id, "tenant id")).transpose()
    }

    /// Deletes refresh tokens that expired more than a day ago. Every token issued more than its lifetime
    /// before that has expired, and a token's key begins with its issue time, so the range of keys
    /// below that time finds them without reading a live token. (Keys of tokens issued before keys had
    /// selectors are plain hashes; only those that happen to fall in the range are deleted.)
    pub async fn purge_refresh_tokens(&self, now: UnixTime) -> StoreResult<u64> {
        let db = self.writing().await;
        let cutoff = now - KEEP_AFTER_EXPIRY;
        let result = refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::TokenKey.lt(refresh_selector_floor(cutoff - REFRESH_TOKEN_LIFETIME)))
            .filter(refresh_token::Column::ExpiresAt.lt(cutoff))
            .exec(&*db)
            .await?;
        Ok(result.rows_affected)
    }

    /// Revokes every refresh token of a family in `tenant`; returns how many were still live.
    pub async fn revoke_refresh_family(
        &self,
        tenant: TenantId,
        family_id: uuid::Uuid,
        now: UnixTime,
    ) -> StoreResult<u64> {
        let db = self.writing().await;
        let result = refresh_token::Entity::update_in(tenant)
            .set(refresh_token::ActiveModel { revoked_at: Set(Some(now)), ..Default::default() })
            .filter(refresh_token::Column::FamilyId.eq(family_id.to_string()))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&*db)
            .await?;
        Ok(result.rows_affected)
    }
}

fn to_refresh_token(row: refresh_token::Model) -> StoreResult<RefreshToken> {
    Ok(RefreshToken {
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        client_id: parse_id(&row.client_app_id, "client id")?,
        user_id: parse_id(&row.user_id, "user id")?,
        scopes: row.scope.split_whitespace().map(str::to_owned).collect(),
        family_id: parse_id(&row.family_id, "family id")?,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        spa: row.spa,
    })
}

/// The row that stores a refresh token under its key.
pub(super) fn refresh_row(token_key: &str, token: &RefreshToken) -> refresh_token::ActiveModel {
    refresh_token::ActiveModel {
        token_key: Set(token_key.to_owned()),
        tenant_id: Set(token.tenant_id.to_string()),
        client_app_id: Set(token.client_id.to_string()),
        user_id: Set(token.user_id.to_string()),
        scope: Set(token.scopes.join(" ")),
        family_id: Set(token.family_id.to_string()),
        issued_at: Set(token.issued_at),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        spa: Set(token.spa),
    }
}
