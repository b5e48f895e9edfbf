//! The key ring: every stored key, opened once and kept in memory as a cache of the database.
//!
//! Which key signs and which keys are published follow from the stored times and `now`, so every
//! replica that has read the same rows makes the same choice, and tests move time instead of sleeping.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Serialize;

use super::material::read_rsa_certificate;
use super::{KeyError, Signer};
use crate::clock::UnixTime;
use crate::seal::KeyEncryptionKey;
use crate::store::{Store, StoredKey};

/// Where a key is in its life (protocol reference §7): published before it signs, published while it
/// signs, published after it stops signing until the tokens it signed have expired, then removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    Pending,
    Active,
    Retired,
    Removed,
}

/// One published key in JWKS form (RFC 7517 §4, with Microsoft's `issuer`).
#[derive(Clone, Debug, Serialize)]
pub struct Jwk {
    pub kty: &'static str,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub kid: String,
    pub x5t: String,
    pub n: String,
    pub e: String,
    pub x5c: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// A stored key opened for use.
struct LoadedKey {
    stored: StoredKey,
    signer: Arc<Signer>,
    jwk: Jwk,
}

impl LoadedKey {
    fn state(&self, now: UnixTime) -> KeyState {
        key_state(&self.stored, now)
    }
}

/// The state of a stored key at `now`.
pub fn key_state(key: &StoredKey, now: UnixTime) -> KeyState {
    if key.remove_at.is_some_and(|t| now >= t) {
        KeyState::Removed
    } else if key.retire_at.is_some_and(|t| now >= t) {
        KeyState::Retired
    } else if now < key.activate_at {
        KeyState::Pending
    } else {
        KeyState::Active
    }
}

/// Signing keys in memory. Cheap to share: readers take an `Arc` of the current set.
pub struct KeyRing {
    store: Store,
    kek: Arc<KeyEncryptionKey>,
    keys: RwLock<Arc<Vec<LoadedKey>>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").finish_non_exhaustive()
    }
}

impl KeyRing {
    pub fn new(store: Store, kek: Arc<KeyEncryptionKey>) -> Self {
        Self { store, kek, keys: RwLock::new(Arc::new(Vec::new())) }
    }

    fn current(&self) -> Arc<Vec<LoadedKey>> {
        self.keys.read().map(|k| Arc::clone(&k)).unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    /// Re-reads the stored keys; keys already open are reused, new ones are opened.
    pub async fn reload(&self) -> Result<(), KeyError> {
        let stored = self.store.signing_keys().await?;
        let current = self.current();
        let mut known: HashMap<&str, &LoadedKey> = current.iter().map(|k| (k.stored.kid.as_str(), k)).collect();
        let mut loaded = Vec::with_capacity(stored.len());
        for key in stored {
            let (signer, jwk) = match known.remove(key.kid.as_str()) {
                Some(existing) => (Arc::clone(&existing.signer), existing.jwk.clone()),
                None => self.open(&key)?,
            };
            loaded.push(LoadedKey { stored: key, signer, jwk });
        }
        let loaded = Arc::new(loaded);
        match self.keys.write() {
            Ok(mut keys) => *keys = loaded,
            Err(poisoned) => *poisoned.into_inner() = loaded,
        }
        Ok(())
    }

    fn open(&self, key: &StoredKey) -> Result<(Arc<Signer>, Jwk), KeyError> {
        let pkcs8 = self.kek.open(&key.kid, &key.sealed_private_key)?;
        let signer = Signer::from_pkcs8(&key.kid, &pkcs8)?;
        let cert = read_rsa_certificate(&key.certificate_der)?;
        let jwk = Jwk {
            kty: "RSA",
            use_: "sig",
            kid: key.kid.clone(),
            x5t: key.kid.clone(),
            n: URL_SAFE_NO_PAD.encode(&cert.n),
            e: URL_SAFE_NO_PAD.encode(&cert.e),
            x5c: vec![STANDARD.encode(&key.certificate_der)],
            issuer: None,
        };
        Ok((Arc::new(signer), jwk))
    }

    /// The key that signs at `now`: the newest active one.
    pub fn signer(&self, now: UnixTime) -> Option<Arc<Signer>> {
        self.current()
            .iter()
            .filter(|k| k.state(now) == KeyState::Active)
            .max_by_key(|k| k.stored.generation)
            .map(|k| Arc::clone(&k.signer))
    }

    /// The keys JWKS lists at `now`: pending, active and retired ones.
    pub fn published(&self, now: UnixTime) -> Vec<Jwk> {
        self.current().iter().filter(|k| k.state(now) != KeyState::Removed).map(|k| k.jwk.clone()).collect()
    }

    /// Every key held, with its state at `now`.
    pub fn states(&self, now: UnixTime) -> Vec<(StoredKey, KeyState)> {
        self.current().iter().map(|k| (k.stored.clone(), k.state(now))).collect()
    }
}
