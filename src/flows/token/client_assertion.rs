//! `private_key_jwt` (RFC 7523 §3, OpenID Connect Core §9): a JWT the client signed with a key whose
//! certificate is registered on the app.

use serde::Deserialize;

use crate::clock::UnixTime;
use crate::domain::app::{Application, KeyCredential};
use crate::domain::jws::{Algorithm, JwsError, UnverifiedJws};
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::signing::material::read_rsa_certificate;
use crate::state::AppState;

/// RFC 7523 §2.2.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew tolerated on `exp` and `nbf`, as the Microsoft identity platform does.
const SKEW: i64 = 300;

/// The longest an assertion may still be valid when it arrives: an hour. Microsoft's libraries make
/// them valid for ten minutes; a longer one is a stolen-credential risk, and its `jti` would be kept
/// as long.
const MAX_LIFETIME: i64 = 3600;

#[derive(Debug, Deserialize)]
struct AssertionClaims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Audience>,
    /// NumericDate may be fractional (RFC 7519 §2); msal sends fractions.
    exp: Option<f64>,
    nbf: Option<f64>,
    jti: Option<String>,
}

impl AssertionClaims {
    fn exp(&self) -> Option<UnixTime> {
        self.exp.map(|t| t.floor() as UnixTime)
    }

    fn nbf(&self) -> Option<UnixTime> {
        self.nbf.map(|t| t.ceil() as UnixTime)
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains_any(&self, accepted: &[String]) -> bool {
        match self {
            Self::One(aud) => accepted.contains(aud),
            Self::Many(auds) => auds.iter().any(|a| accepted.contains(a)),
        }
    }
}

/// Verifies a client assertion for `app`: its type, form, key, signature, then its claims, and last
/// records its `jti` so it cannot be used again.
pub async fn verify_assertion(
    state: &AppState,
    tenant: &Tenant,
    segment: &str,
    app: &Application,
    assertion_type: &str,
    assertion: &str,
    now: UnixTime,
) -> Result<(), ProtocolError> {
    if assertion_type != JWT_BEARER {
        return Err(invalid(format!("The client_assertion_type must be '{JWT_BEARER}'.")));
    }
    let jws = UnverifiedJws::parse(assertion).map_err(|e| invalid(e.to_string()))?;
    let alg = jws.algorithm().ok_or_else(|| {
        invalid(format!("The assertion's algorithm '{}' is not supported; use RS256 or PS256.", jws.header.alg))
    })?;
    let credentials = state.store.key_credentials(app.home_tenant, app.app_id).await?;
    let credential = find_credential(&credentials, &jws)?;
    check_signature(&jws, alg, credential, now)?;
    let claims: AssertionClaims = serde_json::from_slice(&jws.payload)
        .map_err(|_| invalid("The assertion's payload is not a JSON claims set.".into()))?;
    check_claims(state, tenant, segment, app, &claims, now)?;
    record_jti(state, app, &claims, now).await
}

/// The registered certificate the header's thumbprint names (`x5t#S256` or `x5t`).
fn find_credential<'c>(
    credentials: &'c [KeyCredential],
    jws: &UnverifiedJws<'_>,
) -> Result<&'c KeyCredential, ProtocolError> {
    if jws.header.x5t_s256.is_none() && jws.header.x5t.is_none() {
        return Err(invalid("The assertion's header must name its certificate with 'x5t' or 'x5t#S256'.".into()));
    }
    jws.header.certificate(credentials).ok_or_else(|| {
        let thumbprint = jws.header.x5t_s256.as_ref().or(jws.header.x5t.as_ref()).cloned().unwrap_or_default();
        ProtocolError::new(
            Aadsts::AssertionSignature,
            format!(
                "Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}']"
            ),
        )
    })
}

