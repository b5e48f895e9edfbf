//! Token claims (protocol reference §5).

use super::group::MAX_GROUPS_IN_TOKEN;
use serde::Serialize;

use super::ids::{AppId, ObjectId, TenantId};
use crate::clock::UnixTime;

/// How the client authenticated, as `azpacr` states it: "0" public, "1" secret, "2" certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ClientAuthMethod {
    #[serde(rename = "0")]
    None,
    #[serde(rename = "1")]
    Secret,
    #[serde(rename = "2")]
    Certificate,
}

/// A v2.0 app-only access token (client credentials): no `scp`, `roles` when any are assigned,
/// `oid` = `sub` = the client's service principal in the token's tenant.
#[derive(Clone, Debug, Serialize)]
pub struct AppAccessTokenClaims {
    pub aud: AppId,
    pub iss: String,
    pub iat: UnixTime,
    pub nbf: UnixTime,
    pub exp: UnixTime,
    pub azp: AppId,
    pub azpacr: ClientAuthMethod,
    pub idtyp: &'static str,
    pub oid: ObjectId,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    pub sub: ObjectId,
    pub tid: TenantId,
    pub uti: String,
    pub ver: &'static str,
}

/// The v2.0 issuer of a tenant: `{base}/{tid}/v2.0`.
pub fn issuer(base_url: &str, tenant: TenantId) -> String {
    format!("{base_url}/{tenant}/v2.0")
}

/// The template issuer of `common` and `organizations` discovery (protocol reference §1).
pub fn template_issuer(base_url: &str) -> String {
    format!("{base_url}/{{tenantid}}/v2.0")
}

/// A v2.0 access token issued to a client acting for a signed-in user (protocol reference §5).
#[derive(Clone, Debug, Serialize)]
pub struct UserAccessTokenClaims {
    pub aud: AppId,
    pub iss: String,
    pub iat: UnixTime,
    pub nbf: UnixTime,
    pub exp: UnixTime,
    pub azp: AppId,
    pub azpacr: ClientAuthMethod,
    pub idtyp: &'static str,
    pub name: String,
    pub oid: ObjectId,
    pub preferred_username: String,
    /// The API's app roles assigned to the user.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    pub scp: String,
    pub sub: String,
    pub tid: TenantId,
    pub uti: String,
    pub ver: &'static str,
    /// The tenant-wide directory roles of the user, by template id ([`directory_roles`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wids: Vec<&'static str>,
    /// The user's groups, when the app asks for them (`groupMembershipClaims`), or where to read them.
    #[serde(flatten)]
    pub groups: GroupClaims,
}

/// The v1.0 issuer of a tenant: `{base}/{tid}/` (Entra's is `https://sts.windows.net/{tid}/`; Signet
/// issues under its own host, as for v2.0).
pub fn v1_issuer(base_url: &str, tenant: TenantId) -> String {
    format!("{base_url}/{tenant}/")
}

/// A v1.0 access token, for a resource whose `requestedAccessTokenVersion` is 1: `aud` is the resource
/// as the client named it, the client is `appid` and `appidacr`, a user is also `upn` and
/// `unique_name`; an app-only token names its issuer as `idp`.
#[derive(Clone, Debug, Serialize)]
pub struct V1AccessTokenClaims {
    pub aud: String,
    pub iss: String,
    pub iat: UnixTime,
    pub nbf: UnixTime,
    pub exp: UnixTime,
    pub appid: AppId,
    pub appidacr: ClientAuthMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idp: Option<String>,
    pub idtyp: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub oid: ObjectId,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    pub sub: String,
    pub tid: TenantId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    pub uti: String,
    pub ver: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wids: Vec<&'static str>,
    #[serde(flatten)]
    pub groups: GroupClaims,
}

impl UserAccessTokenClaims {
    /// The same token in v1.0's shape, for `resource` as the client named it.
    pub fn into_v1(self, base_url: &str, resource: &str) -> V1AccessTokenClaims {
        V1AccessTokenClaims {
            aud: resource.to_owned(),
            iss: v1_issuer(base_url, self.tid),
            iat: self.iat,
            nbf: self.nbf,
            exp: self.exp,
            appid: self.azp,
            appidacr: self.azpacr,
            idp: None,
            idtyp: self.idtyp,
            name: Some(self.name),
            oid: self.oid,
            roles: self.roles,
            scp: Some(self.scp),
            sub: self.sub,
            tid: self.tid,
            unique_name: Some(self.preferred_username.clone()),
            upn: Some(self.preferred_username),
            uti: self.uti,
            ver: "1.0",
            wids: self.wids,
            groups: self.groups,
        }
    }
}

