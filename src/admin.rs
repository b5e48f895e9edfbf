//! Directory administration: what the CLI (and later the management API) does, with the rules a
//! registration must follow. The demo seed and the tests use the same functions.

use serde_json::json;
use uuid::Uuid;

use crate::clock::UnixTime;
use crate::domain::app::{
    AccessType, AppRole, Application, ConsentType, GrantConsentType, KeyCredential, MemberType, PasswordCredential,
    PermissionScope, RequiredResourceAccess, ResourceAccess, ServicePrincipal, SignInAudience,
};
use crate::domain::audit::AuditEvent;
use crate::domain::graph::{GRAPH_APP_ID, SYSTEM_TENANT, graph_application};
use crate::domain::ids::{AppId, ObjectId};
use crate::domain::policy::{TenantPolicy, UserConsent};
use crate::domain::redirect_uri::{self, Platform};
use crate::domain::tenant::{Tenant, normalize_domain};
use crate::seal::KeyEncryptionKey;
use crate::secrets::{ClientSecret, hash_client_secret, hash_password};
use crate::signing::material::{certificate_der_from_pem, read_rsa_certificate, thumbprint_sha1, thumbprint_sha256};
use crate::store::{Consent, NewApplication, NewUser, ResourceLookup, Revocation, Store, StoreError, User, UserChange};

/// Why an administrative change was refused. `Invalid`, `NotFound` and `Conflict` are the caller's
/// to fix; `Internal` is ours.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AdminError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => Self::NotFound(what.to_owned()),
            StoreError::Conflict(why) => Self::Conflict(why),
            other => Self::Internal(other.to_string()),
        }
    }
}

type Result<T> = std::result::Result<T, AdminError>;

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

/// Who makes a change, as the audit log names it, with the correlation id of the request it came in.
#[derive(Clone, Debug)]
pub struct Actor {
    pub name: String,
    pub correlation_id: Uuid,
}

impl Actor {
    /// The command line. Each command is its own correlation: there is no client request whose id it
    /// could carry.
    pub fn cli() -> Self {
        Self { name: CLI_ACTOR.to_owned(), correlation_id: Uuid::new_v4() }
    }

    fn event(&self, now: UnixTime, action: &str, target: String, details: serde_json::Value) -> AuditEvent {
        AuditEvent::new(now, self.correlation_id, self.name.clone(), action, target, details)
    }
}

/// A user to create.
#[derive(Clone, Copy, Debug)]
pub struct UserSpec<'a> {
    /// `name@{a verified domain of the tenant}`.
    pub username: &'a str,
    pub password: &'a str,
    /// The local part of the username when not given.
    pub display_name: Option<&'a str>,
    pub is_admin: bool,
    pub account_enabled: bool,
}

impl<'a> UserSpec<'a> {
    /// An enabled member (not an admin) with this username and password.
    pub fn new(username: &'a str, password: &'a str) -> Self {
        Self { username, password, display_name: None, is_admin: false, account_enabled: true }
    }
}

/// The longest display name and password accepted (Entra's limits).
const MAX_DISPLAY_NAME: usize = 256;
const MAX_PASSWORD: usize = 256;

/// Creates a user of `tenant`.
pub async fn create_user(
    store: &Store,
    tenant: &Tenant,
    spec: UserSpec<'_>,
    actor: &Actor,
    now: UnixTime,
) -> Result<User> {
    let username = spec.username.trim().to_ascii_lowercase();
    let local = check_username(tenant, &username)?;
    let display_name = match spec.display_name {
        Some(name) => check_display_name(name)?,
        None => local.to_owned(),
    };
    let password_hash = hash_new_password(spec.password).await?;
    let details =
        json!({ "userPrincipalName": username, "isAdmin": spec.is_admin, "accountEnabled": spec.account_enabled });
    let new = NewUser {
        username: username.clone(),
        display_name,
        password_hash,
        is_admin: spec.is_admin,
        account_enabled: spec.account_enabled,
    };
    // The id is the store's to draw; the event names the user by its UPN.
    let event = actor.event(now, "user.create", format!("user:{username}"), details);
    Ok(store.create_user(tenant.id, new, now, Some(&event)).await?)
}

