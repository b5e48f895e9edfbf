//! Authorization codes: stored by hash, bound to everything the token request must match, redeemed once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::references::{tenant_fk, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthorizationCodes {
    Table,
    CodeHash,
    TenantId,
    ClientAppId,
    UserId,
    RedirectUri,
    Scope,
    CodeChallenge,
    CodeChallengeMethod,
    Nonce,
    FamilyId,
    IssuedAt,
    ExpiresAt,
    RedeemedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthorizationCodes::Table)
                .col(string(AuthorizationCodes::CodeHash).primary_key())
                .col(string(AuthorizationCodes::TenantId))
                .col(string(AuthorizationCodes::ClientAppId))
                .col(string(AuthorizationCodes::UserId))
                .col(text(AuthorizationCodes::RedirectUri))
                .col(text(AuthorizationCodes::Scope))
                .col(string_null(AuthorizationCodes::CodeChallenge))
                .col(string_null(AuthorizationCodes::CodeChallengeMethod))
                .col(text_null(AuthorizationCodes::Nonce))
                // Tokens issued from a code carry its family, so a replay can revoke them all.
                .col(string(AuthorizationCodes::FamilyId))
                .col(big_integer(AuthorizationCodes::IssuedAt))
                .col(big_integer(AuthorizationCodes::ExpiresAt))
                .col(big_integer_null(AuthorizationCodes::RedeemedAt))
                .foreign_key(&mut tenant_fk(AuthorizationCodes::Table))
                .foreign_key(&mut user_fk(AuthorizationCodes::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_authorization_codes_expires_at")
                .table(AuthorizationCodes::Table)
                .col(AuthorizationCodes::ExpiresAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuthorizationCodes::Table).to_owned()).await
    }
}
