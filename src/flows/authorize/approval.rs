//! The admin consent request workflow on the "Need admin approval" page (protocol reference §6): when
//! the tenant turned it on, a user the policy stops sends the reviewers a request with a justification,
//! and sees, the next time they sign in, where their request stands.

use serde_json::json;
use uuid::Uuid;

use super::consent::PendingPermission;
use super::consent::scope_names;
use crate::clock::UnixTime;
use crate::domain::app::Application;
use crate::domain::audit::{AuditEvent, app_target, user_actor};
use crate::domain::consent_request::{ConsentRequest, MAX_JUSTIFICATION, RequestStatus, Requester, justification};
use crate::domain::policy::TenantPolicy;
use crate::domain::tenant::Tenant;
use crate::error::{ProtocolError, format_timestamp as display_utc};
use crate::state::AppState;
use crate::store::User;

/// The request part of the "Need admin approval" page.
#[derive(Clone, Debug)]
pub struct RequestView {
    /// The user's newest request for the app: where it stands.
    pub status: Option<RequestStatus>,
    /// When the user asked, or when a reviewer decided.
    pub at: String,
    /// When an open request expires.
    pub expires: String,
    /// The reviewer's justification of a denial.
    pub reason: Option<String>,
    /// Whether the page offers the request form: the user has no open request.
    pub can_request: bool,
    /// Why the last form was not accepted.
    pub message: Option<String>,
    pub max_justification: usize,
}

/// A user the policy stops from granting `pending` to `client` in `tenant`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Blocked<'a> {
    pub client: &'a Application,
    pub user: &'a User,
    pub tenant: &'a Tenant,
    pub pending: &'a [PendingPermission],
}

/// A user's request for approval, as just sent: its justification, and the request it came in.
#[derive(Clone, Copy, Debug)]
pub(super) struct Asked<'a> {
    pub justification: &'a str,
    pub correlation_id: Uuid,
}

/// What the page shows of the workflow, after filing the user's request when they just sent one
/// (`asked`). `None` when the tenant has the workflow off.
pub(super) async fn approval_request(
    state: &AppState,
    blocked: Blocked<'_>,
    policy: &TenantPolicy,
    asked: Option<Asked<'_>>,
    now: UnixTime,
) -> Result<Option<RequestView>, ProtocolError> {
    if !policy.consent_requests {
        return Ok(None);
    }
    let Blocked { client, user, tenant, .. } = blocked;
    let mut latest = state.store.latest_consent_request(tenant.id, client.app_id, user.id).await?;
    let open =
        |request: &Option<ConsentRequest>| request.as_ref().is_some_and(|r| r.status_at(now) == RequestStatus::Pending);
    let mut message = None;
    if let Some(asked) = asked
        && !open(&latest)
    {
        match justification(asked.justification) {
            Some(justification) => {
                latest = Some(file(state, blocked, policy, (justification, asked.correlation_id), now).await?);
            }
            None => {
                message = Some(format!("Say why you need this app, in at most {MAX_JUSTIFICATION} characters."));
            }
        }
    }
    Ok(Some(view(latest.as_ref(), user, message, now)))
}

async fn file(
    state: &AppState,
    blocked: Blocked<'_>,
    policy: &TenantPolicy,
    (justification, correlation_id): (String, Uuid),
    now: UnixTime,
) -> Result<ConsentRequest, ProtocolError> {
    let Blocked { client, user, tenant, pending } = blocked;
    let scopes = scope_names(pending);
    let details = json!({ "appId": client.app_id, "scopes": scopes, "justification": justification });
    let actor = user_actor(user.id, &user.username);
    let event = AuditEvent::new(now, correlation_id, actor, "consent_request.file", app_target(client.app_id), details);
    let requester = Requester { user_id: user.id, justification, scopes, requested_at: now };
    let lifetime = i64::from(policy.request_days).saturating_mul(86_400);
    let request = state.store.file_consent_request(tenant.id, client.app_id, &requester, lifetime, &event).await?;
    tracing::info!(client = %client.app_id, tenant = %tenant.id, user = %user.id, request = %request.id, "admin consent requested");
    Ok(request)
}

fn view(latest: Option<&ConsentRequest>, user: &User, message: Option<String>, now: UnixTime) -> RequestView {
    let status = latest.map(|r| r.status_at(now));
    let at = latest.map_or(0, |r| match r.decided_at {
        Some(decided) => decided,
        None => r.requester(user.id).map_or(r.created_at, |me| me.requested_at),
    });
    RequestView {
        status,
        at: display_utc(at),
        expires: display_utc(latest.map_or(0, |r| r.expires_at)),
        reason: latest.and_then(|r| r.reason.clone()),
        can_request: status != Some(RequestStatus::Pending),
        message,
        max_justification: MAX_JUSTIFICATION,
    }
}
