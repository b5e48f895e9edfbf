//! Administering delegated permission grants (`oAuth2PermissionGrant`) through the directory API:
//! list by key, read, create, change the scopes of, and delete one.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::permission_grant;
use super::filter::{Stored, condition};
use super::grants::{GrantTo, to_grant};
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult};
use crate::clock::UnixTime;
use crate::domain::app::PermissionGrant;
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{ObjectId, TenantId};
use crate::domain::query::{Filter, GrantProperty};

impl Store {
    /// Up to `limit` delegated grants of `tenant` that `filter` admits, in id order, after `after`.
    pub async fn list_grants(
        &self,
        tenant: TenantId,
        filter: Option<&Filter<GrantProperty>>,
        after: Option<ObjectId>,
        limit: u64,
    ) -> StoreResult<Vec<PermissionGrant>> {
        let mut query = permission_grant::Entity::find_in(tenant);
        if let Some(filter) = filter {
            query = query.filter(condition(filter, &stored));
        }
        if let Some(after) = after {
            query = query.filter(permission_grant::Column::Id.gt(after.to_string()));
        }
        let rows = query.order_by_asc(permission_grant::Column::Id).limit(limit).all(&self.db).await?;
        rows.into_iter().map(to_grant).collect()
    }

    /// The delegated grant of `tenant` with this id.
    pub async fn grant_by_id(&self, tenant: TenantId, id: ObjectId) -> StoreResult<Option<PermissionGrant>> {
        let row = permission_grant::Entity::find_by_id_in(tenant, id.to_string()).one(&self.db).await?;
        row.map(to_grant).transpose()
    }

    /// Creates the grant `to` with `scope` in `tenant`, and records `event`; a conflict when a grant of
    /// the same client, resource, kind and user exists (its scopes are changed instead).
    pub async fn create_grant(
        &self,
        tenant: TenantId,
        to: GrantTo,
        scope: &str,
        now: UnixTime,
        event: &AuditEvent,
    ) -> StoreResult<PermissionGrant> {
        self.audited_change(tenant, event, async |txn| {
            let mut existing = permission_grant::Entity::find_in(tenant)
                .filter(permission_grant::Column::ClientSpId.eq(to.client.to_string()))
                .filter(permission_grant::Column::ResourceSpId.eq(to.resource.to_string()))
                .filter(permission_grant::Column::ConsentType.eq(to.consent_type.as_str()));
            existing = match to.principal {
                Some(p) => existing.filter(permission_grant::Column::PrincipalId.eq(p.to_string())),
                None => existing.filter(permission_grant::Column::PrincipalId.is_null()),
            };
            if existing.one(txn).await?.is_some() {
                return Err(StoreError::Conflict("Permission entry already exists.".into()));
            }
            let row = permission_grant::ActiveModel {
                id: Set(ObjectId::new_random().to_string()),
                tenant_id: Set(tenant.to_string()),
                client_sp_id: Set(to.client.to_string()),
                consent_type: Set(to.consent_type.as_str().to_owned()),
                principal_id: Set(to.principal.map(|p| p.to_string())),
                resource_sp_id: Set(to.resource.to_string()),
                scope: Set(scope.to_owned()),
                created_at: Set(now),
            }
            .insert(txn)
            .await?;
            to_grant(row)
        })
        .await
    }

    /// Replaces the scopes of the grant `id` of `tenant`, and records `event`.
    pub async fn set_grant_scope(
        &self,
        tenant: TenantId,
        id: ObjectId,
        scope: &str,
        event: &AuditEvent,
    ) -> StoreResult<PermissionGrant> {
        self.audited_change(tenant, event, async |txn| {
            let row = permission_grant::Entity::find_by_id_in(tenant, id.to_string())
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound("permission grant"))?;
            let mut active: permission_grant::ActiveModel = row.into();
            active.scope = Set(scope.to_owned());
            let row = active.update(txn).await?;
            to_grant(row)
        })
        .await
    }

    /// Deletes the grant `id` of `tenant`, and records `event`.
    pub async fn delete_grant(&self, tenant: TenantId, id: ObjectId, event: &AuditEvent) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let removed = permission_grant::Entity::delete_in(tenant)
                .filter(permission_grant::Column::Id.eq(id.to_string()))
                .exec(txn)
                .await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("permission grant"));
            }
            Ok(())
        })
        .await
    }
}

/// How each filterable grant property is stored.
fn stored(property: GrantProperty) -> Stored<permission_grant::Column> {
    let column = match property {
        GrantProperty::Id => permission_grant::Column::Id,
        GrantProperty::ClientId => permission_grant::Column::ClientSpId,
        GrantProperty::ResourceId => permission_grant::Column::ResourceSpId,
        GrantProperty::PrincipalId => permission_grant::Column::PrincipalId,
        GrantProperty::ConsentType => permission_grant::Column::ConsentType,
    };
    Stored { column, lowercased: false }
}
