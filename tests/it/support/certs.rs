//! Client certificates and signed client assertions, made the way a client would.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::json;
use signet::signing::material::{thumbprint_sha1, thumbprint_sha256};

/// An RSA-2048 key and a self-signed certificate for it.
pub struct ClientCert {
    pub private_pkcs1_der: Vec<u8>,
    pub private_pkcs8_pem: String,
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
}

impl ClientCert {
    pub fn generate() -> Self {
        let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key");
        let pkcs8 = private.to_pkcs8_der().expect("PKCS#8");
        let key_pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
            &rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8.as_bytes()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .expect("rcgen key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name.push(rcgen::DnType::CommonName, "test client");
        let cert = params.self_signed(&key_pair).expect("certificate");
        Self {
            private_pkcs1_der: private.to_pkcs1_der().expect("PKCS#1").as_bytes().to_vec(),
            private_pkcs8_pem: private.to_pkcs8_pem(LineEnding::LF).expect("PEM").to_string(),
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
        }
    }

    pub fn x5t(&self) -> String {
        thumbprint_sha1(&self.cert_der)
    }

    pub fn x5t_s256(&self) -> String {
        thumbprint_sha256(&self.cert_der)
    }

    /// SHA-1 thumbprint in hex, as msal takes it.
    pub fn thumbprint_hex(&self) -> String {
        sha1_smol::Sha1::from(&self.cert_der).digest().to_string()
    }

    /// A client assertion (RFC 7523) with the given algorithm, claims and thumbprint header.
    pub fn assertion(&self, alg: Algorithm, claims: &serde_json::Value) -> String {
        let mut header = Header::new(alg);
        match alg {
            Algorithm::PS256 => header.x5t_s256 = Some(self.x5t_s256()),
            _ => header.x5t = Some(self.x5t()),
        }
        let key = EncodingKey::from_rsa_der(&self.private_pkcs1_der);
        jsonwebtoken::encode(&header, claims, &key).expect("sign assertion")
    }

    /// Standard assertion claims for `client_id` at `aud`, valid from `now` for 10 minutes.
    pub fn claims(client_id: &str, aud: &str, now: i64) -> serde_json::Value {
        json!({
            "iss": client_id, "sub": client_id, "aud": aud,
            "jti": uuid::Uuid::new_v4().to_string(), "nbf": now, "iat": now, "exp": now + 600,
        })
    }
}
