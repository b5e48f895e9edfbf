//! Token claims (protocol reference §5).

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
