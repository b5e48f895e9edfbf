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

/// Each audited action with the activity name and category Entra's audit log gives the same change.
const ACTIVITIES: &[(&str, &str, &str)] = &[
    ("user.create", "Add user", "UserManagement"),
    ("user.update", "Update user", "UserManagement"),
    ("user.delete", "Delete user", "UserManagement"),
    ("app.create", "Add application", "ApplicationManagement"),
    ("app.update", "Update application", "ApplicationManagement"),
    ("app.delete", "Delete application", "ApplicationManagement"),
    ("app.addPassword", "Update application – Certificates and secrets management", "ApplicationManagement"),
    ("app.removePassword", "Update application – Certificates and secrets management", "ApplicationManagement"),
    ("app.addKey", "Update application – Certificates and secrets management", "ApplicationManagement"),
    ("app.removeKey", "Update application – Certificates and secrets management", "ApplicationManagement"),
    ("sp.add", "Add service principal", "ApplicationManagement"),
    ("sp.update", "Update service principal", "ApplicationManagement"),
    ("sp.remove", "Remove service principal", "ApplicationManagement"),
    ("role.assign", "Add app role assignment to service principal", "ApplicationManagement"),
    ("role.unassign", "Remove app role assignment from service principal", "ApplicationManagement"),
    ("grant.create", "Add delegated permission grant", "ApplicationManagement"),
    ("grant.update", "Update delegated permission grant", "ApplicationManagement"),
    ("grant.delete", "Remove delegated permission grant", "ApplicationManagement"),
    ("consent.user", "Consent to application", "ApplicationManagement"),
    ("consent.organization", "Consent to application", "ApplicationManagement"),
    ("consent.admin", "Consent to application", "ApplicationManagement"),
    ("consent.revoke", "Remove delegated permission grant", "ApplicationManagement"),
    ("consent_request.file", "Create admin consent request", "ApplicationManagement"),
    ("consent_request.approve", "Approve admin consent request", "ApplicationManagement"),
    ("consent_request.deny", "Deny admin consent request", "ApplicationManagement"),
    ("consent_request.block", "Block app from admin consent request", "ApplicationManagement"),
    ("domain.add", "Add verified domain", "DirectoryManagement"),
    ("domain.remove", "Remove verified domain", "DirectoryManagement"),
    ("policy.set", "Update authorization policy", "Policy"),
    ("group.create", "Add group", "GroupManagement"),
    ("group.addMember", "Add member to group", "GroupManagement"),
    ("signin.password", "Sign-in with the resource owner password credentials grant", "Authentication"),
    ("keys.rotate", "Rotate signing keys", "KeyManagement"),
    ("permission.classify", "Update delegated permission classification", "Policy"),
];

/// The activity name and category of `action`, as Entra's audit log names the same change.
pub fn activity(action: &str) -> (&'static str, &'static str) {
    ACTIVITIES
        .iter()
        .find(|(a, _, _)| *a == action)
        .map_or(("Update directory", "Other"), |&(_, name, category)| (name, category))
}

/// Every activity name, once each, in alphabetical order.
pub fn activity_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ACTIVITIES.iter().map(|&(_, name, _)| name).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The actions an activity name stands for (case-insensitive).
pub fn actions_named(name: &str) -> Vec<&'static str> {
    ACTIVITIES.iter().filter(|(_, n, _)| n.eq_ignore_ascii_case(name)).map(|&(action, _, _)| action).collect()
}
