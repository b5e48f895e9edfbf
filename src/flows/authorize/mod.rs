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
mod params;
mod resources;

use serde_json::json;
use uuid::Uuid;

use self::admin_consent::{admin_consent, everything_required};
pub use self::approval::RequestView;
use self::approval::{Blocked, approval_request};
use self::checks::{
    check_app_allows_tenant, check_client_known, check_pkce, check_prompt, check_redirect_uri, check_response_type,
    check_scope, check_tenant,
};
use self::consent::{AdminReason, ConsentDecision, Consenter, PendingPermission, decide};
pub use self::params::AuthorizeParams;
use self::resources::{requested_values, resolve_resources};
use crate::clock::UnixTime;
use crate::domain::app::{Application, GrantConsentType};
use crate::domain::audit::{AuditEvent, user_actor};
use crate::domain::code::{AuthorizationCode, CODE_LIFETIME};
use crate::domain::ids::ObjectId;
use crate::domain::pkce::ChallengeMethod;
use crate::domain::scope::DelegatedScopes;
use crate::domain::session::Session;
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, OAuthError, ProtocolError};
use crate::state::AppState;
use crate::store::{Consent, User};

/// How the response goes back to the client (OAuth 2.0 Multiple Response Type Encoding Practices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    fn parse(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("query") => Some(Self::Query),
            Some("fragment") => Some(Self::Fragment),
            Some("form_post") => Some(Self::FormPost),
            Some(_) => None,
        }
    }
}

/// Which endpoint a request came to. The pages' forms carry it, so a posted form continues the same flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Endpoint {
    /// `/{tenant}/oauth2/v2.0/authorize`: sign in, and a code for the client.
    #[default]
    Authorize,
    /// `/{tenant}/v2.0/adminconsent`: tenant-wide consent to the permissions `scope` names.
    AdminConsent,
    /// `/{tenant}/adminconsent`: tenant-wide consent to everything the app requires.
    AdminConsentV1,
}

impl Endpoint {
    /// The value of the pages' hidden `endpoint` field.
    pub fn form_value(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::AdminConsent => "adminconsent",
            Self::AdminConsentV1 => "adminconsent-v1",
        }
    }

    pub fn from_form_value(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("authorize") => Some(Self::Authorize),
            Some("adminconsent") => Some(Self::AdminConsent),
            Some("adminconsent-v1") => Some(Self::AdminConsentV1),
            Some(_) => None,
        }
    }

    /// One of the admin consent endpoints, whose every reply carries `admin_consent=True`.
    pub fn is_admin_consent(self) -> bool {
        self != Self::Authorize
    }
}

/// The `prompt` values of the v2.0 endpoint, and v1's `admin_consent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    Login,
    None,
    Consent,
    SelectAccount,
    /// An administrator grants the permissions for the whole organisation.
    AdminConsent,
}

impl Prompt {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "login" => Some(Self::Login),
            "none" => Some(Self::None),
            "consent" => Some(Self::Consent),
            "select_account" => Some(Self::SelectAccount),
            "admin_consent" => Some(Self::AdminConsent),
            _ => None,
        }
    }
}