impl AppAccessTokenClaims {
    /// The same token in v1.0's shape, for `resource` as the client named it.
    pub fn into_v1(self, base_url: &str, resource: &str) -> V1AccessTokenClaims {
        let iss = v1_issuer(base_url, self.tid);
        V1AccessTokenClaims {
            aud: resource.to_owned(),
            idp: Some(iss.clone()),
            iss,
            iat: self.iat,
            nbf: self.nbf,
            exp: self.exp,
            appid: self.azp,
            appidacr: self.azpacr,
            idtyp: self.idtyp,
            name: None,
            oid: self.oid,
            roles: self.roles,
            scp: None,
            sub: self.sub.to_string(),
            tid: self.tid,
            unique_name: None,
            upn: None,
            uti: self.uti,
            ver: "1.0",
            wids: Vec::new(),
            groups: GroupClaims::default(),
        }
    }
}

/// The groups claim of a token (`groups`), or, past [`MAX_GROUPS_IN_TOKEN`], Entra's overage claims
/// that say where to read them (`_claim_names`, `_claim_sources`). Each is absent when empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<ObjectId>>,
    #[serde(rename = "_claim_names", skip_serializing_if = "Option::is_none")]
    pub claim_names: Option<serde_json::Value>,
    #[serde(rename = "_claim_sources", skip_serializing_if = "Option::is_none")]
    pub claim_sources: Option<serde_json::Value>,
}

impl GroupClaims {
    /// The claims naming `groups` (those the app's `groupMembershipClaims` selects); past the limit
    /// they point to `endpoint`, where the user's groups are read.
    pub fn of(groups: &[ObjectId], endpoint: impl FnOnce() -> String) -> Self {
        if groups.is_empty() {
            Self::default()
        } else if groups.len() > MAX_GROUPS_IN_TOKEN {
            Self {
                groups: None,
                claim_names: Some(serde_json::json!({ "groups": "src1" })),
                claim_sources: Some(serde_json::json!({ "src1": { "endpoint": endpoint() } })),
            }
        } else {
            Self { groups: Some(groups.to_vec()), ..Self::default() }
        }
    }
}

/// The template id of Entra's Global Administrator role: what a tenant administrator holds.
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// A user's directory roles as `wids` lists them: a tenant administrator is a Global Administrator.
pub fn directory_roles(is_admin: bool) -> Vec<&'static str> {
    if is_admin { vec![GLOBAL_ADMINISTRATOR] } else { Vec::new() }
}

/// An ID token (OpenID Connect Core §2): `aud` is the client; profile claims with `profile`, `email`
/// with `email`.
#[derive(Clone, Debug, Serialize)]
pub struct IdTokenClaims {
    pub aud: AppId,
    pub iss: String,
    pub iat: UnixTime,
    pub nbf: UnixTime,
    pub exp: UnixTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub oid: ObjectId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// The app's own roles assigned to the user.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    pub sub: String,
    pub tid: TenantId,
    pub uti: String,
    pub ver: &'static str,
    /// The user's directory roles, as in access tokens.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wids: Vec<&'static str>,
    /// The user's groups, when the app asks for them (`groupMembershipClaims`), or where to read them.
    #[serde(flatten)]
    pub groups: GroupClaims,
}

/// The pairwise `sub` of a user for one application (protocol reference §5): the same user gets a
/// different, stable value in each app, and no app can derive another's. 32 bytes of
/// HMAC-SHA256 over tenant, user and app, base64url.
pub fn pairwise_subject(key: &ring::hmac::Key, tenant: TenantId, user: ObjectId, app: AppId) -> String {
    use base64::Engine;
    let input = format!("{tenant}|{user}|{app}");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ring::hmac::sign(key, input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_subjects_differ_per_app_and_are_stable() {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"k");
        let (t, u) = (TenantId::new_random(), ObjectId::new_random());
        let (a, b) = (AppId::new_random(), AppId::new_random());
        assert_eq!(pairwise_subject(&key, t, u, a), pairwise_subject(&key, t, u, a));
        assert_ne!(pairwise_subject(&key, t, u, a), pairwise_subject(&key, t, u, b));
        assert_eq!(pairwise_subject(&key, t, u, a).len(), 43);
    }
}
