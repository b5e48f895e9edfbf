//! Client-assertion ids and form-token nonces already used, so neither an assertion's `jti` nor a
//! single-use form can be replayed within its lifetime. Shared through the database so that every
//! replica sees every use.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entity::{used_assertion, used_form_token};
use super::{Store, StoreResult, is_unique_violation};
use crate::clock::UnixTime;
use crate::domain::ids::AppId;

impl Store {
    /// Records `jti` for `app` until `expires_at`; `false` when it was already used.
    pub async fn record_assertion(&self, app: AppId, jti: &str, expires_at: UnixTime) -> StoreResult<bool> {
        let db = self.writing().await;
        let row = used_assertion::ActiveModel {
            app_id: Set(app.to_string()),
            jti: Set(jti.to_owned()),
            expires_at: Set(expires_at),
        };
        match used_assertion::Entity::insert(row).exec_without_returning(&*db).await {
            Ok(_) => Ok(true),
            Err(err) if is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Records a form token's `nonce` until `expires_at`; `false` when it was already used.
    pub async fn spend_form_token(&self, nonce: &str, expires_at: UnixTime) -> StoreResult<bool> {
        let db = self.writing().await;
        let row = used_form_token::ActiveModel { nonce: Set(nonce.to_owned()), expires_at: Set(expires_at) };
        match used_form_token::Entity::insert(row).exec_without_returning(&*db).await {
            Ok(_) => Ok(true),
            Err(err) if is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Forgets assertion ids and form-token nonces whose assertions and forms have expired.
    pub async fn purge_assertions(&self, now: UnixTime) -> StoreResult<u64> {
        let db = self.writing().await;
        let assertions =
            used_assertion::Entity::delete_many().filter(used_assertion::Column::ExpiresAt.lt(now)).exec(&*db).await?;
        let forms = used_form_token::Entity::delete_many()
            .filter(used_form_token::Column::ExpiresAt.lt(now))
            .exec(&*db)
            .await?;
        Ok(assertions.rows_affected + forms.rows_affected)
    }
}
