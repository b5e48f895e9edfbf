//! `identityGovernance/appConsent/appConsentRequests`: the admin consent requests of the caller's
//! tenant, in Graph's shape, read-only (reviewers decide on Signet's review pages). Needs
//! `ConsentRequest.Read.All`; a delegated caller must also administer the tenant or review requests.

use serde::Serialize;
use uuid::Uuid;

use super::objects::graph_time;
use super::{Acting, Caller};
use crate::domain::consent_request::{ConsentRequest, RequestStatus, Requester};
use crate::domain::ids::{AppId, ObjectId};
use crate::graph_error::GraphError;
use crate::state::AppState;

const READ_REQUESTS: &[&str] = &["ConsentRequest.Read.All"];

/// An `appConsentRequest`: one app's open or decided request, with its permissions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppConsentRequest {
    pub id: Uuid,
    pub app_id: AppId,
    pub app_display_name: Option<String>,
    pub pending_scopes: Vec<PendingScope>,
}

/// A permission asked for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingScope {
    pub display_name: String,
}

/// A `userConsentRequest`: one user's part of a request, with how it was reviewed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserConsentRequest {
    /// The requesting user's id: a user asks once per request.
    pub id: ObjectId,
    pub reason: String,
    pub status: &'static str,
    pub created_date_time: Option<String>,
    pub created_by: CreatedBy,
    pub approval: Approval,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedBy {
    pub user: RequestingUser,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestingUser {
    pub id: ObjectId,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Approval {
    pub stages: Vec<ApprovalStage>,
}

/// The one review stage: who decided, when, how and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStage {
    pub review_result: &'static str,
    pub reviewed_date_time: Option<String>,
    pub reviewed_by: Option<String>,
    pub justification: Option<String>,
    pub status: &'static str,
}

/// Only administrators and the tenant's reviewers read requests through a user's token.
async fn check_reader(state: &AppState, caller: &Caller) -> Result<(), GraphError> {
    caller.require(READ_REQUESTS, READ_REQUESTS)?;
    if let Acting::User { user, .. } = &caller.acting {
        let reviewers = state.store.tenant_policy(caller.tenant.id).await?.reviewers;
        if !user.is_admin && !reviewers.contains(&user.id) {
            return Err(GraphError::denied("Insufficient privileges to complete the operation."));
        }
    }
    Ok(())
}

async fn graph_request(state: &AppState, request: &ConsentRequest) -> Result<AppConsentRequest, GraphError> {
    let app = state.store.app_by_app_id(request.app_id).await?;
    let pending_scopes = request
        .scopes
        .iter()
        .map(|scope| PendingScope { display_name: scope.rsplit('/').next().unwrap_or(scope).to_owned() })
        .collect();
    Ok(AppConsentRequest {
        id: request.id,
        app_id: request.app_id,
        app_display_name: app.map(|app| app.display_name),
        pending_scopes,
    })
}

/// `GET …/appConsentRequests`: every request of the tenant, newest first.
pub async fn app_consent_requests(state: &AppState, caller: &Caller) -> Result<Vec<AppConsentRequest>, GraphError> {
    check_reader(state, caller).await?;
    let mut requests = state.store.consent_requests(caller.tenant.id).await?;
    requests.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let mut graph = Vec::with_capacity(requests.len());
    for request in &requests {
        graph.push(graph_request(state, request).await?);
    }
    Ok(graph)
}

async fn find(state: &AppState, caller: &Caller, id: &str) -> Result<ConsentRequest, GraphError> {
    let Ok(key) = id.parse::<Uuid>() else { return Err(GraphError::not_found(id)) };
    state.store.consent_request(caller.tenant.id, key).await?.ok_or_else(|| GraphError::not_found(id))
}

/// `GET …/appConsentRequests/{id}`.
pub async fn app_consent_request(state: &AppState, caller: &Caller, id: &str) -> Result<AppConsentRequest, GraphError> {
    check_reader(state, caller).await?;
    graph_request(state, &find(state, caller, id).await?).await
}

/// `GET …/appConsentRequests/{id}/userConsentRequests`: each user's part, oldest first.
pub async fn user_consent_requests(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Vec<UserConsentRequest>, GraphError> {
    check_reader(state, caller).await?;
    let request = find(state, caller, id).await?;
    let status = request.status_at(state.clock.now());
    let mut parts = Vec::with_capacity(request.requesters.len());
    for requester in &request.requesters {
        let user = state.store.user(caller.tenant.id, requester.user_id).await?;
        parts.push(user_part(&request, status, requester, user.map(|u| (u.display_name, u.username))));
    }
    Ok(parts)
}

fn user_part(
    request: &ConsentRequest,
    status: RequestStatus,
    requester: &Requester,
    names: Option<(String, String)>,
) -> UserConsentRequest {
    let (display_name, user_principal_name) = names.map_or((None, None), |(d, u)| (Some(d), Some(u)));
    let review_result = match status {
        RequestStatus::Approved => "Approve",
        RequestStatus::Denied | RequestStatus::Blocked => "Deny",
        RequestStatus::Pending | RequestStatus::Expired => "NotReviewed",
    };
    let state = if status == RequestStatus::Pending { "InProgress" } else { "Completed" };
    UserConsentRequest {
        id: requester.user_id,
        reason: requester.justification.clone(),
        status: state,
        created_date_time: graph_time(requester.requested_at),
        created_by: CreatedBy { user: RequestingUser { id: requester.user_id, display_name, user_principal_name } },
        approval: Approval {
            stages: vec![ApprovalStage {
                review_result,
                reviewed_date_time: request.decided_at.and_then(graph_time),
                reviewed_by: request.decided_by.clone(),
                justification: request.reason.clone(),
                status: state,
            }],
        },
    }
}
