//! The device authorization grant (RFC 8628): one row per device code, stored by the code's hash, so
//! that a request survives a restart and any replica can serve its polls and its code entry.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeviceCodes {
    Table,
    DeviceCodeHash,
    UserCode,
    TenantSegment,
    ClientAppId,
    Scope,
    IssuedAt,
    ExpiresAt,
    Interval,
    LastPolledAt,
    Status,
    TenantId,
    UserId,
    ErrorCode,
    ErrorDescription,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DeviceCodes::Table)
                .col(string(DeviceCodes::DeviceCodeHash).primary_key())
                // What the user types at /devicelogin: unique among the stored codes.
                .col(string(DeviceCodes::UserCode).unique_key())
                .col(string(DeviceCodes::TenantSegment))
                .col(string(DeviceCodes::ClientAppId))
                .col(text(DeviceCodes::Scope))
                .col(big_integer(DeviceCodes::IssuedAt))
                .col(big_integer(DeviceCodes::ExpiresAt))
                .col(big_integer(DeviceCodes::Interval))
                .col(big_integer_null(DeviceCodes::LastPolledAt))
                // pending, approved, declined or redeemed.
                .col(string(DeviceCodes::Status))
                .col(string_null(DeviceCodes::TenantId))
                .col(string_null(DeviceCodes::UserId))
                .col(big_integer_null(DeviceCodes::ErrorCode))
                .col(text_null(DeviceCodes::ErrorDescription))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_device_codes_expires_at")
                .table(DeviceCodes::Table)
                .col(DeviceCodes::ExpiresAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DeviceCodes::Table).to_owned()).await
    }
}
