//! `signet consent`, `permission`, `consent-request` and `audit`: what apps were granted, the
//! low-impact classification, the admin consent requests, and the audit log.

use clap::Subcommand;
use serde_json::json;

use super::common::{Failure, Output, internal, lines};
use crate::admin::{self};
use crate::clock::UnixTime;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Tenant-wide consent to everything the app requires.
    Grant {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
    },
    /// Revoke the app's consents in the tenant: every delegated grant and app role assignment, or one
    /// user's grants (--user), or what is on one resource (--resource), or one app role of it (--role).
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        user: Option<String>,
        /// The resource's identifier URI or appId.
        #[arg(long)]
        resource: Option<String>,
        /// An app role value of --resource: only that assignment goes.
        #[arg(long, requires = "resource", conflicts_with = "user")]
        role: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PermissionCommand {
    /// Classify a delegated permission as low impact (users may consent to it under `low-impact`).
    Classify {
        #[arg(long)]
        tenant: String,
        /// The resource's appId or identifier URI.
        #[arg(long)]
        resource: String,
        #[arg(long)]
        scope: String,
        /// Classify as low impact.
        #[arg(long, conflicts_with = "unclassified", required_unless_present = "unclassified")]
        low_impact: bool,
        /// Remove the classification.
        #[arg(long)]
        unclassified: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsentRequestCommand {
    /// The tenant's admin consent requests, newest first, with who asked and what was decided.
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The tenant's audit log of consents, grants, revocations and policy changes, oldest first.
    List {
        #[arg(long)]
        tenant: String,
    },
}

pub(super) async fn consent_command(store: &Store, command: ConsentCommand, now: UnixTime) -> Result<Output, Failure> {
    Ok(match command {
        ConsentCommand::Grant { tenant, app } => {
            let t = admin::tenant(store, &tenant).await?;
            let granted = admin::grant_consent(store, &t, &app, now).await?;
            let text = lines(&granted, |g| {
                format!("granted {}: scopes [{}] roles [{}]", g.resource_app_id, g.scopes.join(" "), g.roles.join(" "))
            });
            Output { text, json: json!({ "tenantId": t.id, "appId": app, "granted": granted }) }
        }
        ConsentCommand::Revoke { tenant, app, user, resource, role } => {
            let t = admin::tenant(store, &tenant).await?;
            let what =
                admin::RevokeWhat { user: user.as_deref(), resource: resource.as_deref(), role: role.as_deref() };
            let removed = admin::revoke_consent(store, &t, &app, what, now).await?;
            Output {
                text: format!("revoked {removed} grant(s) and assignment(s) of app {app}"),
                json: json!({ "tenantId": t.id, "appId": app, "removed": removed }),
            }
        }
    })
}

pub(super) async fn consent_request_command(
    store: &Store,
    command: ConsentRequestCommand,
    now: UnixTime,
) -> Result<Output, Failure> {
    let ConsentRequestCommand::List { tenant } = command;
    let t = admin::tenant(store, &tenant).await?;
    let mut requests = store.consent_requests(t.id).await.map_err(internal)?;
    for request in &mut requests {
        request.status = request.status_at(now);
    }
    let text = lines(&requests, |r| {
        let by = r.decided_by.as_deref().map_or_else(String::new, |by| format!(" by {by}"));
        let status = r.status.as_str();
        format!("{} {status} app {} {} requester(s) [{}]{by}", r.id, r.app_id, r.requesters.len(), r.scopes.join(" "))
    });
    Ok(Output { text, json: json!(requests) })
}

pub(super) async fn permission_command(
    store: &Store,
    command: PermissionCommand,
    now: UnixTime,
) -> Result<Output, Failure> {
    let PermissionCommand::Classify { tenant, resource, scope, low_impact, unclassified: _ } = command;
    let t = admin::tenant(store, &tenant).await?;
    let (resource_app_id, p) = admin::classify_permission(store, &t, &resource, &scope, low_impact, now).await?;
    let class = if low_impact { "low impact" } else { "unclassified" };
    Ok(Output {
        text: format!("permission {} of {resource_app_id} is {class} in tenant {}", p.value, t.id),
        json: json!({ "tenantId": t.id, "resourceAppId": resource_app_id, "scope": p.value, "scopeId": p.id, "lowImpact": low_impact }),
    })
}

pub(super) async fn audit_command(store: &Store, command: AuditCommand) -> Result<Output, Failure> {
    let AuditCommand::List { tenant } = command;
    let t = admin::tenant(store, &tenant).await?;
    let events = store.audit_events(t.id).await.map_err(internal)?;
    let text = lines(&events, |e| format!("{} {} {} {} {}", e.at, e.actor, e.action, e.target, e.details));
    Ok(Output { text, json: json!(events) })
}
