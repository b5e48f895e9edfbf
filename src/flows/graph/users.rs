//! `me` and `users`: read, list, create, change and delete the users of the caller's tenant.
//!
//! Reading needs a directory read permission, except a user reading itself. Changes need
//! `User.ReadWrite.All` and, for a delegated caller, a user who administers the tenant.

use serde::Deserialize;

use super::odata::ListOptions;
use super::{Acting, Caller, GraphUser, READ_ME, READ_USERS, refused};
use crate::admin::{self, AdminError, UserEdit, UserSpec};
use crate::domain::ids::ObjectId;
use crate::domain::query::UserProperty;
use crate::domain::user::User;
use crate::graph_error::GraphError;
use crate::state::AppState;

/// Permissions that let a caller change users.
const WRITE_USERS: &[&str] = &["User.ReadWrite.All"];

/// `GET /v1.0/me`: the signed-in user. Only a delegated token has one.
pub fn me(caller: &Caller) -> Result<GraphUser, GraphError> {
    let Acting::User { user, .. } = &caller.acting else {
        return Err(GraphError::bad_request("/me request is only valid with delegated authentication flow."));
    };
    caller.require(READ_ME, &[])?;
    Ok(GraphUser::of(user))
}

/// `GET /v1.0/users/{id | userPrincipalName}`: a user of the caller's tenant. A delegated caller may
/// read itself with a profile scope; anyone else needs a directory read permission.
pub async fn user(state: &AppState, caller: &Caller, key: &str) -> Result<GraphUser, GraphError> {
    let found = match admin::find_user(&state.store, &caller.tenant, key).await {
        Ok(user) => Some(user),
        Err(AdminError::NotFound(_)) => None,
        Err(err) => return Err(refused(err, key)),
    };
    let is_self = matches!((&caller.acting, &found), (Acting::User { user, .. }, Some(found)) if user.id == found.id);
    if is_self {
        caller.require(READ_ME, &[])?;
    } else {
        caller.require(READ_USERS, READ_USERS)?;
    }
    found.map(|user| GraphUser::of(&user)).ok_or_else(|| GraphError::not_found(key))
}

/// One page of a list of users, and where the next one starts when there is one.
#[derive(Debug)]
pub struct UserPage {
    pub users: Vec<GraphUser>,
    pub skip_token: Option<String>,
}

/// `GET /v1.0/users`: the users of the caller's tenant that `options` ask for, in id order.
pub async fn list_users(
    state: &AppState,
    caller: &Caller,
    options: &ListOptions<UserProperty>,
) -> Result<UserPage, GraphError> {
    caller.require(READ_USERS, READ_USERS)?;
    let after = options.after::<ObjectId>()?;
    let users = state.store.list_users(caller.tenant.id, options.filter.as_ref(), after, options.limit()).await?;
    let (users, skip_token) = options.page(users, |u| u.id.to_string());
    Ok(UserPage { users: users.iter().map(GraphUser::of).collect(), skip_token })
}

/// The body of `POST /v1.0/users`. `mailNickname` is accepted, as Graph requires it, and not stored:
/// a Signet user's mail is its user principal name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGraphUser {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub account_enabled: bool,
    pub display_name: String,
    pub mail_nickname: Option<String>,
    pub user_principal_name: String,
    pub password_profile: PasswordProfile,
}

/// A `passwordProfile`. Signet has no password change at sign-in, so a request to force one is
/// accepted and cannot be honoured (README says so).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordProfile {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub password: String,
    pub force_change_password_next_sign_in: Option<bool>,
    pub force_change_password_next_sign_in_with_mfa: Option<bool>,
}

/// The body of `PATCH /v1.0/users/{id}`: the properties Signet stores; `None` keeps the value.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub account_enabled: Option<bool>,
    pub display_name: Option<String>,
    pub password_profile: Option<PasswordProfile>,
}

fn check_type(odata_type: Option<&str>, wanted: &str) -> Result<(), GraphError> {
    match odata_type {
        Some(given) if given != wanted => {
            Err(GraphError::bad_request(format!("The type '{given}' is not '{wanted}'.")))
        }
        _ => Ok(()),
    }
}

/// `POST /v1.0/users`: a new user of the caller's tenant.
pub async fn create_user(state: &AppState, caller: &Caller, new: NewGraphUser) -> Result<GraphUser, GraphError> {
    caller.require_admin(WRITE_USERS)?;
    check_type(new.odata_type.as_deref(), "#microsoft.graph.user")?;
    check_type(new.password_profile.odata_type.as_deref(), "#microsoft.graph.passwordProfile")?;
    let spec = UserSpec {
        username: &new.user_principal_name,
        password: &new.password_profile.password,
        display_name: Some(&new.display_name),
        is_admin: false,
        account_enabled: new.account_enabled,
    };
    let now = state.clock.now();
    let user = admin::create_user(&state.store, &caller.tenant, spec, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, &new.user_principal_name))?;
    Ok(GraphUser::of(&user))
}

/// `PATCH /v1.0/users/{id | userPrincipalName}`: renames, blocks or unblocks, or resets the password
/// of a user of the caller's tenant.
pub async fn update_user(state: &AppState, caller: &Caller, key: &str, patch: UserPatch) -> Result<(), GraphError> {
    caller.require_admin(WRITE_USERS)?;
    check_type(patch.odata_type.as_deref(), "#microsoft.graph.user")?;
    if let Some(profile) = &patch.password_profile {
        check_type(profile.odata_type.as_deref(), "#microsoft.graph.passwordProfile")?;
    }
    let user = target(state, caller, key).await?;
    let edit = UserEdit {
        display_name: patch.display_name,
        account_enabled: patch.account_enabled,
        is_admin: None,
        password: patch.password_profile.map(|profile| profile.password),
    };
    let now = state.clock.now();
    admin::update_user(&state.store, &caller.tenant, &user, edit, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, key))?;
    Ok(())
}

/// `DELETE /v1.0/users/{id | userPrincipalName}`.
pub async fn delete_user(state: &AppState, caller: &Caller, key: &str) -> Result<(), GraphError> {
    caller.require_admin(WRITE_USERS)?;
    let user = target(state, caller, key).await?;
    let now = state.clock.now();
    admin::delete_user(&state.store, &caller.tenant, &user, &caller.actor(), now).await.map_err(|err| refused(err, key))
}

async fn target(state: &AppState, caller: &Caller, key: &str) -> Result<User, GraphError> {
    admin::find_user(&state.store, &caller.tenant, key).await.map_err(|err| refused(err, key))
}

/// The body of `POST /v1.0/users/{id}/getMemberObjects`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberObjectsBody {
    /// Only security groups: every group of Signet is one.
    pub security_enabled_only: bool,
}

/// `POST /v1.0/users/{id | userPrincipalName}/getMemberObjects`: every group the user is in, directly
/// or through other groups; where a token past the group limit sends its reader. Who may read the
/// user may read these.
pub async fn member_objects(
    state: &AppState,
    caller: &Caller,
    key: &str,
    _body: MemberObjectsBody,
) -> Result<Vec<ObjectId>, GraphError> {
    let user = user(state, caller, key).await?;
    Ok(state.store.transitive_groups(caller.tenant.id, user.id).await?)
}
