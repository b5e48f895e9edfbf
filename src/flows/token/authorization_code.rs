//! The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.6; protocol reference §2.3).
//!
//! The checks run in this order: which tenant issued the code, which client is asking, that the code was
//! issued to this client, has not expired, names the same redirect URI, and that the PKCE verifier
//! answers its challenge; then the tokens are signed, and the code's redemption is written with the new
//! refresh token in one transaction. Only one redemption of a code ever commits: a second one, or any
//! failed attempt by the code's own client at a code redeemed before, revokes every token the first
//! issued.

use super::client_auth::{AuthenticatedClient, authenticate};
use super::request::{Endpoint, TokenRequest, TokenResponse};
use super::user_tokens::{Issued, UserGrant, asked_scopes, check_enabled, consented, issue};
use crate::clock::UnixTime;
use crate::domain::app::Application;
use crate::domain::code::{AuthorizationCode, code_tenant};
use crate::domain::pkce;
use crate::domain::redirect_uri::Platform;
use crate::domain::refresh::SPA_REFRESH_LIFETIME;
use crate::domain::scope::DelegatedScopes;
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, ProtocolError};
use crate::flows::tenant::resolve_named;
use crate::secrets::token_hash;
use crate::state::AppState;

/// Redeems a code for tokens.
pub async fn redeem(
    state: &AppState,
    endpoint: &Endpoint<'_>,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    let code = request.require("code")?;
    let redirect_uri = request.require("redirect_uri")?;
    let hash = token_hash(code);
    let tenant = issuing_tenant(state, endpoint, code).await?;
    let client = authenticate(state, &tenant, endpoint.segment, request, now).await?;
    let bound = AuthorizationCode::open(code, tenant.id, &state.kek).ok_or_else(invalid_code)?;
    let issued = match tokens_for(state, &tenant, &client, &bound, request, redirect_uri, now).await {
        Ok(issued) => issued,
        // A failed attempt at a code that was redeemed before is a replay all the same, when the code's
        // own client makes it: another client learns nothing and must not revoke the real one's tokens.
        Err(_) if bound.client_id == client.app.app_id && state.store.code_redeemed(&hash, bound.issued_at).await? => {
            return Err(replayed(state, &bound, now).await?);
        }
        Err(err) => return Err(err),
    };
    if !state.store.redeem_code(&hash, &bound, now, issued.refresh.as_ref()).await? {
        return Err(replayed(state, &bound, now).await?);
    }
    Ok(issued.response)
}

/// Revokes the token family of a code redeemed before, and the error that says so (AADSTS54005).
async fn replayed(state: &AppState, bound: &AuthorizationCode, now: UnixTime) -> Result<ProtocolError, ProtocolError> {
    let revoked = state.store.revoke_refresh_family(bound.tenant_id, bound.family_id, now).await?;
    tracing::warn!(client = %bound.client_id, revoked, "authorization code replayed; its token family is revoked");
    Ok(ProtocolError::new(
        Aadsts::CodeRedeemed,
        "The provided authorization code or refresh token has already been used; the tokens issued from it are revoked. Send a new interactive authorization request.",
    ))
}

/// Checks the code's bindings and the consent it still has, and signs the tokens. Writes nothing.
async fn tokens_for(
    state: &AppState,
    tenant: &Tenant,
    client: &AuthenticatedClient,
    bound: &AuthorizationCode,
    request: &TokenRequest,
    redirect_uri: &str,
    now: UnixTime,
) -> Result<Issued, ProtocolError> {
    check_bindings(bound, client, redirect_uri, request.get("code_verifier"), now)?;
    let spa = spa_redemption(&client.app, &bound.redirect_uri, request.origin().is_some())?;
    let user = state.store.user(tenant.id, bound.user_id).await?.ok_or_else(invalid_code)?;
    check_enabled(&user)?;
    let granted = DelegatedScopes::parse(&bound.scopes.join(" ")).map_err(|_| invalid_code())?;
    let asked = asked_scopes(request, &granted)?;
    let consented = consented(state, tenant, &user, client, &asked).await?;
    let offline = granted.has_oidc("offline_access");
    let grant = UserGrant {
        tenant,
        user: &user,
        client,
        oidc: &granted,
        nonce: bound.nonce.as_deref(),
        family_id: bound.family_id,
        refresh: offline.then_some(&granted),
        spa_until: spa.then_some(now + SPA_REFRESH_LIFETIME),
        client_info: request.get("client_info") == Some("1"),
    };
    issue(state, grant, consented, now)
}

