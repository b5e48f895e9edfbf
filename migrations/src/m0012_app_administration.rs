//! What administering apps over the directory API needs: a client secret's description (Graph's
//! `displayName`), a service principal's "assignment required" switch, and listing a tenant's apps and
//! service principals page by page in id order without reading the other tenants' rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PasswordCredentials {
    Table,
    DisplayName,
}

#[derive(DeriveIden)]
enum ServicePrincipals {
    Table,
    TenantId,
    Id,
    AppRoleAssignmentRequired,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    TenantId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(PasswordCredentials::Table)
                .add_column(string_null(PasswordCredentials::DisplayName))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ServicePrincipals::Table)
                .add_column(boolean(ServicePrincipals::AppRoleAssignmentRequired).default(false))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_applications_tenant_id")
                .table(Applications::Table)
                .col(Applications::TenantId)
                .col(Applications::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_service_principals_tenant_id")
                .table(ServicePrincipals::Table)
                .col(ServicePrincipals::TenantId)
                .col(ServicePrincipals::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_service_principals_tenant_id").table(ServicePrincipals::Table).to_owned())
            .await?;
        m.drop_index(Index::drop().name("ix_applications_tenant_id").table(Applications::Table).to_owned()).await?;
        m.alter_table(
            Table::alter()
                .table(ServicePrincipals::Table)
                .drop_column(ServicePrincipals::AppRoleAssignmentRequired)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(PasswordCredentials::Table).drop_column(PasswordCredentials::DisplayName).to_owned(),
        )
        .await
    }
}
