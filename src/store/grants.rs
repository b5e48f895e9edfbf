//! Delegated permission grants and app role assignments of a tenant.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::apps::{find_service_principal, insert_service_principal};
use super::entity::{app_role_assignment, permission_grant, service_principal};
use super::policy::insert_audit;
use super::scoped::InTenant;
use super::{Store, StoreResult, begin_directory_change, once_more_if_raced, parse_id};
use crate::clock::UnixTime;
use crate::domain::app::{AppRoleAssignment, Application, GrantConsentType, PermissionGrant, ServicePrincipal};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{ObjectId, TenantId};

/// Who a delegated grant is for: a client service principal, the resource's, and everyone in the tenant
/// (`AllPrincipals`, no principal) or one user (`Principal`).
#[derive(Clone, Copy, Debug)]
pub struct GrantTo {
    pub client: ObjectId,
    pub resource: ObjectId,
    pub consent_type: GrantConsentType,
    pub principal: Option<ObjectId>,
}

/// One consent, as the store applies it: the delegated scopes per resource service principal, and the
/// app roles per resource service principal, granted to the client app in one tenant.
#[derive(Clone, Debug)]
pub struct Consent {
    pub consent_type: GrantConsentType,
    /// The user a `Principal` grant is for.
    pub principal: Option<ObjectId>,
    pub delegated: Vec<(ObjectId, Vec<String>)>,
    pub roles: Vec<(ObjectId, Uuid)>,
}

/// What a revocation of a client's consents in a tenant removes: every delegated grant and app role
/// assignment of the client, narrowed to one user's own grants, to one resource, or to one app role
/// assignment on that resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct Revocation {
    /// Only this user's own (`Principal`) grants, and no assignment.
    pub user: Option<ObjectId>,
    /// Only grants and assignments on this resource service principal.
    pub resource: Option<ObjectId>,
    /// Only this app role's assignment (on `resource`), and no grant.
    pub role: Option<Uuid>,
    /// Only what an administrator granted for everyone: the tenant-wide (`AllPrincipals`) grants and
    /// the assignments; each user's own grants stay.
    pub admin_consent_only: bool,
}

impl Store {
    /// Applies `consent` for `client` in `tenant` and records `event`, in one transaction: the client's
    /// service principal there (created on first consent), the delegated grants (merged into an existing
    /// grant of the same kind) and the app role assignments. Returns the client's service principal.
    pub async fn grant_consent(
        &self,
        tenant: TenantId,
        client: &Application,
        consent: &Consent,
        event: &AuditEvent,
    ) -> StoreResult<ServicePrincipal> {
        let applied = once_more_if_raced(|| self.grant_consent_once(tenant, client, consent, event)).await;
        self.cache.clear();
        applied
    }

    async fn grant_consent_once(
        &self,
        tenant: TenantId,
        client: &Application,
        consent: &Consent,
        event: &AuditEvent,
    ) -> StoreResult<ServicePrincipal> {
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        let sp = apply_consent(&txn, tenant, client, consent, event.at).await?;
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        Ok(sp)
    }

    /// Removes what `what` says of the consents of the client `sp` in `tenant`, and records `event`
    /// with it. Returns how many grants and assignments went.
    pub async fn revoke_consent(
        &self,
        tenant: TenantId,
        sp: ObjectId,
        what: Revocation,
        event: &AuditEvent,
    ) -> StoreResult<u64> {
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        let mut removed = 0;
        if what.role.is_none() {
            let mut grants = permission_grant::Entity::delete_in(tenant)
                .filter(permission_grant::Column::ClientSpId.eq(sp.to_string()));
            if let Some(user) = what.user {
                grants = grants.filter(permission_grant::Column::PrincipalId.eq(user.to_string()));
            }
            if let Some(resource) = what.resource {
                grants = grants.filter(permission_grant::Column::ResourceSpId.eq(resource.to_string()));
            }
            if what.admin_consent_only {
                grants = grants.filter(permission_grant::Column::ConsentType.eq("AllPrincipals"));
            }
            removed += grants.exec(&txn).await?.rows_affected;
        }
        if what.user.is_none() {
            removed += delete_assignments_of(&txn, tenant, sp, what).await?;
        }
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        self.cache.clear();
        Ok(removed)
    }

    /// Removes the app's service principal from `tenant` with every grant and assignment it holds or
    /// is the resource of, and records `event`. Returns whether there was one.
    pub async fn remove_service_principal(
        &self,
        tenant: TenantId,
        sp: ObjectId,
        event: &AuditEvent,
    ) -> StoreResult<bool> {
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        // Grants go with either service principal by foreign key; assignments name the client without one.
        delete_assignments_of(&txn, tenant, sp, Revocation::default()).await?;
        let removed = service_principal::Entity::delete_in(tenant)
            .filter(service_principal::Column::Id.eq(sp.to_string()))
            .exec(&txn)
            .await?
            .rows_affected;
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        self.cache.clear();
        Ok(removed > 0)
    }

