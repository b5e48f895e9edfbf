//! App registrations: register, change under the registration rules, expose scopes and roles, require permissions.

use serde_json::json;
use uuid::Uuid;

use super::common::{Actor, AdminError, Result, check_display_name};
use super::principals::add_service_principal;
use crate::clock::UnixTime;
use crate::domain::app::{
    AccessTokenVersion, AccessType, AppRole, Application, ConsentType, MemberType, PermissionScope,
    RequiredResourceAccess, ResourceAccess, SignInAudience,
};
use crate::domain::audit::app_target;
use crate::domain::group::GroupMembershipClaims;
use crate::domain::ids::{AppId, ObjectId};
use crate::domain::redirect_uri::{self, Platform};
use crate::domain::tenant::Tenant;
use crate::store::{ResourceLookup, Store};

/// What `app create` takes.
#[derive(Clone, Debug, Default)]
pub struct AppSpec {
    pub name: String,
    pub multi_tenant: bool,
    pub redirect_uris: Vec<String>,
    pub public_client: bool,
    pub identifier_uris: Vec<String>,
    /// Single-page app redirect URIs (`--spa-redirect-uri`).
    pub spa_redirect_uris: Vec<String>,
}

/// Registers an app in `tenant`, with its service principal there (the command line's `app create`).
pub async fn create_app(store: &Store, tenant: &Tenant, spec: AppSpec, now: UnixTime) -> Result<Application> {
    let (web, public) =
        if spec.public_client { (Vec::new(), spec.redirect_uris) } else { (spec.redirect_uris, Vec::new()) };
    let edit = AppEdit {
        display_name: Some(spec.name),
        sign_in_audience: Some(if spec.multi_tenant {
            SignInAudience::AzureADMultipleOrgs
        } else {
            SignInAudience::AzureADMyOrg
        }),
        identifier_uris: Some(spec.identifier_uris),
        web_redirect_uris: Some(web),
        public_client_redirect_uris: Some(public),
        spa_redirect_uris: Some(spec.spa_redirect_uris),
        is_public_client: Some(spec.public_client),
        ..AppEdit::default()
    };
    let app = register_app(store, tenant, edit, &Actor::cli(), now).await?;
    // As Entra's portal does, the command line adds the app to its tenant at once.
    add_service_principal(store, tenant, app.app_id, &Actor::cli(), now).await?;
    Ok(app)
}

/// A registration's settable properties, as the directory API writes them: `None` keeps the current
/// value (for a new registration, the default: none of each, single tenant, confidential).
#[derive(Clone, Debug, Default)]
pub struct AppEdit {
    pub display_name: Option<String>,
    pub sign_in_audience: Option<SignInAudience>,
    pub identifier_uris: Option<Vec<String>>,
    pub web_redirect_uris: Option<Vec<String>>,
    pub public_client_redirect_uris: Option<Vec<String>>,
    pub spa_redirect_uris: Option<Vec<String>>,
    pub is_public_client: Option<bool>,
    pub scopes: Option<Vec<PermissionScope>>,
    pub app_roles: Option<Vec<AppRole>>,
    pub required_resource_access: Option<Vec<RequiredResourceAccess>>,
    pub verified_publisher: Option<bool>,
    pub group_membership_claims: Option<GroupMembershipClaims>,
    pub access_token_version: Option<AccessTokenVersion>,
}