/// Whether this is a single-page app's redemption: a code sent to one of its redirect URIs is redeemed
/// cross-origin (AADSTS9002327 otherwise), and only such a code is (AADSTS9002326).
fn spa_redemption(app: &Application, redirect_uri: &str, cross_origin: bool) -> Result<bool, ProtocolError> {
    match (app.redirect_platform(redirect_uri) == Some(Platform::Spa), cross_origin) {
        (true, false) => Err(ProtocolError::of(Aadsts::SpaNotCrossOrigin)),
        (false, true) => Err(ProtocolError::new(
            Aadsts::CrossOriginNotSpa,
            "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type: the code was issued for a redirect URI that is not a single-page application's.",
        )),
        (spa, _) => Ok(spa),
    }
}

/// The tenant that issued the code, as the code names it: at a GUID or domain it must be the path's
/// (AADSTS700005 otherwise); at `common` and `organizations` it is the code's own.
async fn issuing_tenant(state: &AppState, endpoint: &Endpoint<'_>, code: &str) -> Result<Tenant, ProtocolError> {
    let issued_in = code_tenant(code);
    match endpoint.tenant {
        TenantSegment::Named(name) => {
            let tenant = resolve_named(state, name).await?;
            match issued_in {
                Some(issued) if issued != tenant.id => Err(ProtocolError::new(
                    Aadsts::CodeOtherTenant,
                    format!(
                        "The authorization code was issued in another tenant than '{}'. Redeem it at the tenant it was issued in.",
                        tenant.id
                    ),
                )),
                _ => Ok(tenant),
            }
        }
        TenantSegment::Common | TenantSegment::Organizations => {
            let issued = issued_in.ok_or_else(invalid_code)?;
            state.store.resolve_tenant(&issued.to_string()).await?.ok_or_else(invalid_code)
        }
        TenantSegment::Consumers => Err(ProtocolError::of(Aadsts::UnsupportedTenant)),
    }
}

/// The code must have been issued to this client for this redirect URI, be unexpired, and its PKCE
/// challenge (if any) must be answered.
fn check_bindings(
    bound: &AuthorizationCode,
    client: &AuthenticatedClient,
    redirect_uri: &str,
    verifier: Option<&str>,
    now: UnixTime,
) -> Result<(), ProtocolError> {
    if bound.client_id != client.app.app_id {
        return Err(ProtocolError::new(Aadsts::InvalidGrant, "The authorization code was issued to another client."));
    }
    if now >= bound.expires_at {
        return Err(ProtocolError::new(
            Aadsts::GrantExpired,
            "The provided authorization code has expired. Send a new interactive authorization request.",
        ));
    }
    if bound.redirect_uri != redirect_uri {
        return Err(ProtocolError::new(
            Aadsts::InvalidGrant,
            "The redirect_uri does not match the one the authorization code was issued for.",
        ));
    }
    match (&bound.challenge, verifier) {
        (Some((challenge, method)), Some(verifier)) if pkce::verify(verifier, challenge, *method) => Ok(()),
        (Some(_), _) => Err(ProtocolError::new(
            Aadsts::PkceMismatch,
            "The code_verifier does not match the code_challenge supplied in the authorization request.",
        )),
        (None, Some(_)) => Err(ProtocolError::new(
            Aadsts::PkceMismatch,
            "A code_verifier was sent, but the authorization request had no code_challenge.",
        )),
        (None, None) => Ok(()),
    }
}

fn invalid_code() -> ProtocolError {
    ProtocolError::new(
        Aadsts::InvalidGrant,
        "The provided authorization code is invalid: it was not issued by this tenant, or it was altered.",
    )
}
