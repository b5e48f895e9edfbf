//! The authorization endpoint (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2; protocol reference §2.1).
//!
//! A request goes through named checks in spec order. [`prepare`] resolves the client and its exact
//! redirect URI before anything can redirect: failures there get an error page. Every later failure goes
//! back to the redirect URI in the chosen response mode. [`proceed`] then needs a signed-in user, their
//! consent, and issues the code. Each step answers with an [`Outcome`] the HTTP layer renders.

pub(crate) mod admin_consent;
mod approval;
mod checks;
pub mod consent;
pub mod device;
mod params;
mod request;
mod resources;
mod views;

use serde_json::json;
use uuid::Uuid;

use self::admin_consent::{admin_consent, everything_required};
pub use self::approval::RequestView;
use self::approval::{Asked, Blocked, approval_request};
use self::checks::{
    check_app_allows_tenant, check_client_known, check_pkce, check_prompt, check_redirect_uri, check_response_type,
    check_scope, check_tenant,
};
use self::consent::{ConsentDecision, Consenter, PendingPermission, decide, scope_names};
pub use self::params::AuthorizeParams;
use self::request::error_reply;
pub use self::request::{ConsentAnswer, Endpoint, Interaction, Outcome, Prompt, Reply, ResponseMode, ValidRequest};
use self::resources::resolve_resources;
pub use self::views::{AdminConsentView, ConsentView, PermissionView, ResourcePermissionsView};
use crate::clock::UnixTime;
use crate::domain::app::{GrantConsentType, ServicePrincipal};
use crate::domain::audit::{AuditEvent, app_target, user_actor};
use crate::domain::code::{AuthorizationCode, CODE_LIFETIME};
use crate::domain::ids::ObjectId;
use crate::domain::policy::TenantPolicy;
use crate::domain::session::Session;
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, OAuthError, ProtocolError};
use crate::flows::roles::{assigned, check_assignment};
use crate::state::AppState;
use crate::store::{Consent, User};

/// Runs every check and, when nothing needs the user, issues the code.
pub async fn authorize(
    state: &AppState,
    endpoint: Endpoint,
    segment: &str,
    params: &AuthorizeParams,
    session: Option<Session>,
    interaction: Interaction,
    now: UnixTime,
) -> Outcome {
    match prepare(state, endpoint, segment, params).await {
        Ok(request) => proceed(state, &request, session, interaction, now).await,
        Err(outcome) => outcome,
    }
}

/// The checks before a user is involved: tenant, client, redirect URI (error page on failure), then
/// response mode, response type, scope, PKCE and prompt (error reply on failure). The admin consent
/// endpoints answer in the query, issue no code, and (v1) consent to everything the app requires. A
/// device's request is the one its user code names ([`device::prepare`]).
pub async fn prepare(
    state: &AppState,
    endpoint: Endpoint,
    segment: &str,
    params: &AuthorizeParams,
) -> Result<ValidRequest, Outcome> {
    if endpoint == Endpoint::Device {
        return device::prepare(state, segment, params).await.map_err(Outcome::ErrorPage);
    }
    let (segment, path_tenant) = check_tenant(state, endpoint, segment).await.map_err(Outcome::ErrorPage)?;
    let client = check_client_known(state, params, path_tenant.as_ref()).await.map_err(Outcome::ErrorPage)?;
    let redirect_uri = check_redirect_uri(&client, params).map_err(Outcome::ErrorPage)?;
    let state_param = params.state.clone();
    let mode = match endpoint {
        Endpoint::Authorize => ResponseMode::parse(params.response_mode.as_deref()),
        Endpoint::AdminConsent | Endpoint::AdminConsentV1 | Endpoint::Device => Some(ResponseMode::Query),
    };
    let Some(mode) = mode else {
        let error = ProtocolError::new(
            Aadsts::ResponseModeUnsupported,
            format!("The response_mode '{}' is not supported.", params.response_mode.as_deref().unwrap_or_default()),
        );
        return Err(error_reply(&redirect_uri, ResponseMode::Query, state_param.as_deref(), endpoint, &error));
    };
    let fail = |error: ProtocolError| error_reply(&redirect_uri, mode, state_param.as_deref(), endpoint, &error);
    let (scopes, challenge, prompt) = match endpoint {
        Endpoint::Authorize => {
            check_response_type(params).map_err(fail)?;
            (
                check_scope(params).map_err(fail)?,
                check_pkce(&client, params).map_err(fail)?,
                check_prompt(params).map_err(fail)?,
            )
        }
        Endpoint::AdminConsent => (check_scope(params).map_err(fail)?, None, Some(Prompt::AdminConsent)),
        Endpoint::AdminConsentV1 => (everything_required(&client), None, Some(Prompt::AdminConsent)),
        Endpoint::Device => (check_scope(params).map_err(fail)?, None, Some(Prompt::SelectAccount)),
    };
    Ok(ValidRequest {
        endpoint,
        segment,
        path_tenant,
        redirect_uri: redirect_uri.clone(),
        mode,
        state: state_param.clone(),
        scopes,
        prompt,
        login_hint: params.login_hint.clone(),
        domain_hint: params.domain_hint.clone(),
        challenge,
        nonce: params.nonce.clone(),
        user_code: None,
        client,
    })
}

