//! `signet user`: a tenant's users.

use clap::Subcommand;
use serde_json::json;

use super::common::{Failure, Output, internal};
use crate::admin::{self};
use crate::clock::UnixTime;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        admin: bool,
    },
    /// List the tenant's users.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Change a user (by object id or username): rename, block or unblock sign-in, reset the password,
    /// make an admin or a member. Blocking or a reset ends the user's sessions and refresh tokens.
    Set {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        display_name: Option<String>,
        /// `true` or `false`: whether the user may sign in.
        #[arg(long)]
        enabled: Option<bool>,
        /// `true` or `false`: whether the user administers the tenant.
        #[arg(long)]
        admin: Option<bool>,
        /// A new password.
        #[arg(long)]
        password: Option<String>,
    },
    /// Delete a user (by object id or username) with its sessions, tokens, consents and role
    /// assignments.
    Delete {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
    },
}

pub(super) async fn user_command(store: &Store, command: UserCommand, now: UnixTime) -> Result<Output, Failure> {
    let actor = admin::Actor::cli();
    Ok(match command {
        UserCommand::Create { tenant, username, password, display_name, admin: is_admin } => {
            let t = admin::tenant(store, &tenant).await?;
            let spec = admin::UserSpec {
                display_name: display_name.as_deref(),
                is_admin,
                ..admin::UserSpec::new(&username, &password)
            };
            let u = admin::create_user(store, &t, spec, &actor, now).await?;
            Output { text: user_line(&u), json: json!(u) }
        }
        UserCommand::List { tenant } => {
            let t = admin::tenant(store, &tenant).await?;
            let mut users = Vec::new();
            let mut after = None;
            loop {
                let page = store.list_users(t.id, None, after, 500).await.map_err(internal)?;
                after = page.last().map(|u| u.id);
                let last_page = page.len() < 500;
                users.extend(page);
                if last_page {
                    break;
                }
            }
            let text = users.iter().map(user_line).collect::<Vec<_>>().join("\n");
            Output { text, json: json!(users) }
        }
        UserCommand::Set { tenant, user, display_name, enabled, admin: is_admin, password } => {
            let t = admin::tenant(store, &tenant).await?;
            let found = admin::find_user(store, &t, &user).await?;
            let edit = admin::UserEdit { display_name, account_enabled: enabled, is_admin, password };
            let u = admin::update_user(store, &t, &found, edit, &actor, now).await?;
            Output { text: user_line(&u), json: json!(u) }
        }
        UserCommand::Delete { tenant, user } => {
            let t = admin::tenant(store, &tenant).await?;
            let found = admin::find_user(store, &t, &user).await?;
            admin::delete_user(store, &t, &found, &actor, now).await?;
            Output {
                text: format!("deleted user {} {}", found.id, found.username),
                json: json!({ "deleted": found.id }),
            }
        }
    })
}

fn user_line(user: &crate::store::User) -> String {
    let admin = if user.is_admin { " (admin)" } else { "" };
    let blocked = if user.account_enabled { "" } else { " (sign-in blocked)" };
    format!("user {} {}{admin}{blocked}", user.id, user.username)
}
