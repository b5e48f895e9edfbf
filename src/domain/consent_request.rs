//! Admin consent requests (protocol reference §6, "Admin consent request workflow"): a user the policy
//! stops asks the tenant's reviewers to approve an app. One open request per app gathers every user who
//! asked, each with their justification; a reviewer approves (a tenant-wide admin consent), denies or
//! blocks it, or it expires.

use serde::Serialize;
use uuid::Uuid;

use super::ids::{AppId, ObjectId, TenantId};
use crate::clock::UnixTime;

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Waiting for a reviewer.
    Pending,
    /// A reviewer granted the permissions for the whole tenant.
    Approved,
    /// A reviewer said no; users may ask again.
    Denied,
    /// A reviewer said no and disabled the app in the tenant; nobody can ask again.
    Blocked,
    /// Nobody decided within the tenant's request lifetime; users may ask again.
    Expired,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Blocked => "blocked",
            Self::Expired => "expired",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "denied" => Some(Self::Denied),
            "blocked" => Some(Self::Blocked),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }
}

/// A reviewer's answer to a pending request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Deny,
    Block,
}

impl Refusal {
    pub fn status(self) -> RequestStatus {
        match self {
            Self::Deny => RequestStatus::Denied,
            Self::Block => RequestStatus::Blocked,
        }
    }
}

/// One user's part of a request. Only a user's first request counts: asking again adds nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requester {
    pub user_id: ObjectId,
    pub justification: String,
    /// The permissions this user asked for, as `{resource appId}/{value}`.
    pub scopes: Vec<String>,
    pub requested_at: UnixTime,
}

/// The request for one app in one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRequest {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub app_id: AppId,
    /// As stored: a pending request past `expires_at` is [`RequestStatus::Expired`] by [`Self::status_at`].
    pub status: RequestStatus,
    /// Every permission asked for, as `{resource appId}/{value}`: what an approval grants.
    pub scopes: Vec<String>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub decided_at: Option<UnixTime>,
    /// The reviewer who decided, as an audit actor.
    pub decided_by: Option<String>,
    /// The reviewer's justification for a denial or a block.
    pub reason: Option<String>,
    pub requesters: Vec<Requester>,
}

impl ConsentRequest {
    /// Where the request stands at `now`: open requests expire after the tenant's lifetime.
    pub fn status_at(&self, now: UnixTime) -> RequestStatus {
        match self.status {
            RequestStatus::Pending if now >= self.expires_at => RequestStatus::Expired,
            status => status,
        }
    }

    /// The part of `user`, when they asked.
    pub fn requester(&self, user: ObjectId) -> Option<&Requester> {
        self.requesters.iter().find(|r| r.user_id == user)
    }
}

/// The longest justification kept, in characters.
pub const MAX_JUSTIFICATION: usize = 500;

/// A justification as given: trimmed, not empty, at most [`MAX_JUSTIFICATION`] characters.
pub fn justification(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let fits = !trimmed.is_empty()
        && trimmed.chars().count() <= MAX_JUSTIFICATION
        && !trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t');
    fits.then(|| trimmed.to_owned())
}

/// `{resource appId}/{value}` split into its resource and permission value.
pub fn split_scope(scope: &str) -> Option<(AppId, &str)> {
    let (resource, value) = scope.split_once('/')?;
    Some((resource.parse().ok()?, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(status: RequestStatus) -> ConsentRequest {
        ConsentRequest {
            id: Uuid::nil(),
            tenant_id: TenantId(Uuid::nil()),
            app_id: AppId(Uuid::nil()),
            status,
            scopes: Vec::new(),
            created_at: 100,
            expires_at: 200,
            decided_at: None,
            decided_by: None,
            reason: None,
            requesters: Vec::new(),
        }
    }

    #[test]
    fn an_open_request_expires_at_its_lifetime_and_a_decided_one_never_does() {
        assert_eq!(request(RequestStatus::Pending).status_at(199), RequestStatus::Pending);
        assert_eq!(request(RequestStatus::Pending).status_at(200), RequestStatus::Expired);
        assert_eq!(request(RequestStatus::Denied).status_at(10_000), RequestStatus::Denied);
    }

    #[test]
    fn a_justification_is_trimmed_and_must_say_something_short() {
        assert_eq!(justification("  for the quarterly report \n").as_deref(), Some("for the quarterly report"));
        assert_eq!(justification("   "), None);
        assert_eq!(justification(&"x".repeat(MAX_JUSTIFICATION + 1)), None);
        assert_eq!(justification(&"é".repeat(MAX_JUSTIFICATION)).map(|j| j.chars().count()), Some(MAX_JUSTIFICATION));
    }

    #[test]
    fn a_requested_scope_names_its_resource_by_app_id() {
        let graph = "00000003-0000-0000-c000-000000000000";
        assert_eq!(split_scope(&format!("{graph}/User.Read.All")), Some((graph.parse().unwrap(), "User.Read.All")));
        assert_eq!(split_scope("api://x/read"), None);
        assert_eq!(split_scope("User.Read"), None);
    }
}