    /// Grants `scopes` to the grant's client for its resource in `tenant`, adding them to an existing
    /// grant of the same kind. Returns the grant as it now stands.
    pub async fn grant_delegated(
        &self,
        tenant: TenantId,
        grant: GrantTo,
        scopes: &[String],
        now: UnixTime,
    ) -> StoreResult<PermissionGrant> {
        let merged = async {
            let txn = begin_directory_change(&self.db).await?;
            let merged = merge_grant(&txn, tenant, grant, scopes, now).await?;
            txn.commit().await?;
            Ok(merged)
        };
        let merged = merged.await;
        self.cache.clear();
        merged
    }

    /// The delegated scopes `user` holds for the client on the resource in `tenant`: the union of the
    /// tenant-wide (`AllPrincipals`) grant and the user's own (`Principal`) grant.
    pub async fn delegated_scopes(
        &self,
        tenant: TenantId,
        client: ObjectId,
        resource: ObjectId,
        user: ObjectId,
    ) -> StoreResult<Vec<String>> {
        let load = || self.delegated_grants_uncached(tenant, client, user);
        let grants = self.cache.get_or_load(&self.cache.delegated, (tenant, client, user), load).await?;
        let mut scopes: Vec<String> = Vec::new();
        let words = grants.iter().filter(|g| g.resource_id == resource).flat_map(|g| g.scope.split_whitespace());
        for scope in words {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        Ok(scopes)
    }

    /// Every delegated grant of the client in `tenant` that covers `user`, on any resource.
    async fn delegated_grants_uncached(
        &self,
        tenant: TenantId,
        client: ObjectId,
        user: ObjectId,
    ) -> StoreResult<Vec<PermissionGrant>> {
        permission_grant::Entity::find_in(tenant)
            .filter(permission_grant::Column::ClientSpId.eq(client.to_string()))
            .filter(
                sea_orm::Condition::any()
                    .add(permission_grant::Column::PrincipalId.is_null())
                    .add(permission_grant::Column::PrincipalId.eq(user.to_string())),
            )
            .order_by_asc(permission_grant::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_grant)
            .collect()
    }

    /// The delegated grants of `tenant`.
    pub async fn permission_grants(&self, tenant: TenantId) -> StoreResult<Vec<PermissionGrant>> {
        permission_grant::Entity::find_in(tenant)
            .order_by_asc(permission_grant::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_grant)
            .collect()
    }

    /// The app roles of `resource` assigned to `principal` in `tenant`.
    pub async fn app_role_assignments(
        &self,
        tenant: TenantId,
        principal: ObjectId,
        resource: ObjectId,
    ) -> StoreResult<Vec<AppRoleAssignment>> {
        let load = || self.app_role_assignments_uncached(tenant, principal, resource);
        self.cache.get_or_load(&self.cache.role_assignments, (tenant, principal, resource), load).await
    }

    /// The app roles of `resource` assigned to groups of `tenant`: their members hold them.
    pub async fn group_role_assignments(
        &self,
        tenant: TenantId,
        resource: ObjectId,
    ) -> StoreResult<Vec<AppRoleAssignment>> {
        let load = || async move {
            app_role_assignment::Entity::find_in(tenant)
                .filter(app_role_assignment::Column::ResourceSpId.eq(resource.to_string()))
                .filter(app_role_assignment::Column::PrincipalType.eq("Group"))
                .order_by_asc(app_role_assignment::Column::CreatedAt)
                .all(&self.db)
                .await?
                .into_iter()
                .map(to_assignment)
                .collect()
        };
        self.cache.get_or_load(&self.cache.group_assignments, (tenant, resource), load).await
    }

    async fn app_role_assignments_uncached(
        &self,
        tenant: TenantId,
        principal: ObjectId,
        resource: ObjectId,
    ) -> StoreResult<Vec<AppRoleAssignment>> {
        app_role_assignment::Entity::find_in(tenant)
            .filter(app_role_assignment::Column::PrincipalId.eq(principal.to_string()))
            .filter(app_role_assignment::Column::ResourceSpId.eq(resource.to_string()))
            .order_by_asc(app_role_assignment::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_assignment)
            .collect()
    }

    /// Every app role assignment in `tenant`.
    pub async fn all_app_role_assignments(&self, tenant: TenantId) -> StoreResult<Vec<AppRoleAssignment>> {
        app_role_assignment::Entity::find_in(tenant)
            .order_by_asc(app_role_assignment::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_assignment)
            .collect()
    }
}

/// Applies `consent` for `client` in `tenant` within the caller's transaction: the client's service
/// principal there (created on first consent), the delegated grants (merged into an existing grant of
/// the same kind) and the app role assignments. Returns the client's service principal.
pub(super) async fn apply_consent(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    client: &Application,
    consent: &Consent,
    at: UnixTime,
) -> StoreResult<ServicePrincipal> {
    let sp = match find_service_principal(txn, tenant, client.app_id).await? {
        Some(sp) => sp,
        None => insert_service_principal(txn, tenant, client, at).await?,
    };
    for (resource, scopes) in &consent.delegated {
        let to = GrantTo {
            client: sp.id,
            resource: *resource,
            consent_type: consent.consent_type,
            principal: consent.principal,
        };
        merge_grant(txn, tenant, to, scopes, at).await?;
    }
    for (resource, role) in &consent.roles {
        let row = app_role_assignment::ActiveModel {
            id: Set(ObjectId::new_random().to_string()),
            tenant_id: Set(tenant.to_string()),
            principal_id: Set(sp.id.to_string()),
            principal_type: Set("ServicePrincipal".to_owned()),
            resource_sp_id: Set(resource.to_string()),
            app_role_id: Set(role.to_string()),
            created_at: Set(at),
        };
        app_role_assignment::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    app_role_assignment::Column::TenantId,
                    app_role_assignment::Column::PrincipalId,
                    app_role_assignment::Column::ResourceSpId,
                    app_role_assignment::Column::AppRoleId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(sp)
}

/// Adds `scopes` to the grant `to` describes, creating it when there is none.
async fn merge_grant(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    to: GrantTo,
    scopes: &[String],
    now: UnixTime,
) -> StoreResult<PermissionGrant> {
    let GrantTo { client, resource, consent_type, principal } = to;
    let mut query = permission_grant::Entity::find_in(tenant)
        .filter(permission_grant::Column::ClientSpId.eq(client.to_string()))
        .filter(permission_grant::Column::ResourceSpId.eq(resource.to_string()))
        .filter(permission_grant::Column::ConsentType.eq(consent_type.as_str()));
    query = match principal {
        Some(p) => query.filter(permission_grant::Column::PrincipalId.eq(p.to_string())),
        None => query.filter(permission_grant::Column::PrincipalId.is_null()),
    };
    if let Some(existing) = query.one(db).await? {
        let mut merged: Vec<String> = existing.scope.split_whitespace().map(str::to_owned).collect();
        for scope in scopes {
            if !merged.contains(scope) {
                merged.push(scope.clone());
            }
        }
        let mut row: permission_grant::ActiveModel = existing.into();
        row.scope = Set(merged.join(" "));
        return to_grant(row.update(db).await?);
    }
    let row = permission_grant::ActiveModel {
        id: Set(ObjectId::new_random().to_string()),
        tenant_id: Set(tenant.to_string()),
        client_sp_id: Set(client.to_string()),
        consent_type: Set(consent_type.as_str().to_owned()),
        principal_id: Set(principal.map(|p| p.to_string())),
        resource_sp_id: Set(resource.to_string()),
        scope: Set(scopes.join(" ")),
        created_at: Set(now),
    };
    to_grant(row.insert(db).await?)
}

/// Deletes the app role assignments held by the service principal `sp`, narrowed to a resource and a
/// role when `what` names them.
async fn delete_assignments_of(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    sp: ObjectId,
    what: Revocation,
) -> StoreResult<u64> {
    let mut assignments = app_role_assignment::Entity::delete_in(tenant)
        .filter(app_role_assignment::Column::PrincipalId.eq(sp.to_string()));
    if let Some(resource) = what.resource {
        assignments = assignments.filter(app_role_assignment::Column::ResourceSpId.eq(resource.to_string()));
    }
    if let Some(role) = what.role {
        assignments = assignments.filter(app_role_assignment::Column::AppRoleId.eq(role.to_string()));
    }
    Ok(assignments.exec(db).await?.rows_affected)
}

pub(super) fn to_grant(row: permission_grant::Model) -> StoreResult<PermissionGrant> {
    Ok(PermissionGrant {
        id: parse_id(&row.id, "grant id")?,
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        client_id: parse_id(&row.client_sp_id, "client id")?,
        consent_type: if row.consent_type == "AllPrincipals" {
            GrantConsentType::AllPrincipals
        } else {
            GrantConsentType::Principal
        },
        principal_id: row.principal_id.as_deref().map(|p| parse_id(p, "principal id")).transpose()?,
        resource_id: parse_id(&row.resource_sp_id, "resource id")?,
        scope: row.scope,
        granted_at: row.created_at,
    })
}

pub(super) fn to_assignment(row: app_role_assignment::Model) -> StoreResult<AppRoleAssignment> {
    Ok(AppRoleAssignment {
        id: parse_id(&row.id, "assignment id")?,
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        principal_id: parse_id(&row.principal_id, "principal id")?,
        principal_type: row.principal_type,
        resource_id: parse_id(&row.resource_sp_id, "resource id")?,
        app_role_id: parse_id(&row.app_role_id, "app role id")?,
        created_at: row.created_at,
    })
}
