//! An app registration's Authentication and Certificates & secrets in the admin portal (issue 18): add
//! and remove redirect URIs, add a client secret (its value shown once), upload a certificate (PEM),
//! remove either. Each change goes through [`crate::admin`] under the same rules as the directory API
//! and the command line, with the administrator as the audited actor.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Field, Refused, actor, refusal};
use crate::admin::{self, AdminError, AppEdit, KeySpec, SecretSpec};
use crate::clock::UnixTime;
use crate::domain::app::{Application, PasswordCredential};
use crate::domain::redirect_uri::Platform;
use crate::secrets::ClientSecret;
use crate::signing::material::certificate_der_from_pem;
use crate::state::AppState;

/// The expiries the portal offers for a new secret, in days (Entra's choices, up to 24 months).
pub const SECRET_DAYS: [u32; 5] = [90, 180, 365, 545, 730];

/// The app of the administrator's tenant that `app_id` names.
pub async fn owned(state: &AppState, admin: &Reviewer, app_id: &str) -> Result<Application, Refused> {
    require_admin(admin)?;
    Ok(admin::owned_app(&state.store, &admin.tenant, app_id).await.map_err(refusal)?)
}

/// Adds a redirect URI of `platform` to the app.
pub async fn add_redirect_uri(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    (platform, uri): (Platform, &str),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let app = owned(state, admin, app_id).await?;
    let uri = uri.trim();
    if uri.is_empty() {
        return Err(Refused::Field(Field::RedirectUri, "Enter the redirect URI.".into()));
    }
    let mut edit = AppEdit::default();
    let (list, slot) = match platform {
        Platform::Web => (&app.web_redirect_uris, &mut edit.web_redirect_uris),
        Platform::PublicClient => (&app.public_client_redirect_uris, &mut edit.public_client_redirect_uris),
        Platform::Spa => (&app.spa_redirect_uris, &mut edit.spa_redirect_uris),
    };
    if list.iter().any(|existing| existing == uri) {
        return Err(Refused::Field(Field::RedirectUri, format!("{uri} is already a redirect URI of this app.")));
    }
    *slot = Some(list.iter().cloned().chain([uri.to_owned()]).collect());
    change(state, admin, &app, edit, correlation_id, now).await
}

/// Removes a redirect URI from whichever platform has it.
pub async fn remove_redirect_uri(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    uri: &str,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let app = owned(state, admin, app_id).await?;
    if app.redirect_platform(uri).is_none() {
        return Err(Refused::Field(Field::RedirectUri, format!("{uri} is not a redirect URI of this app.")));
    }
    let without = |uris: &[String]| Some(uris.iter().filter(|u| *u != uri).cloned().collect::<Vec<_>>());
    let edit = AppEdit {
        web_redirect_uris: without(&app.web_redirect_uris),
        public_client_redirect_uris: without(&app.public_client_redirect_uris),
        spa_redirect_uris: without(&app.spa_redirect_uris),
        ..AppEdit::default()
    };
    change(state, admin, &app, edit, correlation_id, now).await
}

async fn change(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    edit: AppEdit,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let actor = actor(admin, correlation_id);
    admin::update_app(&state.store, &admin.tenant, app, edit, &actor, now).await.map_err(|err| match err {
        AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(Field::RedirectUri, message),
        other => Refused::Failed(refusal(other)),
    })?;
    Ok(())
}

/// Adds a client secret valid for `days` (one of [`SECRET_DAYS`]); its value is returned this once.
pub async fn add_secret(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    (description, days): (&str, u32),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(PasswordCredential, ClientSecret), Refused> {
    let app = owned(state, admin, app_id).await?;
    if !SECRET_DAYS.contains(&days) {
        return Err(Refused::Field(Field::Secret, "Choose one of the expiries offered.".into()));
    }
    let description = description.trim();
    let display_name = (!description.is_empty()).then(|| description.to_owned());
    let spec = SecretSpec { display_name, start: now, end: now + i64::from(days) * 86_400 };
    let actor = actor(admin, correlation_id);
    admin::add_password(&state.store, &state.kek, &admin.tenant, &app, spec, &actor, now)
        .await
        .map_err(|err| field_or_failure(err, Field::Secret))
}

/// Uploads an RSA certificate (PEM) for client assertions.
pub async fn add_certificate(
    state: &AppState,
    admin: &Reviewer,
    app_id: &str,
    (pem, description): (&str, &str),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    let app = owned(state, admin, app_id).await?;
    let der = certificate_der_from_pem(pem).map_err(|err| Refused::Field(Field::Certificate, err.to_string()))?;
    let description = description.trim();
    let spec =
        KeySpec { certificate_der: der, display_name: (!description.is_empty()).then(|| description.to_owned()) };
    let actor = actor(admin, correlation_id);
    admin::add_key(&state.store, &admin.tenant, &app, spec, &actor, now)
        .await
        .map_err(|err| field_or_failure(err, Field::Certificate))?;
    Ok(())
}

/// A secret or a certificate of an app, by its key id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Secret(Uuid),
    Certificate(Uuid),
}

/// What a removal confirmation names: the credential's kind, description and hint or thumbprint.
pub async fn describe(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    credential: Credential,
) -> Result<(&'static str, String), Refused> {
    require_admin(admin)?;
    let tenant = admin.tenant.id;
    let found = match credential {
        Credential::Secret(key_id) => {
            let secrets = state.store.password_credentials(tenant, app.app_id).await?;
            secrets
                .into_iter()
                .find(|s| s.key_id == key_id)
                .map(|s| ("client secret", format!("{} ({}…)", s.display_name.unwrap_or_default(), s.hint)))
        }
        Credential::Certificate(key_id) => {
            let keys = state.store.key_credentials(tenant, app.app_id).await?;
            keys.into_iter()
                .find(|k| k.key_id == key_id)
                .map(|k| ("certificate", format!("{} ({})", k.display_name.unwrap_or_default(), k.thumbprint_sha1)))
        }
    };
    found.ok_or_else(|| Refused::Failed(refusal(AdminError::NotFound("such credential on this app".into()))))
}

/// Removes a secret or a certificate.
pub async fn remove(
    state: &AppState,
    admin: &Reviewer,
    app: &Application,
    credential: Credential,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let actor = actor(admin, correlation_id);
    let removed = match credential {
        Credential::Secret(key_id) => {
            admin::remove_password(&state.store, &admin.tenant, app, key_id, &actor, now).await
        }
        Credential::Certificate(key_id) => {
            admin::remove_key(&state.store, &admin.tenant, app, key_id, &actor, now).await
        }
    };
    removed.map_err(|err| Refused::Failed(refusal(err)))
}

fn field_or_failure(err: AdminError, field: Field) -> Refused {
    match err {
        AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(field, message),
        other => Refused::Failed(refusal(other)),
    }
}
