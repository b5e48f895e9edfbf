//! Authorization codes, stored by hash. Redemption is one conditional UPDATE, so of several concurrent
//! redemptions (on any replica) exactly one wins.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entity::authorization_code;
use super::{Store, StoreError, StoreResult, parse_id};
use crate::clock::UnixTime;
use crate::domain::code::{AuthorizationCode, Redemption};
use crate::domain::ids::TenantId;
use crate::domain::pkce::ChallengeMethod;

/// How long a code is kept after it expires, so that a late replay is still recognised as one.
const KEEP_AFTER_EXPIRY: i64 = 86_400;

impl Store {
    /// Stores `code` under `code_hash` (see [`crate::secrets::token_hash`]).
    pub async fn insert_code(&self, code_hash: &str, code: &AuthorizationCode) -> StoreResult<()> {
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
            redeemed_at: Set(None),
        };
        authorization_code::Entity::insert(row).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// Redeems the code of `tenant` with this hash, once.
    pub async fn redeem_code(&self, tenant: TenantId, code_hash: &str, now: UnixTime) -> StoreResult<Redemption> {
        let _writing = self.writing().await;
        // One statement claims the code and returns it; only a failed claim needs a second look.
        let claimed = authorization_code::Entity::update_many()
            .set(authorization_code::ActiveModel { redeemed_at: Set(Some(now)), ..Default::default() })
            .filter(authorization_code::Column::CodeHash.eq(code_hash))
            .filter(authorization_code::Column::TenantId.eq(tenant.to_string()))
            .filter(authorization_code::Column::RedeemedAt.is_null())
            .exec_with_returning(&self.db)
            .await?;
        if let Some(row) = claimed.into_iter().next() {
            return Ok(Redemption::Redeemed(to_code(row)?));
        }
        let row = authorization_code::Entity::find_by_id(code_hash.to_owned())
            .filter(authorization_code::Column::TenantId.eq(tenant.to_string()))
            .one(&self.db)
            .await?;
        Ok(match row.map(to_code).transpose()? {
            Some(code) => Redemption::Replayed(code),
            None => Redemption::Unknown,
        })
    }

    /// Deletes codes that expired more than a day ago.
    pub async fn purge_codes(&self, now: UnixTime) -> StoreResult<u64> {
        let result = authorization_code::Entity::delete_many()
            .filter(authorization_code::Column::ExpiresAt.lt(now - KEEP_AFTER_EXPIRY))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}

fn to_code(row: authorization_code::Model) -> StoreResult<AuthorizationCode> {
    let challenge = match (row.code_challenge, row.code_challenge_method.as_deref()) {
        (Some(challenge), method) => {
            let method = ChallengeMethod::parse(method)
                .ok_or_else(|| StoreError::Corrupt(format!("PKCE method {:?}", row.code_challenge_method)))?;
            Some((challenge, method))
        }
        (None, _) => None,
    };
    Ok(AuthorizationCode {
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        client_id: parse_id(&row.client_app_id, "client id")?,
        user_id: parse_id(&row.user_id, "user id")?,
        redirect_uri: row.redirect_uri,
        scopes: row.scope.split_whitespace().map(str::to_owned).collect(),
        challenge,
        nonce: row.nonce,
        family_id: parse_id(&row.family_id, "family id")?,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
    })
}
