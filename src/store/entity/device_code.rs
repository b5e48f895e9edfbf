use sea_orm::entity::prelude::*;

/// A device authorization request (see migration m0017), stored by the device code's hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "device_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub device_code_hash: String,
    pub user_code: String,
    pub tenant_segment: String,
    pub client_app_id: String,
    pub scope: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub interval: i64,
    pub last_polled_at: Option<i64>,
    pub status: String,
    pub tenant_id: Option<String>,
    pub user_id: Option<String>,
    pub error_code: Option<i64>,
    pub error_description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
