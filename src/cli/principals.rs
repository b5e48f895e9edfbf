//! `signet sp`: the apps present in a tenant and the roles assigned to them.

use clap::Subcommand;
use serde_json::json;

use super::common::{Failure, Output, app_id, internal};
use crate::admin::{self};
use crate::clock::UnixTime;
use crate::domain::tenant::Tenant;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum SpCommand {
    /// Remove the app's service principal from the tenant, with its grants and assignments.
    Remove {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
    },
    /// Add an app (a multi-tenant app of another tenant, by its appId) to the tenant.
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
    },
    /// Block or unblock the app in the tenant, or require assignment to sign in to it.
    Set {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        /// `true` or `false`: whether the app may sign users in and get tokens (unblocks an app blocked
        /// from the consent request review).
        #[arg(long)]
        enabled: Option<bool>,
        /// `true` or `false`: whether only assigned users may sign in.
        #[arg(long)]
        assignment_required: Option<bool>,
    },
    /// Assign one of the app's roles (by value) to a user of the tenant.
    AssignRole {
        #[arg(long)]
        tenant: String,
        /// The app that defines the role (appId).
        #[arg(long)]
        app: String,
        #[arg(long)]
        role: String,
        /// The user (object id or username).
        #[arg(long)]
        user: String,
    },
}

pub(super) async fn sp_command(store: &Store, command: SpCommand, now: UnixTime) -> Result<Output, Failure> {
    let actor = admin::Actor::cli();
    Ok(match command {
        SpCommand::Remove { tenant, app } => {
            let t = admin::tenant(store, &tenant).await?;
            admin::remove_service_principal(store, &t, &app, now).await?;
            Output {
                text: format!("removed the service principal of app {app} from tenant {}", t.id),
                json: json!({ "tenantId": t.id, "appId": app, "removed": true }),
            }
        }
        SpCommand::Add { tenant, app } => {
            let t = admin::tenant(store, &tenant).await?;
            let sp = admin::add_service_principal(store, &t, app_id(&app)?, &actor, now).await?;
            Output { text: format!("service principal {} of app {} added", sp.id, sp.app_id), json: json!(sp) }
        }
        SpCommand::Set { tenant, app, enabled, assignment_required } => {
            let t = admin::tenant(store, &tenant).await?;
            let sp = tenant_sp(store, &t, &app).await?;
            let edit = admin::ServicePrincipalEdit {
                account_enabled: enabled,
                app_role_assignment_required: assignment_required,
            };
            let sp = admin::update_service_principal(store, &t, &sp, edit, &actor, now).await?;
            let text = format!(
                "service principal of app {}: enabled {}, assignment required {}",
                sp.app_id, sp.account_enabled, sp.app_role_assignment_required
            );
            Output { text, json: json!(sp) }
        }
        SpCommand::AssignRole { tenant, app, role, user } => {
            let t = admin::tenant(store, &tenant).await?;
            let sp = tenant_sp(store, &t, &app).await?;
            let registration = admin::app_registration(store, sp.app_id).await?;
            let role_id = registration
                .app_role(&role)
                .map(|r| r.id)
                .ok_or_else(|| Failure { message: format!("app {app} defines no role {role}"), code: 2 })?;
            let user = admin::find_user(store, &t, &user).await?;
            let a = admin::assign_app_role(store, &t, &sp, user.id, role_id, &actor, now).await?;
            Output { text: format!("assigned {role} of app {app} to {} ({})", user.username, a.id), json: json!(a) }
        }
    })
}

/// The service principal of the app `app` (appId) in `tenant`.
async fn tenant_sp(store: &Store, tenant: &Tenant, app: &str) -> Result<crate::domain::app::ServicePrincipal, Failure> {
    let id = app_id(app)?;
    store.service_principal(tenant.id, id).await.map_err(internal)?.ok_or_else(|| Failure {
        message: format!("app {app} has no service principal in tenant {}", tenant.id),
        code: 2,
    })
}
