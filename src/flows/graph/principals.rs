//! `servicePrincipals`: the apps present in the caller's tenant, and the app roles assigned on them
//! (`appRoleAssignedTo`) or held by them and by users (`appRoleAssignments`).
//!
//! Reading needs an application read permission. Adding, changing or removing a service principal
//! needs `Application.ReadWrite.All`; assigning roles `AppRoleAssignment.ReadWrite.All`; a delegated
//! caller must also administer the tenant.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::objects::{GraphAppRoleAssignment, GraphServicePrincipal};
use super::odata::ListOptions;
use super::{Caller, refused};
use crate::admin::{self, AdminError, ServicePrincipalEdit};
use crate::domain::app::{AppRoleAssignment, ServicePrincipal};
use crate::domain::ids::{AppId, ObjectId};
use crate::domain::query::ServicePrincipalProperty;
use crate::graph_error::GraphError;
use crate::state::AppState;

const READ_APPS: &[&str] = &["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"];
const WRITE_APPS: &[&str] = &["Application.ReadWrite.All"];
const ASSIGN_ROLES: &[&str] = &["AppRoleAssignment.ReadWrite.All"];

/// How a request names a service principal: `servicePrincipals/{id}` or `(appId='{appId}')`.
#[derive(Clone, Copy, Debug)]
pub enum SpKey<'a> {
    Id(&'a str),
    AppId(&'a str),
}

/// The service principal of the caller's tenant that `key` names; 404 when there is none.
pub(super) async fn find(state: &AppState, caller: &Caller, key: SpKey<'_>) -> Result<ServicePrincipal, GraphError> {
    let (SpKey::Id(value) | SpKey::AppId(value)) = key;
    let invalid = || GraphError::bad_request(format!("Invalid object identifier '{value}'."));
    let found = match key {
        SpKey::Id(id) => {
            let id = id.parse::<ObjectId>().map_err(|_| invalid())?;
            state.store.service_principal_by_id(caller.tenant.id, id).await?
        }
        SpKey::AppId(id) => {
            let id = id.parse::<AppId>().map_err(|_| invalid())?;
            state.store.service_principal(caller.tenant.id, id).await?
        }
    };
    found.ok_or_else(|| GraphError::not_found(value))
}

async fn graph_principal(state: &AppState, sp: &ServicePrincipal) -> Result<GraphServicePrincipal, GraphError> {
    let app = state.store.app_by_app_id(sp.app_id).await?.ok_or_else(|| GraphError::not_found(&sp.id.to_string()))?;
    Ok(GraphServicePrincipal::of(sp, &app))
}

/// One page of a list of service principals, and where the next one starts when there is one.
#[derive(Debug)]
pub struct SpPage {
    pub principals: Vec<GraphServicePrincipal>,
    pub skip_token: Option<String>,
}

/// `GET /v1.0/servicePrincipals`.
pub async fn list_service_principals(
    state: &AppState,
    caller: &Caller,
    options: &ListOptions<ServicePrincipalProperty>,
) -> Result<SpPage, GraphError> {
    caller.require(READ_APPS, READ_APPS)?;
    let after = options.after::<ObjectId>()?;
    let filter = options.filter.as_ref();
    let rows = state.store.list_service_principals(caller.tenant.id, filter, after, options.limit()).await?;
    let (page, skip_token) = options.page(rows, |sp| sp.id.to_string());
    let app_ids: Vec<AppId> = page.iter().map(|sp| sp.app_id).collect();
    let apps = state.store.apps_by_app_id(&app_ids).await?;
    let principals =
        page.iter().filter_map(|sp| apps.get(&sp.app_id).map(|app| GraphServicePrincipal::of(sp, app))).collect();
    Ok(SpPage { principals, skip_token })
}

/// `GET /v1.0/servicePrincipals/{id}` and `(appId='…')`.
pub async fn service_principal(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
) -> Result<GraphServicePrincipal, GraphError> {
    caller.require(READ_APPS, READ_APPS)?;
    let sp = find(state, caller, key).await?;
    graph_principal(state, &sp).await
}

/// The body of `POST /v1.0/servicePrincipals`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewServicePrincipalBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub app_id: AppId,
}

/// `POST /v1.0/servicePrincipals`: adds an app (the tenant's own, or a multi-tenant app of another
/// tenant) to the caller's tenant.
pub async fn create_service_principal(
    state: &AppState,
    caller: &Caller,
    body: NewServicePrincipalBody,
) -> Result<GraphServicePrincipal, GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let now = state.clock.now();
    let sp = admin::add_service_principal(&state.store, &caller.tenant, body.app_id, &caller.actor(), now)
        .await
        .map_err(|err| match err {
            AdminError::NotFound(_) => GraphError::invalid_value(format!(
                "No application with appId '{}' can be added to this tenant.",
                body.app_id
            )),
            other => refused(other, &body.app_id.to_string()),
        })?;
    graph_principal(state, &sp).await
}

