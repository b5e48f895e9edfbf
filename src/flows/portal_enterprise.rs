//! Enterprise applications in the admin portal (issue 18): every service principal of the tenant; per
//! app its properties (enabled for sign-in, which also unblocks an app blocked from the review queue;
//! assignment required), the users assigned to its app roles, the permissions granted to it (the
//! admin's tenant-wide consent and each user's own), and removing it. Changes go through
//! [`crate::admin`] with the administrator as the audited actor.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Field, Refused, actor, refusal};
use crate::admin::{self, AdminError, DEFAULT_ACCESS, ServicePrincipalEdit};
use crate::clock::UnixTime;
use crate::domain::app::{GrantConsentType, MemberType, ServicePrincipal};
use crate::domain::graph::GRAPH_APP_ID;
use crate::domain::ids::{AppId, ObjectId};
use crate::domain::query::{Filter, GrantProperty};
use crate::error::ProtocolError;
use crate::error::format_timestamp;
use crate::state::AppState;

/// One enterprise application in the list.
#[derive(Clone, Debug)]
pub struct EnterpriseRow {
    pub app_id: String,
    pub name: String,
    pub enabled: bool,
    /// Whether the app is registered in this tenant or added from another one.
    pub home: &'static str,
}

/// The tenant's service principals whose name starts with `search` (all when it is empty), by name.
pub async fn enterprise_apps(
    state: &AppState,
    admin: &Reviewer,
    search: &str,
) -> Result<Vec<EnterpriseRow>, ProtocolError> {
    require_admin(admin)?;
    let search = search.trim().to_lowercase();
    let principals = state.store.service_principals(admin.tenant.id).await?;
    let ids: Vec<AppId> = principals.iter().map(|sp| sp.app_id).collect();
    let apps = state.store.apps_by_app_id(&ids).await?;
    let mut rows: Vec<EnterpriseRow> = principals
        .into_iter()
        .filter(|sp| sp.display_name.to_lowercase().starts_with(&search) || sp.app_id.to_string() == search)
        .map(|sp| EnterpriseRow {
            app_id: sp.app_id.to_string(),
            home: match apps.get(&sp.app_id) {
                Some(app) if app.home_tenant == admin.tenant.id => "This organization",
                _ => "Another organization",
            },
            name: sp.display_name,
            enabled: sp.account_enabled,
        })
        .collect();
    rows.sort_by_key(|row| row.name.to_lowercase());
    Ok(rows)
}

/// One enterprise application as its page shows it.
#[derive(Clone, Debug)]
pub struct EnterpriseApp {
    pub app_id: String,
    pub object_id: String,
    pub name: String,
    pub enabled: bool,
    pub assignment_required: bool,
    /// The built-in directory API, which cannot be removed.
    pub built_in: bool,
    /// The roles a user can be assigned (id, name), default access first.
    pub user_roles: Vec<(String, String)>,
    /// Each assignment to this app: id, principal, role.
    pub assigned: Vec<(String, String, String)>,
    /// Each delegated grant the app holds.
    pub grants: Vec<GrantRow>,
    /// Each application permission the app holds: API, role.
    pub app_permissions: Vec<(String, String)>,
}

/// The service principal of the administrator's tenant for `app_id`.
pub async fn principal(state: &AppState, admin: &Reviewer, app_id: &str) -> Result<ServicePrincipal, Refused> {
    require_admin(admin)?;
    let not_found = || refusal(AdminError::NotFound(format!("enterprise application {app_id}")));
    let app_id: AppId = app_id.parse().map_err(|_| not_found())?;
    Ok(state.store.service_principal(admin.tenant.id, app_id).await?.ok_or_else(not_found)?)
}

