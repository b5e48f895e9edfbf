//! Users in the admin portal (issue 18): the list with a search, a new user (the password typed or
//! generated and shown once), and per user: name, sign-in blocked or not, administrator or not, a
//! password reset, delete, and the user's role assignments and consents. Changes go through
//! [`crate::admin`] (argon2 hashing, the last-administrator rule, sessions and refresh tokens ended on
//! a block or reset) with the administrator as the audited actor.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Field, LIST_LIMIT, Refused, actor, refusal};
use crate::admin::{self, AdminError, UserEdit, UserSpec};
use crate::clock::UnixTime;
use crate::domain::app::GrantConsentType;
use crate::domain::query::{Filter, GrantProperty, UserProperty};
use crate::error::ProtocolError;
use crate::state::AppState;
use crate::store::User;

/// One user in the list.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub admin: bool,
    pub enabled: bool,
}

/// The users whose name or display name starts with `search` (all when it is empty), at most
/// [`LIST_LIMIT`], and whether there were more.
pub async fn users(state: &AppState, admin: &Reviewer, search: &str) -> Result<(Vec<UserRow>, bool), ProtocolError> {
    require_admin(admin)?;
    let search = search.trim();
    let filter = (!search.is_empty()).then(|| {
        Filter::Any(vec![
            Filter::StartsWith(UserProperty::UserPrincipalName, search.to_owned()),
            Filter::StartsWith(UserProperty::DisplayName, search.to_owned()),
        ])
    });
    let found = state.store.list_users(admin.tenant.id, filter.as_ref(), None, LIST_LIMIT + 1).await?;
    let more = found.len() as u64 > LIST_LIMIT;
    let mut rows: Vec<UserRow> = found.into_iter().take(LIST_LIMIT as usize).map(row).collect();
    rows.sort_by(|a, b| a.username.cmp(&b.username));
    Ok((rows, more))
}

fn row(user: User) -> UserRow {
    UserRow {
        id: user.id.to_string(),
        username: user.username,
        display_name: user.display_name,
        admin: user.is_admin,
        enabled: user.account_enabled,
    }
}

/// What the new-user form asks; an empty password means "generate one".
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub is_admin: bool,
}

/// Creates the user; returns it with the password when it was generated, to be shown once.
pub async fn create(
    state: &AppState,
    admin: &Reviewer,
    new: &NewUser,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(User, Option<String>), Refused> {
    require_admin(admin)?;
    let generated = if new.password.is_empty() { Some(admin::generated_password().map_err(refusal)?) } else { None };
    let display_name = new.display_name.trim();
    let spec = UserSpec {
        username: &new.username,
        password: generated.as_deref().unwrap_or(&new.password),
        display_name: (!display_name.is_empty()).then_some(display_name),
        is_admin: new.is_admin,
        account_enabled: true,
    };
    let user = admin::create_user(&state.store, &admin.tenant, spec, &actor(admin, correlation_id), now)
        .await
        .map_err(|err| match err {
            AdminError::Invalid(message) if message.contains("password") => Refused::Field(Field::Password, message),
            AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(Field::Username, message),
            other => Refused::Failed(refusal(other)),
        })?;
    Ok((user, generated))
}

/// One user as its page shows it.
#[derive(Clone, Debug)]
pub struct UserDetails {
    pub user: UserRow,
    /// Each app role the user holds: app, role.
    pub roles: Vec<(String, String)>,
    /// Each of the user's own consents: app, API, scopes.
    pub consents: Vec<(String, String, String)>,
}

/// The user of the administrator's tenant with this object id.
pub async fn find(state: &AppState, admin: &Reviewer, id: &str) -> Result<User, Refused> {
    require_admin(admin)?;
    Ok(admin::find_user(&state.store, &admin.tenant, id).await.map_err(refusal)?)
}

/// `GET /{tenant}/admin/users/{id}`.
pub async fn details(state: &AppState, admin: &Reviewer, id: &str) -> Result<UserDetails, Refused> {
    let user = find(state, admin, id).await?;
    let tenant = admin.tenant.id;
    let sp_name = |id| async move {
        let sp = state.store.service_principal_by_id(tenant, id).await?;
        Ok::<_, Refused>(sp.map_or_else(|| id.to_string(), |sp| sp.display_name))
    };
    let mut roles = Vec::new();
    for a in state.store.assignments_of(tenant, user.id).await? {
        let resource = state.store.service_principal_by_id(tenant, a.resource_id).await?;
        let app = match &resource {
            Some(sp) => state.store.app_by_app_id(sp.app_id).await?,
            None => None,
        };
        let role = app.and_then(|app| app.app_role_by_id(a.app_role_id).map(|r| r.display_name.clone()));
        roles.push((
            resource.map(|sp| sp.display_name).unwrap_or_default(),
            role.unwrap_or_else(|| "Default access".into()),
        ));
    }
    let mut consents = Vec::new();
    let filter = Filter::Eq(GrantProperty::PrincipalId, user.id.to_string());
    for g in state.store.list_grants(tenant, Some(&filter), None, 1000).await? {
        if g.consent_type == GrantConsentType::Principal {
            consents.push((sp_name(g.client_id).await?, sp_name(g.resource_id).await?, g.scope));
        }
    }
    Ok(UserDetails { user: row(user), roles, consents })
}

/// Sets the display name, whether the user may sign in, and whether it administers the tenant.
pub async fn set_properties(
    state: &AppState,
    admin: &Reviewer,
    id: &str,
    (display_name, enabled, is_admin): (&str, bool, bool),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let user = find(state, admin, id).await?;
    let edit = UserEdit {
        display_name: Some(display_name.to_owned()),
        account_enabled: Some(enabled),
        is_admin: Some(is_admin),
        password: None,
    };
    update(state, admin, &user, edit, Field::Username, correlation_id, now).await
}

/// Resets the password to `typed`, or to a generated one, returned to be shown once.
pub async fn reset_password(
    state: &AppState,
    admin: &Reviewer,
    id: &str,
    typed: &str,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<Option<String>, Refused> {
    let user = find(state, admin, id).await?;
    let generated = if typed.is_empty() { Some(admin::generated_password().map_err(refusal)?) } else { None };
    let password = generated.clone().unwrap_or_else(|| typed.to_owned());
    let edit = UserEdit { password: Some(password), ..UserEdit::default() };
    update(state, admin, &user, edit, Field::Password, correlation_id, now).await?;
    Ok(generated)
}

async fn update(
    state: &AppState,
    admin: &Reviewer,
    user: &User,
    edit: UserEdit,
    field: Field,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    admin::update_user(&state.store, &admin.tenant, user, edit, &actor(admin, correlation_id), now).await.map_err(
        |err| match err {
            AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(field, message),
            other => Refused::Failed(refusal(other)),
        },
    )?;
    Ok(())
}

/// Deletes the user with its sessions, tokens, consents and role assignments.
pub async fn delete(
    state: &AppState,
    admin: &Reviewer,
    id: &str,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let user = find(state, admin, id).await?;
    admin::delete_user(&state.store, &admin.tenant, &user, &actor(admin, correlation_id), now).await.map_err(|err| {
        match err {
            AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(Field::Username, message),
            other => Refused::Failed(refusal(other)),
        }
    })
}
