//! An app registration's "Expose an API" and "App roles" in the admin portal (issue 18): the
//! identifier URI, the delegated permissions (scopes) with who may consent to each, and the app roles
//! with who may hold them; each added, then enabled or disabled (Entra removes nothing enabled).
//! Changes go through [`crate::admin::update_app`] with the administrator as the audited actor, so the
//! rules a registration follows (unique values, valid identifier URIs) are the directory API's.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Field, Refused, actor, refusal};
use crate::admin::{self, AdminError, AppEdit};
use crate::clock::UnixTime;
use crate::domain::app::{AppRole, Application, ConsentType, MemberType, PermissionScope};
use crate::state::AppState;

/// A delegated permission as the page lists it.
#[derive(Clone, Debug)]
pub struct ScopeRow {
    pub id: String,
    pub value: String,
    /// Entra's words: "Admins only" or "Admins and users".
    pub who: &'static str,
    pub name: String,
    pub description: String,
    pub enabled: bool,
}

/// An app role as the page lists it.
#[derive(Clone, Debug)]
pub struct RoleRow {
    pub id: String,
    pub name: String,
    pub value: String,
    /// Entra's words: "Users/Groups", "Applications" or "Both (Users/Groups + Applications)".
    pub members: &'static str,
    pub description: String,
    pub enabled: bool,
}

/// What an app exposes.
#[derive(Clone, Debug)]
pub struct ExposedApi {
    pub name: String,
    pub app_id: String,
    pub identifier_uri: String,
    pub scopes: Vec<ScopeRow>,
    pub roles: Vec<RoleRow>,
}

impl ExposedApi {
    /// The identifier URI Entra suggests: `api://{appId}`.
    pub fn suggested_uri(&self) -> String {
        format!("api://{}", self.app_id)
    }
}

pub fn exposed(app: &Application) -> ExposedApi {
    let scopes = app.scopes.iter().map(|s| ScopeRow {
        id: s.id.to_string(),
        value: s.value.clone(),
        who: if s.consent_type == ConsentType::Admin { "Admins only" } else { "Admins and users" },
        name: s.admin_consent_display_name.clone(),
        description: s.admin_consent_description.clone(),
        enabled: s.is_enabled,
    });
    let roles = app.app_roles.iter().map(|r| RoleRow {
        id: r.id.to_string(),
        name: r.display_name.clone(),
        value: r.value.clone(),
        members: members_label(&r.allowed_member_types),
        description: r.description.clone(),
        enabled: r.is_enabled,
    });
    ExposedApi {
        name: app.display_name.clone(),
        app_id: app.app_id.to_string(),
        identifier_uri: app.identifier_uris.first().cloned().unwrap_or_default(),
        scopes: scopes.collect(),
        roles: roles.collect(),
    }
}

fn members_label(members: &[MemberType]) -> &'static str {
    match (members.contains(&MemberType::User), members.contains(&MemberType::Application)) {
        (true, true) => "Both (Users/Groups + Applications)",
        (false, true) => "Applications",
        _ => "Users/Groups",
    }
}

/// Sets the app's identifier URI (its first; Entra's portal edits one).
pub async fn set_identifier_uri(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    uri: &str,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let uri = uri.trim();
    if uri.is_empty() {
        return Err(Refused::Field(Field::IdentifierUri, "Enter the application ID URI.".into()));
    }
    let uris = [uri.to_owned()].into_iter().chain(app.identifier_uris.iter().skip(1).cloned()).collect();
    let edit = AppEdit { identifier_uris: Some(uris), ..AppEdit::default() };
    change(state, admin, app, edit, (Field::IdentifierUri, correlation_id), now).await
}

/// A new delegated permission, as the form gives it.
#[derive(Clone, Copy, Debug)]
pub struct NewScope<'a> {
    pub value: &'a str,
    pub admins_only: bool,
    pub admin_name: &'a str,
    pub admin_description: &'a str,
    pub user_name: &'a str,
    pub user_description: &'a str,
}

