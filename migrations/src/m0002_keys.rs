//! Signing keys (sealed private parts) and used client-assertion ids. Neither belongs to a tenant:
//! one key ring serves every tenant, and assertion ids are per app.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    Generation,
    CreatedAt,
    ActivateAt,
    RetireAt,
    RemoveAt,
    SealedPrivateKey,
    CertificateDer,
}

#[derive(DeriveIden)]
enum UsedAssertions {
    Table,
    AppId,
    Jti,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SigningKeys::Table)
                .col(string(SigningKeys::Kid).primary_key())
                // Unique: two replicas that rotate at once cannot both add the next key.
                .col(big_integer_uniq(SigningKeys::Generation))
                .col(big_integer(SigningKeys::CreatedAt))
                .col(big_integer(SigningKeys::ActivateAt))
                .col(big_integer_null(SigningKeys::RetireAt))
                .col(big_integer_null(SigningKeys::RemoveAt))
                .col(blob(SigningKeys::SealedPrivateKey))
                .col(blob(SigningKeys::CertificateDer))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UsedAssertions::Table)
                .col(string(UsedAssertions::AppId))
                .col(string(UsedAssertions::Jti))
                .col(big_integer(UsedAssertions::ExpiresAt))
                .primary_key(Index::create().col(UsedAssertions::AppId).col(UsedAssertions::Jti))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(UsedAssertions::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(SigningKeys::Table).to_owned()).await
    }
}
