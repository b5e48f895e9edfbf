//! Redeemed authorization codes, stored by hash. A code carries its own bindings (sealed into its
//! value), so issuing one writes nothing; redeeming one inserts its row, and the primary key makes
//! sure that of several concurrent redemptions (on any replica) exactly one wins.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entity::authorization_code;
use super::{Store, StoreResult, is_unique_violation};
use crate::clock::UnixTime;
use crate::domain::code::AuthorizationCode;

/// How long a redeemed code is kept after it expires: until then a replay is still recognised as one
/// (afterwards the code's own expiry refuses it).
const KEEP_AFTER_EXPIRY: i64 = 86_400;

impl Store {
    /// Records the redemption of `code` (stored under `code_hash`, see [`crate::secrets::token_hash`])
    /// at `now`. `true` for the first redemption, `false` when it was redeemed before.
    pub async fn claim_code(&self, code_hash: &str, code: &AuthorizationCode, now: UnixTime) -> StoreResult<bool> {
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
        match authorization_code::Entity::insert(row).exec_without_returning(&self.db).await {
            Ok(_) => Ok(true),
            Err(err) if is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
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
