//! Users: create, find, change and delete, with Entra's rules for names and passwords.

use serde_json::json;

use super::common::{Actor, AdminError, Result, check_display_name};
use crate::clock::UnixTime;
use crate::domain::ids::ObjectId;
use crate::domain::tenant::Tenant;
use crate::secrets::hash_password;
use crate::store::{NewUser, Store, User, UserChange};

/// The longest password accepted (Entra's limit).
const MAX_PASSWORD: usize = 256;

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

/// A password made for a user (the demo's, the portal's "generate"): 12 random bytes, 16 characters.
pub fn generated_password() -> Result<String> {
    crate::secrets::random_urlsafe::<12>().map_err(|_| AdminError::Internal("no randomness".into()))
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
