//! Users of a tenant.

use serde::Serialize;

use crate::domain::ids::{ObjectId, TenantId};

/// A user account. The password hash stays inside the store and the sign-in flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: ObjectId,
    pub tenant_id: TenantId,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    /// Whether the user may sign in (Graph's `accountEnabled`); a blocked user's sessions and refresh
    /// tokens end when it is blocked.
    pub account_enabled: bool,
    #[serde(skip)]
    pub password_hash: String,
}
