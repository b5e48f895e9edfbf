//! Tokens Signet issued, presented back to it: access tokens at `/oidc/userinfo`, ID tokens as
//! `id_token_hint` at sign-out. Verified against the published keys.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::clock::UnixTime;
use crate::domain::app::Application;
use crate::domain::claims::{issuer, v1_issuer};
use crate::domain::ids::{AppId, ObjectId, TenantId};
use crate::domain::jws::{Algorithm, UnverifiedJws};
use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;

/// How far apart the clocks of the issuing replica and this one may be.
const CLOCK_SKEW: i64 = 300;

/// The claims Signet reads from its own tokens.
#[derive(Clone, Debug, Deserialize)]
pub struct IssuedClaims {
    pub aud: AppId,
    pub iss: String,
    pub exp: UnixTime,
    #[serde(default)]
    pub nbf: Option<UnixTime>,
    pub tid: TenantId,
    pub oid: ObjectId,
    pub sub: String,
    /// Delegated scopes: present in user access tokens only.
    #[serde(default)]
    pub scp: Option<String>,
    /// App roles: in app-only access tokens, when the client was assigned any.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The client the access token was issued to (ID tokens have none).
    #[serde(default)]
    pub azp: Option<AppId>,
}

impl IssuedClaims {
    /// Whether the token is valid at `now`: not expired, and not valid only later, give or take the
    /// clock skew between replicas.
    pub fn in_time(&self, now: UnixTime) -> bool {
        in_time((self.exp, self.nbf), now)
    }
}

/// Whether a token expiring at `exp`, valid from `nbf`, is valid at `now`, give or take the clock skew.
fn in_time((exp, nbf): (UnixTime, Option<UnixTime>), now: UnixTime) -> bool {
    now < exp + CLOCK_SKEW && nbf.is_none_or(|nbf| nbf <= now + CLOCK_SKEW)
}

/// Verifies a token's signature against a published key and its issuer; checks expiry unless
/// `allow_expired` (an `id_token_hint` may be old). v2.0 tokens only: Signet's own resources get
/// those.
pub fn verify_issued(
    state: &AppState,
    compact: &str,
    now: UnixTime,
    allow_expired: bool,
) -> Result<IssuedClaims, ProtocolError> {
    let claims: IssuedClaims = serde_json::from_slice(&signed_payload(state, compact, now)?)
        .map_err(|_| invalid("its claims are not Signet's"))?;
    if claims.iss != issuer(&state.base_url, claims.tid) {
        return Err(invalid("it was issued by another issuer"));
    }
    if !allow_expired && !claims.in_time(now) {
        return Err(invalid("it has expired or is not valid yet"));
    }
    Ok(claims)
}

/// The claims of an access token of either version, as an API receiving one reads them: `aud` is
/// the API's appId (v2.0) or the name the client asked for it by (v1.0), the client is `azp` or
/// `appid`.
#[derive(Clone, Debug, Deserialize)]
pub struct AccessTokenClaims {
    pub aud: String,
    pub iss: String,
    pub exp: UnixTime,
    #[serde(default)]
    pub nbf: Option<UnixTime>,
    pub tid: TenantId,
    pub oid: ObjectId,
    #[serde(default)]
    pub scp: Option<String>,
}

impl AccessTokenClaims {
    /// Whether the token is valid at `now`, as [`IssuedClaims::in_time`] decides.
    pub fn in_time(&self, now: UnixTime) -> bool {
        in_time((self.exp, self.nbf), now)
    }

    /// Whether the token was issued for `app`: by its appId, or (v1.0) one of its identifier URIs.
    pub fn is_for(&self, app: &Application) -> bool {
        self.aud == app.app_id.to_string() || app.identifier_uris.contains(&self.aud)
    }
}

/// Verifies an access token of either version Signet issues (a resource's
/// `requestedAccessTokenVersion` decides which): the signature, and the issuer of its version. Its
/// time and audience are the caller's to check.
pub fn verify_access_token(state: &AppState, compact: &str, now: UnixTime) -> Result<AccessTokenClaims, ProtocolError> {
    let claims: AccessTokenClaims = serde_json::from_slice(&signed_payload(state, compact, now)?)
        .map_err(|_| invalid("its claims are not Signet's"))?;
    if claims.iss != issuer(&state.base_url, claims.tid) && claims.iss != v1_issuer(&state.base_url, claims.tid) {
        return Err(invalid("it was issued by another issuer"));
    }
    Ok(claims)
}

fn invalid(why: &str) -> ProtocolError {
    ProtocolError::new(Aadsts::InvalidAccessToken, format!("The token is not valid: {why}."))
}

/// The payload of `compact`, once its RS256 signature verifies with a key published at `now`.
fn signed_payload(state: &AppState, compact: &str, now: UnixTime) -> Result<Vec<u8>, ProtocolError> {
    let jws = UnverifiedJws::parse(compact).map_err(|_| invalid("it is not a compact JWS"))?;
    if jws.algorithm() != Some(Algorithm::RS256) {
        return Err(invalid("it is not signed with RS256"));
    }
    let kid = jws.header.kid.as_deref().ok_or_else(|| invalid("it names no key"))?;
    let key = state
        .keys
        .published(now)
        .into_iter()
        .find(|k| k.kid == kid)
        .ok_or_else(|| invalid("its key is not published"))?;
    let n = URL_SAFE_NO_PAD.decode(&key.n).map_err(|_| ProtocolError::internal("published key n"))?;
    let e = URL_SAFE_NO_PAD.decode(&key.e).map_err(|_| ProtocolError::internal("published key e"))?;
    jws.verify(Algorithm::RS256, &n, &e).map_err(|_| invalid("the signature does not verify"))?;
    Ok(jws.payload)
}
