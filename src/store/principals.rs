//! Administering service principals through the directory API: list a tenant's by key, add one for a
//! multi-tenant app, switch sign-in and "assignment required", and assign app roles to users and apps.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::apps::{insert_service_principal, to_application, to_service_principal};
use super::entity::{app_role_assignment, application, identifier_uri, service_principal};
use super::filter::{Stored, condition};
use super::grants::to_assignment;
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult, is_unique_violation};
use crate::clock::UnixTime;
use crate::domain::app::{AppRoleAssignment, Application, ServicePrincipal};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{AppId, ObjectId, TenantId};
use crate::domain::query::{Filter, ServicePrincipalProperty};

/// A change to a service principal; `None` keeps the current value.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServicePrincipalChange {
    pub account_enabled: Option<bool>,
    pub app_role_assignment_required: Option<bool>,
}

/// An app role to assign: to a user or a service principal, on a resource service principal.
#[derive(Clone, Debug)]
pub struct NewAssignment {
    pub principal_id: ObjectId,
    /// `User` or `ServicePrincipal`.
    pub principal_type: &'static str,
    pub resource_id: ObjectId,
    pub app_role_id: uuid::Uuid,
}

impl Store {
    /// Up to `limit` service principals of `tenant` that `filter` admits, in object id order, after the
    /// id `after`.
    pub async fn list_service_principals(
        &self,
        tenant: TenantId,
        filter: Option<&Filter<ServicePrincipalProperty>>,
        after: Option<ObjectId>,
        limit: u64,
    ) -> StoreResult<Vec<ServicePrincipal>> {
        let mut query = service_principal::Entity::find_in(tenant);
        if let Some(filter) = filter {
            query = query.filter(condition(filter, &stored));
        }
        if let Some(after) = after {
            query = query.filter(service_principal::Column::Id.gt(after.to_string()));
        }
        let rows = query.order_by_asc(service_principal::Column::Id).limit(limit).all(&self.db).await?;
        rows.into_iter().map(to_service_principal).collect()
    }

    /// The service principal of `tenant` with this object id.
    pub async fn service_principal_by_id(
        &self,
        tenant: TenantId,
        id: ObjectId,
    ) -> StoreResult<Option<ServicePrincipal>> {
        let row = service_principal::Entity::find_by_id_in(tenant, id.to_string()).one(&self.db).await?;
        row.map(to_service_principal).transpose()
    }

    /// The registrations of these apps, wherever they live, with their identifier URIs: two queries.
    pub async fn apps_by_app_id(&self, app_ids: &[AppId]) -> StoreResult<HashMap<AppId, Application>> {
        if app_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let keys: Vec<String> = app_ids.iter().map(ToString::to_string).collect();
        let rows =
            application::Entity::find().filter(application::Column::AppId.is_in(keys.clone())).all(&self.db).await?;
        let mut uris: HashMap<String, Vec<String>> = HashMap::new();
        let found = identifier_uri::Entity::find()
            .filter(identifier_uri::Column::AppId.is_in(keys))
            .order_by_asc(identifier_uri::Column::Uri)
            .all(&self.db)
            .await?;
        for row in found {
            uris.entry(row.app_id).or_default().push(row.uri);
        }
        let mut apps = HashMap::new();
        for row in rows {
            let key = row.app_id.clone();
            let mut app = to_application(row)?;
            app.identifier_uris = uris.remove(&key).unwrap_or_default();
            apps.insert(app.app_id, app);
        }
        Ok(apps)
    }

    /// Adds a service principal of `app` to `tenant`, and records `event`; a conflict when the tenant
    /// has one already.
    pub async fn add_service_principal(
        &self,
        tenant: TenantId,
        app: &Application,
        now: UnixTime,
        event: &AuditEvent,
    ) -> StoreResult<ServicePrincipal> {
        self.audited_change(tenant, event, async |txn| {
            let sp = insert_service_principal(txn, tenant, app, now).await.map_err(|err| match err {
                StoreError::Db(err) if is_unique_violation(&err) => {
                    StoreError::Conflict(format!("the tenant already has a service principal of app {}", app.app_id))
                }
                other => other,
            })?;
            Ok(sp)
        })
        .await
    }