/// The checks that involve the user: signed in, account chosen, may use the app, consent; then the code.
pub async fn proceed(
    state: &AppState,
    request: &ValidRequest,
    session: Option<Session>,
    interaction: Interaction,
    now: UnixTime,
) -> Outcome {
    let outcome = proceed_checked(state, request, session, interaction, now).await;
    match outcome {
        Err(error) if request.endpoint == Endpoint::Device => device::decline(state, request, error).await,
        Ok(outcome) => outcome,
        Err(error) => request.error_reply(&error),
    }
}

/// The user phase, in order: the user's answer to a page, a signed-in user, the account choice, the
/// app's audience, admin consent, then consent to what is pending; and the code.
async fn proceed_checked(
    state: &AppState,
    request: &ValidRequest,
    session: Option<Session>,
    interaction: Interaction,
    now: UnixTime,
) -> Result<Outcome, ProtocolError> {
    check_not_declined(&interaction)?;
    let user = match signed_in_user(state, request, session, &interaction).await? {
        SignedIn::User(user) => user,
        SignedIn::NeedsSignIn => return sign_in_page(request),
    };
    if let Some(outcome) = account_choice(request, &user, &interaction) {
        return Ok(outcome);
    }
    let (tenant, client_sp) = user_tenant(state, request, &user).await?;
    check_app_allows_tenant(&request.client, client_sp.as_ref(), &tenant)?;
    if let Some(sp) = client_sp.as_ref().filter(|sp| sp.app_role_assignment_required) {
        let on_client = assigned(state, &tenant, &user, sp, &request.client).await?;
        check_assignment(sp, &on_client).map_err(|err| err.with_error(OAuthError::AccessDenied))?;
    }
    if request.prompt == Some(Prompt::AdminConsent)
        && let Some(outcome) = admin_consent(state, request, &user, &tenant, &interaction, now).await?
    {
        return Ok(outcome);
    }
    let pending = pending_permissions(state, request, (&tenant, &user), client_sp.as_ref(), &interaction).await?;
    let case = ConsentCase { request, user: &user, tenant: &tenant, pending: &pending };
    if let Some(outcome) = settle_consent(state, case, &interaction, now).await? {
        return Ok(outcome);
    }
    issue_code(state, request, &tenant, &user, now).await
}

/// Cancel on a consent page ends the request (AADSTS65004).
fn check_not_declined(interaction: &Interaction) -> Result<(), ProtocolError> {
    match interaction.consent {
        Some(ConsentAnswer::Cancel) => {
            Err(ProtocolError::new(Aadsts::UserDeclined, "The user declined to consent to access the app."))
        }
        _ => Ok(()),
    }
}

/// No usable session: the sign-in page, or AADSTS50058 when `prompt=none` forbids one.
fn sign_in_page(request: &ValidRequest) -> Result<Outcome, ProtocolError> {
    if request.prompt == Some(Prompt::None) {
        return Err(ProtocolError::new(
            Aadsts::LoginRequired,
            "A silent sign-in request was sent but no user is signed in.",
        ));
    }
    Ok(Outcome::SignIn { app_name: request.client.display_name.clone(), username: request.login_hint.clone() })
}

/// `prompt=select_account` shows the signed-in account until the user chose it or signed in anew. A
/// consent page is answered only after that, so its answer counts as the choice made.
fn account_choice(request: &ValidRequest, user: &User, interaction: &Interaction) -> Option<Outcome> {
    let chosen = interaction.account_chosen || interaction.signed_in_now || interaction.consent.is_some();
    (request.prompt == Some(Prompt::SelectAccount) && !chosen).then(|| Outcome::SelectAccount {
        app_name: request.client.display_name.clone(),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
    })
}

/// The user's tenant and the client's service principal there, if any. Both lookups are cached: this
/// is the path of every silent sign-in.
async fn user_tenant(
    state: &AppState,
    request: &ValidRequest,
    user: &User,
) -> Result<(Tenant, Option<ServicePrincipal>), ProtocolError> {
    let tenant = state
        .store
        .resolve_tenant(&user.tenant_id.to_string())
        .await?
        .ok_or_else(|| ProtocolError::internal("user's tenant"))?;
    let client_sp = state.store.sp_with_app(tenant.id, request.client.app_id).await?.map(|(sp, _)| sp);
    Ok((tenant, client_sp))
}

