//! `policies/authorizationPolicy` and `policies/adminConsentRequestPolicy`: the tenant's user consent
//! setting and its admin consent request workflow, in Graph's shapes.
//!
//! Reading needs `Policy.Read.All` (or a permission that writes the policy); the user consent setting
//! is written with `Policy.ReadWrite.Authorization`, the request workflow with
//! `Policy.ReadWrite.ConsentRequest`; a delegated caller must also administer the tenant.

use serde::{Deserialize, Serialize};

use super::{Caller, refused};
use crate::admin::{self, PolicyChange};
use crate::domain::ids::ObjectId;
use crate::domain::policy::{TenantPolicy, UserConsent};
use crate::graph_error::GraphError;
use crate::state::AppState;

const READ_POLICIES: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.Authorization",
    "Policy.ReadWrite.ConsentRequest",
    "Policy.ReadWrite.PermissionGrant",
];
const WRITE_AUTHORIZATION: &[&str] = &["Policy.ReadWrite.Authorization"];
const WRITE_CONSENT_REQUESTS: &[&str] = &["Policy.ReadWrite.ConsentRequest"];

/// The permission grant policies Entra assigns for each user consent setting.
const LOW_IMPACT_POLICY: &str = "ManagePermissionGrantsForSelf.microsoft-user-default-low";
const LEGACY_POLICY: &str = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy";

/// `authorizationPolicy`, with the part Signet keeps: which permissions users may consent to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    pub id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub default_user_role_permissions: DefaultUserRolePermissions,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DefaultUserRolePermissions {
    /// Members cannot register apps in Signet (apps have no owners yet).
    pub allowed_to_create_apps: bool,
    pub allowed_to_create_security_groups: bool,
    pub allowed_to_read_other_users: bool,
    pub permission_grant_policies_assigned: Vec<&'static str>,
}

fn authorization_policy(policy: &TenantPolicy) -> AuthorizationPolicy {
    let assigned = match policy.user_consent {
        UserConsent::Disabled => Vec::new(),
        UserConsent::LowImpact => vec![LOW_IMPACT_POLICY],
        UserConsent::All => vec![LEGACY_POLICY],
    };
    AuthorizationPolicy {
        id: "authorizationPolicy",
        display_name: "Authorization Policy",
        description: "Used to manage authorization related settings across the company.",
        default_user_role_permissions: DefaultUserRolePermissions {
            allowed_to_create_apps: false,
            allowed_to_create_security_groups: false,
            allowed_to_read_other_users: true,
            permission_grant_policies_assigned: assigned,
        },
    }
}

/// `GET /v1.0/policies/authorizationPolicy`.
pub async fn get_authorization_policy(state: &AppState, caller: &Caller) -> Result<AuthorizationPolicy, GraphError> {
    caller.require(READ_POLICIES, READ_POLICIES)?;
    Ok(authorization_policy(&state.store.tenant_policy(caller.tenant.id).await?))
}

/// The body of `PATCH /v1.0/policies/authorizationPolicy`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizationPolicyPatch {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub default_user_role_permissions: Option<UserRolePermissionsPatch>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRolePermissionsPatch {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub permission_grant_policies_assigned: Option<Vec<String>>,
}

/// `PATCH /v1.0/policies/authorizationPolicy`: the user consent setting, as Entra's permission grant
/// policies name it (none: users may not consent; `…-low`: low-impact permissions of verified
/// publishers; `…-legacy`: everything that needs no admin).
pub async fn update_authorization_policy(
    state: &AppState,
    caller: &Caller,
    patch: AuthorizationPolicyPatch,
) -> Result<(), GraphError> {
    caller.require_admin(WRITE_AUTHORIZATION)?;
    let assigned = patch.default_user_role_permissions.and_then(|p| p.permission_grant_policies_assigned);
    let Some(assigned) = assigned else { return Ok(()) };
    let user_consent = match assigned.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => UserConsent::Disabled,
        [LOW_IMPACT_POLICY] => UserConsent::LowImpact,
        [LEGACY_POLICY] => UserConsent::All,
        other => {
            return Err(GraphError::invalid_value(format!(
                "permissionGrantPoliciesAssigned {other:?} is not supported: use [], [\"{LOW_IMPACT_POLICY}\"] or [\"{LEGACY_POLICY}\"]."
            )));
        }
    };
    let change = PolicyChange { user_consent: Some(user_consent), ..PolicyChange::default() };
    admin::set_policy_by(&state.store, &caller.tenant, change, &caller.actor(), state.clock.now())
        .await
        .map_err(|err| refused(err, "authorizationPolicy"))?;
    Ok(())
}

