//! Browser sign-in sessions (single sign-on): who signed in, where, and when.

use super::ids::{ObjectId, TenantId};
use crate::clock::UnixTime;

/// How long a sign-in lasts without signing in again.
pub const SESSION_LIFETIME: i64 = 12 * 3600;

/// A signed-in browser. The cookie holds a random value; the store holds its hash and this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub tenant_id: TenantId,
    pub user_id: ObjectId,
    /// When the password was verified (OIDC `auth_time`).
    pub auth_time: UnixTime,
    pub expires_at: UnixTime,
}
