//! An app registration's credentials: client secrets (stored as a keyed hash, the text returned once)
//! and certificates for client assertions.

use serde_json::json;
use uuid::Uuid;

use super::apps::owned_app;
use super::common::{Actor, AdminError, Result, check_display_name};
use crate::clock::UnixTime;
use crate::domain::app::{Application, KeyCredential, PasswordCredential};
use crate::domain::audit::app_target;
use crate::domain::tenant::Tenant;
use crate::seal::KeyEncryptionKey;
use crate::secrets::{ClientSecret, hash_client_secret};
use crate::signing::material::{certificate_der_from_pem, read_rsa_certificate, thumbprint_sha1, thumbprint_sha256};
use crate::store::Store;

/// The longest a client secret may be valid (Entra's portal offers up to 24 months).
const MAX_SECRET_DAYS: i64 = 730;

/// Adds a client secret valid for `days` (the command line's `app add-secret`).
pub async fn add_secret(
    store: &Store,
    kek: &KeyEncryptionKey,
    tenant: &Tenant,
    app_id: &str,
    days: u32,
    now: UnixTime,
) -> Result<(PasswordCredential, ClientSecret)> {
    if days == 0 || i64::from(days) > MAX_SECRET_DAYS {
        return Err(AdminError::Invalid(format!("--days must be between 1 and {MAX_SECRET_DAYS}")));
    }
    let app = owned_app(store, tenant, app_id).await?;
    let spec = SecretSpec { display_name: None, start: now, end: now + i64::from(days) * 86_400 };
    add_password(store, kek, tenant, &app, spec, &Actor::cli(), now).await
}

/// A client secret to add: what it is for, and when it is valid.
#[derive(Clone, Debug)]
pub struct SecretSpec {
    pub display_name: Option<String>,
    pub start: UnixTime,
    pub end: UnixTime,
}

/// Adds a client secret to an app registered in `tenant`. The secret is returned once and stored only
/// as a keyed hash; it is valid from `start` to `end`, at most two years.
pub async fn add_password(
    store: &Store,
    kek: &KeyEncryptionKey,
    tenant: &Tenant,
    app: &Application,
    spec: SecretSpec,
    actor: &Actor,
    now: UnixTime,
) -> Result<(PasswordCredential, ClientSecret)> {
    if app.is_public_client {
        return Err(AdminError::Invalid("a public client cannot have secrets".into()));
    }
    if spec.end <= spec.start || spec.end <= now || spec.end - spec.start > MAX_SECRET_DAYS * 86_400 {
        return Err(AdminError::Invalid(format!(
            "a secret must end after it starts and after now, at most {MAX_SECRET_DAYS} days after it starts"
        )));
    }
    let display_name = spec.display_name.as_deref().map(check_display_name).transpose()?;
    let secret = ClientSecret::generate().map_err(|_| AdminError::Internal("no randomness".into()))?;
    let credential = PasswordCredential {
        key_id: Uuid::new_v4(),
        hint: secret.hint(),
        display_name,
        start: spec.start,
        end: spec.end,
        hash: hash_client_secret(kek.secret_hash_key(), secret.expose()),
    };
    let details = json!({ "appId": app.app_id, "keyId": credential.key_id, "displayName": credential.display_name });
    let event = actor.event(now, "app.addPassword", app_target(app.app_id), details);
    store.add_password_credential(tenant.id, app.app_id, &credential, &event).await?;
    Ok((credential, secret))
}

/// Removes the client secret `key_id` from an app registered in `tenant`.
pub async fn remove_password(
    store: &Store,
    tenant: &Tenant,
    app: &Application,
    key_id: Uuid,
    actor: &Actor,
    now: UnixTime,
) -> Result<()> {
    let details = json!({ "appId": app.app_id, "keyId": key_id });
    let event = actor.event(now, "app.removePassword", app_target(app.app_id), details);
    Ok(store.remove_password_credential(tenant.id, app.app_id, key_id, &event).await?)
}

/// A certificate to add to an app: its DER and what it is for.
#[derive(Clone, Debug)]
pub struct KeySpec {
    pub certificate_der: Vec<u8>,
    pub display_name: Option<String>,
}

