//! The token endpoint (RFC 6749 §3.2): one file per grant, dispatched on `grant_type`.

mod authorization_code;
mod client_assertion;
pub mod client_auth;
mod client_credentials;
mod device_code;
mod on_behalf_of;
mod password;
mod refresh_token;
mod request;
pub mod user_tokens;

pub use self::device_code::DEVICE_CODE_GRANT;
pub use self::request::{Endpoint, TokenRequest, TokenResponse, V1TokenResponse, parse_basic};
use crate::clock::UnixTime;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::tenant::concrete_tenant;
use crate::state::AppState;

/// The grant type of on-behalf-of (RFC 7523 §2.1).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Serves a token request at `endpoint`.
pub async fn token(
    state: &AppState,
    endpoint: Endpoint<'_>,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    let grant_type = request.require("grant_type")?;
    match grant_type {
        "client_credentials" => {
            let tenant = concrete_tenant(state, endpoint.tenant).await?;
            let client = client_auth::authenticate(state, &tenant, endpoint.segment, request, now).await?;
            client_credentials::issue(state, &tenant, &client, request, now).await
        }
        "authorization_code" => authorization_code::redeem(state, &endpoint, request, now).await,
        "refresh_token" => refresh_token::redeem(state, &endpoint, request, now).await,
        JWT_BEARER => on_behalf_of::exchange(state, &endpoint, request, now).await,
        "password" => password::sign_in(state, &endpoint, request, now).await,
        DEVICE_CODE_GRANT => device_code::poll(state, &endpoint, request, now).await,
        other => Err(ProtocolError::new(
            Aadsts::UnsupportedGrantType,
            format!("The grant type '{other}' is not supported at this endpoint."),
        )),
    }
}
