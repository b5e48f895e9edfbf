//! Signing keys: generation, sealing at rest, the in-memory ring that signs and publishes, and rotation.

pub mod material;
pub mod ring;
pub mod rotation;
pub mod seal;
pub mod signer;

pub use ring::{Jwk, KeyRing, KeyState};
pub use seal::KeyEncryptionKey;
pub use signer::Signer;

/// A key failure: generation, sealing, parsing or storage.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed: {0}")]
    Generate(String),
    #[error("sealed key does not open: {0}")]
    Seal(String),
    #[error("key-encryption key file {path}: {reason}")]
    KekFile { path: String, reason: String },
    #[error("key is unusable: {0}")]
    Unusable(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
