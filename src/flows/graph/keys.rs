//! Signet's own extension, outside Graph's names: `/v1.0/signet/signingKeys`, the signing keys every
//! tenant's tokens are signed with, and a scheduled rotation.
//!
//! The keys are the server's, not one tenant's. Listing them shows what JWKS already publishes, so any
//! caller with `Directory.Read.All` or `Policy.Read.All` may. A scheduled rotation adds a key that
//! signs only after the publish lead, and old keys stay published until their tokens expire, so no
//! valid token of any tenant fails verification: an administrator of any tenant may ask for one with
//! `Policy.ReadWrite.Authorization`. An immediate rotation (suspected compromise) stays with the
//! operator's command line.

use serde::Serialize;

use super::objects::graph_time;
use super::{Caller, refused};
use crate::admin::{AdminError, rotate_on_schedule};
use crate::graph_error::GraphError;
use crate::signing::KeyState;
use crate::signing::ring::key_state;
use crate::signing::rotation::{RotationPolicy, next_signer};
use crate::state::AppState;

const READ_KEYS: &[&str] = &["Directory.Read.All", "Policy.Read.All", "Policy.ReadWrite.Authorization"];
const ROTATE_KEYS: &[&str] = &["Policy.ReadWrite.Authorization"];

/// A signing key's public facts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningKey {
    pub kid: String,
    pub generation: i64,
    pub state: KeyState,
    pub created_date_time: Option<String>,
    pub activate_date_time: Option<String>,
    pub retire_date_time: Option<String>,
    pub remove_date_time: Option<String>,
}

/// The keys, and when the schedule adds the next one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningKeys {
    pub value: Vec<SigningKey>,
    /// When a new key starts signing.
    pub next_rotation_date_time: Option<String>,
}

/// `GET /v1.0/signet/signingKeys`.
pub async fn signing_keys(state: &AppState, caller: &Caller) -> Result<SigningKeys, GraphError> {
    caller.require(READ_KEYS, READ_KEYS)?;
    let now = state.clock.now();
    let keys = state.store.signing_keys().await?;
    let next = next_signer(&keys, RotationPolicy::from_config(&state.config), now);
    let value = keys
        .iter()
        .map(|k| SigningKey {
            kid: k.kid.clone(),
            generation: k.generation,
            state: key_state(k, now),
            created_date_time: graph_time(k.created_at),
            activate_date_time: graph_time(k.activate_at),
            retire_date_time: k.retire_at.and_then(graph_time),
            remove_date_time: k.remove_at.and_then(graph_time),
        })
        .collect();
    Ok(SigningKeys { value, next_rotation_date_time: next.and_then(graph_time) })
}

/// `POST /v1.0/signet/signingKeys/rotate`: adds the next key now, on the usual schedule (it signs
/// after the publish lead). Audited in the caller's tenant.
pub async fn rotate_signing_keys(state: &AppState, caller: &Caller) -> Result<SigningKey, GraphError> {
    caller.require_admin(ROTATE_KEYS)?;
    let now = state.clock.now();
    let policy = RotationPolicy::from_config(&state.config);
    let rotated = rotate_on_schedule(&state.store, &state.kek, policy, &caller.tenant, &caller.actor(), now).await;
    let kid = rotated.map_err(|err| match err {
        AdminError::Conflict(_) => GraphError::conflict("Another process rotated at the same moment."),
        other => refused(other, "signingKeys"),
    })?;
    state.keys.reload().await.map_err(GraphError::internal)?;
    let keys = signing_keys(state, caller).await?;
    keys.value
        .into_iter()
        .find(|k| k.kid == kid)
        .ok_or_else(|| refused(AdminError::Internal("the new key is not listed".into()), &kid))
}
