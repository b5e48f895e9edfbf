//! Users of a tenant.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{app_role_assignment, permission_grant, refresh_token, session, tenant_policy, user};
use super::filter::{Stored, condition};
use super::policy::insert_audit;
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult, can_match, is_unique_violation, parse_id, parse_json, to_json};
use crate::clock::UnixTime;
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{ObjectId, TenantId};
use crate::domain::query::{Filter, UserProperty};
use crate::domain::user::User;

/// A user to add to a tenant.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// `name@domain`, lowercase.
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub account_enabled: bool,
}

impl NewUser {
    /// An enabled member (not an admin).
    pub fn member(username: &str, display_name: &str, password_hash: &str) -> Self {
        Self {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            password_hash: password_hash.to_owned(),
            is_admin: false,
            account_enabled: true,
        }
    }
}

/// A change to a user; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub account_enabled: Option<bool>,
    pub is_admin: Option<bool>,
    /// A new password's hash.
    pub password_hash: Option<String>,
}

impl UserChange {
    /// Whether the change ends what the user's current sign-ins hold: blocking it or resetting its
    /// password ends its sessions and revokes its refresh tokens, as Entra does.
    fn ends_sign_ins(&self) -> bool {
        self.account_enabled == Some(false) || self.password_hash.is_some()
    }
}

impl Store {
    /// Adds a user to `tenant`; usernames are unique across the directory. `event`, when given, is
    /// recorded in the same transaction.
    pub async fn create_user(
        &self,
        tenant: TenantId,
        new: NewUser,
        now: UnixTime,
        event: Option<&AuditEvent>,
    ) -> StoreResult<User> {
        let id = ObjectId::new_random();
        let username = new.username.to_ascii_lowercase();
        let row = user::ActiveModel {
            id: Set(id.to_string()),
            tenant_id: Set(tenant.to_string()),
            username: Set(username.clone()),
            display_name: Set(new.display_name.clone()),
            password_hash: Set(new.password_hash.clone()),
            is_admin: Set(new.is_admin),
            account_enabled: Set(new.account_enabled),
            created_at: Set(now),
        };
        let db = self.writing().await;
        let txn = sea_orm::TransactionTrait::begin(&*db).await?;
        row.insert(&txn).await.map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::Conflict(format!("user {username} already exists"))
            } else {
                err.into()
            }
        })?;
        if let Some(event) = event {
            insert_audit(&txn, tenant, event).await?;
        }
        txn.commit().await?;
        Ok(User {
            id,
            tenant_id: tenant,
            username,
            display_name: new.display_name,
            is_admin: new.is_admin,
            account_enabled: new.account_enabled,
            password_hash: new.password_hash,
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

    /// The ids of up to `limit` enabled administrators of `tenant`.
    pub async fn enabled_admins(&self, tenant: TenantId, limit: u64) -> StoreResult<Vec<ObjectId>> {
        let rows = user::Entity::find_in(tenant)
            .filter(user::Column::IsAdmin.eq(true))
            .filter(user::Column::AccountEnabled.eq(true))
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.iter().map(|row| parse_id(&row.id, "user id")).collect()
    }

    /// Up to `limit` users of `tenant` that `filter` admits, in id order, after the id `after`: one page
    /// of a list, read by key so that a page costs the same wherever it starts.
    pub async fn list_users(
        &self,
        tenant: TenantId,
        filter: Option<&Filter<UserProperty>>,
        after: Option<ObjectId>,
        limit: u64,
    ) -> StoreResult<Vec<User>> {
        let mut query = user::Entity::find_in(tenant);
        if let Some(filter) = filter {
            query = query.filter(condition(filter, &stored));
        }
        if let Some(after) = after {
            query = query.filter(user::Column::Id.gt(after.to_string()));
        }
        let rows = query.order_by_asc(user::Column::Id).limit(limit).all(&self.db).await?;
        rows.into_iter().map(to_user).collect()
    }

    /// Changes the user `id` of `tenant` and records `event`, in one transaction. Blocking the user or
    /// resetting its password also ends its sessions and revokes its refresh tokens.
    pub async fn update_user(
        &self,
        tenant: TenantId,
        id: ObjectId,
        change: &UserChange,
        event: &AuditEvent,
    ) -> StoreResult<User> {
        self.audited_change(tenant, event, async |txn| {
            let row = user::Entity::find_by_id_in(tenant, id.to_string())
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound("user"))?;
            let mut active: user::ActiveModel = row.into();
            if let Some(name) = &change.display_name {
                active.display_name = Set(name.clone());
            }
            if let Some(enabled) = change.account_enabled {
                active.account_enabled = Set(enabled);
            }
            if let Some(is_admin) = change.is_admin {
                active.is_admin = Set(is_admin);
            }
            if let Some(hash) = &change.password_hash {
                active.password_hash = Set(hash.clone());
            }
            let row = active.update(txn).await?;
            if change.ends_sign_ins() {
                end_sign_ins(txn, tenant, id, event.at).await?;
            }
            to_user(row)
        })
        .await
    }

    /// Deletes the user `id` of `tenant` with its sessions, tokens, grants, role assignments and place
    /// among the consent request reviewers, and records `event`, in one transaction.
    pub async fn delete_user(&self, tenant: TenantId, id: ObjectId, event: &AuditEvent) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let key = id.to_string();
            let removed = user::Entity::delete_in(tenant).filter(user::Column::Id.eq(&key)).exec(txn).await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("user"));
            }
            // Sessions, codes, refresh tokens and consent requests go with the user's row (foreign
            // keys); grants and role assignments name principals of either kind, so they are removed
            // here.
            permission_grant::Entity::delete_in(tenant)
                .filter(permission_grant::Column::PrincipalId.eq(&key))
                .exec(txn)
                .await?;
            app_role_assignment::Entity::delete_in(tenant)
                .filter(app_role_assignment::Column::PrincipalId.eq(&key))
                .exec(txn)
                .await?;
            if let Some(policy) = tenant_policy::Entity::find_by_id(tenant.to_string()).one(txn).await? {
                let mut reviewers: Vec<ObjectId> = parse_json(&policy.reviewers, "reviewers")?;
                if reviewers.contains(&id) {
                    reviewers.retain(|reviewer| *reviewer != id);
                    let mut active: tenant_policy::ActiveModel = policy.into();
                    active.reviewers = Set(to_json(&reviewers));
                    active.update(txn).await?;
                }
            }
            Ok(())
        })
        .await
    }
}

