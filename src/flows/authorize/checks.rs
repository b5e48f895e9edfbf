//! The named checks of an authorization request, in spec order: tenant, client, redirect URI (an error
//! page when they fail), then response type, scope, PKCE and prompt (an error reply), and whether the
//! app lets the user's tenant in.

use super::params::AuthorizeParams;
use super::request::{Endpoint, Prompt};
use crate::domain::app::{Application, ServicePrincipal, SignInAudience};
use crate::domain::pkce::{self, ChallengeMethod};
use crate::domain::redirect_uri::{self, Platform};
use crate::domain::scope::{DelegatedScopes, ScopeError};
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, ProtocolError};
use crate::flows::tenant::resolve_named;
use crate::state::AppState;

/// `{tenant}`: `common` and `organizations` find the tenant at sign-in; a GUID or domain must exist.
/// Admin consent is for one organisation: `common` is refused there.
pub(super) async fn check_tenant(
    state: &AppState,
    endpoint: Endpoint,
    segment: &str,
) -> Result<(TenantSegment, Option<Tenant>), ProtocolError> {
    let parsed = TenantSegment::parse(segment);
    let tenant = match &parsed {
        TenantSegment::Common if endpoint.is_admin_consent() => {
            return Err(ProtocolError::new(
                Aadsts::UnsupportedTenant,
                "Admin consent is given for one organization: use its tenant id, a verified domain, or 'organizations', not 'common'.",
            ));
        }
        TenantSegment::Common | TenantSegment::Organizations => None,
        TenantSegment::Consumers => return Err(ProtocolError::of(Aadsts::UnsupportedTenant)),
        TenantSegment::Named(name) => Some(resolve_named(state, name).await?),
    };
    Ok((parsed, tenant))
}

/// `client_id`: a registered app that the tenant in the path can see (AADSTS700016).
pub(super) async fn check_client_known(
    state: &AppState,
    params: &AuthorizeParams,
    path_tenant: Option<&Tenant>,
) -> Result<Application, ProtocolError> {
    let raw = params.client_id.as_deref().ok_or_else(|| ProtocolError::missing("client_id"))?;
    let not_found = || {
        let directory = path_tenant.map_or_else(String::new, |t| format!(" '{}'", t.id));
        ProtocolError::new(
            Aadsts::ClientNotFound,
            format!(
                "Application with identifier '{raw}' was not found in the directory{directory}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
            ),
        )
    };
    let app_id = raw.parse().map_err(|_| not_found())?;
    let app = state.store.app_by_app_id(app_id).await?.ok_or_else(not_found)?;
    let visible = match path_tenant {
        None => true,
        Some(tenant) => app.home_tenant == tenant.id || app.sign_in_audience == SignInAudience::AzureADMultipleOrgs,
    };
    if visible { Ok(app) } else { Err(not_found()) }
}

/// `redirect_uri`: exactly one of the app's registered URIs (AADSTS50011), and one that still follows
/// the redirect URI rules: a URI stored before they were enforced is not followed.
pub(super) fn check_redirect_uri(client: &Application, params: &AuthorizeParams) -> Result<String, ProtocolError> {
    let uri = params.redirect_uri.as_deref().ok_or_else(|| ProtocolError::missing("redirect_uri"))?;
    if let Some(platform) = client.redirect_platform(uri) {
        redirect_uri::check(uri, platform).map_err(|err| {
            ProtocolError::new(
                Aadsts::RedirectUriMismatch,
                format!("The redirect URI registered for the application '{}' is not allowed: {err}.", client.app_id),
            )
        })?;
        Ok(uri.to_owned())
    } else {
        Err(ProtocolError::new(
            Aadsts::RedirectUriMismatch,
            format!(
                "The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application.",
                client.app_id
            ),
        ))
    }
}

/// `response_type`: `code` only (AADSTS700054).
pub(super) fn check_response_type(params: &AuthorizeParams) -> Result<(), ProtocolError> {
    match params.response_type.as_deref() {
        Some("code") => Ok(()),
        None => Err(ProtocolError::missing("response_type")),
        Some(other) => Err(ProtocolError::new(
            Aadsts::ResponseTypeUnsupported,
            format!("The response_type '{other}' is not enabled for the application; use 'code'."),
        )),
    }
}

