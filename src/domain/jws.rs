//! Reading and verifying compact JWS (RFC 7515) signed with RSA: the client assertions of
//! RFC 7523 §2.2. Hand-rolled because the JWT crates bring a second crypto provider or key types of
//! their own; this needs only ring's RSA verification. The caller passes the key's components, which
//! it reads from the registered certificate on each assertion. No parsed key is cached: reading a
//! certificate is cheaper than the RSA verification that follows it (about 18 µs), and each
//! assertion also writes its `jti` to the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA256, RsaPublicKeyComponents};
use serde::Deserialize;

use super::app::KeyCredential;

/// The signature algorithms a client assertion may use (protocol reference §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Algorithm {
    RS256,
    PS256,
}

/// The JOSE header fields Signet reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Header {
    pub alg: String,
    /// The signing key's id (Signet's own tokens).
    pub kid: Option<String>,
    /// base64url SHA-1 thumbprint of the signing certificate.
    pub x5t: Option<String>,
    /// base64url SHA-256 thumbprint of the signing certificate.
    #[serde(rename = "x5t#S256")]
    pub x5t_s256: Option<String>,
}

impl Header {
    /// The certificate among `credentials` that the header's thumbprint names (`x5t#S256`, else
    /// `x5t`). Clients differ on base64url padding of thumbprints (msal pads); it is ignored.
    pub fn certificate<'c>(&self, credentials: &'c [KeyCredential]) -> Option<&'c KeyCredential> {
        let unpadded = |t: &str| t.trim_end_matches('=').to_owned();
        match (&self.x5t_s256, &self.x5t) {
            (Some(s256), _) => credentials.iter().find(|c| c.thumbprint_sha256 == unpadded(s256)),
            (None, Some(sha1)) => credentials.iter().find(|c| c.thumbprint_sha1 == unpadded(sha1)),
            (None, None) => None,
        }
    }
}

/// A JWS split into its parts, not yet verified.
#[derive(Debug)]
pub struct UnverifiedJws<'a> {
    pub header: Header,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

/// Why a JWS was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("the assertion is not a compact JWS: {0}")]
    Malformed(&'static str),
    #[error("the signature does not verify")]
    BadSignature,
}

impl<'a> UnverifiedJws<'a> {
    /// Splits and decodes `header.payload.signature`.
    pub fn parse(compact: &'a str) -> Result<Self, JwsError> {
        let mut parts = compact.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Malformed("it must have three dot-separated parts"));
        };
        let decode = |part: &str, what| URL_SAFE_NO_PAD.decode(part).map_err(|_| JwsError::Malformed(what));
        let header: Header = serde_json::from_slice(&decode(header, "the header is not base64url")?)
            .map_err(|_| JwsError::Malformed("the header is not a JSON object with 'alg'"))?;
        let signing_input = compact.get(..compact.len() - signature.len() - 1).unwrap_or_default();
        Ok(Self {
            header,
            payload: decode(payload, "the payload is not base64url")?,
            signing_input,
            signature: decode(signature, "the signature is not base64url")?,
        })
    }

    /// The header's `alg`, when it is one Signet accepts.
    pub fn algorithm(&self) -> Option<Algorithm> {
        match self.header.alg.as_str() {
            "RS256" => Some(Algorithm::RS256),
            "PS256" => Some(Algorithm::PS256),
            _ => None,
        }
    }

    /// Verifies the signature with the RSA public key (`n`, `e`, big-endian).
    pub fn verify(&self, alg: Algorithm, n: &[u8], e: &[u8]) -> Result<(), JwsError> {
        let params = match alg {
            Algorithm::RS256 => &RSA_PKCS1_2048_8192_SHA256,
            Algorithm::PS256 => &RSA_PSS_2048_8192_SHA256,
        };
        RsaPublicKeyComponents { n, e }
            .verify(params, self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| JwsError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_inputs_are_refused() -> Result<(), JwsError> {
        assert!(matches!(UnverifiedJws::parse("a.b"), Err(JwsError::Malformed(_))));
        assert!(matches!(UnverifiedJws::parse("a.b.c.d"), Err(JwsError::Malformed(_))));
        assert!(matches!(UnverifiedJws::parse("!!.e30.AA"), Err(JwsError::Malformed(_))));
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
        let compact = format!("{header}.e30.AA");
        let jws = UnverifiedJws::parse(&compact)?;
        assert_eq!(jws.algorithm(), None);
        assert_eq!(jws.signing_input, format!("{header}.e30"));
        Ok(())
    }
}
