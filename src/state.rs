//! The application state, built once and passed down: no globals.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::password_pool::PasswordPool;
use crate::seal::KeyEncryptionKey;
use crate::signing::KeyRing;
use crate::store::Store;
use crate::throttle::SignInThrottle;

/// Everything a request needs.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    /// The public base URL, without a trailing slash.
    pub base_url: Arc<str>,
    pub store: Store,
    pub kek: Arc<KeyEncryptionKey>,
    pub keys: Arc<KeyRing>,
    pub clock: Clock,
    /// Failed password sign-ins of this replica.
    pub throttle: Arc<SignInThrottle>,
    /// The threads that verify passwords.
    pub passwords: Arc<PasswordPool>,
}
