//! Client-assertion ids already used, so a `jti` cannot be replayed within its lifetime. Shared through
//! the database so that every replica sees every use.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entity::used_assertion;
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

    /// Forgets assertion ids whose assertions have expired.
    pub async fn purge_assertions(&self, now: UnixTime) -> StoreResult<u64> {
        let db = self.writing().await;
        let result =
            used_assertion::Entity::delete_many().filter(used_assertion::Column::ExpiresAt.lt(now)).exec(&*db).await?;
        Ok(result.rows_affected)
    }
}
