//! Directory administration: what the CLI, the directory API and the portal do, with the rules a
//! registration must follow. The demo seed and the tests use the same functions.

mod apps;
mod common;
mod credentials;
mod domains;
mod grants;
mod groups;
mod keys;
mod principals;
mod users;

pub use apps::{
    AppEdit, AppSpec, NewScope, add_role, add_scope, app_registration, create_app, delete_app, owned_app, register_app,
    require, require_by, set_verified_publisher, update_app,
};
pub use common::{Actor, AdminError, CLI_ACTOR, check_display_name};
pub use credentials::{
    KeyChanges, KeySpec, SecretSpec, add_cert, add_key, add_password, add_secret, change_keys, remove_key,
    remove_password,
};
pub use domains::{add_domain, remove_domain};
pub use grants::{GrantSpec, create_grant, delete_grant, set_grant_scope};
pub use groups::{
    add_group_member, create_group, delete_group, find_group, find_member, remove_group_member, set_group_claims,
};
pub use keys::rotate_on_schedule;
pub use principals::{
    DEFAULT_ACCESS, ServicePrincipalEdit, add_service_principal, assign_app_role, delete_service_principal,
    remove_app_role_assignment, update_service_principal,
};
pub use users::{UserEdit, UserSpec, create_user, delete_user, find_user, generated_password, update_user};

use serde_json::json;

use crate::clock::UnixTime;
use crate::domain::app::{AppRole, GrantConsentType, PermissionScope, ServicePrincipal, SignInAudience};
use crate::domain::audit::AuditEvent;
use crate::domain::graph::{GRAPH_APP_ID, SYSTEM_TENANT, graph_application};
use crate::domain::ids::AppId;
use crate::domain::policy::{TenantPolicy, UserConsent};
use crate::domain::tenant::{Tenant, normalize_domain};
use crate::store::{Consent, ResourceLookup, Revocation, Store};
use common::Result;

/// The tenant a GUID or verified domain names.
pub async fn tenant(store: &Store, name: &str) -> Result<Tenant> {
    store.resolve_tenant(name).await?.ok_or_else(|| AdminError::NotFound(format!("tenant {name}")))
}

/// Creates a tenant with a verified domain.
pub async fn create_tenant(store: &Store, name: &str, domain: &str, now: UnixTime) -> Result<Tenant> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AdminError::Invalid("the tenant name must not be empty".into()));
    }
    let domain =
        normalize_domain(domain).ok_or_else(|| AdminError::Invalid(format!("'{domain}' is not a domain name")))?;
    let tenant = store.create_tenant(name, &domain, now).await?;
    // The built-in directory API exists in every tenant. Before a server has registered it (a CLI run
    // on a new database), the server adds it to every tenant when it starts.
    if let Some((_, graph)) = store.sp_with_app(SYSTEM_TENANT, GRAPH_APP_ID).await? {
        store.ensure_service_principal(tenant.id, &graph, now).await?;
    }
    Ok(tenant)
}

/// Registers the built-in directory API for `base_url` and gives every tenant its service principal.
pub async fn ensure_builtin_resources(store: &Store, base_url: &str, now: UnixTime) -> Result<()> {
    store.ensure_system_tenant(now).await?;
    let graph = graph_application(base_url);
    store.upsert_builtin_app(&graph, now).await?;
    for tenant in store.list_tenants().await? {
        store.ensure_service_principal(tenant.id, &graph, now).await?;
    }
    Ok(())
}

/// What a tenant-wide consent granted, per resource.
#[derive(Debug, serde::Serialize)]
pub struct GrantedResource {
    pub resource_app_id: AppId,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
}

/// Tenant-wide consent to everything an app requires: the app's service principal in `tenant`, an
/// `AllPrincipals` grant of the delegated permissions and the app role assignments, per resource.
/// Every resource must already have a service principal in the tenant.
pub async fn grant_consent(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    now: UnixTime,
) -> Result<Vec<GrantedResource>> {
    grant_consent_by(store, tenant, app_id, &Actor::cli(), now).await
}

