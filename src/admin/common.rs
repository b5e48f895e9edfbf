//! What every administrative change shares: why one is refused, and who makes it.

use uuid::Uuid;

use crate::clock::UnixTime;
use crate::domain::audit::AuditEvent;
use crate::store::StoreError;

/// Why an administrative change was refused. `Invalid`, `NotFound` and `Conflict` are the caller's
/// to fix; `Internal` is ours.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AdminError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => Self::NotFound(what.to_owned()),
            StoreError::Conflict(why) => Self::Conflict(why),
            other => Self::Internal(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, AdminError>;

/// The actor the audit log names for the command line.
pub const CLI_ACTOR: &str = "cli";

/// Who makes a change, as the audit log names it, with the correlation id of the request it came in.
#[derive(Clone, Debug)]
pub struct Actor {
    pub name: String,
    pub correlation_id: Uuid,
}

impl Actor {
    /// The command line. Each command is its own correlation: there is no client request whose id it
    /// could carry.
    pub fn cli() -> Self {
        Self { name: CLI_ACTOR.to_owned(), correlation_id: Uuid::new_v4() }
    }

    pub fn event(&self, now: UnixTime, action: &str, target: String, details: serde_json::Value) -> AuditEvent {
        AuditEvent::new(now, self.correlation_id, self.name.clone(), action, target, details)
    }
}

/// The longest display name accepted (Entra's limit).
pub const MAX_DISPLAY_NAME: usize = 256;

pub fn check_display_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(format!(
            "the display name must have 1 to {MAX_DISPLAY_NAME} characters and no control characters"
        )));
    }
    Ok(name.to_owned())
}