/// The body of `PATCH /v1.0/servicePrincipals/{id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServicePrincipalPatch {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub account_enabled: Option<bool>,
    pub app_role_assignment_required: Option<bool>,
}

/// `PATCH /v1.0/servicePrincipals/{id}`: `accountEnabled` blocks or unblocks the app in this tenant;
/// `appRoleAssignmentRequired` limits sign-in to assigned users.
pub async fn update_service_principal(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
    patch: ServicePrincipalPatch,
) -> Result<(), GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let sp = find(state, caller, key).await?;
    let edit = ServicePrincipalEdit {
        account_enabled: patch.account_enabled,
        app_role_assignment_required: patch.app_role_assignment_required,
    };
    let now = state.clock.now();
    admin::update_service_principal(&state.store, &caller.tenant, &sp, edit, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, &sp.id.to_string()))?;
    Ok(())
}

/// `DELETE /v1.0/servicePrincipals/{id}`: the app leaves the tenant with its grants and assignments.
pub async fn delete_service_principal(state: &AppState, caller: &Caller, key: SpKey<'_>) -> Result<(), GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let sp = find(state, caller, key).await?;
    let now = state.clock.now();
    admin::delete_service_principal(&state.store, &caller.tenant, &sp, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, &sp.id.to_string()))
}

/// Assignments with the names of their principals and resource.
async fn named(
    state: &AppState,
    caller: &Caller,
    assignments: &[AppRoleAssignment],
) -> Result<Vec<GraphAppRoleAssignment>, GraphError> {
    let mut named = Vec::with_capacity(assignments.len());
    for assignment in assignments {
        let principal = match state.store.user(caller.tenant.id, assignment.principal_id).await? {
            Some(user) => Some(user.display_name),
            None => state
                .store
                .service_principal_by_id(caller.tenant.id, assignment.principal_id)
                .await?
                .map(|sp| sp.display_name),
        };
        let resource = state
            .store
            .service_principal_by_id(caller.tenant.id, assignment.resource_id)
            .await?
            .map(|sp| sp.display_name);
        named.push(GraphAppRoleAssignment::of(assignment, principal, resource));
    }
    Ok(named)
}

/// `GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo`: the roles assigned on this app.
pub async fn app_role_assigned_to(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
) -> Result<Vec<GraphAppRoleAssignment>, GraphError> {
    caller.require(READ_APPS, READ_APPS)?;
    let sp = find(state, caller, key).await?;
    let assignments = state.store.assignments_to(caller.tenant.id, sp.id).await?;
    named(state, caller, &assignments).await
}

/// `GET /v1.0/servicePrincipals/{id}/appRoleAssignments`: the roles this app holds on others.
pub async fn sp_app_role_assignments(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
) -> Result<Vec<GraphAppRoleAssignment>, GraphError> {
    caller.require(READ_APPS, READ_APPS)?;
    let sp = find(state, caller, key).await?;
    let assignments = state.store.assignments_of(caller.tenant.id, sp.id).await?;
    named(state, caller, &assignments).await
}

/// `GET /v1.0/users/{id | userPrincipalName}/appRoleAssignments`: the roles a user holds. A user may
/// read its own with a profile scope.
pub async fn user_app_role_assignments(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> Result<Vec<GraphAppRoleAssignment>, GraphError> {
    // Reading the user checks the caller may: itself with a profile scope, anyone with a read permission.
    let user = super::user(state, caller, key).await?;
    let assignments = state.store.assignments_of(caller.tenant.id, user.id).await?;
    named(state, caller, &assignments).await
}

/// The body of `POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAssignmentBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub principal_id: ObjectId,
    pub resource_id: ObjectId,
    /// The zero GUID for default access.
    pub app_role_id: Uuid,
    pub principal_type: Option<String>,
}

/// `POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo`: assigns one of this app's roles to a user
/// or an app of the tenant.
pub async fn assign_app_role(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
    body: NewAssignmentBody,
) -> Result<GraphAppRoleAssignment, GraphError> {
    caller.require_admin(ASSIGN_ROLES)?;
    let resource = find(state, caller, key).await?;
    if body.resource_id != resource.id {
        return Err(GraphError::invalid_value(format!(
            "resourceId '{}' is not the service principal '{}' of the request's path.",
            body.resource_id, resource.id
        )));
    }
    let now = state.clock.now();
    let actor = caller.actor();
    let assignment = admin::assign_app_role(
        &state.store,
        &caller.tenant,
        &resource,
        body.principal_id,
        body.app_role_id,
        &actor,
        now,
    )
    .await
    .map_err(|err| match err {
        AdminError::NotFound(_) => GraphError::not_found(&body.principal_id.to_string()),
        other => refused(other, &resource.id.to_string()),
    })?;
    let mut named = named(state, caller, &[assignment]).await?;
    named.pop().ok_or_else(|| GraphError::internal("an assignment went missing"))
}

