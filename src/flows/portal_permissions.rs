//! An app registration's API permissions in the admin portal (issue 18): what the app requires, each
//! with its type, whether it needs an administrator, and whether it is granted for the tenant; adding
//! permissions of an API found by its name, removing one; and "Grant admin consent for {tenant}". Changes go
//! through [`crate::admin`] with the administrator as the audited actor.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Refused, actor, refusal};
use crate::admin;
use crate::clock::UnixTime;
use crate::domain::app::{AccessType, Application, ConsentType, GrantConsentType, MemberType};
use crate::domain::ids::AppId;
use crate::domain::query::{Filter, GrantProperty};
use crate::error::ProtocolError;
use crate::state::AppState;
use crate::store::ResourceLookup;

/// One required permission as the table shows it.
#[derive(Clone, Debug)]
pub struct PermissionRow {
    pub api: String,
    /// The API's appId.
    pub api_id: String,
    pub value: String,
    /// `Delegated` or `Application`.
    pub kind: &'static str,
    pub description: String,
    pub admin_consent_required: bool,
    /// Granted for the whole tenant: in its `AllPrincipals` grant, or assigned to the app.
    pub granted: bool,
}

/// The app's required permissions, API by API.
pub async fn permissions(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
) -> Result<Vec<PermissionRow>, ProtocolError> {
    require_admin(admin)?;
    let tenant = admin.tenant.id;
    let client = state.store.service_principal(tenant, app.app_id).await?;
    let grants = match &client {
        Some(sp) => {
            let filter = Filter::Eq(GrantProperty::ClientId, sp.id.to_string());
            let all = state.store.list_grants(tenant, Some(&filter), None, 1000).await?;
            all.into_iter().filter(|g| g.consent_type == GrantConsentType::AllPrincipals).collect()
        }
        None => Vec::new(),
    };
    let mut rows = Vec::new();
    for required in &app.required_resource_access {
        let (resource_sp, resource) =
            match state.store.resource_in_tenant(tenant, &required.resource_app_id.to_string()).await? {
                ResourceLookup::Found(sp, resource) => (Some(sp), *resource),
                ResourceLookup::NotInTenant(resource) => (None, *resource),
                ResourceLookup::NotRegistered => continue,
            };
        let held = match (&client, &resource_sp) {
            (Some(client), Some(resource)) => state.store.app_role_assignments(tenant, client.id, resource.id).await?,
            _ => Vec::new(),
        };
        let granted_scopes: Vec<&str> = grants
            .iter()
            .filter(|g| resource_sp.as_ref().is_some_and(|sp| sp.id == g.resource_id))
            .flat_map(|g| g.scope.split_whitespace())
            .collect();
        for access in &required.resource_access {
            let row = match access.access_type {
                AccessType::Scope => resource.scopes.iter().find(|s| s.id == access.id).map(|s| PermissionRow {
                    api: resource.display_name.clone(),
                    api_id: resource.app_id.to_string(),
                    value: s.value.clone(),
                    kind: "Delegated",
                    description: s.admin_consent_display_name.clone(),
                    admin_consent_required: s.consent_type == ConsentType::Admin,
                    granted: granted_scopes.contains(&s.value.as_str()),
                }),
                AccessType::Role => resource.app_roles.iter().find(|r| r.id == access.id).map(|r| PermissionRow {
                    api: resource.display_name.clone(),
                    api_id: resource.app_id.to_string(),
                    value: r.value.clone(),
                    kind: "Application",
                    description: r.display_name.clone(),
                    admin_consent_required: true,
                    granted: held.iter().any(|a| a.app_role_id == r.id),
                }),
            };
            rows.extend(row);
        }
    }
    Ok(rows)
}

/// An API the app may require permissions of: its appId, name, and what it exposes.
#[derive(Clone, Debug)]
pub struct ApiChoice {
    pub app_id: String,
    pub name: String,
    /// Each delegated permission: value, display name, whether only an administrator may consent.
    pub scopes: Vec<(String, String, bool)>,
    /// Each application permission: value, display name.
    pub roles: Vec<(String, String)>,
}

