//! The key-encryption key's file: read at start, or created (mode 0600) with fresh random bytes on
//! first run. Every replica needs the same file.

use std::io::Write;
use std::path::Path;

use ring::rand::{SecureRandom, SystemRandom};

use crate::seal::{KEK_LEN, KeyEncryptionKey};

/// The key file could not be read, created or used.
#[derive(Debug, thiserror::Error)]
#[error("key-encryption key file {path}: {reason}")]
pub struct KeyFileError {
    path: String,
    reason: String,
}

/// Reads the key file, creating it (mode 0600) with fresh random bytes on first run.
pub fn load_or_create(path: &Path) -> Result<KeyEncryptionKey, KeyFileError> {
    let fail = |reason: String| KeyFileError { path: path.display().to_string(), reason };
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
    KeyEncryptionKey::from_bytes(&bytes).map_err(|_| fail(format!("must hold exactly {KEK_LEN} bytes")))
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
