//! The one type that signs tokens: an RSA key pair parsed once and kept.
//!
//! aws-lc-rs signs RSA-2048 about twice as fast as ring on these CPUs (it uses AVX-512 IFMA); the
//! `ring-signer` feature switches to ring, which has the same API.

#[cfg(not(feature = "ring-signer"))]
use aws_lc_rs as backend;
#[cfg(feature = "ring-signer")]
use ring as backend;

use backend::rand::SystemRandom;
use backend::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::KeyError;

/// An RS256 signer for one key id.
pub struct Signer {
    kid: String,
    key_pair: RsaKeyPair,
    rng: SystemRandom,
    /// The base64url JWT header `{"typ":"JWT","alg":"RS256","kid":...}`, computed once.
    header: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl Signer {
    /// Parses a PKCS#8 DER RSA private key.
    pub fn from_pkcs8(kid: &str, pkcs8: &[u8]) -> Result<Self, KeyError> {
        let key_pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| KeyError::Unusable(e.to_string()))?;
        let header = serde_json::json!({ "typ": "JWT", "alg": "RS256", "kid": kid });
        Ok(Self {
            kid: kid.to_owned(),
            key_pair,
            rng: SystemRandom::new(),
            header: URL_SAFE_NO_PAD.encode(header.to_string()),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A compact JWS (RFC 7515 §7.1) of `claims`, signed RS256.
    pub fn sign_jwt(&self, claims: &impl serde::Serialize) -> Result<String, KeyError> {
        let payload = serde_json::to_vec(claims).map_err(|e| KeyError::Unusable(e.to_string()))?;
        let mut jwt = String::with_capacity(self.header.len() + payload.len() * 4 / 3 + 360);
        jwt.push_str(&self.header);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut jwt);
        let mut signature = vec![0u8; self.key_pair.public_key().modulus_len()];
        self.key_pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, jwt.as_bytes(), &mut signature)
            .map_err(|e| KeyError::Unusable(e.to_string()))?;
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut jwt);
        Ok(jwt)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};

    use super::Signer;
    use crate::signing::KeyError;
    use crate::signing::material::{generate, read_rsa_certificate};

    /// Whichever backend the build chose, its JWTs verify with the key in the certificate JWKS publishes.
    #[test]
    fn signed_jwts_verify_with_the_published_certificate() -> Result<(), KeyError> {
        let material = generate(1_800_000_000)?;
        let signer = Signer::from_pkcs8(&material.kid, &material.pkcs8)?;
        let jwt = signer.sign_jwt(&serde_json::json!({ "sub": "x" }))?;
        let (signing_input, signature) = jwt.rsplit_once('.').ok_or(KeyError::Unusable("no signature".into()))?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|e| KeyError::Unusable(e.to_string()))?;
        let cert = read_rsa_certificate(&material.certificate_der)?;
        let public = RsaPublicKeyComponents { n: &cert.n, e: &cert.e };
        public
            .verify(&RSA_PKCS1_2048_8192_SHA256, signing_input.as_bytes(), &signature)
            .map_err(|_| KeyError::Unusable("signature does not verify".into()))?;
        let header = signing_input.split('.').next().unwrap_or_default();
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap_or_default())
            .map_err(|e| KeyError::Unusable(e.to_string()))?;
        assert_eq!(header, serde_json::json!({ "typ": "JWT", "alg": "RS256", "kid": material.kid }));
        Ok(())
    }
}