/// `DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}`.
pub async fn remove_app_role_assignment(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
    assignment: &str,
) -> Result<(), GraphError> {
    caller.require_admin(ASSIGN_ROLES)?;
    let resource = find(state, caller, key).await?;
    let id = assignment.parse::<ObjectId>().map_err(|_| GraphError::not_found(assignment))?;
    let now = state.clock.now();
    admin::remove_app_role_assignment(&state.store, &caller.tenant, &resource, id, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, assignment))
}

/// A `delegatedPermissionClassification`: one of the resource's delegated permissions classified low
/// impact in the tenant (users may consent to those under the low-impact policy). Its id is the
/// permission's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionClassification {
    pub id: Uuid,
    pub permission_id: Uuid,
    pub permission_name: String,
    pub classification: &'static str,
}

const CLASSIFY: &[&str] = &["Policy.ReadWrite.PermissionGrant"];
const READ_CLASSIFICATIONS: &[&str] =
    &["Policy.Read.All", "Policy.ReadWrite.PermissionGrant", "Application.Read.All", "Application.ReadWrite.All"];

/// `GET /v1.0/servicePrincipals/{id}/delegatedPermissionClassifications`.
pub async fn classifications(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
) -> Result<Vec<PermissionClassification>, GraphError> {
    caller.require(READ_CLASSIFICATIONS, READ_CLASSIFICATIONS)?;
    let sp = find(state, caller, key).await?;
    let app = state.store.app_by_app_id(sp.app_id).await?.ok_or_else(|| GraphError::not_found(&sp.id.to_string()))?;
    let low = state.store.low_impact_permissions(caller.tenant.id).await?;
    Ok(app
        .scopes
        .iter()
        .filter(|scope| low.contains(&(app.app_id, scope.id)))
        .map(|scope| PermissionClassification {
            id: scope.id,
            permission_id: scope.id,
            permission_name: scope.value.clone(),
            classification: "low",
        })
        .collect())
}

/// The body of `POST …/delegatedPermissionClassifications`: the permission by id or name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewClassificationBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub permission_id: Option<Uuid>,
    pub permission_name: Option<String>,
    pub classification: String,
}

/// `POST …/delegatedPermissionClassifications`: classifies a delegated permission low impact.
pub async fn classify(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
    body: NewClassificationBody,
) -> Result<PermissionClassification, GraphError> {
    caller.require_admin(CLASSIFY)?;
    if body.classification != "low" {
        return Err(GraphError::invalid_value(format!(
            "classification '{}' is not supported: Signet classifies permissions 'low'.",
            body.classification
        )));
    }
    let sp = find(state, caller, key).await?;
    let app = state.store.app_by_app_id(sp.app_id).await?.ok_or_else(|| GraphError::not_found(&sp.id.to_string()))?;
    let scope = app
        .scopes
        .iter()
        .find(|s| Some(s.id) == body.permission_id || body.permission_name.as_deref() == Some(s.value.as_str()))
        .ok_or_else(|| GraphError::invalid_value("The service principal exposes no such delegated permission."))?;
    let now = state.clock.now();
    let target = (sp.app_id.to_string(), scope.value.clone());
    admin::classify_permission_by(&state.store, &caller.tenant, (&target.0, &target.1), true, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, &sp.id.to_string()))?;
    Ok(PermissionClassification {
        id: scope.id,
        permission_id: scope.id,
        permission_name: scope.value.clone(),
        classification: "low",
    })
}

/// `DELETE …/delegatedPermissionClassifications/{id}`: the permission is no longer low impact.
pub async fn unclassify(state: &AppState, caller: &Caller, key: SpKey<'_>, id: &str) -> Result<(), GraphError> {
    caller.require_admin(CLASSIFY)?;
    let listed = classifications(state, caller, key).await?;
    let found =
        listed.iter().find(|c| c.id.to_string() == id.to_ascii_lowercase()).ok_or_else(|| GraphError::not_found(id))?;
    let sp = find(state, caller, key).await?;
    let now = state.clock.now();
    let target = (sp.app_id.to_string(), found.permission_name.clone());
    admin::classify_permission_by(&state.store, &caller.tenant, (&target.0, &target.1), false, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, id))?;
    Ok(())
}