/// Registers an RSA certificate (PEM) for client assertions (the command line's `app add-cert`).
pub async fn add_cert(store: &Store, tenant: &Tenant, app_id: &str, pem: &str, now: UnixTime) -> Result<KeyCredential> {
    let app = owned_app(store, tenant, app_id).await?;
    let der = certificate_der_from_pem(pem).map_err(|e| AdminError::Invalid(e.to_string()))?;
    add_key(store, tenant, &app, KeySpec { certificate_der: der, display_name: None }, &Actor::cli(), now).await
}

/// Adds an RSA certificate to an app registered in `tenant`, for client assertions.
pub async fn add_key(
    store: &Store,
    tenant: &Tenant,
    app: &Application,
    spec: KeySpec,
    actor: &Actor,
    now: UnixTime,
) -> Result<KeyCredential> {
    let credential = new_key(spec, now)?;
    let details = json!({ "appId": app.app_id, "keyId": credential.key_id, "thumbprint": credential.thumbprint_sha1 });
    let event = actor.event(now, "app.addKey", app_target(app.app_id), details);
    store.add_key_credential(tenant.id, app.app_id, &credential, &event).await?;
    Ok(credential)
}

/// The credential a new certificate becomes. It is valid as the certificate says; one that has
/// already expired is refused, as Entra does.
fn new_key(spec: KeySpec, now: UnixTime) -> Result<KeyCredential> {
    let cert = read_rsa_certificate(&spec.certificate_der).map_err(|e| AdminError::Invalid(e.to_string()))?;
    if cert.not_after <= now {
        return Err(AdminError::Invalid("the certificate has expired".into()));
    }
    let display_name = spec.display_name.as_deref().map(check_display_name).transpose()?;
    let der = spec.certificate_der;
    Ok(KeyCredential {
        key_id: Uuid::new_v4(),
        thumbprint_sha1: thumbprint_sha1(&der),
        thumbprint_sha256: thumbprint_sha256(&der),
        display_name,
        start: cert.not_before,
        end: cert.not_after,
        certificate_der: der,
    })
}

/// A new set of certificates for an app: which of its certificates stay, and the new ones. Checked
/// when it is made, so that applying it can only fail for what the database says.
#[derive(Clone, Debug, Default)]
pub struct KeyChanges {
    keep: Vec<Uuid>,
    add: Vec<KeyCredential>,
}

impl KeyChanges {
    pub fn new(keep: Vec<Uuid>, add: Vec<KeySpec>, now: UnixTime) -> Result<Self> {
        let add = add.into_iter().map(|spec| new_key(spec, now)).collect::<Result<Vec<_>>>()?;
        let mut thumbprints: Vec<&str> = add.iter().map(|k| k.thumbprint_sha1.as_str()).collect();
        thumbprints.sort_unstable();
        thumbprints.dedup();
        if thumbprints.len() < add.len() {
            return Err(AdminError::Invalid("the same certificate is given twice".into()));
        }
        Ok(Self { keep, add })
    }
}

/// Leaves an app registered in `tenant` with the certificates `changes` keeps and adds; the others
/// are removed.
pub async fn change_keys(
    store: &Store,
    tenant: &Tenant,
    app: &Application,
    changes: KeyChanges,
    actor: &Actor,
    now: UnixTime,
) -> Result<Vec<KeyCredential>> {
    let added: Vec<Uuid> = changes.add.iter().map(|k| k.key_id).collect();
    let details = json!({ "appId": app.app_id, "changed": ["keyCredentials"], "kept": changes.keep, "added": added });
    let event = actor.event(now, "app.update", app_target(app.app_id), details);
    Ok(store.replace_key_credentials(tenant.id, app.app_id, &changes.keep, &changes.add, &event).await?)
}

/// Removes the certificate `key_id` from an app registered in `tenant`.
pub async fn remove_key(
    store: &Store,
    tenant: &Tenant,
    app: &Application,
    key_id: Uuid,
    actor: &Actor,
    now: UnixTime,
) -> Result<()> {
    let details = json!({ "appId": app.app_id, "keyId": key_id });
    let event = actor.event(now, "app.removeKey", app_target(app.app_id), details);
    Ok(store.remove_key_credential(tenant.id, app.app_id, key_id, &event).await?)
}
