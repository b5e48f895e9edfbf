use sea_orm::entity::prelude::*;

/// A redeemed code, keyed by issue time and hash (see migration m0008). The code's other bindings
/// travel sealed in the code itself.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authorization_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub issued_at: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub code_hash: String,
    pub tenant_id: String,
    pub client_app_id: String,
    pub user_id: String,
    pub family_id: String,
    pub expires_at: i64,
    pub redeemed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