impl AppEdit {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.names().is_empty()
    }

    /// The names of the properties it sets, for the audit log.
    fn names(&self) -> Vec<&'static str> {
        [
            ("displayName", self.display_name.is_some()),
            ("signInAudience", self.sign_in_audience.is_some()),
            ("identifierUris", self.identifier_uris.is_some()),
            ("web", self.web_redirect_uris.is_some()),
            ("publicClient", self.public_client_redirect_uris.is_some()),
            ("spa", self.spa_redirect_uris.is_some()),
            ("isFallbackPublicClient", self.is_public_client.is_some()),
            ("api", self.scopes.is_some()),
            ("appRoles", self.app_roles.is_some()),
            ("requiredResourceAccess", self.required_resource_access.is_some()),
            ("verifiedPublisher", self.verified_publisher.is_some()),
            ("groupMembershipClaims", self.group_membership_claims.is_some()),
            ("api.requestedAccessTokenVersion", self.access_token_version.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }

    fn apply(self, app: &mut Application) {
        let Self {
            display_name,
            sign_in_audience,
            identifier_uris,
            web_redirect_uris,
            public_client_redirect_uris,
            spa_redirect_uris,
            is_public_client,
            scopes,
            app_roles,
            required_resource_access,
            verified_publisher,
            group_membership_claims,
            access_token_version,
        } = self;
        if let Some(name) = display_name {
            app.display_name = name.trim().to_owned();
        }
        app.sign_in_audience = sign_in_audience.unwrap_or(app.sign_in_audience);
        app.identifier_uris = identifier_uris.unwrap_or_else(|| std::mem::take(&mut app.identifier_uris));
        app.web_redirect_uris = web_redirect_uris.unwrap_or_else(|| std::mem::take(&mut app.web_redirect_uris));
        app.public_client_redirect_uris =
            public_client_redirect_uris.unwrap_or_else(|| std::mem::take(&mut app.public_client_redirect_uris));
        app.spa_redirect_uris = spa_redirect_uris.unwrap_or_else(|| std::mem::take(&mut app.spa_redirect_uris));
        app.is_public_client = is_public_client.unwrap_or(app.is_public_client);
        app.scopes = scopes.unwrap_or_else(|| std::mem::take(&mut app.scopes));
        app.app_roles = app_roles.unwrap_or_else(|| std::mem::take(&mut app.app_roles));
        app.required_resource_access =
            required_resource_access.unwrap_or_else(|| std::mem::take(&mut app.required_resource_access));
        app.verified_publisher = verified_publisher.unwrap_or(app.verified_publisher);
        app.group_membership_claims = group_membership_claims.unwrap_or(app.group_membership_claims);
        app.access_token_version = access_token_version.unwrap_or(app.access_token_version);
    }
}

/// Registers an app in `tenant` as `edit` describes it (a display name is required). As with Graph,
/// the registration alone: its service principal is added with [`add_service_principal`].
pub async fn register_app(
    store: &Store,
    tenant: &Tenant,
    edit: AppEdit,
    actor: &Actor,
    now: UnixTime,
) -> Result<Application> {
    if edit.display_name.is_none() {
        return Err(AdminError::Invalid("an application needs a displayName".into()));
    }
    let mut app = Application {
        id: ObjectId::new_random(),
        app_id: AppId::new_random(),
        home_tenant: tenant.id,
        display_name: String::new(),
        sign_in_audience: SignInAudience::AzureADMyOrg,
        identifier_uris: Vec::new(),
        web_redirect_uris: Vec::new(),
        public_client_redirect_uris: Vec::new(),
        spa_redirect_uris: Vec::new(),
        group_membership_claims: GroupMembershipClaims::None,
        access_token_version: AccessTokenVersion::V2,
        is_public_client: false,
        scopes: Vec::new(),
        app_roles: Vec::new(),
        required_resource_access: Vec::new(),
        verified_publisher: false,
    };
    edit.apply(&mut app);
    check_registration(store, tenant, &app, None).await?;
    let details = json!({ "appId": app.app_id, "displayName": app.display_name });
    let event = actor.event(now, "app.create", app_target(app.app_id), details);
    store.create_app(tenant.id, &app, false, now, Some(&event)).await?;
    Ok(app)
}

/// Changes an app registered in `tenant` as `edit` says, under the rules a new registration follows.
pub async fn update_app(
    store: &Store,
    tenant: &Tenant,
    app: &Application,
    edit: AppEdit,
    actor: &Actor,
    now: UnixTime,
) -> Result<Application> {
    let details = json!({ "appId": app.app_id, "changed": edit.names() });
    let mut changed = app.clone();
    edit.apply(&mut changed);
    check_registration(store, tenant, &changed, Some(app)).await?;
    let event = actor.event(now, "app.update", app_target(app.app_id), details);
    store.save_app(tenant.id, &changed, Some(&event)).await?;
    Ok(changed)
}

/// Deletes an app registered in `tenant`, with its credentials and its service principals and what
/// they were granted, in every tenant.
pub async fn delete_app(store: &Store, tenant: &Tenant, app: &Application, actor: &Actor, now: UnixTime) -> Result<()> {
    let details = json!({ "appId": app.app_id, "displayName": app.display_name });
    let event = actor.event(now, "app.delete", app_target(app.app_id), details);
    Ok(store.delete_app(tenant.id, app.app_id, &event).await?)
}

