//! Authorization codes (RFC 6749 §4.1.2): what a code is bound to.

use uuid::Uuid;

use super::ids::{AppId, ObjectId, TenantId};
use super::pkce::ChallengeMethod;
use crate::clock::UnixTime;

/// How long a code can be redeemed (RFC 6749 §4.1.2 recommends at most 10 minutes).
pub const CODE_LIFETIME: i64 = 600;

/// Everything a code stands for; the token request must match it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub tenant_id: TenantId,
    pub client_id: AppId,
    pub user_id: ObjectId,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// The PKCE challenge and its method, when the client sent one.
    pub challenge: Option<(String, ChallengeMethod)>,
    pub nonce: Option<String>,
    /// Shared by every token issued from this code, so a replay can revoke them together.
    pub family_id: Uuid,
    pub issued_at: UnixTime,
    pub expires_at: UnixTime,
}

/// What redeeming a code found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redemption {
    /// First redemption: the code's bindings. Expiry is the caller's to check against `now`.
    Redeemed(AuthorizationCode),
    /// Redeemed before (AADSTS54005): tokens of its family must be revoked.
    Replayed(AuthorizationCode),
    /// No such code in this tenant.
    Unknown,
}

/// A code's value: 256 random bits and, after a dot, the tenant it was issued in (hex GUID). The token
/// endpoint reads the tenant from it, so a redemption needs no lookup to know where the code lives, and
/// a code taken to another tenant is told apart (AADSTS700005). The value is stored only as a hash of
/// the whole, so changing either part makes an unknown code.
pub fn code_value(random: &str, tenant: TenantId) -> String {
    format!("{random}.{}", tenant.0.simple())
}

/// The tenant a code value names, if it has the form of [`code_value`].
pub fn code_tenant(code: &str) -> Option<TenantId> {
    let (_, tenant) = code.rsplit_once('.')?;
    Uuid::try_parse(tenant).ok().map(TenantId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_names_its_tenant() {
        let tenant = TenantId::new_random();
        let code = code_value("abc_DEF-123", tenant);
        assert_eq!(code_tenant(&code), Some(tenant));
        assert_eq!(code_tenant("no-tenant-here"), None);
        assert_eq!(code_tenant("x.not-a-guid"), None);
    }
}