/// The permissions asked for that the user (or the organisation) has not granted yet; with
/// `prompt=consent`, every permission asked for, until the user has answered.
async fn pending_permissions(
    state: &AppState,
    request: &ValidRequest,
    (tenant, user): (&Tenant, &User),
    client_sp: Option<&ServicePrincipal>,
    interaction: &Interaction,
) -> Result<Vec<PendingPermission>, ProtocolError> {
    let resources = resolve_resources(state, &request.client, tenant, &request.scopes).await?;
    let answered = interaction.consent == Some(ConsentAnswer::Accept);
    let ask_all = request.prompt == Some(Prompt::Consent) && !answered;
    let mut pending = Vec::new();
    for resource in &resources {
        let granted = match client_sp {
            Some(sp) => state.store.delegated_scopes(tenant.id, sp.id, resource.sp.id, user.id).await?,
            None => Vec::new(),
        };
        pending.extend(resource.pending(&granted, ask_all));
    }
    Ok(pending)
}

/// A user, in their tenant, and the permissions of `request` they have not granted.
#[derive(Clone, Copy)]
struct ConsentCase<'a> {
    request: &'a ValidRequest,
    user: &'a User,
    tenant: &'a Tenant,
    pending: &'a [PendingPermission],
}

/// Whether the tenant's policy lets the user grant what is pending (`None`: nothing is pending).
async fn consent_decision(
    state: &AppState,
    case: ConsentCase<'_>,
) -> Result<(ConsentDecision, Option<TenantPolicy>), ProtocolError> {
    if case.pending.is_empty() {
        return Ok((ConsentDecision::Granted, None));
    }
    let policy = state.store.tenant_policy(case.tenant.id).await?;
    let low_impact = state.store.low_impact_permissions(case.tenant.id).await?;
    let client = &case.request.client;
    let trusted_publisher = client.home_tenant == case.tenant.id || client.verified_publisher;
    let consenter = Consenter { user: case.user, policy: &policy, trusted_publisher, low_impact: &low_impact };
    Ok((decide(&consenter, case.pending), Some(policy)))
}

/// Acts on the consent decision: nothing to do, a page to show, an error for `prompt=none`, or the
/// user's Accept to store. `None` when the code may be issued.
async fn settle_consent(
    state: &AppState,
    case: ConsentCase<'_>,
    interaction: &Interaction,
    now: UnixTime,
) -> Result<Option<Outcome>, ProtocolError> {
    let (decision, policy) = consent_decision(state, case).await?;
    let request = case.request;
    let answered = interaction.consent == Some(ConsentAnswer::Accept);
    match decision {
        ConsentDecision::Granted => Ok(None),
        decision if request.prompt == Some(Prompt::None) => Err(silent_consent_refused(request, decision)),
        ConsentDecision::NeedsAdmin(reason) => {
            let mut view = consent_view(state, case).await?;
            view.admin_reason = Some(reason);
            if let Some(policy) = &policy {
                let asked = match interaction.consent {
                    Some(ConsentAnswer::RequestApproval) => Some(Asked {
                        justification: interaction.justification.as_deref().unwrap_or_default(),
                        correlation_id: interaction.correlation_id,
                    }),
                    _ => None,
                };
                let blocked =
                    Blocked { client: &request.client, user: case.user, tenant: case.tenant, pending: case.pending };
                view.request = approval_request(state, blocked, policy, asked, now).await?;
            }
            Ok(Some(Outcome::NeedsAdmin(view)))
        }
        ConsentDecision::AskUser if !answered => Ok(Some(Outcome::Consent(consent_view(state, case).await?))),
        ConsentDecision::AskUser => {
            let for_organization = interaction.for_organization && case.user.is_admin;
            grant(state, case, for_organization, (now, interaction.correlation_id)).await?;
            Ok(None)
        }
    }
}

/// AADSTS65001 as `consent_required`: consent is needed, which `prompt=none` does not allow.
fn silent_consent_refused(request: &ValidRequest, decision: ConsentDecision) -> ProtocolError {
    let what = if decision == ConsentDecision::AskUser { "the user" } else { "an administrator" };
    ProtocolError::new(
        Aadsts::ConsentRequired,
        format!(
            "The user or administrator has not consented to use the application with ID '{}' named '{}'. Consent by {what} is needed, which prompt=none does not allow.",
            request.client.app_id, request.client.display_name
        ),
    )
    .with_error(OAuthError::ConsentRequired)
}

/// Whether the session's user can serve this request.
enum SignedIn {
    User(User),
    NeedsSignIn,
}

