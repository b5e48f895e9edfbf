use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_credentials")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_id: String,
    pub tenant_id: String,
    pub app_id: String,
    pub thumbprint_sha1: String,
    pub thumbprint_sha256: String,
    #[sea_orm(column_type = "Blob")]
    pub certificate_der: Vec<u8>,
    pub start_at: i64,
    pub end_at: i64,
    pub display_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
