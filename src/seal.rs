//! The key-encryption key and what it keys: values sealed at rest with AES-256-GCM (ring), so the
//! database alone never reveals a signing key or a code's contents, and the HMAC keys of client-secret
//! hashes, form tokens and pairwise subjects. The associated data (a key id, a tenant) binds each sealed
//! value to where it belongs. A leaf: it knows no files, stores or HTTP; the `key_file` module loads the key.

use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};

/// A value that could not be sealed or opened, or a key of the wrong shape. Deliberately vague: the
/// reason never helps an attacker tell a wrong key from an altered value.
#[derive(Debug, thiserror::Error)]
#[error("sealing: {0}")]
pub struct SealError(&'static str);

/// The length of a key-encryption key, in bytes.
pub const KEK_LEN: usize = 32;

/// The key-encryption key. Its bytes never leave this type; `Debug` shows nothing of them.
pub struct KeyEncryptionKey {
    sealing: LessSafeKey,
    /// Keys derived from the KEK, so every replica that shares the KEK computes the same values:
    /// client-secret hashes,
    secret_hash_key: ring::hmac::Key,
    /// form tokens against cross-site request forgery,
    csrf_key: ring::hmac::Key,
    /// pairwise subject identifiers,
    pairwise_key: ring::hmac::Key,
    /// and the contents of authorization codes (AES-256-GCM).
    code_key: LessSafeKey,
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyEncryptionKey(REDACTED)")
    }
}

impl KeyEncryptionKey {
    /// The key of exactly [`KEK_LEN`] bytes, and the keys derived from it (HKDF-SHA256).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        if bytes.len() != KEK_LEN {
            return Err(SealError("key-encryption key has the wrong length"));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| SealError("bad key"))?;
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"signet");
        let prk = salt.extract(bytes);
        let derive = |purpose: &[u8]| -> Result<ring::hmac::Key, SealError> {
            Ok(prk.expand(&[purpose], ring::hmac::HMAC_SHA256).map_err(|_| SealError("key derivation failed"))?.into())
        };
        Ok(Self {
            sealing: LessSafeKey::new(unbound),
            secret_hash_key: derive(b"client-secret-hash")?,
            csrf_key: derive(b"csrf-token")?,
            pairwise_key: derive(b"pairwise-subject")?,
            code_key: {
                let mut key = [0u8; 32];
                prk.expand(&[b"authorization-code"], &AES_256_GCM)
                    .and_then(|okm| okm.fill(&mut key))
                    .map_err(|_| SealError("key derivation failed"))?;
                LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).map_err(|_| SealError("bad key"))?)
            },
        })
    }

    /// `nonce || ciphertext || tag` of `plaintext`, bound to `label`.
    pub fn seal(&self, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        seal_with(&self.sealing, label, plaintext)
    }

    /// `nonce || ciphertext || tag` of an authorization code's contents, bound to `label` (its tenant),
    /// under a key derived for codes alone.
    pub fn seal_code(&self, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        seal_with(&self.code_key, label, plaintext)
    }

    /// The contents of a code [`seal_code`](Self::seal_code) made with the same label.
    pub fn open_code(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        open_with(&self.code_key, label, sealed)
    }

    /// The plaintext of a value [`seal`](Self::seal)ed under the same label.
    pub fn open(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        open_with(&self.sealing, label, sealed)
    }

    /// The HMAC key client secrets are hashed with.
    pub fn secret_hash_key(&self) -> &ring::hmac::Key {
        &self.secret_hash_key
    }

    /// The HMAC key form tokens are derived with.
    pub fn csrf_key(&self) -> &ring::hmac::Key {
        &self.csrf_key
    }

    /// The HMAC key pairwise `sub` values are derived with.
    pub fn pairwise_key(&self) -> &ring::hmac::Key {
        &self.pairwise_key
    }
}

fn seal_with(key: &LessSafeKey, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).map_err(|_| SealError("no randomness"))?;
    let mut buffer = plaintext.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(label.as_bytes()), &mut buffer)
        .map_err(|_| SealError("encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buffer);
    Ok(out)
}

fn open_with(key: &LessSafeKey, label: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN).ok_or(SealError("too short"))?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError("bad nonce"))?;
    let mut buffer = ciphertext.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(label.as_bytes()), &mut buffer)
        .map_err(|_| SealError("wrong key-encryption key, or the sealed value was altered"))?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_their_label_and_kek() -> Result<(), SealError> {
        let kek = KeyEncryptionKey::from_bytes(&[7u8; 32])?;
        let sealed = kek.seal("kid-1", b"private")?;
        assert!(!sealed.windows(7).any(|w| w == b"private"));
        assert_eq!(kek.open("kid-1", &sealed)?, b"private");
        assert!(kek.open("kid-2", &sealed).is_err());
        let other = KeyEncryptionKey::from_bytes(&[8u8; 32])?;
        assert!(other.open("kid-1", &sealed).is_err());
        Ok(())
    }
}
