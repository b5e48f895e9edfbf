//! Authorization codes (RFC 6749 §4.1.2): what a code is bound to, sealed into the code itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{AppId, ObjectId, TenantId};
use super::pkce::ChallengeMethod;
use crate::clock::UnixTime;
use crate::seal::KeyEncryptionKey;

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

/// The contents of a code as sealed: short field names keep the code short.
#[derive(Serialize, Deserialize)]
struct Sealed {
    c: AppId,
    u: ObjectId,
    r: String,
    s: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    m: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    f: Uuid,
    i: UnixTime,
    e: UnixTime,
}

/// Why a code could not be made.
#[derive(Debug, thiserror::Error)]
#[error("sealing an authorization code: {0}")]
pub struct SealError(String);

impl AuthorizationCode {
    /// The code's value: its contents sealed (AES-256-GCM under a key derived from the key-encryption
    /// key, the tenant as associated data), base64url, then a dot and the tenant it was issued in (hex
    /// GUID). A code carries what it is bound to, so issuing one writes nothing; the token endpoint reads
    /// the tenant from it (AADSTS700005 for a code taken elsewhere) and records its single use.
    pub fn seal(&self, kek: &KeyEncryptionKey) -> Result<String, SealError> {
        let sealed = Sealed {
            c: self.client_id,
            u: self.user_id,
            r: self.redirect_uri.clone(),
            s: self.scopes.clone(),
            p: self.challenge.as_ref().map(|(c, _)| c.clone()),
            m: self.challenge.as_ref().map(|(_, m)| m.as_str().to_owned()),
            n: self.nonce.clone(),
            f: self.family_id,
            i: self.issued_at,
            e: self.expires_at,
        };
        let json = serde_json::to_vec(&sealed).map_err(|e| SealError(e.to_string()))?;
        let tenant = self.tenant_id.0.simple().to_string();
        let bytes = kek.seal_code(&tenant, &json).map_err(|e| SealError(e.to_string()))?;
        Ok(format!("{}.{tenant}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The contents of a code issued in `tenant`; `None` for anything Signet did not seal for it.
    pub fn open(value: &str, tenant: TenantId, kek: &KeyEncryptionKey) -> Option<Self> {
        let (sealed, named) = value.rsplit_once('.')?;
        if code_tenant(value) != Some(tenant) {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        let json = kek.open_code(named, &bytes).ok()?;
        let s: Sealed = serde_json::from_slice(&json).ok()?;
        let challenge = match (s.p, s.m.as_deref()) {
            (Some(challenge), method) => Some((challenge, ChallengeMethod::parse(method)?)),
            (None, _) => None,
        };
        Some(Self {
            tenant_id: tenant,
            client_id: s.c,
            user_id: s.u,
            redirect_uri: s.r,
            scopes: s.s,
            challenge,
            nonce: s.n,
            family_id: s.f,
            issued_at: s.i,
            expires_at: s.e,
        })
    }
}

/// The tenant a code value names after its last dot.
pub fn code_tenant(code: &str) -> Option<TenantId> {
    let (_, tenant) = code.rsplit_once('.')?;
    Uuid::try_parse(tenant).ok().map(TenantId)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(tenant: TenantId) -> AuthorizationCode {
        AuthorizationCode {
            tenant_id: tenant,
            client_id: AppId::new_random(),
            user_id: ObjectId::new_random(),
            redirect_uri: "https://app.example/cb".into(),
            scopes: vec!["openid".into(), "api://x/Read".into()],
            challenge: Some(("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(), ChallengeMethod::S256)),
            nonce: Some("n-0S6".into()),
            family_id: Uuid::new_v4(),
            issued_at: 1000,
            expires_at: 1600,
        }
    }

    #[test]
    fn a_code_opens_only_in_its_tenant_and_unaltered() {
        let kek = KeyEncryptionKey::from_bytes(&[7u8; 32]).unwrap();
        let tenant = TenantId::new_random();
        let code = bound(tenant);
        let value = code.seal(&kek).unwrap();
        assert_eq!(code_tenant(&value), Some(tenant));
        assert_eq!(AuthorizationCode::open(&value, tenant, &kek), Some(code.clone()));
        assert_eq!(AuthorizationCode::open(&value, TenantId::new_random(), &kek), None);
        // Another tenant's id written after the dot does not open it either.
        let other = TenantId::new_random();
        let moved = format!("{}.{}", value.rsplit_once('.').unwrap().0, other.0.simple());
        assert_eq!(AuthorizationCode::open(&moved, other, &kek), None);
        let mut tampered = value.clone().into_bytes();
        tampered[5] = if tampered[5] == b'A' { b'B' } else { b'A' };
        assert_eq!(AuthorizationCode::open(&String::from_utf8(tampered).unwrap(), tenant, &kek), None);
        let other_kek = KeyEncryptionKey::from_bytes(&[8u8; 32]).unwrap();
        assert_eq!(AuthorizationCode::open(&value, tenant, &other_kek), None);
        let plain = bound(tenant);
        let no_pkce = AuthorizationCode { challenge: None, nonce: None, ..plain };
        assert_eq!(AuthorizationCode::open(&no_pkce.seal(&kek).unwrap(), tenant, &kek), Some(no_pkce));
    }
}
