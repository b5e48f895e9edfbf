//! `auditLogs/directoryAudits`: the tenant's audit log in Graph's `directoryAudit` shape, newest
//! first, filtered by time, activity or correlation id. Needs `AuditLog.Read.All`.

use serde::Serialize;
use uuid::Uuid;

use super::Caller;
use super::objects::graph_time;
use super::odata::ListOptions;
use crate::admin::CLI_ACTOR;
use crate::domain::audit::{AuditEvent, actions_named, activity};
use crate::domain::query::{AuditProperty, Filter};
use crate::graph_error::GraphError;
use crate::state::AppState;

const READ_AUDIT: &[&str] = &["AuditLog.Read.All"];

/// A `directoryAudit`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryAudit {
    pub id: Uuid,
    pub category: &'static str,
    pub correlation_id: Uuid,
    pub result: &'static str,
    pub result_reason: &'static str,
    pub activity_display_name: &'static str,
    pub activity_date_time: Option<String>,
    pub logged_by_service: &'static str,
    pub operation_type: &'static str,
    pub initiated_by: InitiatedBy,
    pub target_resources: Vec<TargetResource>,
    pub additional_details: Vec<KeyValue>,
}

/// Who made the change: a user, or an app (the command line is an app without an id).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiatedBy {
    pub user: Option<UserIdentity>,
    pub app: Option<AppIdentity>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppIdentity {
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub service_principal_id: Option<String>,
}

/// What was changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetResource {
    pub id: Option<String>,
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub user_principal_name: Option<String>,
    pub modified_properties: Vec<KeyValue>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyValue {
    pub key: &'static str,
    pub value: String,
}

impl DirectoryAudit {
    pub const PROPERTIES: &'static [&'static str] = &[
        "id",
        "category",
        "correlationId",
        "result",
        "resultReason",
        "activityDisplayName",
        "activityDateTime",
        "loggedByService",
        "operationType",
        "initiatedBy",
        "targetResources",
        "additionalDetails",
    ];

    fn of(id: Uuid, event: &AuditEvent) -> Self {
        let (name, category) = activity(&event.action);
        let verb = event.action.rsplit('.').next().unwrap_or_default();
        let operation_type = match verb {
            "create" | "add" | "file" | "addPassword" => "Add",
            "delete" | "remove" | "removePassword" | "revoke" => "Delete",
            "assign" => "Assign",
            "unassign" => "Unassign",
            _ => "Update",
        };
        Self {
            id,
            category,
            correlation_id: event.correlation_id,
            result: "success",
            result_reason: "",
            activity_display_name: name,
            activity_date_time: graph_time(event.at),
            logged_by_service: "Signet",
            operation_type,
            initiated_by: initiated_by(&event.actor),
            target_resources: vec![target(&event.target)],
            additional_details: vec![
                KeyValue { key: "action", value: event.action.clone() },
                KeyValue { key: "details", value: event.details.to_string() },
            ],
        }
    }
}

/// The actor as the log writes it: `user:{id} {upn}`, `app:{appId}` or `cli`.
fn initiated_by(actor: &str) -> InitiatedBy {
    if let Some(user) = actor.strip_prefix("user:") {
        let (id, upn) = user.split_once(' ').unwrap_or((user, ""));
        let upn = (!upn.is_empty()).then(|| upn.to_owned());
        let identity = UserIdentity { id: Some(id.to_owned()), display_name: None, user_principal_name: upn };
        return InitiatedBy { user: Some(identity), app: None };
    }
    let app = match actor.strip_prefix("app:") {
        Some(app_id) => AppIdentity { app_id: Some(app_id.to_owned()), display_name: None, service_principal_id: None },
        None => {
            let name = if actor == CLI_ACTOR { "Signet command line".to_owned() } else { actor.to_owned() };
            AppIdentity { app_id: None, display_name: Some(name), service_principal_id: None }
        }
    };
    InitiatedBy { user: None, app: Some(app) }
}

/// The target as the log writes it: `user:{id or upn}`, `app:{appId}`, `tenant:{id}`, `grant:{id}`.
fn target(target: &str) -> TargetResource {
    let (kind, id) = target.split_once(':').unwrap_or(("", target));
    let (kind, upn) = match kind {
        "user" if id.contains('@') => ("User", Some(id.to_owned())),
        "user" => ("User", None),
        "app" => ("Application", None),
        "tenant" => ("Directory", None),
        "grant" => ("Other", None),
        _ => ("Other", None),
    };
    let id = upn.is_none().then(|| id.to_owned());
    TargetResource { id, display_name: None, kind, user_principal_name: upn, modified_properties: Vec::new() }
}

/// The filter with each activity name replaced by the actions it stands for.
fn by_action(filter: Filter<AuditProperty>) -> Filter<AuditProperty> {
    match filter {
        Filter::Eq(AuditProperty::ActivityDisplayName, name) => Filter::Any(
            actions_named(&name)
                .into_iter()
                .map(|action| Filter::Eq(AuditProperty::Action, action.to_owned()))
                .collect(),
        ),
        Filter::StartsWith(AuditProperty::ActivityDisplayName, _) => Filter::Any(Vec::new()),
        Filter::All(all) => Filter::All(all.into_iter().map(by_action).collect()),
        Filter::Any(any) => Filter::Any(any.into_iter().map(by_action).collect()),
        other => other,
    }
}

/// One page of the audit log, and where the next one starts when there is one.
#[derive(Debug)]
pub struct AuditPage {
    pub entries: Vec<DirectoryAudit>,
    pub skip_token: Option<String>,
}

/// `GET /v1.0/auditLogs/directoryAudits`.
pub async fn directory_audits(
    state: &AppState,
    caller: &Caller,
    options: &ListOptions<AuditProperty>,
) -> Result<AuditPage, GraphError> {
    caller.require(READ_AUDIT, READ_AUDIT)?;
    // Newest first: a page starts before the key of the previous one's last entry.
    let before = options.after::<Uuid>()?;
    let filter = options.filter.clone().map(by_action);
    let rows = state.store.list_audit(caller.tenant.id, filter.as_ref(), before, options.limit()).await?;
    let (entries, skip_token) = options.page(rows, |(id, _)| id.to_string());
    Ok(AuditPage { entries: entries.iter().map(|(id, event)| DirectoryAudit::of(*id, event)).collect(), skip_token })
}
