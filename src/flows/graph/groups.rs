//! `groups` and their `members`: the caller's tenant's security groups. Reading needs one of the group
//! or group member permissions or `Directory.Read.All`; creating and deleting a group need
//! `Group.ReadWrite.All`, adding and removing a member that or `GroupMember.ReadWrite.All`; each
//! change, for a delegated caller, an administrator. Signet's groups are security groups: a
//! mail-enabled or Microsoft 365 group is refused rather than half made.

use serde::{Deserialize, Serialize};

use super::{Caller, refused};
use crate::admin;
use crate::domain::group::Group;
use crate::domain::ids::ObjectId;
use crate::graph_error::GraphError;
use crate::state::AppState;
use crate::store::MemberKind;

const READ_GROUPS: &[&str] = &[
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
];
const WRITE_GROUPS: &[&str] = &["Group.ReadWrite.All"];
const WRITE_MEMBERS: &[&str] = &["Group.ReadWrite.All", "GroupMember.ReadWrite.All"];

/// A `group`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphGroup {
    pub id: ObjectId,
    pub display_name: String,
    pub group_types: Vec<String>,
    pub mail_enabled: bool,
    pub security_enabled: bool,
}

impl GraphGroup {
    fn of(group: &Group) -> Self {
        Self {
            id: group.id,
            display_name: group.display_name.clone(),
            group_types: Vec::new(),
            mail_enabled: false,
            security_enabled: group.security_enabled,
        }
    }
}

/// A member of a group, as a `directoryObject`: a user or a group.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphMember {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    pub id: ObjectId,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
}

/// `GET /v1.0/groups`: every group of the tenant, by name.
pub async fn groups(state: &AppState, caller: &Caller) -> Result<Vec<GraphGroup>, GraphError> {
    caller.require(READ_GROUPS, READ_GROUPS)?;
    Ok(state.store.groups(caller.tenant.id).await?.iter().map(GraphGroup::of).collect())
}

/// `GET /v1.0/groups/{id}`.
pub async fn group(state: &AppState, caller: &Caller, id: &str) -> Result<GraphGroup, GraphError> {
    caller.require(READ_GROUPS, READ_GROUPS)?;
    Ok(GraphGroup::of(&found(state, caller, id).await?))
}

async fn found(state: &AppState, caller: &Caller, id: &str) -> Result<Group, GraphError> {
    let object: ObjectId = id.parse().map_err(|_| GraphError::not_found(id))?;
    state.store.group(caller.tenant.id, object).await?.ok_or_else(|| GraphError::not_found(id))
}

/// The body of `POST /v1.0/groups`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGroupBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: String,
    pub mail_enabled: bool,
    pub mail_nickname: String,
    pub security_enabled: bool,
    #[serde(default)]
    pub group_types: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `POST /v1.0/groups`: a security group.
pub async fn create_group(state: &AppState, caller: &Caller, body: NewGroupBody) -> Result<GraphGroup, GraphError> {
    caller.require_admin(WRITE_GROUPS)?;
    if body.mail_enabled || !body.security_enabled || !body.group_types.is_empty() {
        return Err(GraphError::invalid_value(
            "Signet serves security groups: mailEnabled false, securityEnabled true and no groupTypes.",
        ));
    }
    let now = state.clock.now();
    let group = admin::create_group(&state.store, &caller.tenant, &body.display_name, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, &body.display_name))?;
    Ok(GraphGroup::of(&group))
}

/// `GET /v1.0/groups/{id}/members`: the direct members, users and groups.
pub async fn members(state: &AppState, caller: &Caller, id: &str) -> Result<Vec<GraphMember>, GraphError> {
    caller.require(READ_GROUPS, READ_GROUPS)?;
    let group = found(state, caller, id).await?;
    let tenant = caller.tenant.id;
    let mut members = Vec::new();
    for (member, kind) in state.store.group_members(tenant, group.id).await? {
        let shown = match kind {
            MemberKind::User => state.store.user(tenant, member).await?.map(|u| GraphMember {
                odata_type: "#microsoft.graph.user",
                id: u.id,
                display_name: u.display_name,
                user_principal_name: Some(u.username),
            }),
            MemberKind::Group => state.store.group(tenant, member).await?.map(|g| GraphMember {
                odata_type: "#microsoft.graph.group",
                id: g.id,
                display_name: g.display_name,
                user_principal_name: None,
            }),
        };
        members.extend(shown);
    }
    Ok(members)
}

/// The body of `POST /v1.0/groups/{id}/members/$ref`: the new member's address, ending in its id.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRefBody {
    #[serde(rename = "@odata.id")]
    pub odata_id: String,
}

/// `POST /v1.0/groups/{id}/members/$ref`: adds a user or a group of the tenant.
pub async fn add_member(state: &AppState, caller: &Caller, id: &str, body: MemberRefBody) -> Result<(), GraphError> {
    caller.require_admin(WRITE_MEMBERS)?;
    let group = found(state, caller, id).await?;
    let member = body.odata_id.rsplit('/').next().unwrap_or_default();
    let member_id: ObjectId = member
        .parse()
        .map_err(|_| GraphError::invalid_value(format!("'{}' does not end in an object id.", body.odata_id)))?;
    let now = state.clock.now();
    let key = (group.id.to_string(), member_id.to_string());
    admin::add_group_member(&state.store, &caller.tenant, (&key.0, &key.1), &caller.actor(), now)
        .await
        .map_err(|err| refused(err, member))?;
    Ok(())
}

/// `DELETE /v1.0/groups/{id}/members/{member}/$ref`: ends a direct membership.
pub async fn remove_member(state: &AppState, caller: &Caller, id: &str, member: &str) -> Result<(), GraphError> {
    caller.require_admin(WRITE_MEMBERS)?;
    let group = found(state, caller, id).await?;
    let member_id: ObjectId = member.parse().map_err(|_| GraphError::not_found(member))?;
    let now = state.clock.now();
    let key = (group.id.to_string(), member_id.to_string());
    admin::remove_group_member(&state.store, &caller.tenant, (&key.0, &key.1), &caller.actor(), now)
        .await
        .map_err(|err| refused(err, member))?;
    Ok(())
}

/// `DELETE /v1.0/groups/{id}`: the group, its memberships and the app roles assigned to it.
pub async fn delete_group(state: &AppState, caller: &Caller, id: &str) -> Result<(), GraphError> {
    caller.require_admin(WRITE_GROUPS)?;
    let group = found(state, caller, id).await?;
    let now = state.clock.now();
    admin::delete_group(&state.store, &caller.tenant, &group.id.to_string(), &caller.actor(), now)
        .await
        .map_err(|err| refused(err, id))?;
    Ok(())
}
