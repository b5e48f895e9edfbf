use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_identifier_uris")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub uri: String,
    pub tenant_id: String,
    pub app_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