/// The certificate must be current and its key must verify the signature (AADSTS700027).
fn check_signature(
    jws: &UnverifiedJws<'_>,
    alg: Algorithm,
    credential: &KeyCredential,
    now: UnixTime,
) -> Result<(), ProtocolError> {
    let bad = |reason: &str| {
        ProtocolError::new(
            Aadsts::AssertionSignature,
            format!("Client assertion failed signature validation. [Reason - {reason}]"),
        )
    };
    if now < credential.start || now >= credential.end {
        return Err(bad("The key credential is outside its validity period."));
    }
    let cert = read_rsa_certificate(&credential.certificate_der).map_err(ProtocolError::internal)?;
    jws.verify(alg, &cert.n, &cert.e).map_err(|e| match e {
        JwsError::BadSignature => bad("The signature does not verify with the registered certificate."),
        JwsError::Malformed(m) => invalid(m.to_owned()),
    })
}

/// `iss` = `sub` = the client, `aud` = this token endpoint, `exp` in the future and `nbf` in the past
/// (RFC 7523 §3), allowing [`SKEW`].
fn check_claims(
    state: &AppState,
    tenant: &Tenant,
    segment: &str,
    app: &Application,
    claims: &AssertionClaims,
    now: UnixTime,
) -> Result<(), ProtocolError> {
    let client = app.app_id.to_string();
    if claims.iss.as_deref() != Some(client.as_str()) || claims.sub.as_deref() != Some(client.as_str()) {
        return Err(invalid(format!("The assertion's 'iss' and 'sub' must both be the client id '{client}'.")));
    }
    let accepted = accepted_audiences(&state.base_url, tenant, segment);
    if !claims.aud.as_ref().is_some_and(|aud| aud.contains_any(&accepted)) {
        return Err(invalid(format!(
            "The assertion's audience must be the token endpoint '{}'.",
            accepted.first().cloned().unwrap_or_default()
        )));
    }
    let exp = claims.exp().ok_or_else(|| invalid("The assertion has no 'exp' claim.".into()))?;
    if exp.saturating_add(SKEW) <= now {
        return Err(invalid(format!("The assertion expired at {exp}; the current time is {now}.")));
    }
    if exp.saturating_sub(now) > MAX_LIFETIME + SKEW {
        return Err(invalid(format!(
            "The assertion's 'exp' ({exp}) is more than {MAX_LIFETIME} seconds after the current time ({now}); an assertion must be short-lived."
        )));
    }
    if claims.nbf().is_some_and(|nbf| nbf.saturating_sub(SKEW) > now) {
        return Err(invalid("The assertion is not yet valid ('nbf' is in the future).".into()));
    }
    Ok(())
}

/// The token endpoint URLs an assertion may name: with the segment the client used, the tenant's
/// GUID or any verified domain; on the v2.0 or the v1.0 path.
fn accepted_audiences(base: &str, tenant: &Tenant, segment: &str) -> Vec<String> {
    let names = std::iter::once(segment.to_owned())
        .chain(std::iter::once(tenant.id.to_string()))
        .chain(tenant.domains.iter().cloned());
    names.flat_map(|name| [format!("{base}/{name}/oauth2/v2.0/token"), format!("{base}/{name}/oauth2/token")]).collect()
}

/// A `jti` may be used once while its assertion is valid.
async fn record_jti(
    state: &AppState,
    app: &Application,
    claims: &AssertionClaims,
    now: UnixTime,
) -> Result<(), ProtocolError> {
    let jti = claims
        .jti
        .as_deref()
        .filter(|j| !j.is_empty() && j.len() <= 256 && !j.chars().any(char::is_control))
        .ok_or_else(|| {
            invalid("The assertion must carry a 'jti' of at most 256 characters, none a control character.".into())
        })?;
    let expires = claims.exp().unwrap_or(now).max(now).saturating_add(SKEW);
    if state.store.record_assertion(app.app_id, jti, expires).await? {
        Ok(())
    } else {
        Err(invalid(format!("The assertion with jti '{jti}' was already used.")))
    }
}

fn invalid(description: String) -> ProtocolError {
    ProtocolError::new(Aadsts::InvalidAssertion, description)
}