/// [`grant_consent`] by `actor`, as the audit log records it.
pub async fn grant_consent_by(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    actor: &Actor,
    now: UnixTime,
) -> Result<Vec<GrantedResource>> {
    let id: AppId = app_id.parse().map_err(|_| AdminError::Invalid(format!("'{app_id}' is not an appId GUID")))?;
    let app = match store.resource_in_tenant(tenant.id, &id.to_string()).await? {
        ResourceLookup::Found(_, app) | ResourceLookup::NotInTenant(app) => *app,
        ResourceLookup::NotRegistered => return Err(AdminError::NotFound(format!("app {app_id}"))),
    };
    if app.home_tenant != tenant.id && app.sign_in_audience == SignInAudience::AzureADMyOrg {
        return Err(AdminError::Invalid(format!("app {app_id} is single-tenant: only its home tenant can use it")));
    }
    let mut resources = Vec::new();
    for required in &app.required_resource_access {
        let (resource_sp, resource_app) =
            match store.resource_in_tenant(tenant.id, &required.resource_app_id.to_string()).await? {
                ResourceLookup::Found(sp, app) => (sp, *app),
                _ => {
                    return Err(AdminError::Invalid(format!(
                        "resource {} has no service principal in tenant {}: consent to it there first",
                        required.resource_app_id, tenant.id
                    )));
                }
            };
        let scopes: Vec<String> = app.required_scopes(&resource_app).into_iter().map(|s| s.value.clone()).collect();
        let roles: Vec<AppRole> = app.required_app_roles(&resource_app).into_iter().cloned().collect();
        resources.push((resource_sp, scopes, roles, resource_app.app_id));
    }
    let granted: Vec<GrantedResource> = resources
        .iter()
        .map(|(_, scopes, roles, resource_app_id)| GrantedResource {
            resource_app_id: *resource_app_id,
            scopes: scopes.clone(),
            roles: roles.iter().map(|r| r.value.clone()).collect(),
        })
        .collect();
    let consent = Consent {
        consent_type: GrantConsentType::AllPrincipals,
        principal: None,
        delegated: resources
            .iter()
            .filter(|(_, scopes, _, _)| !scopes.is_empty())
            .map(|(sp, scopes, _, _)| (sp.id, scopes.clone()))
            .collect(),
        roles: resources.iter().flat_map(|(sp, _, roles, _)| roles.iter().map(|r| (sp.id, r.id))).collect(),
    };
    let details = json!({ "appId": app.app_id, "consentType": "AllPrincipals", "granted": granted });
    let event = actor.event(now, "consent.admin", format!("app:{}", app.app_id), details);
    store.grant_consent(tenant.id, &app, &consent, &event).await?;
    Ok(granted)
}

/// What `tenant set` changes; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct PolicyChange {
    pub user_consent: Option<UserConsent>,
    pub integrated_apps: Option<bool>,
    pub consent_requests: Option<bool>,
    /// Usernames of the tenant's reviewers; replaces the list when given.
    pub reviewers: Option<Vec<String>>,
    pub request_days: Option<u32>,
    /// The resource owner password credentials grant.
    pub password_grant: Option<bool>,
}

/// Changes the tenant's consent policy. Grants already made are never touched.
pub async fn set_policy(store: &Store, tenant: &Tenant, change: PolicyChange, now: UnixTime) -> Result<TenantPolicy> {
    set_policy_by(store, tenant, change, &Actor::cli(), now).await
}

/// Changes the tenant's consent policy on behalf of `actor`. Grants already made are never touched.
pub async fn set_policy_by(
    store: &Store,
    tenant: &Tenant,
    change: PolicyChange,
    actor: &Actor,
    now: UnixTime,
) -> Result<TenantPolicy> {
    let mut policy = store.tenant_policy(tenant.id).await?;
    if let Some(user_consent) = change.user_consent {
        policy.user_consent = user_consent;
    }
    if let Some(on) = change.integrated_apps {
        policy.integrated_apps = on;
    }
    if let Some(on) = change.consent_requests {
        policy.consent_requests = on;
    }
    if let Some(on) = change.password_grant {
        policy.password_grant = on;
    }
    if let Some(days) = change.request_days {
        if !(1..=365).contains(&days) {
            return Err(AdminError::Invalid(format!("--request-days must be 1 to 365, not {days}")));
        }
        policy.request_days = days;
    }
    if let Some(usernames) = change.reviewers {
        let mut ids = Vec::new();
        for username in usernames {
            let user = store
                .user_by_username(tenant.id, &username.trim().to_ascii_lowercase())
                .await?
                .ok_or_else(|| AdminError::NotFound(format!("user {username} in tenant {}", tenant.id)))?;
            if !ids.contains(&user.id) {
                ids.push(user.id);
            }
        }
        policy.reviewers = ids;
    }
    let event = actor.event(now, "policy.set", format!("tenant:{}", tenant.id), json!(policy));
    store.set_tenant_policy(tenant.id, &policy, &event).await?;
    Ok(policy)
}

/// Classifies a delegated permission of a resource (appId or identifier URI) as low impact in `tenant`,
/// or removes the classification. The resource must have a service principal in the tenant.
pub async fn classify_permission(
    store: &Store,
    tenant: &Tenant,
    resource: &str,
    scope: &str,
    low_impact: bool,
    now: UnixTime,
) -> Result<(AppId, PermissionScope)> {
    classify_permission_by(store, tenant, (resource, scope), low_impact, &Actor::cli(), now).await
}

