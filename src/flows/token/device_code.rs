//! The device code grant (RFC 8628 §3.4–3.5; protocol reference §2.3): a device polls with its device
//! code until the user has signed in at `/devicelogin`. Every poll before then is answered
//! `authorization_pending`, or `slow_down` when it came sooner than the interval, which then grows.
//! The approved request's tokens are issued once: the device code is spent in the same transaction
//! that stores the refresh token.

use uuid::Uuid;

use super::client_auth::authenticate;
use super::request::{Endpoint, TokenRequest, TokenResponse};
use super::user_tokens::{UserGrant, check_enabled, consented, issue};
use crate::clock::UnixTime;
pub use crate::domain::device_code::DEVICE_CODE_GRANT;
use crate::domain::device_code::{DeviceAuthorization, Poll};
use crate::domain::ids::{AppId, ObjectId, TenantId};
use crate::domain::scope::DelegatedScopes;
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, OAuthError, ProtocolError};
use crate::flows::tenant::resolve_named;
use crate::secrets::token_hash;
use crate::state::AppState;

/// Answers a device's poll.
pub async fn poll(
    state: &AppState,
    endpoint: &Endpoint<'_>,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    let device_code = request.require("device_code")?;
    let client_id = request.require("client_id")?;
    let hash = token_hash(device_code);
    let found = state.store.device_code(&hash).await?;
    // Another client's device code is as unknown to this one as a made-up one.
    let asked = found.filter(|f| client_id.parse::<AppId>().is_ok_and(|id| id == f.client_id));
    let asked = asked.ok_or_else(|| ProtocolError::of(Aadsts::BadVerificationCode))?;
    match asked.poll(now) {
        Poll::Pending => {
            state.store.record_device_poll(&hash, now, asked.interval).await?;
            Err(ProtocolError::of(Aadsts::AuthorizationPending))
        }
        Poll::SlowDown { interval } => {
            state.store.record_device_poll(&hash, now, interval).await?;
            Err(ProtocolError::new(
                Aadsts::AuthorizationPending,
                format!("The device polled sooner than its interval allows: poll at most every {interval} seconds."),
            )
            .with_error(OAuthError::SlowDown))
        }
        Poll::Expired => Err(ProtocolError::of(Aadsts::DeviceCodeExpired)),
        Poll::Declined { code, description } => Err(declined(code, description)),
        Poll::Redeemed => Err(ProtocolError::new(
            Aadsts::InvalidGrant,
            "The device code has been redeemed already: a device code is used once. Start the device flow again.",
        )),
        Poll::Approved { tenant_id, user_id } => {
            let approved = Approved { tenant_id, user_id, request: &asked, hash: &hash };
            redeem(state, endpoint, request, approved, now).await
        }
    }
}

/// The error the user's sign-in ended in, as the device gets it: a declined consent is
/// `authorization_declined`.
fn declined(code: u32, description: String) -> ProtocolError {
    let Some(aadsts) = Aadsts::from_code(code) else { return ProtocolError::internal("unknown stored error code") };
    let error = ProtocolError::new(aadsts, description);
    if aadsts == Aadsts::UserDeclined { error.with_error(OAuthError::AuthorizationDeclined) } else { error }
}

/// An approved request, and the hash its device code is stored under.
struct Approved<'a> {
    tenant_id: TenantId,
    user_id: ObjectId,
    request: &'a DeviceAuthorization,
    hash: &'a str,
}

/// Issues the tokens of an approved request and spends its device code.
async fn redeem(
    state: &AppState,
    endpoint: &Endpoint<'_>,
    request: &TokenRequest,
    approved: Approved<'_>,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    let tenant = approved_tenant(state, endpoint, approved.tenant_id).await?;
    let client = authenticate(state, &tenant, endpoint.segment, request, now).await?;
    let user = state.store.user(tenant.id, approved.user_id).await?.ok_or_else(|| {
        ProtocolError::new(Aadsts::InvalidGrant, "The user who approved the device code no longer exists.")
    })?;
    check_enabled(&user)?;
    let granted = DelegatedScopes::parse(&approved.request.scope)
        .map_err(|_| ProtocolError::internal("stored device code scope"))?;
    let consented = consented(state, &tenant, &user, &client, &granted).await?;
    let grant = UserGrant {
        tenant: &tenant,
        user: &user,
        client: &client,
        oidc: &granted,
        nonce: None,
        family_id: Uuid::now_v7(),
        refresh: granted.has_oidc("offline_access").then_some(&granted),
        spa_until: None,
        client_info: request.get("client_info") == Some("1"),
    };
    let issued = issue(state, grant, consented, now)?;
    if !state.store.redeem_device_code(approved.hash, issued.refresh.as_ref()).await? {
        return Err(ProtocolError::new(
            Aadsts::InvalidGrant,
            "The device code has been redeemed already: a device code is used once. Start the device flow again.",
        ));
    }
    Ok(issued.response)
}

/// The tenant the user signed in to; a poll at another tenant's endpoint than that is refused.
async fn approved_tenant(
    state: &AppState,
    endpoint: &Endpoint<'_>,
    tenant_id: TenantId,
) -> Result<Tenant, ProtocolError> {
    let tenant = state.store.resolve_tenant(&tenant_id.to_string()).await?.ok_or_else(|| {
        ProtocolError::new(Aadsts::InvalidGrant, "The tenant the device code was approved in no longer exists.")
    })?;
    match endpoint.tenant {
        TenantSegment::Named(name) if resolve_named(state, name).await?.id != tenant.id => Err(ProtocolError::new(
            Aadsts::CodeOtherTenant,
            format!(
                "The device code was approved in another tenant than '{name}'. Poll at the tenant it was requested at."
            ),
        )),
        TenantSegment::Consumers => Err(ProtocolError::of(Aadsts::UnsupportedTenant)),
        _ => Ok(tenant),
    }
}
