//! Making and reading key material: RSA-2048 keys from the `rsa` crate, self-signed certificates from
//! rcgen, thumbprints, and public key components read from certificates.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use x509_cert::der::{Decode, DecodePem};

use super::KeyError;
use crate::clock::UnixTime;

/// rsaEncryption (RFC 8017 Appendix C).
const RSA_ENCRYPTION_OID: &str = "1.2.840.113549.1.1.1";

/// A new key: its PKCS#8 private key, self-signed certificate and key id.
pub struct KeyMaterial {
    /// `kid` = `x5t`: base64url SHA-1 of the certificate's DER (protocol reference §7).
    pub kid: String,
    pub pkcs8: Vec<u8>,
    pub certificate_der: Vec<u8>,
}

/// Generates an RSA-2048 key and its self-signed certificate. Takes 100-300 ms: call it off the
/// async threads.
pub fn generate(now: UnixTime) -> Result<KeyMaterial, KeyError> {
    let fail = |e: &dyn std::fmt::Display| KeyError::Generate(e.to_string());
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(|e| fail(&e))?;
    let pkcs8 = private.to_pkcs8_der().map_err(|e| fail(&e))?.as_bytes().to_vec();
    let key_pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
        &rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8.as_slice()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(|e| fail(&e))?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| fail(&e))?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "Signet token signing");
    params.not_before = time::OffsetDateTime::from_unix_timestamp(now - 3600).map_err(|e| fail(&e))?;
    params.not_after = time::OffsetDateTime::from_unix_timestamp(now + 5 * 365 * 86400).map_err(|e| fail(&e))?;
    let certificate = params.self_signed(&key_pair).map_err(|e| fail(&e))?;
    let certificate_der = certificate.der().to_vec();
    Ok(KeyMaterial { kid: thumbprint_sha1(&certificate_der), pkcs8, certificate_der })
}

/// base64url SHA-1 of a certificate's DER: `x5t`.
pub fn thumbprint_sha1(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(sha1_smol::Sha1::from(der).digest().bytes())
}

/// base64url SHA-256 of a certificate's DER: `x5t#S256`.
pub fn thumbprint_sha256(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, der))
}

/// What Signet needs to know of an RSA certificate.
#[derive(Clone, Debug)]
pub struct RsaCertificate {
    /// The modulus, big-endian, no leading zeros.
    pub n: Vec<u8>,
    /// The public exponent, big-endian.
    pub e: Vec<u8>,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
}

/// Reads the RSA public key and validity of a DER certificate.
pub fn read_rsa_certificate(der: &[u8]) -> Result<RsaCertificate, KeyError> {
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| KeyError::Unusable(format!("certificate: {e}")))?;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid.to_string() != RSA_ENCRYPTION_OID {
        return Err(KeyError::Unusable("the certificate's key is not an RSA key".into()));
    }
    let public = rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes())
        .map_err(|e| KeyError::Unusable(format!("RSA public key: {e}")))?;
    if public.size() < 256 {
        return Err(KeyError::Unusable("RSA keys must have at least 2048 bits".into()));
    }
    let validity = &cert.tbs_certificate.validity;
    let unix = |t: &x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    Ok(RsaCertificate {
        n: public.n().to_bytes_be(),
        e: public.e().to_bytes_be(),
        not_before: unix(&validity.not_before),
        not_after: unix(&validity.not_after),
    })
}

/// The DER of the first certificate in a PEM text.
pub fn certificate_der_from_pem(pem: &str) -> Result<Vec<u8>, KeyError> {
    use x509_cert::der::Encode;
    let cert = x509_cert::Certificate::from_pem(pem.as_bytes())
        .map_err(|e| KeyError::Unusable(format!("not a PEM certificate: {e}")))?;
    cert.to_der().map_err(|e| KeyError::Unusable(e.to_string()))
}
