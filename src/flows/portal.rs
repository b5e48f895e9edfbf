//! The tenant administration pages' flows. Reviewing admin consent requests (protocol reference §6): the
//! tenant's reviewers and administrators see the open requests, approve one through the admin consent
//! page (a tenant-wide consent to exactly the permissions asked for), or deny or block it with a
//! justification. Reading the audit log: administrators only.

use serde_json::json;
use uuid::Uuid;

use super::authorize::AdminConsentView;
use super::authorize::admin_consent::{granted_scope, plan, tenant_wide, view};
use crate::clock::UnixTime;
use crate::domain::app::Application;
use crate::domain::audit::{AuditEvent, app_target, user_actor};
use crate::domain::consent_request::{ConsentRequest, Refusal, RequestStatus, justification, split_scope};
use crate::domain::scope::{DelegatedScopes, ResourceScopes};
use crate::domain::session::Session;
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, ProtocolError, format_timestamp};
use crate::flows::tenant::resolve_named;
use crate::state::AppState;
use crate::store::{StoreError, User};

/// A signed-in user who may review the tenant's requests.
#[derive(Clone, Debug)]
pub struct Reviewer {
    pub user: User,
    pub tenant: Tenant,
}

impl Reviewer {
    /// Approving grants for the whole tenant, which only an administrator may do.
    pub fn can_approve(&self) -> bool {
        self.user.is_admin
    }
}

/// The tenant a review page is for: a GUID or verified domain, never an alias.
pub async fn review_tenant(state: &AppState, segment: &str) -> Result<Tenant, ProtocolError> {
    match TenantSegment::parse(segment) {
        TenantSegment::Named(name) => resolve_named(state, &name).await,
        _ => Err(ProtocolError::new(
            Aadsts::UnsupportedTenant,
            "Consent requests are reviewed per organization: use its tenant id or a verified domain.",
        )),
    }
}

/// The session's user as a reviewer of `tenant`: `None` when nobody of that tenant is signed in; AADSTS90097
/// when the user is neither a designated reviewer nor an administrator.
pub async fn reviewer(
    state: &AppState,
    tenant: &Tenant,
    session: Option<Session>,
) -> Result<Option<Reviewer>, ProtocolError> {
    let Some(session) = session.filter(|s| s.tenant_id == tenant.id) else { return Ok(None) };
    let Some(user) = state.store.user(tenant.id, session.user_id).await? else { return Ok(None) };
    let policy = state.store.tenant_policy(tenant.id).await?;
    if !user.is_admin && !policy.reviewers.contains(&user.id) {
        return Err(ProtocolError::new(
            Aadsts::ReviewerRequired,
            format!(
                "{} is not a consent request reviewer or an administrator of '{}'.",
                user.username, tenant.display_name
            ),
        ));
    }
    Ok(Some(Reviewer { user, tenant: tenant.clone() }))
}

/// Lets only an administrator of the reviewer's tenant through (AADSTS90104 otherwise): reviewers
/// who are not administrators see only the review queue.
pub fn require_admin(reviewer: &Reviewer) -> Result<(), ProtocolError> {
    if reviewer.user.is_admin {
        return Ok(());
    }
    Err(ProtocolError::new(
        Aadsts::AdministratorRequired,
        format!(
            "{} is not an administrator of '{}': only administrators can open this page.",
            reviewer.user.username, reviewer.tenant.display_name
        ),
    ))
}

/// One request as a reviewer sees it.
#[derive(Clone, Debug)]
pub struct RequestSummary {
    pub id: Uuid,
    pub app_name: String,
    pub app_id: String,
    pub publisher: String,
    pub verified_publisher: bool,
    pub status: RequestStatus,
    /// Each permission asked for: resource, display name, description.
    pub permissions: Vec<(String, String, String)>,
    /// Each user who asked: username, justification, when.
    pub requesters: Vec<(String, String, String)>,
    pub created: String,
    pub expires: String,
    /// Who decided, when, and why.
    pub decision: Option<(String, String, Option<String>)>,
}

