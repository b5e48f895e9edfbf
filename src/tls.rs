//! TLS with rustls and the ring provider: a configured certificate, or a self-signed one for local use.

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A TLS set-up problem, in one line.
#[derive(Debug, thiserror::Error)]
#[error("TLS: {0}")]
pub struct TlsError(String);

fn server_config(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<ServerConfig, TlsError> {
    ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError(e.to_string()))
}

/// A server configuration from PEM files.
pub fn from_files(cert: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError(format!("{}: {e}", cert.display())))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError(format!("{}: {e}", key.display())))?;
    server_config(chain, key)
}

/// A self-signed certificate for `localhost`, `127.0.0.1`, `::1` and `host`; its PEM is written to
/// `cert_out` so clients can trust it.
pub fn self_signed(host: &str, cert_out: &Path) -> Result<ServerConfig, TlsError> {
    let fail = |e: &dyn std::fmt::Display| TlsError(e.to_string());
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    if !names.iter().any(|n| n == host) {
        names.push(host.to_owned());
    }
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| fail(&e))?;
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| fail(&e))?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "Signet local TLS");
    let cert = params.self_signed(&key).map_err(|e| fail(&e))?;
    if let Some(dir) = cert_out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    std::fs::write(cert_out, cert.pem()).map_err(|e| TlsError(format!("{}: {e}", cert_out.display())))?;
    let key = PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| fail(&e))?;
    server_config(vec![cert.der().clone()], key)
}
