//! Certificates as a request names them: Graph's `keyCredential`, and the set of them an application
//! `POST` or `PATCH` leaves the app with.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use uuid::Uuid;

use super::refused;
use crate::admin::{KeyChanges, KeySpec};
use crate::clock::UnixTime;
use crate::domain::app::KeyCredential;
use crate::graph_error::GraphError;

/// A certificate as Graph's `keyCredential` carries it in a request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyCredentialBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// `AsymmetricX509Cert`, the only kind Signet verifies assertions with.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `Verify`: the certificate verifies what the app signs.
    pub usage: Option<String>,
    /// The certificate, DER in base64; absent for a certificate the app already has (`PATCH`).
    pub key: Option<String>,
    /// Names a certificate the app already has (`PATCH`).
    pub key_id: Option<Uuid>,
    pub display_name: Option<String>,
    /// Read from the certificate; accepted and not used.
    pub custom_key_identifier: Option<String>,
    /// Read from the certificate; accepted and not used.
    pub start_date_time: Option<String>,
    /// Read from the certificate; accepted and not used.
    pub end_date_time: Option<String>,
}

impl KeyCredentialBody {
    /// The new certificate this entry uploads.
    pub fn spec(&self) -> Result<KeySpec, GraphError> {
        if self.kind.as_deref().is_some_and(|kind| kind != "AsymmetricX509Cert") {
            return Err(GraphError::invalid_value("Only keyCredentials of type 'AsymmetricX509Cert' are supported."));
        }
        if self.usage.as_deref().is_some_and(|usage| usage != "Verify") {
            return Err(GraphError::invalid_value("Only keyCredentials with usage 'Verify' are supported."));
        }
        let key = self.key.as_deref().ok_or_else(|| GraphError::invalid_value("A new keyCredential needs its key."))?;
        let der = STANDARD
            .decode(key.trim())
            .map_err(|_| GraphError::invalid_value("The key of a keyCredential must be a base64 DER certificate."))?;
        Ok(KeySpec { certificate_der: der, display_name: self.display_name.clone() })
    }
}

/// The certificates a `PATCH` leaves an app with: those of `wanted` that name one it has by `keyId`
/// (kept), and those that carry a `key` (added). The rest are removed.
pub fn key_changes(
    wanted: &[KeyCredentialBody],
    current: &[KeyCredential],
    now: UnixTime,
) -> Result<KeyChanges, GraphError> {
    let (mut keep, mut add) = (Vec::new(), Vec::new());
    for entry in wanted {
        match (entry.key.as_ref(), entry.key_id) {
            (None, Some(key_id)) if current.iter().any(|k| k.key_id == key_id) => keep.push(key_id),
            (None, _) => {
                return Err(GraphError::invalid_value(
                    "Each keyCredential must carry a key, or name a certificate the app has by keyId.",
                ));
            }
            (Some(_), _) => add.push(entry.spec()?),
        }
    }
    KeyChanges::new(keep, add, now).map_err(|err| refused(err, "keyCredentials"))
}
