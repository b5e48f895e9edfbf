//! Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2; protocol reference §2.2).
//!
//! The checks run in this order: which client, whether the tenant knows it, whether it is enabled,
//! which one credential it sent, and whether that credential is right.

use super::client_assertion::verify_assertion;
use super::request::TokenRequest;
use crate::clock::UnixTime;
use crate::domain::app::{Application, ServicePrincipal};
use crate::domain::claims::ClientAuthMethod;
use crate::domain::ids::AppId;
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::secrets::{ct_eq, hash_client_secret};
use crate::state::AppState;

/// How far apart the clocks of the process that created a secret and the one checking it may be.
const CLOCK_SKEW: i64 = 300;

/// A client the token endpoint has identified, and how.
#[derive(Debug)]
pub struct AuthenticatedClient {
    /// The client's service principal in the request's tenant.
    pub sp: ServicePrincipal,
    pub app: Application,
    pub method: ClientAuthMethod,
}

/// The credential a request carries.
enum Credential<'a> {
    None,
    Secret(&'a str),
    Assertion { assertion_type: &'a str, assertion: &'a str },
}

/// Identifies and authenticates the client of `request` in `tenant`.
pub async fn authenticate(
    state: &AppState,
    tenant: &Tenant,
    segment: &str,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<AuthenticatedClient, ProtocolError> {
    let client_id = client_id(request)?;
    let credential = credential(request)?;
    let (sp, app) = known_in_tenant(state, tenant, client_id).await?;
    ensure_enabled(&sp)?;
    if let Some(origin) = request.origin() {
        // A browser cannot keep a secret: a cross-origin request is a single-page app's, and sends none.
        check_spa_origin(&app, origin)?;
        if !matches!(credential, Credential::None) {
            return Err(ProtocolError::new(
                Aadsts::PublicClientCredential,
                "A cross-origin request must not send a client secret or assertion: a single-page app is a public client.",
            ));
        }
        return Ok(AuthenticatedClient { sp, app, method: ClientAuthMethod::None });
    }
    let method = match credential {
        Credential::None if app.is_public_client => ClientAuthMethod::None,
        // A single-page app's code or refresh token, sent from a server instead of the browser.
        Credential::None if !app.spa_redirect_uris.is_empty() => {
            return Err(ProtocolError::of(Aadsts::SpaNotCrossOrigin));
        }
        Credential::None => {
            return Err(ProtocolError::new(
                Aadsts::MissingClientCredential,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
        _ if app.is_public_client => {
            return Err(ProtocolError::new(
                Aadsts::PublicClientCredential,
                "Public clients can't send a client assertion or client secret.",
            ));
        }
        Credential::Secret(secret) => {
            check_secret(state, &app, secret, now).await?;
            ClientAuthMethod::Secret
        }
        Credential::Assertion { assertion_type, assertion } => {
            verify_assertion(state, tenant, segment, &app, assertion_type, assertion, now).await?;
            ClientAuthMethod::Certificate
        }
    };
    Ok(AuthenticatedClient { sp, app, method })
}

/// The client id from the body or from HTTP Basic; both must agree when both are sent.
fn client_id(request: &TokenRequest) -> Result<AppId, ProtocolError> {
    let from_body = request.get("client_id");
    let from_basic = request.basic().map(|(id, _)| id);
    let raw = match (from_body, from_basic) {
        (Some(body), Some(basic)) if body != basic => {
            return Err(ProtocolError::new(
                Aadsts::MalformedRequest,
                "The client_id in the body and in the Authorization header differ.",
            ));
        }
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => return Err(ProtocolError::missing("client_id")),
    };
    raw.parse().map_err(|_| client_not_found(raw, None))
}

/// The one credential sent; more than one is refused (RFC 6749 §2.3: "MUST NOT use more than one
/// authentication method in each request").
fn credential(request: &TokenRequest) -> Result<Credential<'_>, ProtocolError> {
    let secret_in_body = request.get("client_secret");
    let basic = request.basic().map(|(_, secret)| secret);
    let assertion = request.get("client_assertion");
    let sent = [secret_in_body.is_some(), basic.is_some(), assertion.is_some()].iter().filter(|s| **s).count();
    if sent > 1 {
        return Err(ProtocolError::new(
            Aadsts::MalformedRequest,
            "Only one client authentication method may be used: client_secret, HTTP Basic or client_assertion.",
        ));
    }
    Ok(match (secret_in_body.or(basic), assertion) {
        (Some(secret), _) => Credential::Secret(secret),
        (None, Some(assertion)) => {
            Credential::Assertion { assertion_type: request.require("client_assertion_type")?, assertion }
        }
        (None, None) => Credential::None,
    })
}

/// The client's service principal in the tenant, or AADSTS700016: an app that is not registered,
/// or that no admin of this tenant has consented to, is unknown here.
async fn known_in_tenant(
    state: &AppState,
    tenant: &Tenant,
    client_id: AppId,
) -> Result<(ServicePrincipal, Application), ProtocolError> {
    state
        .store
        .sp_with_app(tenant.id, client_id)
        .await?
        .ok_or_else(|| client_not_found(&client_id.to_string(), Some(tenant)))
}

fn client_not_found(client_id: &str, tenant: Option<&Tenant>) -> ProtocolError {
    let tenant = tenant.map_or_else(String::new, |t| format!(" '{}'", t.id));
    ProtocolError::new(
        Aadsts::ClientNotFound,
        format!(
            "Application with identifier '{client_id}' was not found in the directory{tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
        ),
    )
}

/// A cross-origin request comes from the origin of one of the app's single-page app redirect URIs
/// (AADSTS9002326 otherwise, as for a web app's).
fn check_spa_origin(app: &Application, origin: &str) -> Result<(), ProtocolError> {
    let origin_of = |uri: &str| url::Url::parse(uri).ok().map(|u| u.origin().ascii_serialization());
    if app.spa_redirect_uris.iter().any(|uri| origin_of(uri).as_deref() == Some(origin)) {
        return Ok(());
    }
    let why = if app.spa_redirect_uris.is_empty() {
        "the app has no single-page application redirect URI"
    } else {
        "the origin is not that of any of its single-page application redirect URIs"
    };
    Err(ProtocolError::new(
        Aadsts::CrossOriginNotSpa,
        format!(
            "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type: {why}. Request origin: '{origin}'."
        ),
    ))
}

/// A disabled service principal cannot get tokens (AADSTS7000112).
fn ensure_enabled(sp: &ServicePrincipal) -> Result<(), ProtocolError> {
    if sp.account_enabled {
        Ok(())
    } else {
        Err(ProtocolError::new(Aadsts::ClientDisabled, format!("Application '{}' is disabled.", sp.app_id)))
    }
}

/// Compares the secret's keyed hash with every secret of the app, in constant time each. A match
/// outside its validity is AADSTS7000222; no match is AADSTS7000215.
async fn check_secret(state: &AppState, app: &Application, secret: &str, now: UnixTime) -> Result<(), ProtocolError> {
    let candidate = hash_client_secret(state.kek.secret_hash_key(), secret);
    let credentials = state.store.password_credentials(app.home_tenant, app.app_id).await?;
    let matched = credentials.iter().fold(None, |found, c| if ct_eq(&c.hash, &candidate) { Some(c) } else { found });
    match matched {
        Some(c) if now >= c.start - CLOCK_SKEW && now < c.end => Ok(()),
        Some(c) if now < c.end => Err(ProtocolError::new(
            Aadsts::InvalidClientSecret,
            format!("The client secret {} of app '{}' is not valid yet.", c.key_id, app.app_id),
        )),
        Some(c) => Err(ProtocolError::new(
            Aadsts::ExpiredClientSecret,
            format!("The provided client secret keys for app '{}' are expired (secret id {}).", app.app_id, c.key_id),
        )),
        None => Err(ProtocolError::new(
            Aadsts::InvalidClientSecret,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.app_id
            ),
        )),
    }
}