/// The local part of `username` when it is `name@{a verified domain of the tenant}` with a name Entra
/// accepts: letters, digits and `' . - _ ! # ^ ~`, at most 64, not starting or ending with a dot.
fn check_username<'a>(tenant: &Tenant, username: &'a str) -> Result<&'a str> {
    let Some((local, domain)) = username.split_once('@').filter(|(l, _)| !l.is_empty()) else {
        return Err(AdminError::Invalid(format!("username '{username}' must look like name@domain")));
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "'.-_!#^~".contains(c);
    if local.len() > 64 || !local.chars().all(allowed) || local.starts_with('.') || local.ends_with('.') {
        return Err(AdminError::Invalid(format!(
            "'{local}' is not a valid user name: use at most 64 letters, digits and ' . - _ ! # ^ ~"
        )));
    }
    if !tenant.domains.iter().any(|d| d == domain) {
        return Err(AdminError::Invalid(format!(
            "'{domain}' is not a verified domain of tenant {} ({})",
            tenant.id,
            tenant.domains.join(", ")
        )));
    }
    Ok(local)
}

fn check_display_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(format!(
            "the display name must have 1 to {MAX_DISPLAY_NAME} characters and no control characters"
        )));
    }
    Ok(name.to_owned())
}

/// The argon2 hash of a new password, computed off the async workers.
async fn hash_new_password(password: &str) -> Result<String> {
    let length = password.chars().count();
    if !(8..=MAX_PASSWORD).contains(&length) {
        return Err(AdminError::Invalid(format!("the password must have 8 to {MAX_PASSWORD} characters")));
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))?
        .map_err(|e| AdminError::Internal(e.to_string()))
}

/// The user of `tenant` that `key` names: its object id or its user principal name.
pub async fn find_user(store: &Store, tenant: &Tenant, key: &str) -> Result<User> {
    let found = match key.parse::<ObjectId>() {
        Ok(id) => store.user(tenant.id, id).await?,
        Err(_) => store.user_by_username(tenant.id, key.trim()).await?,
    };
    found.ok_or_else(|| AdminError::NotFound(format!("user {key} in tenant {}", tenant.id)))
}

/// A change to a user; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct UserEdit {
    pub display_name: Option<String>,
    /// `false` blocks sign-in: the user's sessions end and its refresh tokens are revoked.
    pub account_enabled: Option<bool>,
    pub is_admin: Option<bool>,
    /// A new password (a reset): the user's sessions end and its refresh tokens are revoked.
    pub password: Option<String>,
}

/// Changes a user of `tenant`. The tenant's last enabled administrator cannot be blocked or demoted.
pub async fn update_user(
    store: &Store,
    tenant: &Tenant,
    user: &User,
    edit: UserEdit,
    actor: &Actor,
    now: UnixTime,
) -> Result<User> {
    let display_name = edit.display_name.as_deref().map(check_display_name).transpose()?;
    let password_hash = match &edit.password {
        Some(password) => Some(hash_new_password(password).await?),
        None => None,
    };
    if edit.account_enabled == Some(false) || edit.is_admin == Some(false) {
        keep_an_administrator(store, tenant, user, "blocked or made a member").await?;
    }
    let mut changed = Vec::new();
    for (name, set) in [
        ("displayName", display_name.is_some()),
        ("accountEnabled", edit.account_enabled.is_some()),
        ("isAdmin", edit.is_admin.is_some()),
        ("passwordProfile", password_hash.is_some()),
    ] {
        if set {
            changed.push(name);
        }
    }
    let details = json!({
        "userPrincipalName": user.username,
        "changed": changed,
        "accountEnabled": edit.account_enabled,
        "isAdmin": edit.is_admin,
    });
    let event = actor.event(now, "user.update", format!("user:{}", user.id), details);
    let change =
        UserChange { display_name, account_enabled: edit.account_enabled, is_admin: edit.is_admin, password_hash };
    Ok(store.update_user(tenant.id, user.id, &change, &event).await?)
}

/// Deletes a user of `tenant`, with its sessions, tokens, consents and role assignments. The tenant's
/// last enabled administrator cannot be deleted.
pub async fn delete_user(store: &Store, tenant: &Tenant, user: &User, actor: &Actor, now: UnixTime) -> Result<()> {
    keep_an_administrator(store, tenant, user, "deleted").await?;
    let details = json!({ "userPrincipalName": user.username });
    let event = actor.event(now, "user.delete", format!("user:{}", user.id), details);
    Ok(store.delete_user(tenant.id, user.id, &event).await?)
}

