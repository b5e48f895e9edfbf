//! What administering users over the directory API needs: a user's sign-in can be blocked
//! (`accountEnabled`), and a tenant's users are listed page by page in id order without reading the
//! other tenants' rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TenantId,
    Id,
    AccountEnabled,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Users::Table).add_column(boolean(Users::AccountEnabled).default(true)).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_users_tenant_id")
                .table(Users::Table)
                .col(Users::TenantId)
                .col(Users::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_users_tenant_id").table(Users::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::AccountEnabled).to_owned()).await
    }
}
