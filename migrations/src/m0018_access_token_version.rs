//! `api.requestedAccessTokenVersion`: which access tokens a resource gets, v1.0 or v2.0, whichever
//! endpoint the client asked at. Signet's apps so far all got v2.0 tokens, which stays the default.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    AccessTokenVersion,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .add_column(integer(Applications::AccessTokenVersion).default(2))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Applications::Table).drop_column(Applications::AccessTokenVersion).to_owned(),
        )
        .await
    }
}