/// A response to the client at its registered redirect URI.
#[derive(Clone, Debug)]
pub struct Reply {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub params: Vec<(&'static str, String)>,
}

/// What the user is shown about a consent.
#[derive(Clone, Debug)]
pub struct ConsentView {
    pub app_name: String,
    pub publisher: String,
    /// Whether the app is registered in the user's own tenant.
    pub publisher_is_own_tenant: bool,
    pub username: String,
    pub permissions: Vec<PermissionView>,
    /// The user is an admin: the page offers "Consent on behalf of your organization".
    pub offer_organization: bool,
    /// Why an admin is needed, when one is (AADSTS90094 or 90093).
    pub admin_reason: Option<AdminReason>,
    /// The admin consent request workflow, when the tenant has it on (AADSTS90095).
    pub request: Option<RequestView>,
}

/// What an administrator is shown about a tenant-wide consent.
#[derive(Clone, Debug)]
pub struct AdminConsentView {
    pub app_name: String,
    pub publisher: String,
    pub publisher_is_own_tenant: bool,
    pub verified_publisher: bool,
    pub username: String,
    pub tenant_name: String,
    pub resources: Vec<ResourcePermissionsView>,
}

/// The permissions of one resource on the admin consent page.
#[derive(Clone, Debug)]
pub struct ResourcePermissionsView {
    pub resource: String,
    /// Delegated permissions: display name and description.
    pub delegated: Vec<(String, String)>,
    /// Application permissions (app roles): display name and description.
    pub application: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct PermissionView {
    pub resource: String,
    pub name: String,
    pub description: String,
    pub admin_only: bool,
}

/// What to answer.
#[derive(Debug)]
pub enum Outcome {
    /// The client or redirect URI could not be trusted: an error page, never a redirect.
    ErrorPage(ProtocolError),
    /// Back to the client: a code, or an error.
    Reply(Reply),
    /// Ask for username and password.
    SignIn { app_name: String, username: Option<String> },
    /// Show the signed-in account, with "use another account".
    SelectAccount { app_name: String, username: String, display_name: String },
    /// Ask the user to consent.
    Consent(ConsentView),
    /// Only an administrator can grant what the app asks for (AADSTS90094, or 90093 by policy).
    NeedsAdmin(ConsentView),
    /// Ask an administrator to consent for the whole organisation.
    AdminConsent(AdminConsentView),
}

/// A request whose client and redirect URI are trusted, with every parameter checked.
#[derive(Clone, Debug)]
pub struct ValidRequest {
    pub endpoint: Endpoint,
    pub segment: TenantSegment,
    /// The tenant a GUID or domain segment names; `None` for `common` and `organizations`.
    pub path_tenant: Option<Tenant>,
    pub client: Application,
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
    pub scopes: DelegatedScopes,
    pub prompt: Option<Prompt>,
    pub login_hint: Option<String>,
    pub domain_hint: Option<String>,
    pub challenge: Option<(String, ChallengeMethod)>,
    pub nonce: Option<String>,
}

impl ValidRequest {
    /// An error for the client, in the request's response mode.
    pub fn error_reply(&self, error: &ProtocolError) -> Outcome {
        error_reply(&self.redirect_uri, self.mode, self.state.as_deref(), self.endpoint, error)
    }