/// Adds an enabled delegated permission. Users see the user texts, which default to the admin ones.
pub async fn add_scope(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    new: NewScope<'_>,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let (admin_name, admin_description) = (new.admin_name.trim(), new.admin_description.trim());
    if admin_name.is_empty() || admin_description.is_empty() {
        let message = "Enter the admin consent display name and description.";
        return Err(Refused::Field(Field::Scope, message.into()));
    }
    let or_admin = |text: &str, admin_text: &str| {
        if text.trim().is_empty() { admin_text.to_owned() } else { text.trim().to_owned() }
    };
    let scope = PermissionScope {
        id: Uuid::new_v4(),
        value: new.value.trim().to_owned(),
        consent_type: if new.admins_only { ConsentType::Admin } else { ConsentType::User },
        admin_consent_display_name: admin_name.to_owned(),
        admin_consent_description: admin_description.to_owned(),
        user_consent_display_name: or_admin(new.user_name, admin_name),
        user_consent_description: or_admin(new.user_description, admin_description),
        is_enabled: true,
    };
    let scopes = app.scopes.iter().cloned().chain([scope]).collect();
    let edit = AppEdit { scopes: Some(scopes), ..AppEdit::default() };
    change(state, admin, app, edit, (Field::Scope, correlation_id), now).await
}

/// A new app role, as the form gives it: `members` is `users`, `applications` or `both`.
#[derive(Clone, Copy, Debug)]
pub struct NewRole<'a> {
    pub name: &'a str,
    pub members: &'a str,
    pub value: &'a str,
    pub description: &'a str,
}

/// Adds an enabled app role.
pub async fn add_role(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    new: NewRole<'_>,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let members = match new.members {
        "users" => vec![MemberType::User],
        "applications" => vec![MemberType::Application],
        "both" => vec![MemberType::User, MemberType::Application],
        _ => return Err(Refused::Field(Field::Role, "Choose who the role can be assigned to.".into())),
    };
    let (name, description) = (new.name.trim(), new.description.trim());
    if name.is_empty() || description.is_empty() {
        return Err(Refused::Field(Field::Role, "Enter the role's display name and description.".into()));
    }
    let role = AppRole {
        id: Uuid::new_v4(),
        value: new.value.trim().to_owned(),
        display_name: name.to_owned(),
        description: description.to_owned(),
        allowed_member_types: members,
        is_enabled: true,
    };
    let roles = app.app_roles.iter().cloned().chain([role]).collect();
    let edit = AppEdit { app_roles: Some(roles), ..AppEdit::default() };
    change(state, admin, app, edit, (Field::Role, correlation_id), now).await
}

/// Enables or disables the app's scope or app role `id`. A disabled scope is no longer granted in new
/// consents; a disabled role reaches no new token.
pub async fn set_enabled(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    (id, enabled): (&str, bool),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let not_found = || Refused::Failed(refusal(AdminError::NotFound(format!("scope or app role {id} of this app"))));
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let mut edit = AppEdit::default();
    if app.scopes.iter().any(|s| s.id == id) {
        let scopes = app.scopes.iter().cloned();
        edit.scopes =
            Some(scopes.map(|s| if s.id == id { PermissionScope { is_enabled: enabled, ..s } } else { s }).collect());
    } else if app.app_roles.iter().any(|r| r.id == id) {
        let roles = app.app_roles.iter().cloned();
        edit.app_roles =
            Some(roles.map(|r| if r.id == id { AppRole { is_enabled: enabled, ..r } } else { r }).collect());
    } else {
        return Err(not_found());
    }
    change(state, admin, app, edit, (Field::Scope, correlation_id), now).await
}

async fn change(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    edit: AppEdit,
    (field, correlation_id): (Field, Uuid),
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let actor = actor(admin, correlation_id);
    admin::update_app(&state.store, &admin.tenant, app, edit, &actor, now).await.map_err(|err| match err {
        AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(field, message),
        other => Refused::Failed(refusal(other)),
    })?;
    Ok(())
}