/// `scope`: present, well formed (AADSTS900144, AADSTS70011).
pub(super) fn check_scope(params: &AuthorizeParams) -> Result<DelegatedScopes, ProtocolError> {
    let scope = params.scope.as_deref().ok_or_else(|| ProtocolError::missing("scope"))?;
    DelegatedScopes::parse(scope).map_err(|err| match err {
        ScopeError::Missing => ProtocolError::missing("scope"),
        ScopeError::DefaultMixed(resource) => ProtocolError::new(
            Aadsts::InvalidScope,
            format!("The scope for {resource} mixes '/.default' with named permissions. Use one or the other."),
        ),
        ScopeError::NotDefault(value) => ProtocolError::new(
            Aadsts::InvalidScope,
            format!("The provided value for the input parameter 'scope' is not valid: '{value}'."),
        ),
        ScopeError::SeveralResources => ProtocolError::of(Aadsts::MultipleResources),
    })
}

/// PKCE: a well-formed challenge with a known method; public clients, and any client sending the code
/// to a single-page app's redirect URI, must use S256 (AADSTS9002325).
pub(super) fn check_pkce(
    client: &Application,
    params: &AuthorizeParams,
) -> Result<Option<(String, ChallengeMethod)>, ProtocolError> {
    let invalid = |what: &str| ProtocolError::new(Aadsts::MalformedRequest, what.to_owned());
    let challenge = match params.code_challenge.as_deref() {
        None if params.code_challenge_method.is_some() => {
            return Err(invalid("code_challenge_method was sent without a code_challenge."));
        }
        None => None,
        Some(challenge) => {
            let method = ChallengeMethod::parse(params.code_challenge_method.as_deref())
                .ok_or_else(|| invalid("The code_challenge_method must be 'S256' or 'plain'."))?;
            if !pkce::well_formed(challenge) {
                return Err(invalid("The code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]."));
            }
            Some((challenge.to_owned(), method))
        }
    };
    let spa = params.redirect_uri.as_deref().and_then(|uri| client.redirect_platform(uri)) == Some(Platform::Spa);
    if (client.is_public_client || spa) && !matches!(challenge, Some((_, ChallengeMethod::S256))) {
        let message = if spa {
            "Proof Key for Code Exchange is required for cross-origin authorization code redemption: send code_challenge with code_challenge_method=S256."
        } else {
            "Proof Key for Code Exchange is required for public clients: send code_challenge with code_challenge_method=S256."
        };
        return Err(ProtocolError::new(Aadsts::PkceRequired, message));
    }
    Ok(challenge)
}

/// `prompt`: one known value; `select_account` not with `login_hint`.
pub(super) fn check_prompt(params: &AuthorizeParams) -> Result<Option<Prompt>, ProtocolError> {
    let Some(raw) = params.prompt.as_deref() else { return Ok(None) };
    let prompt = Prompt::parse(raw).ok_or_else(|| {
        ProtocolError::new(
            Aadsts::MalformedRequest,
            format!("Invalid prompt value '{raw}': use login, none, consent, select_account or admin_consent."),
        )
    })?;
    if prompt == Prompt::SelectAccount && params.login_hint.is_some() {
        return Err(ProtocolError::new(
            Aadsts::MalformedRequest,
            "prompt=select_account cannot be sent with login_hint.",
        ));
    }
    Ok(Some(prompt))
}

/// A single-tenant app signs in only its own tenant's users (AADSTS50194); a disabled service
/// principal signs in nobody (AADSTS7000112).
pub(super) fn check_app_allows_tenant(
    client: &Application,
    client_sp: Option<&ServicePrincipal>,
    tenant: &Tenant,
) -> Result<(), ProtocolError> {
    if client.sign_in_audience == SignInAudience::AzureADMyOrg && client.home_tenant != tenant.id {
        return Err(ProtocolError::new(
            Aadsts::NotMultiTenant,
            format!(
                "Application '{}'({}) is not configured as a multi-tenant application. Users of tenant '{}' cannot sign in to it.",
                client.app_id, client.display_name, tenant.id
            ),
        ));
    }
    match client_sp {
        Some(sp) if !sp.account_enabled => {
            Err(ProtocolError::new(Aadsts::ClientDisabled, format!("Application '{}' is disabled.", client.app_id)))
        }
        _ => Ok(()),
    }
}
