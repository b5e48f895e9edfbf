//! Signing keys in the admin portal (issue 18): each key's state and dates, when the next key starts
//! signing, and "Rotate now", a scheduled rotation (see [`crate::admin::rotate_on_schedule`]).

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Refused, actor, refusal};
use crate::admin;
use crate::clock::UnixTime;
use crate::error::{ProtocolError, format_timestamp};
use crate::signing::KeyState;
use crate::signing::ring::key_state;
use crate::signing::rotation::{RotationPolicy, next_signer};
use crate::state::AppState;

/// One key as the page shows it.
#[derive(Clone, Debug)]
pub struct KeyRow {
    pub kid: String,
    pub generation: i64,
    pub state: &'static str,
    pub created: String,
    pub activates: String,
    pub retires: String,
    pub removed: String,
}

/// The keys, newest first, and when the next key starts signing.
pub async fn keys(state: &AppState, admin: &Reviewer) -> Result<(Vec<KeyRow>, String), ProtocolError> {
    require_admin(admin)?;
    let now = state.clock.now();
    let mut keys = state.store.signing_keys().await?;
    keys.sort_by_key(|k| std::cmp::Reverse(k.generation));
    let next = next_signer(&keys, RotationPolicy::from_config(&state.config), now);
    let time = |t: Option<UnixTime>| t.map(format_timestamp).unwrap_or_else(|| "-".to_owned());
    let rows = keys
        .iter()
        .map(|k| KeyRow {
            kid: k.kid.clone(),
            generation: k.generation,
            state: match key_state(k, now) {
                KeyState::Pending => "Published, signs from its activation",
                KeyState::Active => "Signing",
                KeyState::Retired => "Published for tokens it signed",
                KeyState::Removed => "Removed",
            },
            created: format_timestamp(k.created_at),
            activates: format_timestamp(k.activate_at),
            retires: time(k.retire_at),
            removed: time(k.remove_at),
        })
        .collect();
    Ok((rows, time(next)))
}

/// "Rotate now": the next key, published at once, signing after the publish lead.
pub async fn rotate(
    state: &AppState,
    admin: &Reviewer,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<String, Refused> {
    require_admin(admin)?;
    let policy = RotationPolicy::from_config(&state.config);
    let kid =
        admin::rotate_on_schedule(&state.store, &state.kek, policy, &admin.tenant, &actor(admin, correlation_id), now)
            .await
            .map_err(|err| Refused::Failed(refusal(err)))?;
    state.keys.reload().await.map_err(|err| Refused::Failed(ProtocolError::internal(err)))?;
    Ok(kid)
}
