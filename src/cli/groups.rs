//! `signet group`: a tenant's security groups and their members, and which groups an app's tokens
//! name.

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use super::common::{Failure, Output, internal, lines};
use crate::admin::{self, Actor};
use crate::clock::UnixTime;
use crate::domain::group::GroupMembershipClaims;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Add a security group to the tenant.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
    /// Make a user (by username or object id) or another group (by id or name) a member of a group.
    AddMember {
        #[arg(long)]
        tenant: String,
        /// The group's object id or name.
        #[arg(long)]
        group: String,
        #[arg(long)]
        member: String,
    },
    /// End a user's or a group's direct membership of a group.
    RemoveMember {
        #[arg(long)]
        tenant: String,
        /// The group's object id or name.
        #[arg(long)]
        group: String,
        #[arg(long)]
        member: String,
    },
    /// Delete a group, with its memberships and the app roles assigned to it.
    Delete {
        #[arg(long)]
        tenant: String,
        /// The group's object id or name.
        #[arg(long)]
        group: String,
    },
    /// List the tenant's groups.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Choose which of a user's groups the app's tokens name (`groupMembershipClaims`).
    SetClaims {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long, value_enum)]
        claims: ClaimsArg,
    },
}

/// `groupMembershipClaims` on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ClaimsArg {
    None,
    SecurityGroup,
    All,
    ApplicationGroup,
}

impl From<ClaimsArg> for GroupMembershipClaims {
    fn from(arg: ClaimsArg) -> Self {
        match arg {
            ClaimsArg::None => Self::None,
            ClaimsArg::SecurityGroup => Self::SecurityGroup,
            ClaimsArg::All => Self::All,
            ClaimsArg::ApplicationGroup => Self::ApplicationGroup,
        }
    }
}

pub(super) async fn group_command(store: &Store, command: GroupCommand, now: UnixTime) -> Result<Output, Failure> {
    let cli = Actor::cli();
    Ok(match command {
        GroupCommand::Create { tenant, name } => {
            let t = admin::tenant(store, &tenant).await?;
            let group = admin::create_group(store, &t, &name, &cli, now).await?;
            Output { text: format!("group {} {}", group.id, group.display_name), json: json!(group) }
        }
        GroupCommand::AddMember { tenant, group, member } => {
            let t = admin::tenant(store, &tenant).await?;
            let group = admin::add_group_member(store, &t, (&group, &member), &cli, now).await?;
            Output { text: format!("{member} is a member of {}", group.display_name), json: json!(group) }
        }
        GroupCommand::RemoveMember { tenant, group, member } => {
            let t = admin::tenant(store, &tenant).await?;
            let group = admin::remove_group_member(store, &t, (&group, &member), &cli, now).await?;
            Output { text: format!("{member} is no longer a member of {}", group.display_name), json: json!(group) }
        }
        GroupCommand::Delete { tenant, group } => {
            let t = admin::tenant(store, &tenant).await?;
            let group = admin::delete_group(store, &t, &group, &cli, now).await?;
            Output { text: format!("group {} {} deleted", group.id, group.display_name), json: json!(group) }
        }
        GroupCommand::List { tenant } => {
            let t = admin::tenant(store, &tenant).await?;
            let groups = store.groups(t.id).await.map_err(internal)?;
            Output { text: lines(&groups, |g| format!("{} {}", g.id, g.display_name)), json: json!(groups) }
        }
        GroupCommand::SetClaims { tenant, app, claims } => {
            let t = admin::tenant(store, &tenant).await?;
            let changed = admin::set_group_claims(store, &t, &app, claims.into(), &cli, now).await?;
            let claims = changed.group_membership_claims.as_str();
            Output {
                text: format!("app {} names groups: {claims}", changed.app_id),
                json: json!({ "appId": changed.app_id, "groupMembershipClaims": claims }),
            }
        }
    })
}