    pub fn reply(&self, mut params: Vec<(&'static str, String)>) -> Outcome {
        if let Some(state) = &self.state {
            params.push(("state", state.clone()));
        }
        Outcome::Reply(Reply { redirect_uri: self.redirect_uri.clone(), mode: self.mode, params })
    }
}

/// What the browser just did, as the HTTP layer vouches for it (each form's CSRF token checked).
#[derive(Clone, Debug, Default)]
pub struct Interaction {
    /// The user typed their password in this request.
    pub signed_in_now: bool,
    /// The user chose the signed-in account on the account page.
    pub account_chosen: bool,
    pub consent: Option<ConsentAnswer>,
    /// An admin ticked "Consent on behalf of your organization".
    pub for_organization: bool,
    /// The justification of a request for admin approval (with [`ConsentAnswer::RequestApproval`]).
    pub justification: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentAnswer {
    Accept,
    Cancel,
    /// Ask the tenant's reviewers to approve the app.
    RequestApproval,
}

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
/// endpoints answer in the query, issue no code, and (v1) consent to everything the app requires.
pub async fn prepare(
    state: &AppState,
    endpoint: Endpoint,
    segment: &str,
    params: &AuthorizeParams,
) -> Result<ValidRequest, Outcome> {
    let (segment, path_tenant) = check_tenant(state, endpoint, segment).await.map_err(Outcome::ErrorPage)?;
    let client = check_client_known(state, params, path_tenant.as_ref()).await.map_err(Outcome::ErrorPage)?;
    let redirect_uri = check_redirect_uri(&client, params).map_err(Outcome::ErrorPage)?;
    let state_param = params.state.clone();
    let mode = match endpoint {
        Endpoint::Authorize => ResponseMode::parse(params.response_mode.as_deref()),
        Endpoint::AdminConsent | Endpoint::AdminConsentV1 => Some(ResponseMode::Query),
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
    match proceed_checked(state, request, session, interaction, now).await {
        Ok(outcome) => outcome,
        Err(error) => request.error_reply(&error),
    }
}

async fn proceed_checked(
    state: &AppState,
    request: &ValidRequest,
    session: Option<Session>,
    interaction: Interaction,
    now: UnixTime,
) -> Result<Outcome, ProtocolError> {
    if interaction.consent == Some(ConsentAnswer::Cancel) {
        return Err(ProtocolError::new(Aadsts::UserDeclined, "The user declined to consent to access the app."));
    }
    let user = match signed_in_user(state, request, session, &interaction).await? {
        SignedIn::User(user) => user,
        SignedIn::NeedsSignIn => {
            if request.prompt == Some(Prompt::None) {
                return Err(ProtocolError::new(
                    Aadsts::LoginRequired,
                    "A silent sign-in request was sent but no user is signed in.",
                ));
            }
            let username = request.login_hint.clone();
            return Ok(Outcome::SignIn { app_name: request.client.display_name.clone(), username });
        }
    };
    if request.prompt == Some(Prompt::SelectAccount) && !interaction.account_chosen && !interaction.signed_in_now {
        return Ok(Outcome::SelectAccount {
            app_name: request.client.display_name.clone(),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
        });
    }
    // Both lookups are cached: this is the path of every silent sign-in.
    let tenant = state
        .store
        .resolve_tenant(&user.tenant_id.to_string())
        .await?
        .ok_or_else(|| ProtocolError::internal("user's tenant"))?;
    let client_sp = state.store.sp_with_app(tenant.id, request.client.app_id).await?.map(|(sp, _)| sp);
    check_app_allows_tenant(&request.client, client_sp.as_ref(), &tenant)?;
    if request.prompt == Some(Prompt::AdminConsent)
        && let Some(outcome) = admin_consent(state, request, &user, &tenant, &interaction, now).await?
    {
        return Ok(outcome);
    }
    let resources = resolve_resources(state, &request.client, &tenant, &request.scopes).await?;
    let answered = interaction.consent == Some(ConsentAnswer::Accept);
    // prompt=consent shows every permission again, until the user has answered.
    let ask_all = request.prompt == Some(Prompt::Consent) && !answered;
    let mut pending = Vec::new();
    for resource in &resources {
        let granted = match &client_sp {
            Some(sp) => state.store.delegated_scopes(tenant.id, sp.id, resource.sp.id, user.id).await?,
            None => Vec::new(),
        };
        pending.extend(resource.pending(&granted, ask_all));
    }
    let policy = match pending.is_empty() {
        true => None,
        false => Some(state.store.tenant_policy(tenant.id).await?),
    };
    let decision = match &policy {
        None => ConsentDecision::Granted,
        Some(policy) => {
            let low_impact = state.store.low_impact_permissions(tenant.id).await?;
            let trusted_publisher = request.client.home_tenant == tenant.id || request.client.verified_publisher;
            decide(&Consenter { user: &user, policy, trusted_publisher, low_impact: &low_impact }, &pending)
        }
    };
    match decision {
        ConsentDecision::Granted => {}
        decision if request.prompt == Some(Prompt::None) => {
            let what = if decision == ConsentDecision::AskUser { "the user" } else { "an administrator" };
            return Err(ProtocolError::new(
                Aadsts::ConsentRequired,
                format!(
                    "The user or administrator has not consented to use the application with ID '{}' named '{}'. Consent by {what} is needed, which prompt=none does not allow.",
                    request.client.app_id, request.client.display_name
                ),
            )
            .with_error(OAuthError::ConsentRequired));
        }
        ConsentDecision::NeedsAdmin(reason) => {
            let mut view = consent_view(state, request, &user, &tenant, &pending).await?;
            view.admin_reason = Some(reason);
            if let Some(policy) = &policy {
                let asked = match interaction.consent {
                    Some(ConsentAnswer::RequestApproval) => {
                        Some(interaction.justification.as_deref().unwrap_or_default())
                    }
                    _ => None,
                };
                let blocked = Blocked { client: &request.client, user: &user, tenant: &tenant, pending: &pending };
                view.request = approval_request(state, blocked, policy, asked, now).await?;
            }
            return Ok(Outcome::NeedsAdmin(view));
        }
        ConsentDecision::AskUser if !answered => {
            return Ok(Outcome::Consent(consent_view(state, request, &user, &tenant, &pending).await?));
        }
        ConsentDecision::AskUser => {
            let for_organization = interaction.for_organization && user.is_admin;
            grant(state, &request.client, &tenant, &user, &pending, for_organization, now).await?;
        }
    }
    issue_code(state, request, &tenant, &user, now).await
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
    let Some(user) = state.store.user(session.tenant_id, session.user_id).await? else {
        return Ok(SignedIn::NeedsSignIn);
    };
    let hinted_other = request.login_hint.as_deref().is_some_and(|hint| !hint.eq_ignore_ascii_case(&user.username));
    if hinted_other && !interaction.signed_in_now {
        return Ok(SignedIn::NeedsSignIn);
    }
    Ok(SignedIn::User(user))
}

async fn consent_view(
    state: &AppState,
    request: &ValidRequest,
    user: &User,
    tenant: &Tenant,
    pending: &[PendingPermission],
) -> Result<ConsentView, ProtocolError> {
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
    client: &Application,
    tenant: &Tenant,
    user: &User,
    pending: &[PendingPermission],
    for_organization: bool,
    now: UnixTime,
) -> Result<(), ProtocolError> {
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
    let event = AuditEvent::now(now, user_actor(user.id, &user.username), action, app_target(client), details);
    let consent = Consent { consent_type, principal, delegated, roles: Vec::new() };
    state.store.grant_consent(tenant.id, client, &consent, &event).await?;
    tracing::info!(client = %client.app_id, tenant = %tenant.id, user = %user.id, action, "consent granted");
    Ok(())
}

/// The audit target naming an app.
pub(crate) fn app_target(app: &Application) -> String {
    format!("app:{}", app.app_id)
}

/// `{resource appId}/{value}` of each pending permission.
fn scope_names(pending: &[PendingPermission]) -> Vec<String> {
    pending.iter().map(|p| format!("{}/{}", p.resource.app_id, p.scope.value)).collect()
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

/// An error for the client at `redirect_uri` (RFC 6749 §4.1.2.1), with Microsoft's AADSTS description;
/// from an admin consent endpoint, with `admin_consent=True`.
fn error_reply(
    redirect_uri: &str,
    mode: ResponseMode,
    state: Option<&str>,
    endpoint: Endpoint,
    error: &ProtocolError,
) -> Outcome {
    let ids = crate::http::request_ids::RequestIds::current();
    let body = error.body(&ids, &ids.public_url);
    let mut params = vec![
        ("error", body.error.to_owned()),
        ("error_description", body.error_description),
        ("error_uri", body.error_uri),
    ];
    if error.aadsts() == Aadsts::UserDeclined {
        params.push(("error_subcode", "cancel".to_owned()));
    }
    if endpoint.is_admin_consent() {
        params.push(("admin_consent", "True".to_owned()));
    }
    if let Some(state) = state {
        params.push(("state", state.to_owned()));
    }
    tracing::info!(error = body.error, aadsts = error.aadsts().code(), "authorization error reply");
    Outcome::Reply(Reply { redirect_uri: redirect_uri.to_owned(), mode, params })
}