/// [`classify_permission`] on behalf of `actor`: the resource (appId or identifier URI) and the
/// delegated permission's value.
pub async fn classify_permission_by(
    store: &Store,
    tenant: &Tenant,
    (resource, scope): (&str, &str),
    low_impact: bool,
    actor: &Actor,
    now: UnixTime,
) -> Result<(AppId, PermissionScope)> {
    let resource_app = match store.resource_in_tenant(tenant.id, resource).await? {
        ResourceLookup::Found(_, app) => *app,
        ResourceLookup::NotInTenant(_) => {
            return Err(AdminError::Invalid(format!(
                "resource {resource} has no service principal in tenant {}",
                tenant.id
            )));
        }
        ResourceLookup::NotRegistered => return Err(AdminError::NotFound(format!("resource {resource}"))),
    };
    let permission = resource_app
        .scope(scope)
        .cloned()
        .ok_or_else(|| AdminError::NotFound(format!("delegated permission {scope} of {resource}")))?;
    let details = json!({ "resourceAppId": resource_app.app_id, "scope": permission.value, "lowImpact": low_impact });
    let target = format!("permission:{}/{}", resource_app.app_id, permission.value);
    let event = actor.event(now, "permission.classify", target, details);
    store.classify_permission(tenant.id, resource_app.app_id, permission.id, low_impact, &event).await?;
    Ok((resource_app.app_id, permission))
}

/// The service principal of the app `app_id` in `tenant`.
async fn tenant_sp(store: &Store, tenant: &Tenant, app_id: &str) -> Result<ServicePrincipal> {
    let id: AppId = app_id.parse().map_err(|_| AdminError::Invalid(format!("'{app_id}' is not an appId GUID")))?;
    store
        .service_principal(tenant.id, id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("service principal of app {app_id} in tenant {}", tenant.id)))
}

/// What to revoke of an app's consents in a tenant: everything, or one user's own grants, or what is
/// on one resource (its identifier URI or appId), or one app role (by value) of that resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct RevokeWhat<'a> {
    pub user: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub role: Option<&'a str>,
}

/// Revokes the app's consents in `tenant` as `what` narrows them. Refresh tokens that relied on them
/// stop working; issued access tokens run out.
pub async fn revoke_consent(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    what: RevokeWhat<'_>,
    now: UnixTime,
) -> Result<u64> {
    if what.role.is_some() && (what.resource.is_none() || what.user.is_some()) {
        return Err(AdminError::Invalid(
            "an app role is revoked on one resource (--resource) and is the app's, not a user's".into(),
        ));
    }
    let sp = tenant_sp(store, tenant, app_id).await?;
    let resource = match what.resource {
        Some(named) => match store.resource_in_tenant(tenant.id, named).await? {
            ResourceLookup::Found(sp, app) => Some((sp, app)),
            _ => return Err(AdminError::NotFound(format!("resource {named} in tenant {}", tenant.id))),
        },
        None => None,
    };
    let role = match (what.role, &resource) {
        (Some(value), Some((_, app))) => Some(
            app.app_role(value)
                .ok_or_else(|| AdminError::NotFound(format!("app role {value} of {}", app.display_name)))?
                .id,
        ),
        _ => None,
    };
    let user = match what.user {
        Some(name) => Some(
            store
                .user_by_username(tenant.id, &name.trim().to_ascii_lowercase())
                .await?
                .ok_or_else(|| AdminError::NotFound(format!("user {name} in tenant {}", tenant.id)))?,
        ),
        None => None,
    };
    let details = json!({
        "appId": sp.app_id,
        "user": user.as_ref().map(|u| u.username.clone()),
        "resource": resource.as_ref().map(|(_, app)| app.app_id),
        "role": what.role,
    });
    let event = cli_event(now, "consent.revoke", format!("app:{}", sp.app_id), details);
    let revocation = Revocation {
        user: user.map(|u| u.id),
        resource: resource.map(|(sp, _)| sp.id),
        role,
        admin_consent_only: false,
    };
    Ok(store.revoke_consent(tenant.id, sp.id, revocation, &event).await?)
}

/// Revokes what an administrator granted the app for everyone in `tenant` ("Revoke admin consent"):
/// its tenant-wide delegated grants and its application permissions. What users consented to for
/// themselves stays. Returns how many grants and assignments were removed.
pub async fn revoke_admin_consent_by(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    actor: &Actor,
    now: UnixTime,
) -> Result<u64> {
    let sp = tenant_sp(store, tenant, app_id).await?;
    let details = json!({ "appId": sp.app_id, "adminConsentOnly": true });
    let event = actor.event(now, "consent.revoke", format!("app:{}", sp.app_id), details);
    let revocation = Revocation { admin_consent_only: true, ..Revocation::default() };
    Ok(store.revoke_consent(tenant.id, sp.id, revocation, &event).await?)
}

/// Removes the app's service principal from `tenant`, with every grant and assignment it holds.
pub async fn remove_service_principal(store: &Store, tenant: &Tenant, app_id: &str, now: UnixTime) -> Result<()> {
    let sp = tenant_sp(store, tenant, app_id).await?;
    delete_service_principal(store, tenant, &sp, &Actor::cli(), now).await
}

/// An audit event of a command-line change.
fn cli_event(now: UnixTime, action: &str, target: String, details: serde_json::Value) -> AuditEvent {
    Actor::cli().event(now, action, target, details)
}
