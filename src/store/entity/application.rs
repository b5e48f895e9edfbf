use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub app_id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub sign_in_audience: String,
    pub web_redirect_uris: String,
    pub public_client_redirect_uris: String,
    pub spa_redirect_uris: String,
    pub is_public_client: bool,
    pub scopes: String,
    pub app_roles: String,
    pub required_resource_access: String,
    pub verified_publisher: bool,
    pub group_membership_claims: String,
    pub access_token_version: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
