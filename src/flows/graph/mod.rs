//! The directory API in Microsoft Graph's shape (issue 17): who is calling and what it may do, and the
//! objects it reads and changes.
//!
//! A caller presents a Signet access token for the built-in directory resource (audience Microsoft
//! Graph's appId). A delegated token acts for its user with its `scp`; an app-only token acts for its
//! client with its `roles`. Everything a caller sees is in its token's tenant. Changes go through
//! [`crate::admin`], the functions the command line calls, with the caller as the audited actor.

mod app_keys;
mod applications;
mod audit;
mod consent_requests;
mod domains;
mod grants;
mod groups;
mod key_credentials;
mod keys;
mod objects;
pub mod odata;
mod policies;
mod principals;
mod users;

pub use app_keys::{AddKeyBody, RemoveKeyBody, add_key, remove_key};
pub use applications::{
    AddPasswordBody, AppKey, AppPage, ApplicationBody, RemovePasswordBody, add_password, application,
    create_application, delete_application, list_applications, remove_password, update_application,
};
pub use audit::{AuditPage, DirectoryAudit, directory_audits};
pub use consent_requests::{
    AppConsentRequest, UserConsentRequest, app_consent_request, app_consent_requests, user_consent_requests,
};
pub use domains::{GraphDomain, NewDomainBody, add_domain, domain, domains, remove_domain};
pub use grants::{
    GrantPage, GrantPatch, NewGrantBody, create_grant, delete_grant, grant, list_grants, sp_grants, update_grant,
};
pub use groups::{
    GraphGroup, GraphMember, MemberRefBody, NewGroupBody, add_member, create_group, delete_group, group, groups,
    members, remove_member,
};
pub use key_credentials::KeyCredentialBody;
pub use keys::{SigningKey, SigningKeys, rotate_signing_keys, signing_keys};
pub use objects::{
    GraphAppRoleAssignment, GraphApplication, GraphGrant, GraphKeyCredential, GraphPasswordCredential,
    GraphServicePrincipal, GraphUser, Organization, VerifiedDomain,
};
pub use policies::{
    AuthorizationPolicy, AuthorizationPolicyPatch, ConsentRequestPolicy, ConsentRequestPolicyBody,
    get_authorization_policy, get_consent_request_policy, update_authorization_policy, update_consent_request_policy,
};
pub use principals::{
    NewAssignmentBody, NewClassificationBody, NewServicePrincipalBody, PermissionClassification, ServicePrincipalPatch,
    SpKey, SpPage, app_role_assigned_to, assign_app_role, classifications, classify, create_service_principal,
    delete_service_principal, list_service_principals, remove_app_role_assignment, service_principal,
    sp_app_role_assignments, unclassify, update_service_principal, user_app_role_assignments,
};
pub use users::{
    MemberObjectsBody, NewGraphUser, PasswordProfile, UserPage, UserPatch, create_user, delete_user, list_users, me,
    member_objects, update_user, user,
};

use uuid::Uuid;

use crate::admin::{Actor, AdminError};
use crate::clock::UnixTime;
use crate::domain::audit::user_actor;
use crate::domain::graph::GRAPH_APP_ID;
use crate::domain::ids::AppId;
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
    /// The app the token was issued to.
    pub client: Option<AppId>,
    pub acting: Acting,
    /// The correlation id of the request, for the audit log.
    pub correlation_id: Uuid,
}

/// For whom the caller acts, with what it was granted.
#[derive(Debug)]
pub enum Acting {
    /// A user, through an app, with the delegated scopes the token carries.
    User { user: User, scopes: Vec<String> },
    /// An app on its own, with the app roles the token carries.
    App { roles: Vec<String> },
}

/// The caller an `Authorization` header's Bearer token names, in the request `correlation_id`.
pub async fn authenticate(
    state: &AppState,
    authorization: Option<&str>,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<Caller, GraphError> {
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
    let gone = || {
        GraphError::unauthenticated(
            "Access token validation failure. Its tenant or user no longer exists, or the user is disabled.",
        )
    };
    // Through the directory cache, as the user below: validating a token reads no row on the way.
    let tenant = state.store.resolve_tenant(&claims.tid.to_string()).await?.ok_or_else(gone)?;
    let acting = match claims.scp {
        Some(scp) => {
            let found = state.store.user(tenant.id, claims.oid).await?.filter(|user| user.account_enabled);
            let user = found.ok_or_else(gone)?;
            Acting::User { user, scopes: scp.split_whitespace().map(str::to_owned).collect() }
        }
        None => Acting::App { roles: claims.roles },
    };
    Ok(Caller { tenant, client: claims.azp, acting, correlation_id })
}

impl Caller {
    /// Allows the call when a delegated token carries one of `scopes`, or an app-only token one of
    /// `roles`; 403 otherwise.
    pub fn require(&self, scopes: &[&str], roles: &[&str]) -> Result<(), GraphError> {
        let granted = match &self.acting {
            Acting::User { scopes: held, .. } => held.iter().any(|s| scopes.contains(&s.as_str())),
            Acting::App { roles: held } => held.iter().any(|r| roles.contains(&r.as_str())),
        };
        if granted { Ok(()) } else { Err(insufficient()) }
    }

    /// Allows a change when the token carries one of `permissions` (as a scope or an app role) and,
    /// for a delegated token, its user administers the tenant: a permission lets an app act only
    /// within what its user may do, as in Entra.
    pub fn require_admin(&self, permissions: &[&str]) -> Result<(), GraphError> {
        self.require(permissions, permissions)?;
        match &self.acting {
            Acting::User { user, .. } if !user.is_admin => Err(insufficient()),
            _ => Ok(()),
        }
    }

    /// The caller as the audit log names it: the signed-in user, or the app acting on its own.
    pub fn actor(&self) -> Actor {
        let name = match (&self.acting, self.client) {
            (Acting::User { user, .. }, _) => user_actor(user.id, &user.username),
            (Acting::App { .. }, Some(client)) => format!("app:{client}"),
            (Acting::App { .. }, None) => "app".to_owned(),
        };
        Actor { name, correlation_id: self.correlation_id }
    }
}

fn insufficient() -> GraphError {
    GraphError::denied("Insufficient privileges to complete the operation.")
}

/// Permissions that let a caller read any user of its tenant.
const READ_USERS: &[&str] = &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All"];

/// Scopes that let a delegated caller read its own profile.
const READ_ME: &[&str] = &["User.Read", "User.ReadWrite", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All"];

/// `GET /v1.0/organization`: the caller's tenant.
pub fn organization(caller: &Caller) -> Result<Organization, GraphError> {
    caller.require(READ_ME, &["Organization.Read.All", "Directory.Read.All"])?;
    Ok(Organization::of(&caller.tenant))
}

/// An administrative refusal in Graph's terms: a value or state the directory refuses is a 400, an
/// object that is not there a 404.
fn refused(err: AdminError, id: &str) -> GraphError {
    match err {
        AdminError::Invalid(message) | AdminError::Conflict(message) => GraphError::invalid_value(message),
        AdminError::NotFound(_) => GraphError::not_found(id),
        AdminError::Internal(message) => GraphError::internal(message),
    }
}
