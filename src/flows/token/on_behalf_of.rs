//! The on-behalf-of grant (protocol reference §2.3; RFC 7523 `jwt-bearer` with Microsoft's
//! `requested_token_use=on_behalf_of`): a confidential middle-tier API exchanges the access token a
//! user's client got for it for a token to a downstream API, as that user.
//!
//! The checks run in this order: a tenant, the middle tier's own credential, the user's token
//! (Signet's signature, this tenant, in its time, issued for this middle tier, a user's and not an
//! app's), the user (still there and allowed to sign in), then the user's consent for the middle tier
//! to the downstream scopes (or `.default`, what is granted). Missing consent is `invalid_grant`
//! AADSTS65001 with `suberror: consent_required`, so the client can ask the user. The new token keeps
//! the user's `oid` and `tid`; its `sub` and `azp` are the middle tier's. It writes nothing.

use uuid::Uuid;

use super::client_auth::authenticate;
use super::request::{Endpoint, TokenRequest, TokenResponse};
use super::user_tokens::{UserGrant, check_enabled, consented, issue};
use crate::clock::UnixTime;
use crate::domain::claims::ClientAuthMethod;
use crate::domain::scope::DelegatedScopes;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::bearer::verify_access_token;
use crate::flows::tenant::concrete_tenant;
use crate::state::AppState;

/// Exchanges a user's access token for the middle tier for a token to a downstream API.
pub async fn exchange(
    state: &AppState,
    endpoint: &Endpoint<'_>,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    match request.require("requested_token_use")? {
        "on_behalf_of" => {}
        other => {
            return Err(ProtocolError::new(
                Aadsts::MalformedRequest,
                format!("The requested_token_use '{other}' is not supported: use on_behalf_of."),
            ));
        }
    }
    let assertion = request.require("assertion")?;
    let asked = DelegatedScopes::parse(request.require("scope")?)
        .map_err(|_| ProtocolError::new(Aadsts::InvalidScope, "The scope names one downstream API's permissions."))?;
    let tenant = concrete_tenant(state, endpoint.tenant).await?;
    let client = authenticate(state, &tenant, endpoint.segment, request, now).await?;
    if client.method == ClientAuthMethod::None {
        return Err(ProtocolError::new(
            Aadsts::MissingClientCredential,
            "The on-behalf-of grant needs a confidential client: send 'client_assertion' or 'client_secret'.",
        ));
    }
    let invalid = |why: &str| {
        ProtocolError::new(Aadsts::InvalidAssertion, format!("The assertion is not a valid user token: {why}."))
            .as_invalid_grant()
    };
    // The middle tier's own tokens: v1.0 ones when it asks for those (`requestedAccessTokenVersion`).
    let claims = verify_access_token(state, assertion, now).map_err(|err| invalid(err.description()))?;
    if claims.tid != tenant.id {
        return Err(invalid("it was issued in another tenant"));
    }
    if !claims.in_time(now) {
        return Err(ProtocolError::of(Aadsts::AssertionTime));
    }
    if !claims.is_for(&client.app) {
        return Err(ProtocolError::new(
            Aadsts::AssertionAudience,
            format!(
                "The assertion's audience '{}' does not match the client app presenting it ('{}').",
                claims.aud, client.app.app_id
            ),
        ));
    }
    if claims.scp.is_none() {
        return Err(ProtocolError::new(
            Aadsts::AppOnBehalfOf,
            format!(
                "Application '{}' is not allowed to make application on-behalf-of calls: the assertion is an app-only token.",
                client.app.app_id
            ),
        ));
    }
    let user = state.store.user(tenant.id, claims.oid).await?.ok_or_else(|| invalid("its user no longer exists"))?;
    check_enabled(&user)?;
    let consented = consented(state, &tenant, &user, &client, &asked).await.map_err(|err| {
        if err.aadsts() == Aadsts::ConsentRequired { err.with_suberror("consent_required") } else { err }
    })?;
    let grant = UserGrant {
        tenant: &tenant,
        user: &user,
        client: &client,
        oidc: &asked,
        nonce: None,
        family_id: Uuid::new_v4(),
        refresh: None,
        spa_until: None,
        client_info: request.get("client_info") == Some("1"),
    };
    let mut issued = issue(state, grant, consented, now)?;
    // The middle tier asked for an access token; it signs nobody in.
    issued.response.id_token = None;
    Ok(issued.response)
}
