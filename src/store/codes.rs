//! Redeemed authorization codes, stored by hash. A code carries its own bindings (sealed into its
//! value), so issuing one writes nothing; redeeming one inserts its row with the refresh token it
//! issues, in one transaction, and the primary key makes sure that of several concurrent redemptions
//! (on any replica) exactly one commits.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::entity::authorization_code;
use super::refresh_tokens::insert_refresh_token;
use super::{Store, StoreResult, is_unique_violation};
use crate::clock::UnixTime;
use crate::domain::code::AuthorizationCode;
use crate::domain::refresh::RefreshToken;

/// How long a redeemed code is kept after it expires: until then a replay is still recognised as one
/// (afterwards the code's own expiry refuses it).
const KEEP_AFTER_EXPIRY: i64 = 86_400;

impl Store {
    /// Records the redemption of `code` (stored under `code_hash`, see [`crate::secrets::token_hash`])
    /// at `now`, with the refresh token it issues (hash and bindings), in one transaction. `true` for
    /// the first redemption; `false`, writing nothing, when it was redeemed before.
    pub async fn redeem_code(
        &self,
        code_hash: &str,
        code: &AuthorizationCode,
        now: UnixTime,
        refresh: Option<&(String, RefreshToken)>,
    ) -> StoreResult<bool> {
        let _writing = self.writing().await;
        let row = authorization_code::ActiveModel {
            code_hash: Set(code_hash.to_owned()),
            tenant_id: Set(code.tenant_id.to_string()),
            client_app_id: Set(code.client_id.to_string()),
            user_id: Set(code.user_id.to_string()),
            redirect_uri: Set(code.redirect_uri.clone()),
            scope: Set(code.scopes.join(" ")),
            code_challenge: Set(code.challenge.as_ref().map(|(c, _)| c.clone())),
            code_challenge_method: Set(code.challenge.as_ref().map(|(_, m)| m.as_str().to_owned())),
            nonce: Set(code.nonce.clone()),
            family_id: Set(code.family_id.to_string()),
            issued_at: Set(code.issued_at),
            expires_at: Set(code.expires_at),
            redeemed_at: Set(Some(now)),
        };
        let Some((token_hash, token)) = refresh else {
            return match authorization_code::Entity::insert(row).exec_without_returning(&self.db).await {
                Ok(_) => Ok(true),
                Err(err) if is_unique_violation(&err) => Ok(false),
                Err(err) => Err(err.into()),
            };
        };
        let txn = self.db.begin().await?;
        match authorization_code::Entity::insert(row).exec_without_returning(&txn).await {
            Ok(_) => {}
            // Dropping the transaction rolls it back.
            Err(err) if is_unique_violation(&err) => return Ok(false),
            Err(err) => return Err(err.into()),
        }
        insert_refresh_token(&txn, token_hash, token).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Whether the code stored under `code_hash` was redeemed.
    pub async fn code_redeemed(&self, code_hash: &str) -> StoreResult<bool> {
        Ok(authorization_code::Entity::find_by_id(code_hash.to_owned()).one(&self.db).await?.is_some())
    }

    /// Deletes redeemed codes that expired more than a day ago.
    pub async fn purge_codes(&self, now: UnixTime) -> StoreResult<u64> {
        let result = authorization_code::Entity::delete_many()
            .filter(authorization_code::Column::ExpiresAt.lt(now - KEEP_AFTER_EXPIRY))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}
