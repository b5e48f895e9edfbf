//! The device authorization grant's first step and its browser side (RFC 8628 §3.1–3.3; protocol
//! reference §2.3). A device asks `POST /{tenant}/oauth2/v2.0/devicecode` for a device code and a user
//! code. The user types the user code at `/devicelogin`, and from there the request goes through the
//! authorization endpoint's own pages (sign-in, account, consent) as [`Endpoint::Device`], with no
//! redirect URI: its end is an approval (or an error) stored for the device's next poll, and a page
//! that says so.

use serde::Serialize;

use super::checks::{check_client_known, check_scope, check_tenant};
use super::params::AuthorizeParams;
use super::request::{Endpoint, Outcome, Prompt, ResponseMode, ValidRequest};
use crate::clock::UnixTime;
use crate::domain::device_code::{
    DEVICE_CODE_LIFETIME, DeviceAuthorization, DeviceStatus, POLL_INTERVAL, normalize_user_code,
};
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::secrets::{random_token, random_user_code, token_hash};
use crate::state::AppState;
use crate::store::User;

/// How many user codes are drawn before giving up: a collision with a stored one is a one-in-a-billion
/// event, so a second draw already means something else is wrong.
const USER_CODE_DRAWS: usize = 3;

/// The device authorization response (RFC 8628 §3.2), as Entra writes it: no
/// `verification_uri_complete`, and a `message` to show the user.
#[derive(Debug, Serialize)]
pub struct DeviceCodeResponse {
    pub user_code: String,
    pub device_code: String,
    pub verification_uri: String,
    pub expires_in: i64,
    pub interval: i64,
    pub message: String,
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`: checks the tenant, the client and the scope as the
/// authorization endpoint does, and stores a new request.
pub async fn request_device_code(
    state: &AppState,
    segment: &str,
    encoded: &[u8],
    now: UnixTime,
) -> Result<DeviceCodeResponse, ProtocolError> {
    let (params, _) = AuthorizeParams::parse(encoded)?;
    let (_, path_tenant) = check_tenant(state, Endpoint::Device, segment).await?;
    let client = check_client_known(state, &params, path_tenant.as_ref()).await?;
    let scopes = check_scope(&params)?;
    let device_code = random_token().map_err(|_| ProtocolError::internal("no randomness for a device code"))?;
    let hash = token_hash(&device_code);
    for _ in 0..USER_CODE_DRAWS {
        let user_code = random_user_code().map_err(|_| ProtocolError::internal("no randomness for a user code"))?;
        let request = DeviceAuthorization {
            user_code: user_code.clone(),
            segment: segment.to_owned(),
            client_id: client.app_id,
            scope: scopes.to_scope_string(),
            issued_at: now,
            expires_at: now + DEVICE_CODE_LIFETIME,
            interval: POLL_INTERVAL,
            last_polled_at: None,
            status: DeviceStatus::Pending,
        };
        if state.store.insert_device_code(&hash, &request).await? {
            tracing::info!(client = %client.app_id, "device code issued");
            let verification_uri = format!("{}/devicelogin", state.base_url);
            return Ok(DeviceCodeResponse {
                message: format!(
                    "To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."
                ),
                user_code,
                device_code,
                verification_uri,
                expires_in: DEVICE_CODE_LIFETIME,
                interval: POLL_INTERVAL,
            });
        }
    }
    Err(ProtocolError::internal("no free user code"))
}

/// The request a user code typed at `/devicelogin` names, while it waits for its user.
pub async fn awaiting_user(
    state: &AppState,
    typed: &str,
    now: UnixTime,
) -> Result<Option<DeviceAuthorization>, ProtocolError> {
    let Some(user_code) = normalize_user_code(typed) else { return Ok(None) };
    let found = state.store.device_code_by_user_code(&user_code).await?;
    Ok(found.filter(|request| request.awaits_user(now)))
}

/// The device's request as the sign-in pages serve it: the one `params.user_code` names, still waiting
/// for its user, asked at `segment`. The user confirms the account even when signed in already, so
/// that nobody approves a device by only opening a link.
pub(super) async fn prepare(
    state: &AppState,
    segment: &str,
    params: &AuthorizeParams,
) -> Result<ValidRequest, ProtocolError> {
    let typed = params.user_code.as_deref().unwrap_or_default();
    let request = awaiting_user(state, typed, state.clock.now()).await?.ok_or_else(|| {
        ProtocolError::new(
            Aadsts::DeviceCodeExpired,
            "The code has expired or has been used already. Start the sign-in again on your device, and enter the new code it shows.",
        )
    })?;
    if request.segment != segment {
        return Err(ProtocolError::of(Aadsts::FormRejected));
    }
    let (segment, path_tenant) = check_tenant(state, Endpoint::Device, segment).await?;
    let asked = AuthorizeParams {
        client_id: Some(request.client_id.to_string()),
        scope: Some(request.scope.clone()),
        ..AuthorizeParams::default()
    };
    let client = check_client_known(state, &asked, path_tenant.as_ref()).await?;
    Ok(ValidRequest {
        endpoint: Endpoint::Device,
        segment,
        path_tenant,
        redirect_uri: String::new(),
        mode: ResponseMode::Query,
        state: None,
        scopes: check_scope(&asked)?,
        prompt: Some(Prompt::SelectAccount),
        login_hint: None,
        domain_hint: None,
        challenge: None,
        nonce: None,
        user_code: Some(request.user_code),
        client,
    })
}

/// The user signed in and consented: the device's next poll gets tokens for them.
pub(super) async fn approve(
    state: &AppState,
    request: &ValidRequest,
    tenant: &Tenant,
    user: &User,
) -> Result<Outcome, ProtocolError> {
    let approved = DeviceStatus::Approved { tenant_id: tenant.id, user_id: user.id };
    settle(state, request, &approved).await?;
    tracing::info!(client = %request.client.app_id, tenant = %tenant.id, user = %user.id, "device sign-in approved");
    Ok(Outcome::DeviceDone { app_name: request.client.display_name.clone(), error: None })
}

/// The sign-in ended in `error` (the user declined, or may not use the app): the device's next poll
/// gets it too.
pub(super) async fn decline(state: &AppState, request: &ValidRequest, error: ProtocolError) -> Outcome {
    let declined = DeviceStatus::Declined { code: error.aadsts().code(), description: error.description().to_owned() };
    match settle(state, request, &declined).await {
        Ok(()) => Outcome::DeviceDone { app_name: request.client.display_name.clone(), error: Some(error) },
        Err(err) => Outcome::ErrorPage(err),
    }
}

/// Stores the end of the user's part; an error page when the request was settled already (a second
/// tab, or another replica, got there first).
async fn settle(state: &AppState, request: &ValidRequest, outcome: &DeviceStatus) -> Result<(), ProtocolError> {
    let user_code =
        request.user_code.as_deref().ok_or_else(|| ProtocolError::internal("device request without a code"))?;
    if state.store.settle_device_code(user_code, outcome).await? {
        Ok(())
    } else {
        Err(ProtocolError::new(
            Aadsts::DeviceCodeExpired,
            "This code has been used already. Start the sign-in again on your device, and enter the new code it shows.",
        ))
    }
}