/// Refuses a change that would leave `tenant` without an enabled administrator.
async fn keep_an_administrator(store: &Store, tenant: &Tenant, user: &User, done: &str) -> Result<()> {
    if !(user.is_admin && user.account_enabled) {
        return Ok(());
    }
    let others = store.enabled_admins(tenant.id, 2).await?.into_iter().filter(|id| *id != user.id).count();
    if others == 0 {
        return Err(AdminError::Conflict(format!(
            "{} is the tenant's last enabled administrator and cannot be {done}",
            user.username
        )));
    }
    Ok(())
}

/// What `app create` takes.
#[derive(Clone, Debug, Default)]
pub struct AppSpec {
    pub name: String,
    pub multi_tenant: bool,
    pub redirect_uris: Vec<String>,
    pub public_client: bool,
    pub identifier_uris: Vec<String>,
}

/// Registers an app in `tenant`, with its service principal there.
pub async fn create_app(store: &Store, tenant: &Tenant, spec: AppSpec, now: UnixTime) -> Result<Application> {
    let name = spec.name.trim();
    if name.is_empty() {
        return Err(AdminError::Invalid("the app name must not be empty".into()));
    }
    let platform = if spec.public_client { Platform::PublicClient } else { Platform::Web };
    for uri in &spec.redirect_uris {
        redirect_uri::check(uri, platform).map_err(|e| AdminError::Invalid(e.to_string()))?;
    }
    for uri in &spec.identifier_uris {
        check_identifier_uri(uri)?;
    }
    let (web, public): (Vec<String>, Vec<String>) =
        if spec.public_client { (Vec::new(), spec.redirect_uris) } else { (spec.redirect_uris, Vec::new()) };
    let new = NewApplication {
        display_name: name.to_owned(),
        sign_in_audience: if spec.multi_tenant {
            SignInAudience::AzureADMultipleOrgs
        } else {
            SignInAudience::AzureADMyOrg
        },
        identifier_uris: spec.identifier_uris,
        web_redirect_uris: web,
        public_client_redirect_uris: public,
        is_public_client: spec.public_client,
    };
    Ok(store.create_app(tenant.id, new, now).await?)
}

