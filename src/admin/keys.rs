//! The server's signing keys: a scheduled rotation asked for by an administrator of any tenant (the
//! directory API's extension and the portal's "Rotate now"). The new key is published at once and
//! signs only after the publish lead, and old keys stay published until their tokens expire, so no
//! valid token of any tenant fails verification. An immediate rotation stays with the operator's
//! `signet keys rotate --now`.

use serde_json::json;

use super::common::{Actor, AdminError, Result};
use crate::clock::UnixTime;
use crate::domain::tenant::Tenant;
use crate::seal::KeyEncryptionKey;
use crate::signing::rotation::{RotationPolicy, rotate};
use crate::store::Store;

/// Adds the next signing key on the usual schedule, audited in `tenant`; its `kid`. The caller
/// reloads its key ring.
pub async fn rotate_on_schedule(
    store: &Store,
    kek: &KeyEncryptionKey,
    policy: RotationPolicy,
    tenant: &Tenant,
    actor: &Actor,
    now: UnixTime,
) -> Result<String> {
    let kid = rotate(store, kek, policy, now, false)
        .await
        .map_err(|err| AdminError::Internal(err.to_string()))?
        .ok_or_else(|| AdminError::Conflict("another process rotated at the same moment".into()))?;
    let event = actor.event(now, "keys.rotate", format!("key:{kid}"), json!({ "kid": kid }));
    store.record_audit(tenant.id, &event).await?;
    Ok(kid)
}
