//! `addKey` and `removeKey`: an app rolls its own certificates with a proof that it holds one it has.
//!
//! As in Graph, `addKey` and `removeKey` need a proof of possession: a JWT signed with the private key
//! of one of the app's current certificates, naming it with `x5t`, whose `aud` is
//! `00000002-0000-0000-c000-000000000000`, whose `iss` is the application's object id, and which is
//! valid for at most ten minutes. An app may roll its own keys with an app-only token and no
//! permission; anyone else needs `Application.ReadWrite.All` (and, delegated, an administrator). An
//! app with no current certificate gets its first one with `PATCH` (as Graph says to).

use serde::Deserialize;
use uuid::Uuid;

use super::applications::{AppKey, WRITE_APPS, find};
use super::key_credentials::KeyCredentialBody;
use super::objects::GraphKeyCredential;
use super::{Acting, Caller, refused};
use crate::admin::{self, AdminError};
use crate::clock::UnixTime;
use crate::domain::app::{Application, KeyCredential};
use crate::domain::jws::UnverifiedJws;
use crate::graph_error::GraphError;
use crate::signing::material::read_rsa_certificate;
use crate::state::AppState;

/// The audience of a proof of possession: Azure AD Graph's appId, as Microsoft Graph requires.
const PROOF_AUDIENCE: &str = "00000002-0000-0000-c000-000000000000";

/// The longest a proof may be valid (`exp` − `nbf`): ten minutes, as Graph allows.
const PROOF_LIFETIME: i64 = 600;

/// Clock skew tolerated on a proof's `nbf` and `exp`.
const SKEW: i64 = 300;

/// The body of `addKey`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddKeyBody {
    pub key_credential: KeyCredentialBody,
    /// Must be absent or null: Signet's apps have no symmetric keys with passwords.
    pub password_credential: Option<serde_json::Value>,
    pub proof: String,
}

/// The body of `removeKey`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveKeyBody {
    pub key_id: Uuid,
    pub proof: String,
}

/// `POST /v1.0/applications/{id}/addKey`: a new certificate, proven by one the app has.
pub async fn add_key(
    state: &AppState,
    caller: &Caller,
    key: AppKey<'_>,
    body: AddKeyBody,
) -> Result<GraphKeyCredential, GraphError> {
    let app = find(state, caller, key).await?;
    may_roll(caller, &app)?;
    if body.password_credential.as_ref().is_some_and(|value| !value.is_null()) {
        return Err(GraphError::invalid_value("passwordCredential must be null: use addPassword for secrets."));
    }
    let spec = body.key_credential.spec()?;
    let now = state.clock.now();
    let keys = state.store.key_credentials(caller.tenant.id, app.app_id).await?;
    check_proof(&body.proof, &app, &keys, now)?;
    let credential = admin::add_key(&state.store, &caller.tenant, &app, spec, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, &app.id.to_string()))?;
    Ok(GraphKeyCredential::of(&credential))
}

/// `POST /v1.0/applications/{id}/removeKey`: removes a certificate, proven by one the app has.
pub async fn remove_key(
    state: &AppState,
    caller: &Caller,
    key: AppKey<'_>,
    body: RemoveKeyBody,
) -> Result<(), GraphError> {
    let app = find(state, caller, key).await?;
    may_roll(caller, &app)?;
    let now = state.clock.now();
    let keys = state.store.key_credentials(caller.tenant.id, app.app_id).await?;
    check_proof(&body.proof, &app, &keys, now)?;
    match admin::remove_key(&state.store, &caller.tenant, &app, body.key_id, &caller.actor(), now).await {
        Err(AdminError::NotFound(_)) => Err(GraphError::not_found(&body.key_id.to_string())),
        other => other.map_err(|err| refused(err, &app.id.to_string())),
    }
}

/// An app rolls its own keys without a permission; any other caller needs to be able to change apps.
fn may_roll(caller: &Caller, app: &Application) -> Result<(), GraphError> {
    let itself = matches!(caller.acting, Acting::App { .. }) && caller.client == Some(app.app_id);
    if itself { Ok(()) } else { caller.require_admin(WRITE_APPS) }
}

#[derive(Debug, Deserialize)]
struct ProofClaims {
    aud: Option<String>,
    iss: Option<String>,
    nbf: Option<f64>,
    exp: Option<f64>,
}

/// Checks a proof of possession of one of `keys` for `app` (see the module's documentation).
fn check_proof(proof: &str, app: &Application, keys: &[KeyCredential], now: UnixTime) -> Result<(), GraphError> {
    let bad = |reason: &str| GraphError::invalid_value(format!("The proof of possession is not valid: {reason}"));
    let jws = UnverifiedJws::parse(proof).map_err(|err| bad(&err.to_string()))?;
    let alg = jws.algorithm().ok_or_else(|| bad("it must be signed with RS256 or PS256."))?;
    let credential = jws
        .header
        .certificate(keys)
        .filter(|key| key.start <= now && now < key.end)
        .ok_or_else(|| bad("its x5t names no current certificate of the application."))?;
    let cert = read_rsa_certificate(&credential.certificate_der).map_err(GraphError::internal)?;
    jws.verify(alg, &cert.n, &cert.e).map_err(|_| bad("its signature does not verify with that certificate."))?;
    let claims: ProofClaims = serde_json::from_slice(&jws.payload).map_err(|_| bad("its payload is not JSON."))?;
    if claims.aud.as_deref() != Some(PROOF_AUDIENCE) {
        return Err(bad(&format!("its aud must be '{PROOF_AUDIENCE}'.")));
    }
    if claims.iss.as_deref() != Some(app.id.to_string().as_str()) {
        return Err(bad("its iss must be the application's object id."));
    }
    let (Some(nbf), Some(exp)) = (claims.nbf.map(|t| t.ceil() as UnixTime), claims.exp.map(|t| t.floor() as UnixTime))
    else {
        return Err(bad("it must carry nbf and exp."));
    };
    if exp - nbf > PROOF_LIFETIME || nbf - SKEW > now || exp + SKEW <= now {
        return Err(bad(&format!("it must be valid now, for at most {PROOF_LIFETIME} seconds.")));
    }
    Ok(())
}
