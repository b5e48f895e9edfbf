//! The resource owner password credentials grant (RFC 6749 §4.3; protocol reference §2.3): an app
//! sends the user's username and password to the token endpoint. RFC 9700 §2.4 forbids it, so it is
//! off in every tenant until an administrator turns it on (`signet tenant set --password-grant on`);
//! Entra still serves it for the scripts that need it.
//!
//! The password is checked as the sign-in page checks it, under the same throttle, and the user must
//! already have consented (nobody can be asked here: AADSTS65001). Every sign-in is audited.

use uuid::Uuid;

use super::client_auth::authenticate;
use super::request::{Endpoint, TokenRequest, TokenResponse};
use super::user_tokens::{UserGrant, consented, issue};
use crate::clock::UnixTime;
use crate::domain::audit::{AuditEvent, app_target, user_actor};
use crate::domain::scope::DelegatedScopes;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::session::{Directory, SignInFailure, verify_password};
use crate::flows::tenant::concrete_tenant;
use crate::state::AppState;

/// Signs the user in with their password and issues tokens, when the tenant allows it.
pub async fn sign_in(
    state: &AppState,
    endpoint: &Endpoint<'_>,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    let tenant = concrete_tenant(state, endpoint.tenant).await?;
    if !state.store.tenant_policy(tenant.id).await?.password_grant {
        return Err(ProtocolError::new(
            Aadsts::UnsupportedGrantType,
            format!(
                "The grant type 'password' is turned off in tenant '{}': the resource owner password credentials grant is off unless an administrator turns it on.",
                tenant.id
            ),
        ));
    }
    let (username, password) = (request.require("username")?, request.require("password")?);
    let asked = DelegatedScopes::parse(request.require("scope")?)
        .map_err(|_| ProtocolError::new(Aadsts::InvalidScope, "The scope names one resource's permissions."))?;
    let client = authenticate(state, &tenant, endpoint.segment, request, now).await?;
    let directory = Directory { path_tenant: Some(&tenant), domain_hint: None };
    let user =
        verify_password(state, directory, (username, password), &request.address(), now).await.map_err(refusal)?;
    let consented = consented(state, &tenant, &user, &client, &asked).await?;
    let details = serde_json::json!({ "appId": client.app.app_id, "scope": asked.to_scope_string() });
    let actor = user_actor(user.id, &user.username);
    let event = AuditEvent::new(
        now,
        request.correlation_id(),
        actor,
        "signin.password",
        app_target(client.app.app_id),
        details,
    );
    state.store.record_audit(tenant.id, &event).await?;
    let grant = UserGrant {
        tenant: &tenant,
        user: &user,
        client: &client,
        oidc: &asked,
        nonce: None,
        family_id: Uuid::new_v4(),
        refresh: asked.has_oidc("offline_access").then_some(&asked),
        spa_until: None,
        client_info: request.get("client_info") == Some("1"),
    };
    let issued = issue(state, grant, consented, now)?;
    if let Some((key, token)) = &issued.refresh {
        state.store.insert_refresh_token(key, token).await?;
    }
    Ok(issued.response)
}

/// A failed password check as the token endpoint answers it.
fn refusal(failure: SignInFailure) -> ProtocolError {
    match failure {
        SignInFailure::Invalid => ProtocolError::of(Aadsts::InvalidCredentials),
        SignInFailure::Wait(seconds) => ProtocolError::new(
            Aadsts::AccountLocked,
            format!("Too many sign-ins with a wrong username or password: try again in {seconds} seconds."),
        ),
        SignInFailure::Disabled => {
            ProtocolError::new(Aadsts::UserDisabled, "The user account is disabled. Contact your administrator.")
        }
        SignInFailure::Busy => ProtocolError::of(Aadsts::TransientError),
        SignInFailure::Internal(err) => err,
    }
}
