//! A certificate's description (Graph's `keyCredential.displayName`), given when it is uploaded through
//! the directory API or the command line.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KeyCredentials {
    Table,
    DisplayName,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(KeyCredentials::Table).add_column(string_null(KeyCredentials::DisplayName)).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(KeyCredentials::Table).drop_column(KeyCredentials::DisplayName).to_owned())
            .await
    }
}
