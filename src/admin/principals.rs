//! Service principals, an app's presence in a tenant: add one for a multi-tenant app, block or allow
//! its sign-ins, require assignment, remove it; and app roles assigned to users and apps on them.

use serde_json::json;
use uuid::Uuid;

use super::common::{Actor, AdminError, Result};
use crate::clock::UnixTime;
use crate::domain::app::{AppRoleAssignment, MemberType, ServicePrincipal, SignInAudience};
use crate::domain::audit::app_target;
use crate::domain::graph::GRAPH_APP_ID;
use crate::domain::ids::{AppId, ObjectId};
use crate::domain::tenant::Tenant;
use crate::store::{NewAssignment, ServicePrincipalChange, Store};

/// Adds to `tenant` a service principal of the app `app_id`: a multi-tenant app of another tenant, or
/// one of the tenant's own apps whose service principal was removed.
pub async fn add_service_principal(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    actor: &Actor,
    now: UnixTime,
) -> Result<ServicePrincipal> {
    let app = store.app_by_app_id(app_id).await?.ok_or_else(|| AdminError::NotFound(format!("app {app_id}")))?;
    if app.home_tenant != tenant.id && app.sign_in_audience == SignInAudience::AzureADMyOrg {
        // Whether a single-tenant app exists in another tenant is not this tenant's to learn.
        return Err(AdminError::NotFound(format!("app {app_id}")));
    }
    let details = json!({ "appId": app.app_id, "displayName": app.display_name });
    let event = actor.event(now, "sp.add", app_target(app.app_id), details);
    Ok(store.add_service_principal(tenant.id, &app, now, &event).await?)
}

/// A change to a service principal; `None` keeps the current value.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServicePrincipalEdit {
    /// `false` blocks the app's sign-ins and tokens in this tenant; `true` unblocks it (also an app
    /// blocked from the consent request review).
    pub account_enabled: Option<bool>,
    /// Only users and apps assigned one of its roles (or default access) may sign in to it.
    pub app_role_assignment_required: Option<bool>,
}

/// Changes a service principal of `tenant`. The built-in directory API's cannot be changed.
pub async fn update_service_principal(
    store: &Store,
    tenant: &Tenant,
    sp: &ServicePrincipal,
    edit: ServicePrincipalEdit,
    actor: &Actor,
    now: UnixTime,
) -> Result<ServicePrincipal> {
    if sp.app_id == GRAPH_APP_ID {
        return Err(AdminError::Invalid("the built-in directory API's service principal cannot be changed".into()));
    }
    let details = json!({
        "appId": sp.app_id,
        "accountEnabled": edit.account_enabled,
        "appRoleAssignmentRequired": edit.app_role_assignment_required,
    });
    let event = actor.event(now, "sp.update", app_target(sp.app_id), details);
    let change = ServicePrincipalChange {
        account_enabled: edit.account_enabled,
        app_role_assignment_required: edit.app_role_assignment_required,
    };
    Ok(store.update_service_principal(tenant.id, sp.id, change, &event).await?)
}

/// Removes a service principal from `tenant`, with every grant and assignment it holds or is the
/// resource of. The built-in directory API's cannot be removed.
pub async fn delete_service_principal(
    store: &Store,
    tenant: &Tenant,
    sp: &ServicePrincipal,
    actor: &Actor,
    now: UnixTime,
) -> Result<()> {
    if sp.app_id == GRAPH_APP_ID {
        return Err(AdminError::Invalid("the built-in directory API cannot be removed from a tenant".into()));
    }
    let details = json!({ "appId": sp.app_id, "servicePrincipalId": sp.id });
    let event = actor.event(now, "sp.remove", app_target(sp.app_id), details);
    store.remove_service_principal(tenant.id, sp.id, &event).await?;
    Ok(())
}

/// "Default access": an assignment to the app without a particular role.
pub const DEFAULT_ACCESS: Uuid = Uuid::nil();

/// Assigns the app role `app_role_id` of `resource` (or default access) to the user or service
/// principal `principal_id` of `tenant`. The role must be enabled and allowed for that kind of
/// principal.
pub async fn assign_app_role(
    store: &Store,
    tenant: &Tenant,
    resource: &ServicePrincipal,
    principal_id: ObjectId,
    app_role_id: Uuid,
    actor: &Actor,
    now: UnixTime,
) -> Result<AppRoleAssignment> {
    let (principal_type, member_type, principal_name) = match store.user(tenant.id, principal_id).await? {
        Some(user) => ("User", MemberType::User, user.username),
        None => match store.service_principal_by_id(tenant.id, principal_id).await? {
            Some(sp) => ("ServicePrincipal", MemberType::Application, sp.display_name),
            // A role for users may go to a group: its members, direct or not, hold it.
            None => match store.group(tenant.id, principal_id).await? {
                Some(group) => ("Group", MemberType::User, group.display_name),
                None => return Err(AdminError::NotFound(format!("principal {principal_id}"))),
            },
        },
    };
    let app = store
        .app_by_app_id(resource.app_id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("app {}", resource.app_id)))?;
    if app_role_id != DEFAULT_ACCESS {
        let role = app
            .app_role_by_id(app_role_id)
            .ok_or_else(|| AdminError::Invalid(format!("{} defines no app role {app_role_id}", app.display_name)))?;
        if !role.is_enabled || !role.allowed_member_types.contains(&member_type) {
            return Err(AdminError::Invalid(format!(
                "app role {} is disabled or cannot be assigned to a {principal_type}",
                role.value
            )));
        }
    }
    let details = json!({
        "resourceAppId": resource.app_id,
        "principalId": principal_id,
        "principal": principal_name,
        "appRoleId": app_role_id,
    });
    let event = actor.event(now, "role.assign", app_target(resource.app_id), details);
    let new = NewAssignment { principal_id, principal_type, resource_id: resource.id, app_role_id };
    Ok(store.assign_app_role(tenant.id, &new, now, &event).await?)
}

/// Removes the assignment `id` on `resource`.
pub async fn remove_app_role_assignment(
    store: &Store,
    tenant: &Tenant,
    resource: &ServicePrincipal,
    id: ObjectId,
    actor: &Actor,
    now: UnixTime,
) -> Result<()> {
    let details = json!({ "resourceAppId": resource.app_id, "assignmentId": id });
    let event = actor.event(now, "role.unassign", app_target(resource.app_id), details);
    Ok(store.remove_app_role_assignment(tenant.id, resource.id, id, &event).await?)
}
