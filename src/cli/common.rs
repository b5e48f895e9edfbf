//! What every command returns: its output, or a failure with its exit code.

use serde_json::Value;

use crate::admin::AdminError;

/// A command's failure: the message, and the exit code (2 for bad input, 1 for our own failures).
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl From<AdminError> for Failure {
    fn from(err: AdminError) -> Self {
        let code = if matches!(err, AdminError::Internal(_)) { 1 } else { 2 };
        Self { message: err.to_string(), code }
    }
}

pub(super) fn internal(err: impl std::fmt::Display) -> Failure {
    Failure { message: err.to_string(), code: 1 }
}

/// Output of a command: JSON for `--json`, lines of text otherwise.
pub struct Output {
    pub json: Value,
    pub text: String,
}

pub(super) fn app_id(text: &str) -> Result<crate::domain::ids::AppId, Failure> {
    text.parse().map_err(|_| Failure { message: format!("'{text}' is not an appId GUID"), code: 2 })
}

/// One line of text per item.
pub(super) fn lines<T>(items: &[T], line: impl Fn(&T) -> String) -> String {
    items.iter().map(line).collect::<Vec<_>>().join("\n")
}
