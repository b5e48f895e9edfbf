//! Device authorization requests (RFC 8628), stored by the hash of their device code: the database
//! never holds a device code that could be polled with. Every change of status is a conditional
//! update, so of two replicas (or two polls) only one approves, declines or redeems a request.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr, TransactionTrait};

use super::entity::{device_code, refresh_token};
use super::refresh_tokens::refresh_row;
use super::{KEEP_AFTER_EXPIRY, Store, StoreError, StoreResult, parse_id};
use crate::clock::UnixTime;
use crate::domain::device_code::{DeviceAuthorization, DeviceStatus};
use crate::domain::refresh::RefreshToken;

impl Store {
    /// Stores a new request under `device_code_hash` (see [`crate::secrets::token_hash`]). `false`,
    /// storing nothing, when a live request already has its user code: draw another.
    pub async fn insert_device_code(&self, device_code_hash: &str, request: &DeviceAuthorization) -> StoreResult<bool> {
        let db = self.writing().await;
        let row = device_code::ActiveModel {
            device_code_hash: Set(device_code_hash.to_owned()),
            user_code: Set(request.user_code.clone()),
            tenant_segment: Set(request.segment.clone()),
            client_app_id: Set(request.client_id.to_string()),
            scope: Set(request.scope.clone()),
            issued_at: Set(request.issued_at),
            expires_at: Set(request.expires_at),
            interval: Set(request.interval),
            last_polled_at: Set(request.last_polled_at),
            status: Set(request.status.as_str().to_owned()),
            tenant_id: Set(None),
            user_id: Set(None),
            error_code: Set(None),
            error_description: Set(None),
        };
        match device_code::Entity::insert(row).exec_without_returning(&*db).await {
            Ok(_) => Ok(true),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// The request whose device code has this hash.
    pub async fn device_code(&self, device_code_hash: &str) -> StoreResult<Option<DeviceAuthorization>> {
        let row = device_code::Entity::find_by_id(device_code_hash.to_owned()).one(&self.db).await?;
        row.map(device_authorization).transpose()
    }

    /// The request with this user code, as `/devicelogin` finds it.
    pub async fn device_code_by_user_code(&self, user_code: &str) -> StoreResult<Option<DeviceAuthorization>> {
        let row = device_code::Entity::find().filter(device_code::Column::UserCode.eq(user_code)).one(&self.db).await?;
        row.map(device_authorization).transpose()
    }

    /// Records a poll at `now` of a pending request, and the interval its device must keep from now on.
    pub async fn record_device_poll(&self, device_code_hash: &str, now: UnixTime, interval: i64) -> StoreResult<()> {
        let db = self.writing().await;
        device_code::Entity::update_many()
            .set(device_code::ActiveModel {
                last_polled_at: Set(Some(now)),
                interval: Set(interval),
                ..Default::default()
            })
            .filter(device_code::Column::DeviceCodeHash.eq(device_code_hash))
            .filter(device_code::Column::Status.eq(DeviceStatus::Pending.as_str()))
            .exec(&*db)
            .await?;
        Ok(())
    }

    /// Ends the user's part of the pending request with this user code: approved for a user, or
    /// declined with an error. `false` when it was no longer pending (settled on another replica).
    pub async fn settle_device_code(&self, user_code: &str, outcome: &DeviceStatus) -> StoreResult<bool> {
        let mut change = device_code::ActiveModel { status: Set(outcome.as_str().to_owned()), ..Default::default() };
        match outcome {
            DeviceStatus::Approved { tenant_id, user_id } => {
                change.tenant_id = Set(Some(tenant_id.to_string()));
                change.user_id = Set(Some(user_id.to_string()));
            }
            DeviceStatus::Declined { code, description } => {
                change.error_code = Set(Some(i64::from(*code)));
                change.error_description = Set(Some(description.clone()));
            }
            DeviceStatus::Pending | DeviceStatus::Redeemed => {
                return Err(StoreError::Conflict("a device code is settled as approved or declined".to_owned()));
            }
        }
        let db = self.writing().await;
        let result = device_code::Entity::update_many()
            .set(change)
            .filter(device_code::Column::UserCode.eq(user_code))
            .filter(device_code::Column::Status.eq(DeviceStatus::Pending.as_str()))
            .exec(&*db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Spends an approved request's device code and stores the refresh token it issues, in one
    /// transaction. `false`, writing nothing, when it was spent before.
    pub async fn redeem_device_code(
        &self,
        device_code_hash: &str,
        refresh: Option<&(String, RefreshToken)>,
    ) -> StoreResult<bool> {
        let db = self.writing().await;
        let txn = db.begin().await?;
        let spent = device_code::Entity::update_many()
            .set(device_code::ActiveModel {
                status: Set(DeviceStatus::Redeemed.as_str().to_owned()),
                ..Default::default()
            })
            .filter(device_code::Column::DeviceCodeHash.eq(device_code_hash))
            .filter(device_code::Column::Status.eq(DeviceStatus::APPROVED))
            .exec(&txn)
            .await?;
        if spent.rows_affected != 1 {
            return Ok(false);
        }
        if let Some((key, token)) = refresh {
            refresh_token::Entity::insert(refresh_row(key, token)).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Deletes requests that expired more than a day ago; until then a spent or expired device code
    /// still gets its own answer rather than `bad_verification_code`.
    pub async fn purge_device_codes(&self, now: UnixTime) -> StoreResult<u64> {
        let db = self.writing().await;
        let result = device_code::Entity::delete_many()
            .filter(device_code::Column::ExpiresAt.lt(now - KEEP_AFTER_EXPIRY))
            .exec(&*db)
            .await?;
        Ok(result.rows_affected)
    }
}

fn device_authorization(row: device_code::Model) -> StoreResult<DeviceAuthorization> {
    let status = match row.status.as_str() {
        "pending" => DeviceStatus::Pending,
        DeviceStatus::APPROVED => DeviceStatus::Approved {
            tenant_id: parse_id(row.tenant_id.as_deref().unwrap_or_default(), "device code tenant")?,
            user_id: parse_id(row.user_id.as_deref().unwrap_or_default(), "device code user")?,
        },
        "declined" => DeviceStatus::Declined {
            code: row.error_code.and_then(|c| u32::try_from(c).ok()).unwrap_or_default(),
            description: row.error_description.unwrap_or_default(),
        },
        "redeemed" => DeviceStatus::Redeemed,
        other => return Err(StoreError::Corrupt(format!("device code status '{other}'"))),
    };
    Ok(DeviceAuthorization {
        user_code: row.user_code,
        segment: row.tenant_segment,
        client_id: parse_id(&row.client_app_id, "device code client")?,
        scope: row.scope,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        interval: row.interval,
        last_polled_at: row.last_polled_at,
        status,
    })
}