    /// Changes the service principal `id` of `tenant`, and records `event`.
    pub async fn update_service_principal(
        &self,
        tenant: TenantId,
        id: ObjectId,
        change: ServicePrincipalChange,
        event: &AuditEvent,
    ) -> StoreResult<ServicePrincipal> {
        self.audited_change(tenant, event, async |txn| {
            let mut update = service_principal::Entity::update_in(tenant)
                .filter(service_principal::Column::Id.eq(id.to_string()))
                .col_expr(service_principal::Column::Id, Expr::col(service_principal::Column::Id));
            if let Some(enabled) = change.account_enabled {
                update = update.col_expr(service_principal::Column::AccountEnabled, Expr::value(enabled));
            }
            if let Some(required) = change.app_role_assignment_required {
                update = update.col_expr(service_principal::Column::AppRoleAssignmentRequired, Expr::value(required));
            }
            if update.exec(txn).await?.rows_affected == 0 {
                return Err(StoreError::NotFound("service principal"));
            }
            let row = service_principal::Entity::find_by_id_in(tenant, id.to_string())
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound("service principal"))?;
            to_service_principal(row)
        })
        .await
    }

    /// Assigns an app role in `tenant`, and records `event`; a conflict when the principal has that role
    /// on that resource already.
    pub async fn assign_app_role(
        &self,
        tenant: TenantId,
        new: &NewAssignment,
        now: UnixTime,
        event: &AuditEvent,
    ) -> StoreResult<AppRoleAssignment> {
        let id = ObjectId::new_random();
        let row = app_role_assignment::ActiveModel {
            id: Set(id.to_string()),
            tenant_id: Set(tenant.to_string()),
            principal_id: Set(new.principal_id.to_string()),
            principal_type: Set(new.principal_type.to_owned()),
            resource_sp_id: Set(new.resource_id.to_string()),
            app_role_id: Set(new.app_role_id.to_string()),
            created_at: Set(now),
        };
        self.audited_change(tenant, event, async |txn| {
            app_role_assignment::Entity::insert(row).exec_without_returning(txn).await.map_err(|err| {
                if is_unique_violation(&err) {
                    StoreError::Conflict("the principal already has this app role on this resource".into())
                } else {
                    err.into()
                }
            })?;
            Ok(AppRoleAssignment {
                id,
                tenant_id: tenant,
                principal_id: new.principal_id,
                principal_type: new.principal_type.to_owned(),
                resource_id: new.resource_id,
                app_role_id: new.app_role_id,
                created_at: now,
            })
        })
        .await
    }

    /// Removes the assignment `id` on the resource service principal `resource` of `tenant`, and
    /// records `event`.
    pub async fn remove_app_role_assignment(
        &self,
        tenant: TenantId,
        resource: ObjectId,
        id: ObjectId,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let removed = app_role_assignment::Entity::delete_in(tenant)
                .filter(app_role_assignment::Column::Id.eq(id.to_string()))
                .filter(app_role_assignment::Column::ResourceSpId.eq(resource.to_string()))
                .exec(txn)
                .await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("app role assignment"));
            }
            Ok(())
        })
        .await
    }

    /// The app roles assigned on the resource service principal `resource` of `tenant`
    /// (`appRoleAssignedTo`), oldest first.
    pub async fn assignments_to(&self, tenant: TenantId, resource: ObjectId) -> StoreResult<Vec<AppRoleAssignment>> {
        let rows = app_role_assignment::Entity::find_in(tenant)
            .filter(app_role_assignment::Column::ResourceSpId.eq(resource.to_string()))
            .order_by_asc(app_role_assignment::Column::CreatedAt)
            .order_by_asc(app_role_assignment::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(to_assignment).collect()
    }

    /// The app roles the user or service principal `principal` of `tenant` holds
    /// (`appRoleAssignments`), oldest first.
    pub async fn assignments_of(&self, tenant: TenantId, principal: ObjectId) -> StoreResult<Vec<AppRoleAssignment>> {
        let rows = app_role_assignment::Entity::find_in(tenant)
            .filter(app_role_assignment::Column::PrincipalId.eq(principal.to_string()))
            .order_by_asc(app_role_assignment::Column::CreatedAt)
            .order_by_asc(app_role_assignment::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(to_assignment).collect()
    }
}

/// How each filterable service principal property is stored.
fn stored(property: ServicePrincipalProperty) -> Stored<service_principal::Column> {
    match property {
        ServicePrincipalProperty::Id => Stored { column: service_principal::Column::Id, lowercased: true },
        ServicePrincipalProperty::AppId => Stored { column: service_principal::Column::AppId, lowercased: true },
        ServicePrincipalProperty::DisplayName => {
            Stored { column: service_principal::Column::DisplayName, lowercased: false }
        }
    }
}
