//! Rotation: when a new key is made, when it starts signing, and the background task that keeps a
//! server's key ring in step with the database.
//!
//! Any process may rotate; the unique key generation makes sure only one of several racing replicas
//! adds the next key, and the others pick it up on their next reload.

use std::sync::Arc;
use std::time::Duration;

use super::material::generate;
use super::{KeyError, KeyRing};
use crate::clock::{Clock, UnixTime};
use crate::config::Config;
use crate::seal::KeyEncryptionKey;
use crate::store::{Store, StoreError, StoredKey};

/// The rotation settings, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct RotationPolicy {
    pub period: i64,
    pub publish_lead: i64,
    pub overlap: i64,
}

impl RotationPolicy {
    pub fn from_config(config: &Config) -> Self {
        Self {
            period: config.key_rotation_period.as_i64(),
            publish_lead: config.key_publish_lead.as_i64(),
            overlap: config.key_overlap.as_i64(),
        }
    }
}

/// When the next key should activate, if one should be made now: at once when there is no key yet;
/// `publish_lead` from now when the newest key has signed for `period - publish_lead`; never while a
/// successor is already pending.
pub fn next_activation(keys: &[StoredKey], policy: RotationPolicy, now: UnixTime) -> Option<UnixTime> {
    let Some(newest) = keys.iter().max_by_key(|k| k.generation) else { return Some(now) };
    if newest.activate_at > now || newest.retire_at.is_some() {
        return None;
    }
    (now >= newest.activate_at + policy.period - policy.publish_lead).then_some(now + policy.publish_lead)
}

/// When a new key starts signing: a pending key's activation, or else the newest key's activation plus
/// the rotation period (the schedule adds its successor `publish_lead` before that).
pub fn next_signer(keys: &[StoredKey], policy: RotationPolicy, now: UnixTime) -> Option<UnixTime> {
    let newest = keys.iter().max_by_key(|k| k.generation)?;
    Some(if newest.activate_at > now { newest.activate_at } else { newest.activate_at + policy.period })
}

/// Adds the next key if one is due; returns its kid.
pub async fn rotate_if_due(
    store: &Store,
    kek: &KeyEncryptionKey,
    policy: RotationPolicy,
    now: UnixTime,
) -> Result<Option<String>, KeyError> {
    let keys = store.signing_keys().await?;
    match next_activation(&keys, policy, now) {
        Some(activate_at) => add_key(store, kek, &keys, policy, now, activate_at).await,
        None => Ok(None),
    }
}

/// Adds a key now, whatever the schedule: it signs after `publish_lead`, or at once when `immediate`
/// (for a suspected compromise; caches that have not seen it will refetch on the unknown kid).
pub async fn rotate(
    store: &Store,
    kek: &KeyEncryptionKey,
    policy: RotationPolicy,
    now: UnixTime,
    immediate: bool,
) -> Result<Option<String>, KeyError> {
    let keys = store.signing_keys().await?;
    let activate_at = if immediate || keys.is_empty() { now } else { now + policy.publish_lead };
    add_key(store, kek, &keys, policy, now, activate_at).await
}

async fn add_key(
    store: &Store,
    kek: &KeyEncryptionKey,
    existing: &[StoredKey],
    policy: RotationPolicy,
    now: UnixTime,
    activate_at: UnixTime,
) -> Result<Option<String>, KeyError> {
    let material =
        tokio::task::spawn_blocking(move || generate(now)).await.map_err(|e| KeyError::Generate(e.to_string()))??;
    let generation = existing.iter().map(|k| k.generation).max().unwrap_or(0) + 1;
    let key = StoredKey {
        kid: material.kid.clone(),
        generation,
        created_at: now,
        activate_at,
        retire_at: None,
        remove_at: None,
        sealed_private_key: kek.seal(&material.kid, &material.pkcs8)?,
        certificate_der: material.certificate_der,
    };
    match store.add_signing_key(&key, policy.overlap).await {
        Ok(()) => {
            tracing::info!(kid = %key.kid, generation, activate_at, "added signing key");
            Ok(Some(key.kid))
        }
        Err(StoreError::Conflict(_)) => {
            tracing::info!(generation, "another process added this signing key generation first");
            Ok(None)
        }
        Err(err) => Err(err.into()),
    }
}

/// Keeps `ring` in step with the database: rotates when due, reloads keys other processes added,
/// deletes removed keys, forgets expired assertion ids and sessions and long-expired codes and refresh
/// tokens, every `interval`.
pub async fn maintain(
    store: Store,
    kek: Arc<KeyEncryptionKey>,
    ring: Arc<KeyRing>,
    policy: RotationPolicy,
    clock: Clock,
    interval: Duration,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = maintain_once(&store, &kek, &ring, policy, clock.now()).await {
            tracing::warn!(error = %err, "key maintenance failed; retrying at the next interval");
        }
    }
}

/// One round of [`maintain`].
pub async fn maintain_once(
    store: &Store,
    kek: &KeyEncryptionKey,
    ring: &KeyRing,
    policy: RotationPolicy,
    now: UnixTime,
) -> Result<(), KeyError> {
    rotate_if_due(store, kek, policy, now).await?;
    store.delete_removed_keys(now).await?;
    store.purge_assertions(now).await?;
    store.purge_codes(now).await?;
    store.purge_device_codes(now).await?;
    store.purge_sessions(now).await?;
    store.purge_refresh_tokens(now).await?;
    ring.reload().await
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RotationPolicy = RotationPolicy { period: 1000, publish_lead: 100, overlap: 500 };

    fn key(generation: i64, activate_at: i64, retire_at: Option<i64>) -> StoredKey {
        StoredKey {
            kid: format!("k{generation}"),
            generation,
            created_at: 0,
            activate_at,
            retire_at,
            remove_at: None,
            sealed_private_key: Vec::new(),
            certificate_der: Vec::new(),
        }
    }

    #[test]
    fn first_key_signs_at_once() {
        assert_eq!(next_activation(&[], POLICY, 50), Some(50));
    }

    #[test]
    fn successor_is_published_lead_before_the_period_ends() {
        let keys = [key(1, 0, None)];
        assert_eq!(next_activation(&keys, POLICY, 899), None);
        assert_eq!(next_activation(&keys, POLICY, 900), Some(1000));
    }

    #[test]
    fn no_second_successor_while_one_is_pending() {
        let keys = [key(1, 0, Some(1000)), key(2, 1000, None)];
        assert_eq!(next_activation(&keys, POLICY, 950), None);
    }
}