async fn signed_in_user(
    state: &AppState,
    request: &ValidRequest,
    session: Option<Session>,
    interaction: &Interaction,
) -> Result<SignedIn, ProtocolError> {
    let Some(session) = session else { return Ok(SignedIn::NeedsSignIn) };
    if request.path_tenant.as_ref().is_some_and(|t| t.id != session.tenant_id) {
        return Ok(SignedIn::NeedsSignIn);
    }
    if request.prompt == Some(Prompt::Login) && !interaction.signed_in_now {
        return Ok(SignedIn::NeedsSignIn);
    }
    let found = state.store.user(session.tenant_id, session.user_id).await?;
    let Some(user) = found.filter(|user| user.account_enabled) else {
        return Ok(SignedIn::NeedsSignIn);
    };
    let hinted_other = request.login_hint.as_deref().is_some_and(|hint| !hint.eq_ignore_ascii_case(&user.username));
    if hinted_other && !interaction.signed_in_now {
        return Ok(SignedIn::NeedsSignIn);
    }
    Ok(SignedIn::User(user))
}

async fn consent_view(state: &AppState, case: ConsentCase<'_>) -> Result<ConsentView, ProtocolError> {
    let ConsentCase { request, user, tenant, pending } = case;
    let home = state.store.tenant(request.client.home_tenant).await?;
    let publisher = home.map_or_else(|| request.client.home_tenant.to_string(), |t| t.display_name);
    Ok(ConsentView {
        app_name: request.client.display_name.clone(),
        publisher,
        publisher_is_own_tenant: request.client.home_tenant == tenant.id,
        username: user.username.clone(),
        permissions: pending
            .iter()
            .map(|p| PermissionView {
                resource: p.resource.display_name.clone(),
                name: p.scope.user_consent_display_name.clone(),
                description: p.scope.user_consent_description.clone(),
                admin_only: p.scope.consent_type == crate::domain::app::ConsentType::Admin,
            })
            .collect(),
        offer_organization: user.is_admin,
        admin_reason: None,
        request: None,
    })
}

/// Stores the user's consent: the client's service principal in the user's tenant (created on first
/// consent) and a grant per resource, for the user (`Principal`) or, when an admin ticked the box, for
/// everyone in the tenant (`AllPrincipals`).
async fn grant(
    state: &AppState,
    case: ConsentCase<'_>,
    for_organization: bool,
    (now, correlation_id): (UnixTime, Uuid),
) -> Result<(), ProtocolError> {
    let ConsentCase { request, user, tenant, pending } = case;
    let client = &request.client;
    let mut delegated: Vec<(ObjectId, Vec<String>)> = Vec::new();
    for p in pending {
        match delegated.iter_mut().find(|(resource, _)| *resource == p.resource_sp.id) {
            Some((_, values)) => values.push(p.scope.value.clone()),
            None => delegated.push((p.resource_sp.id, vec![p.scope.value.clone()])),
        }
    }
    let (consent_type, principal, action) = match for_organization {
        true => (GrantConsentType::AllPrincipals, None, "consent.organization"),
        false => (GrantConsentType::Principal, Some(user.id), "consent.user"),
    };
    let details =
        json!({ "appId": client.app_id, "consentType": consent_type.as_str(), "scopes": scope_names(pending) });
    let actor = user_actor(user.id, &user.username);
    let event = AuditEvent::new(now, correlation_id, actor, action, app_target(client.app_id), details);
    let consent = Consent { consent_type, principal, delegated, roles: Vec::new() };
    state.store.grant_consent(tenant.id, client, &consent, &event).await?;
    tracing::info!(client = %client.app_id, tenant = %tenant.id, user = %user.id, action, "consent granted");
    Ok(())
}

/// Issues a code bound to everything the token request must match (sealed into the code), and replies
/// with it.
async fn issue_code(
    state: &AppState,
    request: &ValidRequest,
    tenant: &Tenant,
    user: &User,
    now: UnixTime,
) -> Result<Outcome, ProtocolError> {
    if request.endpoint == Endpoint::Device {
        return device::approve(state, request, tenant, user).await;
    }
    let bound = AuthorizationCode {
        tenant_id: tenant.id,
        client_id: request.client.app_id,
        user_id: user.id,
        redirect_uri: request.redirect_uri.clone(),
        scopes: request.scopes.to_scope_string().split_whitespace().map(str::to_owned).collect(),
        challenge: request.challenge.clone(),
        nonce: request.nonce.clone(),
        // Time-ordered, so the refresh-token family index grows at its end rather than at a random page.
        family_id: Uuid::now_v7(),
        issued_at: now,
        expires_at: now + CODE_LIFETIME,
    };
    let code = bound.seal(&state.kek).map_err(ProtocolError::internal)?;
    Ok(request.reply(vec![("code", code)]))
}