/// The most redirect URIs and identifier URIs an app may have (Entra's limit).
const MAX_URIS: usize = 256;

/// The rules a registration follows after any change. `before` is the registration as it was: an
/// enabled scope or app role must be disabled before it is removed, as Entra requires, so that no
/// client loses a permission it was using without notice.
async fn check_registration(
    store: &Store,
    tenant: &Tenant,
    app: &Application,
    before: Option<&Application>,
) -> Result<()> {
    check_display_name(&app.display_name)?;
    for (uris, platform) in [
        (&app.web_redirect_uris, Platform::Web),
        (&app.public_client_redirect_uris, Platform::PublicClient),
        (&app.spa_redirect_uris, Platform::Spa),
    ] {
        check_list(uris, "redirect URI")?;
        for uri in uris {
            redirect_uri::check(uri, platform).map_err(|e| AdminError::Invalid(e.to_string()))?;
        }
    }
    check_list(&app.identifier_uris, "identifier URI")?;
    for uri in &app.identifier_uris {
        check_identifier_uri(uri)?;
        if store.app_with_identifier_uri(uri).await?.is_some_and(|owner| owner != app.app_id) {
            return Err(AdminError::Conflict(format!("identifier URI {uri} is already used by another app")));
        }
    }
    check_permissions(app, before)?;
    // An entry the app already had was checked when it was added (or added by the operator for a
    // resource of another tenant, see `require`); a change to anything else must not trip on it.
    let had = |required: &RequiredResourceAccess| before.is_some_and(|b| b.required_resource_access.contains(required));
    for required in &app.required_resource_access {
        let resource_id = required.resource_app_id;
        if app.required_resource_access.iter().filter(|r| r.resource_app_id == resource_id).count() > 1 {
            return Err(AdminError::Invalid(format!(
                "resource {resource_id} is listed twice in requiredResourceAccess"
            )));
        }
        if !had(required) {
            check_required(store, tenant, required).await?;
        }
    }
    Ok(())
}

fn check_list(items: &[String], what: &str) -> Result<()> {
    if items.len() > MAX_URIS {
        return Err(AdminError::Invalid(format!("an app can have at most {MAX_URIS} of each {what}")));
    }
    if let Some(repeated) = items.iter().enumerate().find_map(|(i, a)| items.iter().skip(i + 1).find(|b| *b == a)) {
        return Err(AdminError::Invalid(format!("{what} {repeated} is listed twice")));
    }
    Ok(())
}

/// Scopes and app roles: valid unique values, unique ids, roles assignable to someone, and nothing
/// enabled removed.
fn check_permissions(app: &Application, before: Option<&Application>) -> Result<()> {
    let mut values: Vec<String> = Vec::new();
    let mut ids: Vec<Uuid> = Vec::new();
    let scopes = app.scopes.iter().map(|s| (s.id, s.value.as_str(), "scope"));
    for (id, value, kind) in scopes.chain(app.app_roles.iter().map(|r| (r.id, r.value.as_str(), "app role"))) {
        check_value(value)?;
        if values.iter().any(|v| v.eq_ignore_ascii_case(value)) {
            return Err(AdminError::Invalid(format!("the value {value} of a {kind} is used twice")));
        }
        if ids.contains(&id) {
            return Err(AdminError::Invalid(format!("the id {id} of a {kind} is used twice")));
        }
        values.push(value.to_owned());
        ids.push(id);
    }
    for scope in &app.scopes {
        if scope.admin_consent_display_name.trim().is_empty() || scope.admin_consent_description.trim().is_empty() {
            return Err(AdminError::Invalid(format!(
                "scope {} needs an adminConsentDisplayName and an adminConsentDescription",
                scope.value
            )));
        }
    }
    for role in &app.app_roles {
        if role.allowed_member_types.is_empty() || role.display_name.trim().is_empty() {
            return Err(AdminError::Invalid(format!(
                "app role {} needs a displayName and at least one allowedMemberTypes",
                role.value
            )));
        }
    }
    let Some(before) = before else { return Ok(()) };
    let removed_scope = before.scopes.iter().filter(|s| s.is_enabled).find(|s| !ids.contains(&s.id));
    let removed_role = before.app_roles.iter().filter(|r| r.is_enabled).find(|r| !ids.contains(&r.id));
    if let Some(value) = removed_scope.map(|s| &s.value).or(removed_role.map(|r| &r.value)) {
        return Err(AdminError::Invalid(format!("{value} is enabled: set its isEnabled to false before removing it")));
    }
    Ok(())
}

