//! Tenants, users, applications, credentials, service principals and grants. Every tenant-owned table
//! carries `tenant_id`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::references::{app_fk, tenant_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    DisplayName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TenantDomains {
    Table,
    Domain,
    TenantId,
    IsInitial,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Username,
    DisplayName,
    PasswordHash,
    IsAdmin,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    AppId,
    TenantId,
    DisplayName,
    SignInAudience,
    WebRedirectUris,
    PublicClientRedirectUris,
    IsPublicClient,
    Scopes,
    AppRoles,
    RequiredResourceAccess,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApplicationIdentifierUris {
    Table,
    Uri,
    TenantId,
    AppId,
}

#[derive(DeriveIden)]
enum PasswordCredentials {
    Table,
    KeyId,
    TenantId,
    AppId,
    Hint,
    Hash,
    StartAt,
    EndAt,
}

#[derive(DeriveIden)]
enum KeyCredentials {
    Table,
    KeyId,
    TenantId,
    AppId,
    ThumbprintSha1,
    ThumbprintSha256,
    CertificateDer,
    StartAt,
    EndAt,
}

#[derive(DeriveIden)]
enum ServicePrincipals {
    Table,
    Id,
    TenantId,
    AppId,
    DisplayName,
    AccountEnabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PermissionGrants {
    Table,
    Id,
    TenantId,
    ClientSpId,
    ConsentType,
    PrincipalId,
    ResourceSpId,
    Scope,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AppRoleAssignments {
    Table,
    Id,
    TenantId,
    PrincipalId,
    PrincipalType,
    ResourceSpId,
    AppRoleId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(string(Tenants::Id).primary_key())
                .col(string(Tenants::DisplayName))
                .col(big_integer(Tenants::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TenantDomains::Table)
                .col(string(TenantDomains::Domain).primary_key())
                .col(string(TenantDomains::TenantId))
                .col(boolean(TenantDomains::IsInitial))
                .foreign_key(&mut tenant_fk(TenantDomains::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(string(Users::Id).primary_key())
                .col(string(Users::TenantId))
                .col(string_uniq(Users::Username))
                .col(string(Users::DisplayName))
                .col(string(Users::PasswordHash))
                .col(boolean(Users::IsAdmin))
                .col(big_integer(Users::CreatedAt))
                .foreign_key(&mut tenant_fk(Users::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Applications::Table)
                .col(string(Applications::Id).primary_key())
                .col(string_uniq(Applications::AppId))
                .col(string(Applications::TenantId))
                .col(string(Applications::DisplayName))
                .col(string(Applications::SignInAudience))
                .col(text(Applications::WebRedirectUris))
                .col(text(Applications::PublicClientRedirectUris))
                .col(boolean(Applications::IsPublicClient))
                .col(text(Applications::Scopes))
                .col(text(Applications::AppRoles))
                .col(text(Applications::RequiredResourceAccess))
                .col(big_integer(Applications::CreatedAt))
                .foreign_key(&mut tenant_fk(Applications::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ApplicationIdentifierUris::Table)
                .col(string(ApplicationIdentifierUris::Uri).primary_key())
                .col(string(ApplicationIdentifierUris::TenantId))
                .col(string(ApplicationIdentifierUris::AppId))
                .foreign_key(&mut tenant_fk(ApplicationIdentifierUris::Table))
                .foreign_key(&mut app_fk(ApplicationIdentifierUris::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PasswordCredentials::Table)
                .col(string(PasswordCredentials::KeyId).primary_key())
                .col(string(PasswordCredentials::TenantId))
                .col(string(PasswordCredentials::AppId))
                .col(string(PasswordCredentials::Hint))
                .col(blob(PasswordCredentials::Hash))
                .col(big_integer(PasswordCredentials::StartAt))
                .col(big_integer(PasswordCredentials::EndAt))
                .foreign_key(&mut tenant_fk(PasswordCredentials::Table))
                .foreign_key(&mut app_fk(PasswordCredentials::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_password_credentials_app")
                .table(PasswordCredentials::Table)
                .col(PasswordCredentials::AppId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(KeyCredentials::Table)
                .col(string(KeyCredentials::KeyId).primary_key())
                .col(string(KeyCredentials::TenantId))
                .col(string(KeyCredentials::AppId))
                .col(string(KeyCredentials::ThumbprintSha1))
                .col(string(KeyCredentials::ThumbprintSha256))
                .col(blob(KeyCredentials::CertificateDer))
                .col(big_integer(KeyCredentials::StartAt))
                .col(big_integer(KeyCredentials::EndAt))
                .foreign_key(&mut tenant_fk(KeyCredentials::Table))
                .foreign_key(&mut app_fk(KeyCredentials::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_key_credentials_app")
                .table(KeyCredentials::Table)
                .col(KeyCredentials::AppId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ServicePrincipals::Table)
                .col(string(ServicePrincipals::Id).primary_key())
                .col(string(ServicePrincipals::TenantId))
                .col(string(ServicePrincipals::AppId))
                .col(string(ServicePrincipals::DisplayName))
                .col(boolean(ServicePrincipals::AccountEnabled))
                .col(big_integer(ServicePrincipals::CreatedAt))
                .foreign_key(&mut tenant_fk(ServicePrincipals::Table))
                .foreign_key(&mut app_fk(ServicePrincipals::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_service_principals_tenant_app")
                .table(ServicePrincipals::Table)
                .col(ServicePrincipals::TenantId)
                .col(ServicePrincipals::AppId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PermissionGrants::Table)
                .col(string(PermissionGrants::Id).primary_key())
                .col(string(PermissionGrants::TenantId))
                .col(string(PermissionGrants::ClientSpId))
                .col(string(PermissionGrants::ConsentType))
                .col(string_null(PermissionGrants::PrincipalId))
                .col(string(PermissionGrants::ResourceSpId))
                .col(text(PermissionGrants::Scope))
                .col(big_integer(PermissionGrants::CreatedAt))
                .foreign_key(&mut tenant_fk(PermissionGrants::Table))
                .foreign_key(
                    ForeignKey::create()
                        .from(PermissionGrants::Table, PermissionGrants::ClientSpId)
                        .to(ServicePrincipals::Table, ServicePrincipals::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PermissionGrants::Table, PermissionGrants::ResourceSpId)
                        .to(ServicePrincipals::Table, ServicePrincipals::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_permission_grants_client")
                .table(PermissionGrants::Table)
                .col(PermissionGrants::TenantId)
                .col(PermissionGrants::ClientSpId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AppRoleAssignments::Table)
                .col(string(AppRoleAssignments::Id).primary_key())
                .col(string(AppRoleAssignments::TenantId))
                .col(string(AppRoleAssignments::PrincipalId))
                .col(string(AppRoleAssignments::PrincipalType))
                .col(string(AppRoleAssignments::ResourceSpId))
                .col(string(AppRoleAssignments::AppRoleId))
                .col(big_integer(AppRoleAssignments::CreatedAt))
                .foreign_key(&mut tenant_fk(AppRoleAssignments::Table))
                .foreign_key(
                    ForeignKey::create()
                        .from(AppRoleAssignments::Table, AppRoleAssignments::ResourceSpId)
                        .to(ServicePrincipals::Table, ServicePrincipals::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_app_role_assignments")
                .table(AppRoleAssignments::Table)
                .col(AppRoleAssignments::TenantId)
                .col(AppRoleAssignments::PrincipalId)
                .col(AppRoleAssignments::ResourceSpId)
                .col(AppRoleAssignments::AppRoleId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AppRoleAssignments::Table.into_iden(),
            PermissionGrants::Table.into_iden(),
            ServicePrincipals::Table.into_iden(),
            KeyCredentials::Table.into_iden(),
            PasswordCredentials::Table.into_iden(),
            ApplicationIdentifierUris::Table.into_iden(),
            Applications::Table.into_iden(),
            Users::Table.into_iden(),
            TenantDomains::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