/// `adminConsentRequestPolicy`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRequestPolicy {
    pub is_enabled: bool,
    pub notify_reviewers: bool,
    pub reminders_enabled: bool,
    pub request_duration_in_days: u32,
    pub version: u32,
    pub reviewers: Vec<ReviewerScope>,
}

/// A reviewer, as Graph's access review scope names one: `/users/{id}`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewerScope {
    #[serde(rename = "@odata.type", skip_serializing)]
    pub odata_type: Option<String>,
    pub query: String,
    pub query_type: Option<String>,
    pub query_root: Option<String>,
}

/// `GET /v1.0/policies/adminConsentRequestPolicy`.
pub async fn get_consent_request_policy(state: &AppState, caller: &Caller) -> Result<ConsentRequestPolicy, GraphError> {
    caller.require(READ_POLICIES, READ_POLICIES)?;
    let policy = state.store.tenant_policy(caller.tenant.id).await?;
    Ok(ConsentRequestPolicy {
        is_enabled: policy.consent_requests,
        notify_reviewers: false,
        reminders_enabled: false,
        request_duration_in_days: policy.request_days,
        version: 0,
        reviewers: policy
            .reviewers
            .iter()
            .map(|id| ReviewerScope {
                odata_type: None,
                query: format!("/users/{id}"),
                query_type: Some("MicrosoftGraph".to_owned()),
                query_root: None,
            })
            .collect(),
    })
}

/// The body of `PUT /v1.0/policies/adminConsentRequestPolicy`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentRequestPolicyBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub is_enabled: Option<bool>,
    pub notify_reviewers: Option<bool>,
    pub reminders_enabled: Option<bool>,
    pub request_duration_in_days: Option<u32>,
    pub version: Option<u32>,
    pub reviewers: Option<Vec<ReviewerScope>>,
}

/// `PUT` (or `PATCH`) `/v1.0/policies/adminConsentRequestPolicy`: turns the workflow on or off, names
/// its reviewers (users of the tenant) and how long a request stays open. Signet sends no e-mail, so
/// `notifyReviewers` and `remindersEnabled` must be false.
pub async fn update_consent_request_policy(
    state: &AppState,
    caller: &Caller,
    body: ConsentRequestPolicyBody,
) -> Result<(), GraphError> {
    caller.require_admin(WRITE_CONSENT_REQUESTS)?;
    if body.notify_reviewers == Some(true) || body.reminders_enabled == Some(true) {
        return Err(GraphError::invalid_value(
            "Signet sends no e-mail: notifyReviewers and remindersEnabled must be false.",
        ));
    }
    let reviewers = match body.reviewers {
        Some(scopes) => Some(reviewer_names(state, caller, &scopes).await?),
        None => None,
    };
    let change = PolicyChange {
        consent_requests: body.is_enabled,
        request_days: body.request_duration_in_days,
        reviewers,
        ..PolicyChange::default()
    };
    admin::set_policy_by(&state.store, &caller.tenant, change, &caller.actor(), state.clock.now())
        .await
        .map_err(|err| refused(err, "adminConsentRequestPolicy"))?;
    Ok(())
}

/// The usernames of the reviewers `/users/{id}` names, each a user of the caller's tenant.
async fn reviewer_names(
    state: &AppState,
    caller: &Caller,
    scopes: &[ReviewerScope],
) -> Result<Vec<String>, GraphError> {
    let mut names = Vec::with_capacity(scopes.len());
    for scope in scopes {
        let id = scope
            .query
            .strip_prefix("/v1.0")
            .unwrap_or(&scope.query)
            .strip_prefix("/users/")
            .and_then(|id| id.parse::<ObjectId>().ok())
            .filter(|_| scope.query_type.as_deref().is_none_or(|t| t == "MicrosoftGraph"))
            .ok_or_else(|| {
                GraphError::invalid_value(format!(
                    "Reviewer '{}' is not supported: Signet's reviewers are users, named '/users/{{id}}'.",
                    scope.query
                ))
            })?;
        let user = state.store.user(caller.tenant.id, id).await?.ok_or_else(|| {
            GraphError::invalid_value(format!("Reviewer '{}' is not a user of this tenant.", scope.query))
        })?;
        names.push(user.username);
    }
    Ok(names)
}