/// `GET /{tenant}/admin/enterprise-apps/{appId}`.
pub async fn enterprise_app(state: &AppState, admin: &Reviewer, app_id: &str) -> Result<EnterpriseApp, Refused> {
    let sp = principal(state, admin, app_id).await?;
    let tenant = admin.tenant.id;
    let app = state.store.app_by_app_id(sp.app_id).await?;
    let role_name = |id: Uuid| match (&app, id == DEFAULT_ACCESS) {
        (_, true) => "Default access".to_owned(),
        (Some(app), false) => app.app_role_by_id(id).map_or_else(|| id.to_string(), |r| r.display_name.clone()),
        (None, false) => id.to_string(),
    };
    let mut user_roles = vec![(DEFAULT_ACCESS.to_string(), "Default access".to_owned())];
    if let Some(app) = &app {
        let for_users =
            app.app_roles.iter().filter(|r| r.is_enabled && r.allowed_member_types.contains(&MemberType::User));
        user_roles.extend(for_users.map(|r| (r.id.to_string(), r.display_name.clone())));
    }
    let mut assigned = Vec::new();
    for a in state.store.assignments_to(tenant, sp.id).await? {
        assigned.push((
            a.id.to_string(),
            principal_name(state, admin, a.principal_id).await?,
            role_name(a.app_role_id),
        ));
    }
    let filter = Filter::Eq(GrantProperty::ClientId, sp.id.to_string());
    let mut grants = Vec::new();
    for g in state.store.list_grants(tenant, Some(&filter), None, 1000).await? {
        let who = match (g.consent_type, g.principal_id) {
            (GrantConsentType::AllPrincipals, _) | (_, None) => "Admin consent".to_owned(),
            (GrantConsentType::Principal, Some(user)) => principal_name(state, admin, user).await?,
        };
        let api = principal_name(state, admin, g.resource_id).await?;
        grants.push(GrantRow {
            id: g.id.to_string(),
            who,
            api,
            scope: g.scope,
            granted: format_timestamp(g.granted_at),
        });
    }
    let mut app_permissions = Vec::new();
    for a in state.store.assignments_of(tenant, sp.id).await? {
        let resource = state.store.service_principal_by_id(tenant, a.resource_id).await?;
        let role = match &resource {
            Some(r) => state
                .store
                .app_by_app_id(r.app_id)
                .await?
                .and_then(|app| app.app_role_by_id(a.app_role_id).map(|r| r.value.clone())),
            None => None,
        };
        let api = resource.map(|r| r.display_name).unwrap_or_default();
        app_permissions.push((api, role.unwrap_or_else(|| a.app_role_id.to_string())));
    }
    Ok(EnterpriseApp {
        app_id: sp.app_id.to_string(),
        object_id: sp.id.to_string(),
        name: sp.display_name.clone(),
        enabled: sp.account_enabled,
        assignment_required: sp.app_role_assignment_required,
        built_in: sp.app_id == GRAPH_APP_ID,
        user_roles,
        assigned,
        grants,
        app_permissions,
    })
}

/// A user's name, or a service principal's, in the administrator's tenant.
async fn principal_name(state: &AppState, admin: &Reviewer, id: ObjectId) -> Result<String, Refused> {
    if let Some(user) = state.store.user(admin.tenant.id, id).await? {
        return Ok(user.username);
    }
    if let Some(group) = state.store.group(admin.tenant.id, id).await? {
        return Ok(format!("{} (group)", group.display_name));
    }
    let sp = state.store.service_principal_by_id(admin.tenant.id, id).await?;
    Ok(sp.map_or_else(|| id.to_string(), |sp| sp.display_name))
}

/// Sets "Enabled for users to sign in" and "Assignment required".
pub async fn set_properties(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    (enabled, assignment_required): (bool, bool),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let sp = principal(state, admin, app_id).await?;
    let edit = ServicePrincipalEdit {
        account_enabled: Some(enabled),
        app_role_assignment_required: Some(assignment_required),
    };
    admin::update_service_principal(&state.store, &admin.tenant, &sp, edit, &actor(admin, correlation_id), now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))?;
    Ok(())
}

/// Assigns the user or group `name` (a username, a group's name, or either's object id) to the app
/// role `role` (or default access): a group's members, direct or not, then hold it.
pub async fn assign(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    (name, role): (&str, &str),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let sp = principal(state, admin, app_id).await?;
    let (principal_id, _) = admin::find_member(&state.store, &admin.tenant, name).await.map_err(|_| {
        let tenant = &admin.tenant.display_name;
        Refused::Field(Field::Name, format!("No user or group {} in {tenant}.", name.trim()))
    })?;
    let role: Uuid = role.parse().map_err(|_| Refused::Field(Field::Name, "Choose a role.".into()))?;
    admin::assign_app_role(&state.store, &admin.tenant, &sp, principal_id, role, &actor(admin, correlation_id), now)
        .await
        .map_err(|err| match err {
            AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(Field::Name, message),
            other => Refused::Failed(refusal(other)),
        })?;
    Ok(())
}

/// Removes the assignment `id` to the app.
pub async fn unassign(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    id: &str,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let sp = principal(state, admin, app_id).await?;
    let id: ObjectId = id.parse().map_err(|_| refusal(AdminError::NotFound(format!("assignment {id}"))))?;
    admin::remove_app_role_assignment(&state.store, &admin.tenant, &sp, id, &actor(admin, correlation_id), now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))
}

/// Revokes the delegated grant `id` the app holds.
pub async fn revoke_grant(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    id: &str,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let sp = principal(state, admin, app_id).await?;
    let not_found = || refusal(AdminError::NotFound(format!("grant {id} of this app")));
    let id: ObjectId = id.parse().map_err(|_| not_found())?;
    let grant =
        state.store.grant_by_id(admin.tenant.id, id).await?.filter(|g| g.client_id == sp.id).ok_or_else(not_found)?;
    admin::delete_grant(&state.store, &admin.tenant, &grant, &actor(admin, correlation_id), now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))
}

/// Removes the app from the tenant with everything it was granted and assigned.
pub async fn remove(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let sp = principal(state, admin, app_id).await?;
    admin::delete_service_principal(&state.store, &admin.tenant, &sp, &actor(admin, correlation_id), now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))
}

/// A delegated grant as the page lists it: through whom ("Admin consent" or the user), on which API,
/// which scopes, and when.
#[derive(Clone, Debug)]
pub struct GrantRow {
    pub id: String,
    pub who: String,
    pub api: String,
    pub scope: String,
    pub granted: String,
}