/// A required resource: registered, usable from this tenant, and defining each permission named.
async fn check_required(store: &Store, tenant: &Tenant, required: &RequiredResourceAccess) -> Result<()> {
    let resource_id = required.resource_app_id;
    let resource = match store.app_by_app_id(resource_id).await? {
        Some(resource)
            if resource.home_tenant == tenant.id || resource.sign_in_audience != SignInAudience::AzureADMyOrg =>
        {
            resource
        }
        _ => return Err(AdminError::Invalid(format!("resource app {resource_id} was not found"))),
    };
    for access in &required.resource_access {
        let known = match access.access_type {
            AccessType::Scope => resource.scopes.iter().any(|s| s.id == access.id),
            AccessType::Role => resource
                .app_roles
                .iter()
                .any(|r| r.id == access.id && r.allowed_member_types.contains(&MemberType::Application)),
        };
        if !known {
            return Err(AdminError::Invalid(format!(
                "resource {resource_id} defines no {:?} permission with id {}",
                access.access_type, access.id
            )));
        }
    }
    Ok(())
}

/// Identifier URIs are absolute URIs without query or fragment, e.g. `api://{appId}` or `https://host/api`.
fn check_identifier_uri(uri: &str) -> Result<()> {
    let parsed = url::Url::parse(uri).map_err(|e| AdminError::Invalid(format!("identifier URI '{uri}': {e}")))?;
    if parsed.query().is_some() || parsed.fragment().is_some() || uri.ends_with("/.default") {
        return Err(AdminError::Invalid(format!("identifier URI '{uri}' must have no query, fragment or /.default")));
    }
    Ok(())
}

/// The registration of `app_id`, wherever it lives (to read the roles and scopes it defines).
pub async fn app_registration(store: &Store, app_id: AppId) -> Result<Application> {
    store.app_by_app_id(app_id).await?.ok_or_else(|| AdminError::NotFound(format!("app {app_id}")))
}

/// An app of `tenant`, for changing it.
pub async fn owned_app(store: &Store, tenant: &Tenant, app_id: &str) -> Result<Application> {
    let id: AppId = app_id.parse().map_err(|_| AdminError::Invalid(format!("'{app_id}' is not an appId GUID")))?;
    store
        .app_in_tenant(tenant.id, id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("app {app_id} in tenant {}", tenant.id)))
}

fn check_value(value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 120
        && !value.starts_with('.')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AdminError::Invalid(format!("'{value}' is not a valid permission value (letters, digits, . _ - :)")))
    }
}

/// A delegated permission to expose: its value, who may consent to it, and what consent shows.
#[derive(Clone, Copy, Debug)]
pub struct NewScope<'a> {
    pub value: &'a str,
    pub admin_consent_only: bool,
    pub display_name: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// Exposes a delegated permission on an app of `tenant` (the command line's `app add-scope`).
pub async fn add_scope(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    new: NewScope<'_>,
    now: UnixTime,
) -> Result<PermissionScope> {
    let NewScope { value, admin_consent_only, display_name, description } = new;
    check_value(value)?;
    let app = owned_app(store, tenant, app_id).await?;
    if app.scope(value).is_some() {
        return Err(AdminError::Conflict(format!("the app already exposes scope {value}")));
    }
    let display = display_name.map_or_else(|| value.to_owned(), str::to_owned);
    let description = description.map_or_else(|| format!("Allows the app to {value} on your behalf."), str::to_owned);
    let scope = PermissionScope {
        id: Uuid::new_v4(),
        value: value.to_owned(),
        consent_type: if admin_consent_only { ConsentType::Admin } else { ConsentType::User },
        admin_consent_display_name: display.clone(),
        admin_consent_description: description.clone(),
        user_consent_display_name: display,
        user_consent_description: description,
        is_enabled: true,
    };
    let scopes = app.scopes.iter().cloned().chain([scope.clone()]).collect();
    let edit = AppEdit { scopes: Some(scopes), ..AppEdit::default() };
    update_app(store, tenant, &app, edit, &Actor::cli(), now).await?;
    Ok(scope)
}

