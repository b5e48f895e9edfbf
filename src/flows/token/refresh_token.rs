//! The refresh token grant (RFC 6749 §6; protocol reference §2.3).
//!
//! A refresh token is bound to tenant, client and user, not to a resource: it may be exchanged for any
//! resource the user has consented to for this client. Each use returns a new one of the same family.
//! A confidential client may present an already-rotated token again (Microsoft does not revoke on
//! rotation), but a public client that does loses the whole family: its tokens cannot be bound to a
//! secret, so a reused one is treated as stolen (OAuth 2.0 Security Best Current Practice §4.14.2).

use super::client_auth::authenticate;
use super::request::{Endpoint, TokenRequest, TokenResponse};
use super::user_tokens::{UserGrant, asked_scopes, check_enabled, consented, issue};
use crate::clock::UnixTime;
use crate::domain::refresh::{RefreshToken, RefreshUse};
use crate::domain::scope::DelegatedScopes;
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, ProtocolError};
use crate::flows::tenant::resolve_named;
use crate::secrets::refresh_token_key;
use crate::state::AppState;

/// Exchanges a refresh token for new tokens.
pub async fn redeem(
    state: &AppState,
    endpoint: &Endpoint<'_>,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    let presented = request.require("refresh_token")?;
    let key = refresh_token_key(presented);
    let tenant = issuing_tenant(state, endpoint, &key).await?;
    let client = authenticate(state, &tenant, endpoint.segment, request, now).await?;
    // Everything that can fail is checked before the token is marked used, so a refused exchange
    // (another resource without consent, say) does not spend it.
    let bound = state.store.peek_refresh_token(tenant.id, &key).await?.ok_or_else(invalid_token)?;
    if bound.client_id != client.app.app_id {
        return Err(ProtocolError::new(Aadsts::InvalidGrant, "The refresh token was issued to another client."));
    }
    check_spa(&bound, request.origin().is_some())?;
    if now >= bound.expires_at && bound.spa {
        return Err(ProtocolError::new(
            Aadsts::SpaRefreshExpired,
            "The refresh token has expired: it was issued to a single page app and lives 24 hours from sign-in. Send a new interactive authorization request.",
        ));
    }
    if now >= bound.expires_at {
        return Err(ProtocolError::new(
            Aadsts::RefreshTokenInactive,
            "The refresh token has expired due to inactivity. Send a new interactive authorization request.",
        ));
    }
    let user = state.store.user(tenant.id, bound.user_id).await?.ok_or_else(invalid_token)?;
    check_enabled(&user)?;
    let bound_scopes = DelegatedScopes::parse(&bound.scopes.join(" ")).map_err(|_| invalid_token())?;
    let asked = asked_scopes(request, &bound_scopes)?;
    let consented = consented(state, &tenant, &user, &client, &asked).await?;
    match state.store.use_refresh_token(tenant.id, &key, now).await? {
        RefreshUse::First(_) => {}
        RefreshUse::Again(_) if !client.app.is_public_client => {}
        RefreshUse::Again(bound) => {
            let revoked = state.store.revoke_refresh_family(tenant.id, bound.family_id, now).await?;
            tracing::warn!(client = %bound.client_id, revoked, "public client reused a rotated refresh token; family revoked");
            return Err(ProtocolError::new(
                Aadsts::GrantExpired,
                "The refresh token was already used. A public client's refresh token is single use; every token of its family is now revoked. Send a new interactive authorization request.",
            ));
        }
        RefreshUse::Revoked => {
            return Err(ProtocolError::new(
                Aadsts::GrantExpired,
                "The refresh token has been revoked. Send a new interactive authorization request.",
            ));
        }
        RefreshUse::Unknown => return Err(invalid_token()),
    }
    let grant = UserGrant {
        tenant: &tenant,
        user: &user,
        client: &client,
        oidc: &asked,
        nonce: None,
        family_id: bound.family_id,
        refresh: Some(&bound_scopes),
        // A single-page app's rotated token keeps the expiry of the sign-in it descends from.
        spa_until: bound.spa.then_some(bound.expires_at),
        client_info: request.get("client_info") == Some("1"),
    };
    let issued = issue(state, grant, consented, now)?;
    if let Some((new_key, rotated)) = &issued.refresh {
        state.store.insert_refresh_token(new_key, rotated).await?;
        // A replay of the presented token may have revoked its family between its use above and this
        // insert; the new token must not outlive that revocation.
        if state.store.refresh_token_revoked(tenant.id, &key).await? {
            state.store.revoke_refresh_family(tenant.id, rotated.family_id, now).await?;
            return Err(ProtocolError::new(
                Aadsts::GrantExpired,
                "The refresh token was revoked while it was being used. Send a new interactive authorization request.",
            ));
        }
    }
    Ok(issued.response)
}

/// The tenant the token was issued in: the path's, or at `common` and `organizations` its own.
async fn issuing_tenant(state: &AppState, endpoint: &Endpoint<'_>, key: &str) -> Result<Tenant, ProtocolError> {
    match endpoint.tenant {
        TenantSegment::Named(name) => resolve_named(state, name).await,
        TenantSegment::Common | TenantSegment::Organizations => {
            let issued = state.store.refresh_token_tenant(key).await?.ok_or_else(invalid_token)?;
            state.store.tenant(issued).await?.ok_or_else(invalid_token)
        }
        TenantSegment::Consumers => Err(ProtocolError::of(Aadsts::UnsupportedTenant)),
    }
}

/// A single-page app's refresh token is redeemed cross-origin (AADSTS9002327), and a cross-origin
/// request redeems only such a token (AADSTS9002326).
fn check_spa(bound: &RefreshToken, cross_origin: bool) -> Result<(), ProtocolError> {
    match (bound.spa, cross_origin) {
        (true, false) => Err(ProtocolError::of(Aadsts::SpaNotCrossOrigin)),
        (false, true) => Err(ProtocolError::new(
            Aadsts::CrossOriginNotSpa,
            "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type: this refresh token was not issued to one.",
        )),
        _ => Ok(()),
    }
}

fn invalid_token() -> ProtocolError {
    ProtocolError::new(Aadsts::InvalidGrant, "The provided refresh token is invalid or was issued in another tenant.")
}
