//! Single-page apps (issue 19): an app's `spa` redirect URIs, and which refresh tokens were issued to
//! a single-page app, since those expire 24 hours after sign-in whatever their rotation.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    SpaRedirectUris,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Spa,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .add_column(text(Applications::SpaRedirectUris).default("[]"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(RefreshTokens::Table)
                .add_column(boolean(RefreshTokens::Spa).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(RefreshTokens::Table).drop_column(RefreshTokens::Spa).to_owned()).await?;
        m.alter_table(Table::alter().table(Applications::Table).drop_column(Applications::SpaRedirectUris).to_owned())
            .await
    }
}