/// Defines an app role (assignable to applications and users) on an app of `tenant`.
pub async fn add_role(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    value: &str,
    display_name: Option<&str>,
    now: UnixTime,
) -> Result<AppRole> {
    check_value(value)?;
    let app = owned_app(store, tenant, app_id).await?;
    if app.app_role(value).is_some() {
        return Err(AdminError::Conflict(format!("the app already defines role {value}")));
    }
    let display = display_name.map_or_else(|| value.to_owned(), str::to_owned);
    let role = AppRole {
        id: Uuid::new_v4(),
        value: value.to_owned(),
        description: display.clone(),
        display_name: display,
        allowed_member_types: vec![MemberType::Application, MemberType::User],
        is_enabled: true,
    };
    let roles = app.app_roles.iter().cloned().chain([role.clone()]).collect();
    let edit = AppEdit { app_roles: Some(roles), ..AppEdit::default() };
    update_app(store, tenant, &app, edit, &Actor::cli(), now).await?;
    Ok(role)
}

/// Marks an app of `tenant` as from a verified publisher, or not. Under the `low-impact` user-consent
/// policy, users of other tenants may consent only to apps of verified publishers.
pub async fn set_verified_publisher(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    verified: bool,
    now: UnixTime,
) -> Result<Application> {
    let app = owned_app(store, tenant, app_id).await?;
    let edit = AppEdit { verified_publisher: Some(verified), ..AppEdit::default() };
    update_app(store, tenant, &app, edit, &Actor::cli(), now).await
}

/// Adds delegated and application permissions of `resource` to an app's required permissions (the
/// command line's `app require`).
pub async fn require(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    resource: &str,
    scopes: &[String],
    roles: &[String],
    now: UnixTime,
) -> Result<RequiredResourceAccess> {
    require_by(store, tenant, app_id, (resource, scopes, roles), &Actor::cli(), now).await
}

/// [`require`] by `actor`, as the audit log records it.
pub async fn require_by(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    (resource, scopes, roles): (&str, &[String], &[String]),
    actor: &Actor,
    now: UnixTime,
) -> Result<RequiredResourceAccess> {
    let app = owned_app(store, tenant, app_id).await?;
    let resource_app = match store.resource_in_tenant(tenant.id, resource).await? {
        ResourceLookup::Found(_, app) | ResourceLookup::NotInTenant(app) => *app,
        ResourceLookup::NotRegistered => return Err(AdminError::NotFound(format!("resource {resource}"))),
    };
    if scopes.is_empty() && roles.is_empty() {
        return Err(AdminError::Invalid("name at least one --scope or --role".into()));
    }
    let mut wanted = Vec::new();
    for value in scopes {
        let scope =
            resource_app.scope(value).ok_or_else(|| AdminError::NotFound(format!("scope {value} of {resource}")))?;
        wanted.push(ResourceAccess { id: scope.id, access_type: AccessType::Scope });
    }
    for value in roles {
        let role =
            resource_app.app_role(value).ok_or_else(|| AdminError::NotFound(format!("role {value} of {resource}")))?;
        if !role.allowed_member_types.contains(&MemberType::Application) {
            return Err(AdminError::Invalid(format!("role {value} cannot be assigned to applications")));
        }
        wanted.push(ResourceAccess { id: role.id, access_type: AccessType::Role });
    }
    let mut required = app.required_resource_access.clone();
    if !required.iter().any(|r| r.resource_app_id == resource_app.app_id) {
        required.push(RequiredResourceAccess { resource_app_id: resource_app.app_id, resource_access: Vec::new() });
    }
    let entry = required
        .iter_mut()
        .find(|r| r.resource_app_id == resource_app.app_id)
        .ok_or_else(|| AdminError::Internal("the resource's entry was just added".into()))?;
    for access in wanted {
        if !entry.resource_access.contains(&access) {
            entry.resource_access.push(access);
        }
    }
    let result = entry.clone();
    // Saved without `check_registration`: the operator may name a resource of any tenant, for an app
    // that will be consented to there, which the directory API does not let a tenant probe for.
    let details = json!({ "appId": app.app_id, "changed": ["requiredResourceAccess"] });
    let event = actor.event(now, "app.update", app_target(app.app_id), details);
    let changed = Application { required_resource_access: required, ..app };
    store.save_app(tenant.id, &changed, Some(&event)).await?;
    Ok(result)
}
