//! The resource owner password credentials grant, off in every tenant until an administrator turns
//! it on (RFC 9700 §2.4 forbids it by default; Entra still serves it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TenantPolicies {
    Table,
    PasswordGrant,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TenantPolicies::Table)
                .add_column(boolean(TenantPolicies::PasswordGrant).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(TenantPolicies::Table).drop_column(TenantPolicies::PasswordGrant).to_owned())
            .await
    }
}
