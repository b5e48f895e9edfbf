//! Signing keys: generation, storage sealed under the key-encryption key ([`crate::seal`]), the in-memory ring that signs and publishes, and rotation.

pub mod material;
pub mod ring;
pub mod rotation;
pub mod signer;

pub use ring::{Jwk, KeyRing, KeyState};
pub use signer::Signer;

/// A key failure: generation, sealing, parsing or storage.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed: {0}")]
    Generate(String),
    #[error("sealed key does not open: {0}")]
    Seal(#[from] crate::seal::SealError),
    #[error("key is unusable: {0}")]
    Unusable(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