/// Ends the user's sessions and revokes its refresh tokens.
async fn end_sign_ins(
    txn: &sea_orm::DatabaseTransaction,
    tenant: TenantId,
    user: ObjectId,
    now: UnixTime,
) -> StoreResult<()> {
    let key = user.to_string();
    session::Entity::delete_in(tenant).filter(session::Column::UserId.eq(&key)).exec(txn).await?;
    refresh_token::Entity::update_in(tenant)
        .set(refresh_token::ActiveModel { revoked_at: Set(Some(now)), ..Default::default() })
        .filter(refresh_token::Column::UserId.eq(&key))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// How each filterable user property is stored.
fn stored(property: UserProperty) -> Stored<user::Column> {
    match property {
        UserProperty::Id => Stored { column: user::Column::Id, lowercased: true },
        // Usernames are stored lowercase; a user's mail is its user principal name.
        UserProperty::UserPrincipalName | UserProperty::Mail => {
            Stored { column: user::Column::Username, lowercased: true }
        }
        UserProperty::DisplayName => Stored { column: user::Column::DisplayName, lowercased: false },
    }
}

fn to_user(row: user::Model) -> StoreResult<User> {
    Ok(User {
        id: parse_id(&row.id, "user id")?,
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        username: row.username,
        display_name: row.display_name,
        is_admin: row.is_admin,
        account_enabled: row.account_enabled,
        password_hash: row.password_hash,
    })
}
