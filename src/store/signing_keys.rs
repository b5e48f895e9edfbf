//! Signing keys. They serve every tenant, so they are the one table without a tenant id.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::entity::signing_key;
use super::{Store, StoreError, StoreResult, is_unique_violation};
use crate::clock::UnixTime;

/// A signing key as stored: times of its lifecycle, the sealed private key and its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    pub kid: String,
    /// 1, 2, 3, ...: unique, so two processes cannot both add the next key.
    pub generation: i64,
    pub created_at: UnixTime,
    /// Signs from this time on (published from creation).
    pub activate_at: UnixTime,
    /// Stops signing at this time: when its successor activates.
    pub retire_at: Option<UnixTime>,
    /// Leaves JWKS at this time.
    pub remove_at: Option<UnixTime>,
    pub sealed_private_key: Vec<u8>,
    pub certificate_der: Vec<u8>,
}

impl Store {
    /// Every stored key, oldest first.
    pub async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>> {
        Ok(signing_key::Entity::find()
            .order_by_asc(signing_key::Column::Generation)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| StoredKey {
                kid: row.kid,
                generation: row.generation,
                created_at: row.created_at,
                activate_at: row.activate_at,
                retire_at: row.retire_at,
                remove_at: row.remove_at,
                sealed_private_key: row.sealed_private_key,
                certificate_der: row.certificate_der,
            })
            .collect())
    }

    /// Adds `key` and, in the same transaction, schedules its predecessor's retirement and removal.
    /// A [`StoreError::Conflict`] means another process added this generation first.
    pub async fn add_signing_key(&self, key: &StoredKey, overlap: i64) -> StoreResult<()> {
        let txn = self.db.begin().await?;
        let row = signing_key::ActiveModel {
            kid: Set(key.kid.clone()),
            generation: Set(key.generation),
            created_at: Set(key.created_at),
            activate_at: Set(key.activate_at),
            retire_at: Set(key.retire_at),
            remove_at: Set(key.remove_at),
            sealed_private_key: Set(key.sealed_private_key.clone()),
            certificate_der: Set(key.certificate_der.clone()),
        };
        if let Err(err) = row.insert(&txn).await {
            return Err(if is_unique_violation(&err) {
                StoreError::Conflict(format!("signing key generation {} exists", key.generation))
            } else {
                err.into()
            });
        }
        signing_key::Entity::update_many()
            .set(signing_key::ActiveModel {
                retire_at: Set(Some(key.activate_at)),
                remove_at: Set(Some(key.activate_at.saturating_add(overlap))),
                ..Default::default()
            })
            .filter(signing_key::Column::Generation.lt(key.generation))
            .filter(signing_key::Column::RetireAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deletes keys whose removal time has passed.
    pub async fn delete_removed_keys(&self, now: UnixTime) -> StoreResult<u64> {
        let db = self.writing().await;
        let result =
            signing_key::Entity::delete_many().filter(signing_key::Column::RemoveAt.lte(now)).exec(&*db).await?;
        Ok(result.rows_affected)
    }
}
