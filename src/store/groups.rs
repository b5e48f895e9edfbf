//! Security groups of a tenant and their members (users and other groups).

use std::collections::HashSet;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};

use super::entity::{app_role_assignment, group, group_member};
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult, parse_id};
use crate::clock::UnixTime;
use crate::domain::audit::AuditEvent;
use crate::domain::group::Group;
use crate::domain::ids::{ObjectId, TenantId};

/// What a group member is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    User,
    Group,
}

impl MemberKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
        }
    }
}

impl Store {
    /// Adds a security group to `tenant`, and records `event`.
    pub async fn create_group(&self, group: &Group, now: UnixTime, event: &AuditEvent) -> StoreResult<()> {
        let row = group::ActiveModel {
            id: Set(group.id.to_string()),
            tenant_id: Set(group.tenant_id.to_string()),
            display_name: Set(group.display_name.clone()),
            security_enabled: Set(group.security_enabled),
            created_at: Set(now),
        };
        self.audited_change(group.tenant_id, event, async |txn| {
            row.insert(txn).await?;
            Ok(())
        })
        .await
    }

    /// The groups of `tenant`, by name.
    pub async fn groups(&self, tenant: TenantId) -> StoreResult<Vec<Group>> {
        let rows = group::Entity::find_in(tenant).order_by_asc(group::Column::DisplayName).all(&self.db).await?;
        rows.into_iter().map(to_group).collect()
    }

    /// The group `id` of `tenant`.
    pub async fn group(&self, tenant: TenantId, id: ObjectId) -> StoreResult<Option<Group>> {
        group::Entity::find_by_id_in(tenant, id.to_string()).one(&self.db).await?.map(to_group).transpose()
    }

    /// Makes `member` a member of `group` (both of `tenant`), and records `event`. Adding a member
    /// twice changes nothing.
    pub async fn add_group_member(
        &self,
        tenant: TenantId,
        (group, member, kind): (ObjectId, ObjectId, MemberKind),
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let row = group_member::ActiveModel {
            group_id: Set(group.to_string()),
            member_id: Set(member.to_string()),
            tenant_id: Set(tenant.to_string()),
            member_type: Set(kind.as_str().to_owned()),
        };
        self.audited_change(tenant, event, async |txn| {
            let exists = group_member::Entity::find_in(tenant)
                .filter(group_member::Column::GroupId.eq(group.to_string()))
                .filter(group_member::Column::MemberId.eq(member.to_string()))
                .one(txn)
                .await?;
            if exists.is_none() {
                row.insert(txn).await?;
            }
            Ok(())
        })
        .await
    }

    /// Ends `member`'s direct membership of `group` (both of `tenant`), and records `event`; a member
    /// through another group stays one through it.
    pub async fn remove_group_member(
        &self,
        tenant: TenantId,
        (group, member): (ObjectId, ObjectId),
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let removed = group_member::Entity::delete_in(tenant)
                .filter(group_member::Column::GroupId.eq(group.to_string()))
                .filter(group_member::Column::MemberId.eq(member.to_string()))
                .exec(txn)
                .await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("group member"));
            }
            Ok(())
        })
        .await
    }

    /// Deletes `group` of `tenant` with its memberships (its members', and its own in other groups) and
    /// the app roles assigned to it, and records `event`.
    pub async fn delete_group(&self, tenant: TenantId, group: ObjectId, event: &AuditEvent) -> StoreResult<()> {
        let key = group.to_string();
        self.audited_change(tenant, event, async |txn| {
            let removed = group::Entity::delete_in(tenant).filter(group::Column::Id.eq(&key)).exec(txn).await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("group"));
            }
            group_member::Entity::delete_in(tenant)
                .filter(
                    sea_orm::Condition::any()
                        .add(group_member::Column::GroupId.eq(&key))
                        .add(group_member::Column::MemberId.eq(&key)),
                )
                .exec(txn)
                .await?;
            app_role_assignment::Entity::delete_in(tenant)
                .filter(app_role_assignment::Column::PrincipalId.eq(&key))
                .exec(txn)
                .await?;
            Ok(())
        })
        .await
    }

    /// The direct members of `group` in `tenant`, users and groups.
    pub async fn group_members(&self, tenant: TenantId, group: ObjectId) -> StoreResult<Vec<(ObjectId, MemberKind)>> {
        let rows = group_member::Entity::find_in(tenant)
            .filter(group_member::Column::GroupId.eq(group.to_string()))
            .order_by_asc(group_member::Column::MemberId)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let kind = if row.member_type == "group" { MemberKind::Group } else { MemberKind::User };
                Ok((parse_id(&row.member_id, "member id")?, kind))
            })
            .collect()
    }

    /// Every group `member` belongs to, directly or through other groups, in `tenant`.
    pub async fn transitive_groups(&self, tenant: TenantId, member: ObjectId) -> StoreResult<Vec<ObjectId>> {
        let mut found: Vec<ObjectId> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut frontier = vec![member.to_string()];
        while !frontier.is_empty() {
            let rows = group_member::Entity::find_in(tenant)
                .filter(group_member::Column::MemberId.is_in(frontier.clone()))
                .all(&self.db)
                .await?;
            frontier.clear();
            for row in rows {
                if seen.insert(row.group_id.clone()) {
                    found.push(parse_id(&row.group_id, "group id")?);
                    frontier.push(row.group_id);
                }
            }
        }
        found.sort();
        Ok(found)
    }
}

fn to_group(row: group::Model) -> StoreResult<Group> {
    Ok(Group {
        id: parse_id(&row.id, "group id")?,
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        display_name: row.display_name,
        security_enabled: row.security_enabled,
    })
}
