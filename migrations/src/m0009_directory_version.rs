//! One row whose `version` every change to a cached directory row increments, in the change's own
//! transaction. A server checks it twice per cache lifetime instead of reading every cached row again:
//! one small read per interval however many entries it holds, and a change by any process (the CLI,
//! another replica) is seen within the lifetime as before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DirectoryVersion {
    Table,
    Id,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DirectoryVersion::Table)
                .col(integer(DirectoryVersion::Id).primary_key())
                .col(big_integer(DirectoryVersion::Version))
                .to_owned(),
        )
        .await?;
        let row = Query::insert()
            .into_table(DirectoryVersion::Table)
            .columns([DirectoryVersion::Id, DirectoryVersion::Version])
            .values([1.into(), 0.into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        m.exec_stmt(row).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DirectoryVersion::Table).to_owned()).await
    }
}
