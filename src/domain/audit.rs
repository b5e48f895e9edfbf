//! The audit log: who changed what about consent in a tenant, and when.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::clock::UnixTime;

/// One audited change.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub at: UnixTime,
    /// Who did it: `user:{object id} {username}` for a signed-in user, `cli` for the command line.
    pub actor: String,
    /// What was done, e.g. `consent.admin`, `consent.user`, `grant.revoke`, `policy.set`.
    pub action: String,
    /// What it was done to, e.g. `app:{appId}`.
    pub target: String,
    pub details: Value,
    /// The correlation id of the request that did it.
    pub correlation_id: Uuid,
}

impl AuditEvent {
    /// An event of the request `correlation_id`, by `actor`, at `at`.
    pub fn new(
        at: UnixTime,
        correlation_id: Uuid,
        actor: String,
        action: &str,
        target: String,
        details: Value,
    ) -> Self {
        Self { at, actor, action: action.to_owned(), target, details, correlation_id }
    }
}

/// The actor name of a signed-in user.
pub fn user_actor(id: impl std::fmt::Display, username: &str) -> String {
    format!("user:{id} {username}")
}

/// The audit target naming an app.
pub fn app_target(app_id: impl std::fmt::Display) -> String {
    format!("app:{app_id}")
}
