//! Browser sign-in sessions (SSO): stored by the hash of the cookie value, bound to a tenant and user.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::references::{tenant_fk, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    SessionHash,
    TenantId,
    UserId,
    AuthTime,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::SessionHash).primary_key())
                .col(string(Sessions::TenantId))
                .col(string(Sessions::UserId))
                .col(big_integer(Sessions::AuthTime))
                .col(big_integer(Sessions::ExpiresAt))
                .foreign_key(&mut tenant_fk(Sessions::Table))
                .foreign_key(&mut user_fk(Sessions::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_sessions_expires_at").table(Sessions::Table).col(Sessions::ExpiresAt).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Sessions::Table).to_owned()).await
    }
}
