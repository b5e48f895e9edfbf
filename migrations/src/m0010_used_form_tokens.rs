//! The nonces of form tokens already posted, for the forms that act once (sign-in, consent, an
//! approval). Shared through the database so that a form posted to one replica cannot be replayed at
//! another; a row is kept until its token would have expired anyway.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsedFormTokens {
    Table,
    Nonce,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(UsedFormTokens::Table)
                .col(string(UsedFormTokens::Nonce).primary_key())
                .col(big_integer(UsedFormTokens::ExpiresAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(UsedFormTokens::Table).to_owned()).await
    }
}
