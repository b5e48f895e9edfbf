//! Refresh tokens: stored by hash, bound to tenant, client and user, grouped in families that are
//! revoked together.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::references::{tenant_fk, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    TokenHash,
    TenantId,
    ClientAppId,
    UserId,
    Scope,
    FamilyId,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(string(RefreshTokens::TokenHash).primary_key())
                .col(string(RefreshTokens::TenantId))
                .col(string(RefreshTokens::ClientAppId))
                .col(string(RefreshTokens::UserId))
                .col(text(RefreshTokens::Scope))
                .col(string(RefreshTokens::FamilyId))
                .col(big_integer(RefreshTokens::IssuedAt))
                .col(big_integer(RefreshTokens::ExpiresAt))
                .col(big_integer_null(RefreshTokens::UsedAt))
                .col(big_integer_null(RefreshTokens::RevokedAt))
                .foreign_key(&mut tenant_fk(RefreshTokens::Table))
                .foreign_key(&mut user_fk(RefreshTokens::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refresh_tokens_family")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::TenantId)
                .col(RefreshTokens::FamilyId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RefreshTokens::Table).to_owned()).await
    }
}
