//! Security groups: create one, add users and other groups to it (never a group to itself or to one
//! of its own members), and choose which groups an app's tokens name.

use serde_json::json;

use super::apps::{AppEdit, owned_app, update_app};
use super::common::{Actor, AdminError, Result, check_display_name};
use crate::clock::UnixTime;
use crate::domain::app::Application;
use crate::domain::group::{Group, GroupMembershipClaims};
use crate::domain::ids::ObjectId;
use crate::domain::tenant::Tenant;
use crate::store::{MemberKind, Store};

/// Adds a security group to `tenant`.
pub async fn create_group(store: &Store, tenant: &Tenant, name: &str, actor: &Actor, now: UnixTime) -> Result<Group> {
    let group = Group {
        id: ObjectId::new_random(),
        tenant_id: tenant.id,
        display_name: check_display_name(name)?,
        security_enabled: true,
    };
    let event =
        actor.event(now, "group.create", format!("group:{}", group.id), json!({ "displayName": group.display_name }));
    store.create_group(&group, now, &event).await?;
    Ok(group)
}

/// The group of `tenant` that `key` names: its object id or its display name (which must be unique).
pub async fn find_group(store: &Store, tenant: &Tenant, key: &str) -> Result<Group> {
    let not_found = || AdminError::NotFound(format!("group {key} in tenant {}", tenant.id));
    if let Ok(id) = key.parse::<ObjectId>() {
        return store.group(tenant.id, id).await?.ok_or_else(not_found);
    }
    let mut named: Vec<Group> = store.groups(tenant.id).await?.into_iter().filter(|g| g.display_name == key).collect();
    match named.len() {
        0 => Err(not_found()),
        1 => Ok(named.remove(0)),
        _ => Err(AdminError::Invalid(format!("several groups are named {key}: name one by its id"))),
    }
}

/// The user or group of `tenant` that `key` names: a username or user id, else a group's id or name.
pub async fn find_member(store: &Store, tenant: &Tenant, key: &str) -> Result<(ObjectId, MemberKind)> {
    match super::find_user(store, tenant, key).await {
        Ok(user) => Ok((user.id, MemberKind::User)),
        Err(AdminError::NotFound(_)) => Ok((find_group(store, tenant, key.trim()).await?.id, MemberKind::Group)),
        Err(other) => Err(other),
    }
}

/// Makes the user or group `member` (a username, or a group's id or name) a member of `group`.
pub async fn add_group_member(
    store: &Store,
    tenant: &Tenant,
    (group, member): (&str, &str),
    actor: &Actor,
    now: UnixTime,
) -> Result<Group> {
    let group = find_group(store, tenant, group).await?;
    let (member_id, kind) = find_member(store, tenant, member).await?;
    if kind == MemberKind::Group
        && (member_id == group.id || store.transitive_groups(tenant.id, group.id).await?.contains(&member_id))
    {
        return Err(AdminError::Invalid(format!(
            "{member} cannot be a member of {}: it already contains it",
            group.display_name
        )));
    }
    let details = json!({ "memberId": member_id });
    let event = actor.event(now, "group.addMember", format!("group:{}", group.id), details);
    store.add_group_member(tenant.id, (group.id, member_id, kind), &event).await?;
    Ok(group)
}

/// Ends the direct membership of `member` (a username, or a group's id or name) in `group`.
pub async fn remove_group_member(
    store: &Store,
    tenant: &Tenant,
    (group, member): (&str, &str),
    actor: &Actor,
    now: UnixTime,
) -> Result<Group> {
    let group = find_group(store, tenant, group).await?;
    let (member_id, _) = find_member(store, tenant, member).await?;
    let details = json!({ "memberId": member_id });
    let event = actor.event(now, "group.removeMember", format!("group:{}", group.id), details);
    store.remove_group_member(tenant.id, (group.id, member_id), &event).await.map_err(|err| match err {
        crate::store::StoreError::NotFound(_) => {
            AdminError::NotFound(format!("{member} is not a direct member of {}", group.display_name))
        }
        other => other.into(),
    })?;
    Ok(group)
}

/// Deletes a group of `tenant` (its id or name), its memberships and the app roles assigned to it.
pub async fn delete_group(store: &Store, tenant: &Tenant, group: &str, actor: &Actor, now: UnixTime) -> Result<Group> {
    let group = find_group(store, tenant, group).await?;
    let details = json!({ "displayName": group.display_name });
    let event = actor.event(now, "group.delete", format!("group:{}", group.id), details);
    store.delete_group(tenant.id, group.id, &event).await?;
    Ok(group)
}

/// Chooses which of a user's groups the tokens of an app of `tenant` name.
pub async fn set_group_claims(
    store: &Store,
    tenant: &Tenant,
    app_id: &str,
    claims: GroupMembershipClaims,
    actor: &Actor,
    now: UnixTime,
) -> Result<Application> {
    let app = owned_app(store, tenant, app_id).await?;
    let edit = AppEdit { group_membership_claims: Some(claims), ..AppEdit::default() };
    update_app(store, tenant, &app, edit, actor, now).await
}
