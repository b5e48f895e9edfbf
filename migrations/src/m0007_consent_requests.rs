//! The admin consent request workflow: users who may not consent ask their reviewers to approve an app.
//! Requests are grouped per app: one pending request per app and tenant (a partial unique index says so)
//! with its requesting users, each with their own justification.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::references::{app_fk, tenant_fk, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsentRequests {
    Table,
    Id,
    TenantId,
    AppId,
    Status,
    Scopes,
    CreatedAt,
    ExpiresAt,
    DecidedAt,
    DecidedBy,
    DecisionReason,
}

#[derive(DeriveIden)]
enum ConsentRequestUsers {
    Table,
    RequestId,
    TenantId,
    UserId,
    Justification,
    Scopes,
    RequestedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ConsentRequests::Table)
                .col(string(ConsentRequests::Id).primary_key())
                .col(string(ConsentRequests::TenantId))
                .col(string(ConsentRequests::AppId))
                .col(string(ConsentRequests::Status))
                .col(text(ConsentRequests::Scopes))
                .col(big_integer(ConsentRequests::CreatedAt))
                .col(big_integer(ConsentRequests::ExpiresAt))
                .col(big_integer_null(ConsentRequests::DecidedAt))
                .col(string_null(ConsentRequests::DecidedBy))
                .col(text_null(ConsentRequests::DecisionReason))
                .foreign_key(&mut tenant_fk(ConsentRequests::Table))
                .foreign_key(&mut app_fk(ConsentRequests::Table))
                .to_owned(),
        )
        .await?;
        // One open request per app and tenant; decided and expired ones stay as history. The same
        // partial-index syntax works on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_consent_requests_pending ON consent_requests (tenant_id, app_id) WHERE status = 'pending'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(ConsentRequestUsers::Table)
                .col(string(ConsentRequestUsers::RequestId))
                .col(string(ConsentRequestUsers::TenantId))
                .col(string(ConsentRequestUsers::UserId))
                .col(text(ConsentRequestUsers::Justification))
                .col(text(ConsentRequestUsers::Scopes))
                .col(big_integer(ConsentRequestUsers::RequestedAt))
                .primary_key(Index::create().col(ConsentRequestUsers::RequestId).col(ConsentRequestUsers::UserId))
                .foreign_key(
                    ForeignKey::create()
                        .from(ConsentRequestUsers::Table, ConsentRequestUsers::RequestId)
                        .to(ConsentRequests::Table, ConsentRequests::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(&mut tenant_fk(ConsentRequestUsers::Table))
                .foreign_key(&mut user_fk(ConsentRequestUsers::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_consent_request_users_user")
                .table(ConsentRequestUsers::Table)
                .col(ConsentRequestUsers::TenantId)
                .col(ConsentRequestUsers::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ConsentRequestUsers::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ConsentRequests::Table).to_owned()).await
    }
}
