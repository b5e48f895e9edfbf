//! Users of a tenant.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter};

use super::entity::user;
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult, can_match, is_unique_violation, parse_id};
use crate::clock::UnixTime;
use crate::domain::ids::{ObjectId, TenantId};
use crate::domain::user::User;

impl Store {
    /// Adds a user to `tenant`; usernames are unique across the directory.
    pub async fn create_user(
        &self,
        tenant: TenantId,
        username: &str,
        display_name: &str,
        password_hash: &str,
        is_admin: bool,
        now: UnixTime,
    ) -> StoreResult<User> {
        let id = ObjectId::new_random();
        let username = username.to_ascii_lowercase();
        let username = username.as_str();
        let row = user::ActiveModel {
            id: Set(id.to_string()),
            tenant_id: Set(tenant.to_string()),
            username: Set(username.to_owned()),
            display_name: Set(display_name.to_owned()),
            password_hash: Set(password_hash.to_owned()),
            is_admin: Set(is_admin),
            created_at: Set(now),
        };
        row.insert(&self.db).await.map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::Conflict(format!("user {username} already exists"))
            } else {
                err.into()
            }
        })?;
        Ok(User {
            id,
            tenant_id: tenant,
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            is_admin,
            password_hash: password_hash.to_owned(),
        })
    }

    /// The user of `tenant` with this username (case-insensitive, as UPNs are).
    pub async fn user_by_username(&self, tenant: TenantId, username: &str) -> StoreResult<Option<User>> {
        if !can_match(username) {
            return Ok(None);
        }
        let row = user::Entity::find_in(tenant)
            .filter(user::Column::Username.eq(username.to_ascii_lowercase()))
            .one(&self.db)
            .await?;
        row.map(to_user).transpose()
    }

    /// The user of `tenant` with this object id (cached: every silent sign-in and redemption reads it).
    pub async fn user(&self, tenant: TenantId, id: ObjectId) -> StoreResult<Option<User>> {
        self.cache.get_or_load_found(&self.cache.users, (tenant, id), || self.user_uncached(tenant, id)).await
    }

    async fn user_uncached(&self, tenant: TenantId, id: ObjectId) -> StoreResult<Option<User>> {
        let row = user::Entity::find_by_id_in(tenant, id.to_string()).one(&self.db).await?;
        row.map(to_user).transpose()
    }
}

fn to_user(row: user::Model) -> StoreResult<User> {
    Ok(User {
        id: parse_id(&row.id, "user id")?,
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        username: row.username,
        display_name: row.display_name,
        is_admin: row.is_admin,
        password_hash: row.password_hash,
    })
}