/// The tenant's requests: the open ones, then the closed ones, newest first.
pub async fn requests(
    state: &AppState,
    reviewer: &Reviewer,
    now: UnixTime,
) -> Result<(Vec<RequestSummary>, Vec<RequestSummary>), ProtocolError> {
    let mut open = Vec::new();
    let mut closed = Vec::new();
    for request in state.store.consent_requests(reviewer.tenant.id).await? {
        let summary = summary(state, &reviewer.tenant, &request, now).await?;
        match summary.status {
            RequestStatus::Pending => open.push(summary),
            _ => closed.push(summary),
        }
    }
    Ok((open, closed))
}

async fn summary(
    state: &AppState,
    tenant: &Tenant,
    request: &ConsentRequest,
    now: UnixTime,
) -> Result<RequestSummary, ProtocolError> {
    let app = state.store.app_by_app_id(request.app_id).await?;
    let home = match &app {
        Some(app) => state.store.tenant(app.home_tenant).await?,
        None => None,
    };
    let mut permissions = Vec::new();
    for scope in &request.scopes {
        let described = match split_scope(scope) {
            Some((resource, value)) => state.store.app_by_app_id(resource).await?.and_then(|resource| {
                let permission = resource.scope(value)?;
                Some((
                    resource.display_name.clone(),
                    permission.admin_consent_display_name.clone(),
                    permission.admin_consent_description.clone(),
                ))
            }),
            None => None,
        };
        permissions.push(described.unwrap_or_else(|| (String::new(), scope.clone(), String::new())));
    }
    let mut requesters = Vec::new();
    for requester in &request.requesters {
        let username = state.store.user(tenant.id, requester.user_id).await?.map(|u| u.username);
        requesters.push((
            username.unwrap_or_else(|| requester.user_id.to_string()),
            requester.justification.clone(),
            format_timestamp(requester.requested_at),
        ));
    }
    Ok(RequestSummary {
        id: request.id,
        app_name: app.as_ref().map_or_else(|| request.app_id.to_string(), |a| a.display_name.clone()),
        app_id: request.app_id.to_string(),
        publisher: home.map_or_else(String::new, |t| t.display_name),
        verified_publisher: app.as_ref().is_some_and(|a| a.verified_publisher),
        status: request.status_at(now),
        permissions,
        requesters,
        created: format_timestamp(request.created_at),
        expires: format_timestamp(request.expires_at),
        decision: request.decided_at.map(|at| {
            let by = request.decided_by.as_deref().unwrap_or_default();
            let name = by.split_once(' ').map_or(by, |(_, username)| username);
            (name.to_owned(), format_timestamp(at), request.reason.clone())
        }),
    })
}

/// The open request `id` of the reviewer's tenant and the app it is for.
async fn open_request(
    state: &AppState,
    reviewer: &Reviewer,
    id: Uuid,
    now: UnixTime,
) -> Result<(ConsentRequest, Application), ProtocolError> {
    let request = state.store.consent_request(reviewer.tenant.id, id).await?.ok_or_else(|| {
        ProtocolError::new(Aadsts::NotFound, format!("There is no consent request '{id}' in this organization."))
    })?;
    if request.status_at(now) != RequestStatus::Pending {
        return Err(closed());
    }
    let app = state.store.app_by_app_id(request.app_id).await?.ok_or_else(|| {
        ProtocolError::new(Aadsts::ClientNotFound, format!("Application '{}' no longer exists.", request.app_id))
    })?;
    Ok((request, app))
}

fn closed() -> ProtocolError {
    ProtocolError::of(Aadsts::ConsentRequestClosed)
}

/// Approving needs an administrator (AADSTS90094).
fn check_can_approve(reviewer: &Reviewer) -> Result<(), ProtocolError> {
    if reviewer.can_approve() {
        return Ok(());
    }
    Err(ProtocolError::new(
        Aadsts::NeedsAdminApproval,
        format!(
            "{} is a reviewer but not an administrator: only an administrator can approve, which grants the permissions for the whole organization.",
            reviewer.user.username
        ),
    ))
}

