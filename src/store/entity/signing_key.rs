use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    pub generation: i64,
    pub created_at: i64,
    pub activate_at: i64,
    pub retire_at: Option<i64>,
    pub remove_at: Option<i64>,
    #[sea_orm(column_type = "Blob")]
    pub sealed_private_key: Vec<u8>,
    #[sea_orm(column_type = "Blob")]
    pub certificate_der: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
