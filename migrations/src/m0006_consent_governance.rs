//! Consent governance: each tenant's user-consent policy, the permissions its admins classified as
//! low impact, whether an app's publisher is verified, and the audit log of consent decisions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::references::tenant_fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TenantPolicies {
    Table,
    TenantId,
    UserConsent,
    IntegratedApps,
    ConsentRequests,
    Reviewers,
    RequestDays,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PermissionClassifications {
    Table,
    TenantId,
    ResourceAppId,
    ScopeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    TenantId,
    At,
    Actor,
    Action,
    Target,
    Details,
    CorrelationId,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    VerifiedPublisher,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TenantPolicies::Table)
                .col(string(TenantPolicies::TenantId).primary_key())
                .col(string(TenantPolicies::UserConsent))
                .col(boolean(TenantPolicies::IntegratedApps))
                .col(boolean(TenantPolicies::ConsentRequests))
                .col(text(TenantPolicies::Reviewers))
                .col(integer(TenantPolicies::RequestDays))
                .col(big_integer(TenantPolicies::UpdatedAt))
                .foreign_key(&mut tenant_fk(TenantPolicies::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PermissionClassifications::Table)
                .col(string(PermissionClassifications::TenantId))
                .col(string(PermissionClassifications::ResourceAppId))
                .col(string(PermissionClassifications::ScopeId))
                .col(big_integer(PermissionClassifications::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(PermissionClassifications::TenantId)
                        .col(PermissionClassifications::ResourceAppId)
                        .col(PermissionClassifications::ScopeId),
                )
                .foreign_key(&mut tenant_fk(PermissionClassifications::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(string(AuditEvents::Id).primary_key())
                .col(string(AuditEvents::TenantId))
                .col(big_integer(AuditEvents::At))
                .col(string(AuditEvents::Actor))
                .col(string(AuditEvents::Action))
                .col(string(AuditEvents::Target))
                .col(text(AuditEvents::Details))
                .col(string(AuditEvents::CorrelationId))
                .foreign_key(&mut tenant_fk(AuditEvents::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_events_tenant_at")
                .table(AuditEvents::Table)
                .col(AuditEvents::TenantId)
                .col(AuditEvents::At)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .add_column(boolean(Applications::VerifiedPublisher).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Applications::Table).drop_column(Applications::VerifiedPublisher).to_owned(),
        )
        .await?;
        for table in [
            AuditEvents::Table.into_iden(),
            PermissionClassifications::Table.into_iden(),
            TenantPolicies::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