/// The APIs present in the administrator's tenant (its service principals, Signet's Graph included)
/// that expose a permission, whose name starts with `search` (every one when it is empty), by name.
pub async fn apis(state: &AppState, admin: &Reviewer, search: &str) -> Result<Vec<ApiChoice>, ProtocolError> {
    require_admin(admin)?;
    let principals = state.store.service_principals(admin.tenant.id).await?;
    let ids: Vec<_> = principals.iter().map(|sp| sp.app_id).collect();
    let apps = state.store.apps_by_app_id(&ids).await?;
    let search = search.trim().to_lowercase();
    let mut found: Vec<ApiChoice> = apps
        .into_values()
        .filter(|app| app.display_name.to_lowercase().starts_with(&search))
        .map(|app| choice(&app))
        .filter(|api| !api.scopes.is_empty() || !api.roles.is_empty())
        .collect();
    found.sort_by_key(|api| api.name.to_lowercase());
    Ok(found)
}

/// One API of the administrator's tenant, by appId.
pub async fn api(state: &AppState, admin: &Reviewer, app_id: &str) -> Result<ApiChoice, ProtocolError> {
    let all = apis(state, admin, "").await?;
    let found = all.into_iter().find(|api| api.app_id == app_id);
    found.ok_or_else(|| refusal(admin::AdminError::NotFound(format!("API {app_id}"))))
}

fn choice(app: &Application) -> ApiChoice {
    ApiChoice {
        app_id: app.app_id.to_string(),
        name: app.display_name.clone(),
        scopes: app
            .scopes
            .iter()
            .filter(|s| s.is_enabled)
            .map(|s| (s.value.clone(), s.admin_consent_display_name.clone(), s.consent_type == ConsentType::Admin))
            .collect(),
        roles: app
            .app_roles
            .iter()
            .filter(|r| r.is_enabled && r.allowed_member_types.contains(&MemberType::Application))
            .map(|r| (r.value.clone(), r.display_name.clone()))
            .collect(),
    }
}

/// Adds the chosen delegated and application permissions of `api` to the app's required permissions.
pub async fn add(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    (api_app_id, scopes, roles): (&str, &[String], &[String]),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let actor = actor(admin, correlation_id);
    let app_id = app.app_id.to_string();
    admin::require_by(&state.store, &admin.tenant, &app_id, (api_app_id, scopes, roles), &actor, now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))?;
    Ok(())
}

/// Grants everything the app requires for the whole tenant.
pub async fn grant(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let actor = actor(admin, correlation_id);
    admin::grant_consent_by(&state.store, &admin.tenant, &app.app_id.to_string(), &actor, now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))?;
    Ok(())
}

/// Revokes the admin consent: what was granted for the whole tenant, delegated and application
/// permissions alike. Each user's own consent stays.
pub async fn revoke(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let actor = actor(admin, correlation_id);
    admin::revoke_admin_consent_by(&state.store, &admin.tenant, &app.app_id.to_string(), &actor, now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))?;
    Ok(())
}

/// Removes one required permission (`Delegated` or `Application`, by value) of the API `api_id` from
/// the app; what was already granted stays until it is revoked in Enterprise applications.
pub async fn remove(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    (api_id, kind, value): (&str, &str, &str),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let not_required = || Refused::Failed(refusal(admin::AdminError::NotFound(format!("required permission {value}"))));
    let api_id: AppId = api_id.parse().map_err(|_| not_required())?;
    let resource = state.store.app_by_app_id(api_id).await?.ok_or_else(not_required)?;
    let id = match kind {
        "Delegated" => resource.scope(value).map(|s| (s.id, AccessType::Scope)),
        "Application" => resource.app_role(value).map(|r| (r.id, AccessType::Role)),
        _ => None,
    };
    let (id, access_type) = id.ok_or_else(not_required)?;
    let mut required = app.required_resource_access.clone();
    let before: usize = required.iter().map(|r| r.resource_access.len()).sum();
    for entry in required.iter_mut().filter(|r| r.resource_app_id == api_id) {
        entry.resource_access.retain(|a| !(a.id == id && a.access_type == access_type));
    }
    required.retain(|r| !r.resource_access.is_empty());
    if required.iter().map(|r| r.resource_access.len()).sum::<usize>() == before {
        return Err(not_required());
    }
    let edit = admin::AppEdit { required_resource_access: Some(required), ..admin::AppEdit::default() };
    admin::update_app(&state.store, &admin.tenant, app, edit, &actor(admin, correlation_id), now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))?;
    Ok(())
}