/// The permissions the request asks for, as a request for exactly them.
fn asked_scopes(request: &ConsentRequest) -> DelegatedScopes {
    let mut resources: Vec<ResourceScopes> = Vec::new();
    for (resource, value) in request.scopes.iter().filter_map(|s| split_scope(s)) {
        let resource = resource.to_string();
        match resources.iter_mut().find(|r| r.resource == resource) {
            Some(r) => r.values.push(value.to_owned()),
            None => resources.push(ResourceScopes { resource, values: vec![value.to_owned()], default: false }),
        }
    }
    DelegatedScopes { resources }
}

/// The admin consent page for the open request `id`.
pub async fn approval_page(
    state: &AppState,
    reviewer: &Reviewer,
    id: Uuid,
    now: UnixTime,
) -> Result<AdminConsentView, ProtocolError> {
    check_can_approve(reviewer)?;
    let (request, app) = open_request(state, reviewer, id, now).await?;
    let plan = plan(state, &app, &asked_scopes(&request), &reviewer.tenant).await?;
    view(state, &app, &reviewer.user, &reviewer.tenant, &plan).await
}

/// Approves the open request `id`: a tenant-wide consent to exactly what it asks for, the request's
/// decision and the audit entry, in one transaction.
pub async fn approve(
    state: &AppState,
    reviewer: &Reviewer,
    id: Uuid,
    now: UnixTime,
    correlation_id: Uuid,
) -> Result<(), ProtocolError> {
    check_can_approve(reviewer)?;
    let (request, app) = open_request(state, reviewer, id, now).await?;
    let plan = plan(state, &app, &asked_scopes(&request), &reviewer.tenant).await?;
    let details =
        json!({ "appId": app.app_id, "request": id, "consentType": "AllPrincipals", "scope": granted_scope(&plan) });
    let event = decision_event(reviewer, &app, "consent_request.approve", details, (now, correlation_id));
    state
        .store
        .approve_consent_request(reviewer.tenant.id, id, &app, &tenant_wide(&plan), &event)
        .await
        .map_err(decided)?;
    tracing::info!(client = %app.app_id, tenant = %reviewer.tenant.id, request = %id, "consent request approved");
    Ok(())
}

/// Denies or blocks the open request `id`, with the reviewer's justification (required, AADSTS90014).
pub async fn refuse(
    state: &AppState,
    reviewer: &Reviewer,
    id: Uuid,
    refusal: Refusal,
    reason: &str,
    now: UnixTime,
    correlation_id: Uuid,
) -> Result<(), ProtocolError> {
    let reason = justification(reason).ok_or_else(|| {
        ProtocolError::new(
            Aadsts::MalformedRequest,
            "A denial or a block needs a justification of at most 500 characters.",
        )
    })?;
    let (_, app) = open_request(state, reviewer, id, now).await?;
    let action = match refusal {
        Refusal::Deny => "consent_request.deny",
        Refusal::Block => "consent_request.block",
    };
    let details = json!({ "appId": app.app_id, "request": id, "reason": reason });
    let event = decision_event(reviewer, &app, action, details, (now, correlation_id));
    state
        .store
        .refuse_consent_request(reviewer.tenant.id, id, &app, refusal, &reason, &event)
        .await
        .map_err(decided)?;
    tracing::info!(client = %app.app_id, tenant = %reviewer.tenant.id, request = %id, action, "consent request refused");
    Ok(())
}

fn decision_event(
    reviewer: &Reviewer,
    app: &Application,
    action: &str,
    details: serde_json::Value,
    (now, correlation_id): (UnixTime, Uuid),
) -> AuditEvent {
    let actor = user_actor(reviewer.user.id, &reviewer.user.username);
    AuditEvent::new(now, correlation_id, actor, action, app_target(app.app_id), details)
}

/// A decision the store refused because another reviewer decided first or the request expired.
fn decided(err: StoreError) -> ProtocolError {
    match err {
        StoreError::Conflict(_) => closed(),
        other => other.into(),
    }
}
