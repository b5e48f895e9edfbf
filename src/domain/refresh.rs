//! Refresh tokens (RFC 6749 §6): what one is bound to, and what using one found.

use uuid::Uuid;

use super::ids::{AppId, ObjectId, TenantId};
use crate::clock::UnixTime;

/// A refresh token lives this long without use (protocol reference §5: 90 days of inactivity); each
/// use issues a new one with a fresh lifetime.
pub const REFRESH_TOKEN_LIFETIME: i64 = 90 * 86_400;

/// A single-page app's refresh token expires this long after the sign-in it descends from, however
/// often it is rotated (protocol reference §5: Entra's fixed 24 hours for `spa` redirect URIs).
pub const SPA_REFRESH_LIFETIME: i64 = 86_400;

/// A refresh token's bindings. It is not bound to a resource: it may be exchanged for any resource the
/// user has consented to for this client (protocol reference §2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshToken {
    pub tenant_id: TenantId,
    pub client_id: AppId,
    pub user_id: ObjectId,
    pub scopes: Vec<String>,
    /// The code it descends from; revoking the family revokes every token issued along the chain.
    pub family_id: Uuid,
    pub issued_at: UnixTime,
    pub expires_at: UnixTime,
    /// Issued to a single-page app (redeemed cross-origin): it is only ever redeemed cross-origin, and
    /// its rotations keep its `expires_at`.
    pub spa: bool,
}

/// What presenting a refresh token found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshUse {
    /// Its first use.
    First(RefreshToken),
    /// Used before: already rotated. Public clients replaying one lose the whole family.
    Again(RefreshToken),
    /// Revoked (family revoked, grant removed); never usable again.
    Revoked,
    /// No such token in this tenant.
    Unknown,
}
