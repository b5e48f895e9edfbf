//! Private keys at rest: AES-256-GCM (ring) under a key-encryption key kept in a local file, so the
//! database alone never reveals a signing key. The key id is the associated data, binding each sealed
//! key to its row.

use std::fmt;
use std::io::Write;
use std::path::Path;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};

use super::KeyError;

const KEK_LEN: usize = 32;

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
    /// Reads the key file, creating it (mode 0600) with fresh random bytes on first run.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let fail = |reason: String| KeyError::KekFile { path: path.display().to_string(), reason };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut fresh = [0u8; KEK_LEN];
                SystemRandom::new().fill(&mut fresh).map_err(|_| fail("no randomness".into()))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
                }
                match write_private(path, &fresh) {
                    Ok(()) => {
                        tracing::info!(path = %path.display(), "created a new key-encryption key");
                        fresh.to_vec()
                    }
                    // Another process starting at the same moment made it first: use that one.
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                        read_complete(path).map_err(|e| fail(e.to_string()))?
                    }
                    Err(err) => return Err(fail(err.to_string())),
                }
            }
            Err(err) => return Err(fail(err.to_string())),
        };
        Self::from_bytes(&bytes).map_err(|_| fail(format!("must hold exactly {KEK_LEN} bytes")))
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() != KEK_LEN {
            return Err(KeyError::Seal("key-encryption key has the wrong length".into()));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| KeyError::Seal("bad key".into()))?;
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"signet");
        let prk = salt.extract(bytes);
        let derive = |purpose: &[u8]| -> Result<ring::hmac::Key, KeyError> {
            Ok(prk
                .expand(&[purpose], ring::hmac::HMAC_SHA256)
                .map_err(|_| KeyError::Seal("key derivation failed".into()))?
                .into())
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
                    .map_err(|_| KeyError::Seal("key derivation failed".into()))?;
                LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).map_err(|_| KeyError::Seal("bad key".into()))?)
            },
        })
    }

    /// `nonce || ciphertext || tag` of `plaintext`, bound to `label`.
    pub fn seal(&self, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        seal_with(&self.sealing, label, plaintext)
    }

    /// `nonce || ciphertext || tag` of an authorization code's contents, bound to `label` (its tenant),
    /// under a key derived for codes alone.
    pub fn seal_code(&self, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        seal_with(&self.code_key, label, plaintext)
    }

    /// The contents of a code [`seal_code`](Self::seal_code) made with the same label.
    pub fn open_code(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
        open_with(&self.code_key, label, sealed)
    }

    /// The plaintext of a value [`seal`](Self::seal)ed under the same label.
    pub fn open(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
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

fn seal_with(key: &LessSafeKey, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).map_err(|_| KeyError::Seal("no randomness".into()))?;
    let mut buffer = plaintext.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(label.as_bytes()), &mut buffer)
        .map_err(|_| KeyError::Seal("encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buffer);
    Ok(out)
}

fn open_with(key: &LessSafeKey, label: &str, sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
    let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN).ok_or_else(|| KeyError::Seal("too short".into()))?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| KeyError::Seal("bad nonce".into()))?;
    let mut buffer = ciphertext.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(label.as_bytes()), &mut buffer)
        .map_err(|_| KeyError::Seal("wrong key-encryption key, or the sealed value was altered".into()))?;
    Ok(plain.to_vec())
}

/// Reads a key file another process may still be writing: waits briefly for all of its bytes.
fn read_complete(path: &Path) -> std::io::Result<Vec<u8>> {
    for _ in 0..50 {
        let bytes = std::fs::read(path)?;
        if bytes.len() >= KEK_LEN {
            return Ok(bytes);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::fs::read(path)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_their_label_and_kek() -> Result<(), KeyError> {
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