/// Identifier URIs are absolute URIs without query or fragment, e.g. `api://{appId}` or `https://host/api`.
fn check_identifier_uri(uri: &str) -> Result<()> {
    let parsed = url::Url::parse(uri).map_err(|e| AdminError::Invalid(format!("identifier URI '{uri}': {e}")))?;
    if parsed.query().is_some() || parsed.fragment().is_some() || uri.ends_with("/.default") {
        return Err(AdminError::Invalid(format!("identifier URI '{uri}' must have no query, fragment or /.default")));
    }
    Ok(())
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

/// Exposes a delegated permission on an app of `tenant`.
pub async fn add_scope(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    value: &str,
    admin_consent_only: bool,
    display_name: Option<&str>,
    description: Option<&str>,
) -> Result<PermissionScope> {
    check_value(value)?;
    let mut app = owned_app(store, tenant, app_id).await?;
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
    app.scopes.push(scope.clone());
    store.save_app(tenant.id, &app).await?;
    Ok(scope)
}

/// Defines an app role (assignable to applications and users) on an app of `tenant`.
pub async fn add_role(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    value: &str,
    display_name: Option<&str>,
) -> Result<AppRole> {
    check_value(value)?;
    let mut app = owned_app(store, tenant, app_id).await?;
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
    app.app_roles.push(role.clone());
    store.save_app(tenant.id, &app).await?;
    Ok(role)
}

/// Marks an app of `tenant` as from a verified publisher, or not. Under the `low-impact` user-consent
/// policy, users of other tenants may consent only to apps of verified publishers.
pub async fn set_verified_publisher(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    verified: bool,
) -> Result<Application> {
    let mut app = owned_app(store, tenant, app_id).await?;
    app.verified_publisher = verified;
    store.save_app(tenant.id, &app).await?;
    Ok(app)
}

/// Adds delegated and application permissions of `resource` to an app's required permissions.
pub async fn require(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    resource: &str,
    scopes: &[String],
    roles: &[String],
) -> Result<RequiredResourceAccess> {
    let mut app = owned_app(store, tenant, app_id).await?;
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
    let position = app.required_resource_access.iter().position(|r| r.resource_app_id == resource_app.app_id);
    let entry = match position.and_then(|i| app.required_resource_access.get_mut(i)) {
        Some(entry) => entry,
        None => {
            app.required_resource_access
                .push(RequiredResourceAccess { resource_app_id: resource_app.app_id, resource_access: Vec::new() });
            app.required_resource_access.last_mut().ok_or_else(|| AdminError::Internal("push failed".into()))?
        }
    };
    for access in wanted {
        if !entry.resource_access.contains(&access) {
            entry.resource_access.push(access);
        }
    }
    let result = entry.clone();
    store.save_app(tenant.id, &app).await?;
    Ok(result)
}

/// Adds a client secret valid for `days`; the secret is returned once and stored only as a keyed hash.
pub async fn add_secret(
    store: &Store,
    kek: &KeyEncryptionKey,
    tenant: &Tenant,
    app_id: &str,
    days: u32,
    now: UnixTime,
) -> Result<(PasswordCredential, ClientSecret)> {
    if days == 0 || days > 730 {
        return Err(AdminError::Invalid("--days must be between 1 and 730".into()));
    }
    let app = owned_app(store, tenant, app_id).await?;
    if app.is_public_client {
        return Err(AdminError::Invalid("a public client cannot have secrets".into()));
    }
    let secret = ClientSecret::generate().map_err(|_| AdminError::Internal("no randomness".into()))?;
    let credential = PasswordCredential {
        key_id: Uuid::new_v4(),
        hint: secret.hint(),
        start: now,
        end: now + i64::from(days) * 86_400,
        hash: hash_client_secret(kek.secret_hash_key(), secret.expose()),
    };
    store.add_password_credential(tenant.id, app.app_id, &credential).await?;
    Ok((credential, secret))
}

/// Registers an RSA certificate (PEM) for client assertions.
pub async fn add_cert(store: &Store, tenant: &Tenant, app_id: &str, pem: &str) -> Result<KeyCredential> {
    let app = owned_app(store, tenant, app_id).await?;
    let der = certificate_der_from_pem(pem).map_err(|e| AdminError::Invalid(e.to_string()))?;
    let cert = read_rsa_certificate(&der).map_err(|e| AdminError::Invalid(e.to_string()))?;
    let credential = KeyCredential {
        key_id: Uuid::new_v4(),
        thumbprint_sha1: thumbprint_sha1(&der),
        thumbprint_sha256: thumbprint_sha256(&der),
        start: cert.not_before,
        end: cert.not_after,
        certificate_der: der,
    };
    store.add_key_credential(tenant.id, app.app_id, &credential).await?;
    Ok(credential)
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
    let event = cli_event(now, "consent.admin", format!("app:{}", app.app_id), details);
    store.grant_consent(tenant.id, &app, &consent, &event).await?;
    Ok(granted)
}

/// The actor the audit log names for the command line.
pub const CLI_ACTOR: &str = "cli";

/// What `tenant set` changes; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct PolicyChange {
    pub user_consent: Option<UserConsent>,
    pub integrated_apps: Option<bool>,
    pub consent_requests: Option<bool>,
    /// Usernames of the tenant's reviewers; replaces the list when given.
    pub reviewers: Option<Vec<String>>,
    pub request_days: Option<u32>,
}

/// Changes the tenant's consent policy. Grants already made are never touched.
pub async fn set_policy(store: &Store, tenant: &Tenant, change: PolicyChange, now: UnixTime) -> Result<TenantPolicy> {
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
    let event = cli_event(now, "policy.set", format!("tenant:{}", tenant.id), json!(policy));
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
    let event = cli_event(now, "permission.classify", target, details);
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
    let revocation = Revocation { user: user.map(|u| u.id), resource: resource.map(|(sp, _)| sp.id), role };
    Ok(store.revoke_consent(tenant.id, sp.id, revocation, &event).await?)
}

/// Removes the app's service principal from `tenant`, with every grant and assignment it holds.
pub async fn remove_service_principal(store: &Store, tenant: &Tenant, app_id: &str, now: UnixTime) -> Result<()> {
    let sp = tenant_sp(store, tenant, app_id).await?;
    if sp.app_id == GRAPH_APP_ID {
        return Err(AdminError::Invalid("the built-in directory API cannot be removed from a tenant".into()));
    }
    let details = json!({ "appId": sp.app_id, "servicePrincipalId": sp.id });
    let event = cli_event(now, "sp.remove", format!("app:{}", sp.app_id), details);
    store.remove_service_principal(tenant.id, sp.id, &event).await?;
    Ok(())
}

/// An audit event of a command-line change.
fn cli_event(now: UnixTime, action: &str, target: String, details: serde_json::Value) -> AuditEvent {
    Actor::cli().event(now, action, target, details)
}
