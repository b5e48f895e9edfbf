//! The directory API in Microsoft Graph's shape (issue 17): who is calling and what it may do, and the
//! objects it reads. This first part authenticates callers and serves `me` and `organization`; the
//! administration endpoints build on [`Caller`].
//!
//! A caller presents a Signet access token for the built-in directory resource (audience Microsoft
//! Graph's appId). A delegated token acts for its user with its `scp`; an app-only token acts for its
//! client with its `roles`. Everything a caller sees is in its token's tenant.

mod objects;

pub use objects::{GraphUser, Organization, VerifiedDomain};

use crate::clock::UnixTime;
use crate::domain::graph::GRAPH_APP_ID;
use crate::domain::tenant::Tenant;
use crate::domain::user::User;
use crate::flows::bearer::verify_issued;
use crate::graph_error::GraphError;
use crate::state::AppState;

/// Who is calling.
#[derive(Debug)]
pub struct Caller {
    /// The token's tenant: the only one the caller sees.
    pub tenant: Tenant,
    pub acting: Acting,
}

/// For whom the caller acts, with what it was granted.
#[derive(Debug)]
pub enum Acting {
    /// A user, through an app, with the delegated scopes the token carries.
    User { user: User, scopes: Vec<String> },
    /// An app on its own, with the app roles the token carries.
    App { roles: Vec<String> },
}

/// The caller an `Authorization` header's Bearer token names.
pub async fn authenticate(state: &AppState, authorization: Option<&str>, now: UnixTime) -> Result<Caller, GraphError> {
    let token = authorization
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| GraphError::unauthenticated("Access token is empty."))?;
    let claims = verify_issued(state, token, now, false).map_err(|_| {
        GraphError::unauthenticated("Access token validation failure. Invalid signature, issuer or lifetime.")
    })?;
    if claims.aud != GRAPH_APP_ID {
        return Err(GraphError::unauthenticated("Access token validation failure. Invalid audience."));
    }
    let gone = || GraphError::unauthenticated("Access token validation failure. Its tenant or user no longer exists.");
    let tenant = state.store.tenant(claims.tid).await?.ok_or_else(gone)?;
    let acting = match claims.scp {
        Some(scp) => {
            let user = state.store.user(tenant.id, claims.oid).await?.ok_or_else(gone)?;
            Acting::User { user, scopes: scp.split_whitespace().map(str::to_owned).collect() }
        }
        None => Acting::App { roles: claims.roles },
    };
    Ok(Caller { tenant, acting })
}

impl Caller {
    /// Allows the call when a delegated token carries one of `scopes`, or an app-only token one of
    /// `roles`; 403 otherwise.
    pub fn require(&self, scopes: &[&str], roles: &[&str]) -> Result<(), GraphError> {
        let granted = match &self.acting {
            Acting::User { scopes: held, .. } => held.iter().any(|s| scopes.contains(&s.as_str())),
            Acting::App { roles: held } => held.iter().any(|r| roles.contains(&r.as_str())),
        };
        if granted { Ok(()) } else { Err(GraphError::denied("Insufficient privileges to complete the operation.")) }
    }
}

/// Scopes that let a delegated caller read its own profile.
const READ_ME: &[&str] = &["User.Read", "User.ReadWrite", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All"];

/// `GET /v1.0/me`: the signed-in user. Only a delegated token has one.
pub fn me(caller: &Caller) -> Result<GraphUser, GraphError> {
    let Acting::User { user, .. } = &caller.acting else {
        return Err(GraphError::bad_request("/me request is only valid with delegated authentication flow."));
    };
    caller.require(READ_ME, &[])?;
    Ok(GraphUser::of(user))
}

/// Permissions that let a caller read any user of its tenant.
const READ_USERS: &[&str] = &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All"];

/// `GET /v1.0/users/{id | userPrincipalName}`: a user of the caller's tenant. A delegated caller may
/// read itself with a profile scope; anyone else needs a directory read permission.
pub async fn user(state: &AppState, caller: &Caller, key: &str) -> Result<GraphUser, GraphError> {
    let found = match key.parse() {
        Ok(id) => state.store.user(caller.tenant.id, id).await?,
        Err(_) => state.store.user_by_username(caller.tenant.id, key).await?,
    };
    let is_self = matches!((&caller.acting, &found), (Acting::User { user, .. }, Some(found)) if user.id == found.id);
    if is_self {
        caller.require(READ_ME, &[])?;
    } else {
        caller.require(READ_USERS, READ_USERS)?;
    }
    found.map(|user| GraphUser::of(&user)).ok_or_else(|| GraphError::not_found(key))
}

/// `GET /v1.0/organization`: the caller's tenant.
pub fn organization(caller: &Caller) -> Result<Organization, GraphError> {
    caller.require(READ_ME, &["Organization.Read.All", "Directory.Read.All"])?;
    Ok(Organization::of(&caller.tenant))
}
