//! Security groups (issue 19): a tenant's groups, their members (users and other groups), and which
//! groups an app's tokens name (`groupMembershipClaims`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::references::tenant_fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    TenantId,
    DisplayName,
    SecurityEnabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupId,
    MemberId,
    TenantId,
    MemberType,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    GroupMembershipClaims,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Groups::Table)
                .col(string(Groups::Id).primary_key())
                .col(string(Groups::TenantId))
                .col(string(Groups::DisplayName))
                .col(boolean(Groups::SecurityEnabled))
                .col(big_integer(Groups::CreatedAt))
                .foreign_key(&mut tenant_fk(Groups::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GroupMembers::Table)
                .col(string(GroupMembers::GroupId))
                .col(string(GroupMembers::MemberId))
                .col(string(GroupMembers::TenantId))
                .col(string(GroupMembers::MemberType))
                .primary_key(Index::create().col(GroupMembers::GroupId).col(GroupMembers::MemberId))
                .foreign_key(
                    ForeignKey::create()
                        .from(GroupMembers::Table, GroupMembers::GroupId)
                        .to(Groups::Table, Groups::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(&mut tenant_fk(GroupMembers::Table))
                .to_owned(),
        )
        .await?;
        // A token names the groups of a user: looked up by member.
        m.create_index(
            Index::create()
                .name("group_members_by_member")
                .table(GroupMembers::Table)
                .col(GroupMembers::TenantId)
                .col(GroupMembers::MemberId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .add_column(string(Applications::GroupMembershipClaims).default("None"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Applications::Table).drop_column(Applications::GroupMembershipClaims).to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(GroupMembers::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Groups::Table).to_owned()).await
    }
}
