//! The admin portal's overview and app registrations (issue 18): the tenant at a glance, its apps with
//! search by name or appId, a new registration, and one app's overview. Administrators only; changes go
//! through [`crate::admin`], the functions the command line and the directory API call, with the
//! signed-in administrator as the audited actor.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use crate::admin::{self, Actor, AdminError, AppEdit};
use crate::clock::UnixTime;
use crate::domain::app::{Application, SignInAudience};
use crate::domain::audit::user_actor;
use crate::domain::ids::AppId;
use crate::domain::query::{AppProperty, Filter};
use crate::domain::redirect_uri::Platform;
use crate::error::{Aadsts, ProtocolError, format_timestamp};
use crate::state::AppState;
use crate::store::StoreError;

/// The most apps one list shows; a search narrows it.
pub const LIST_LIMIT: u64 = 100;

/// The tenant at a glance, with the endpoints its apps use (Entra's "Endpoints" pane).
#[derive(Clone, Debug)]
pub struct TenantOverview {
    pub name: String,
    pub id: String,
    pub domains: Vec<String>,
    pub users: u64,
    pub apps: u64,
    pub service_principals: u64,
    /// Each endpoint's name and URL.
    pub endpoints: Vec<(&'static str, String)>,
}

/// `GET /{tenant}/admin/`: the administrator's tenant.
pub async fn overview(state: &AppState, admin: &Reviewer) -> Result<TenantOverview, ProtocolError> {
    require_admin(admin)?;
    let tenant = &admin.tenant;
    let (users, apps, service_principals) = state.store.directory_counts(tenant.id).await?;
    let base = format!("{}/{}", state.base_url, tenant.id);
    Ok(TenantOverview {
        name: tenant.display_name.clone(),
        id: tenant.id.to_string(),
        domains: tenant.domains.clone(),
        users,
        apps,
        service_principals,
        endpoints: vec![
            ("OAuth 2.0 authorization endpoint (v2)", format!("{base}/oauth2/v2.0/authorize")),
            ("OAuth 2.0 token endpoint (v2)", format!("{base}/oauth2/v2.0/token")),
            ("OpenID Connect metadata document", format!("{base}/v2.0/.well-known/openid-configuration")),
            ("JSON Web Key Set", format!("{base}/discovery/v2.0/keys")),
            ("Admin consent", format!("{base}/adminconsent")),
            ("Directory API (Microsoft Graph)", format!("{}/v1.0", state.base_url)),
        ],
    })
}

/// One app in the list.
#[derive(Clone, Debug)]
pub struct AppRow {
    pub app_id: String,
    pub name: String,
    pub audience: &'static str,
}

/// The tenant's app registrations whose name starts with `search` or whose appId it is (every app
/// when it is empty), by name; at most [`LIST_LIMIT`], and whether there were more.
pub async fn registrations(
    state: &AppState,
    admin: &Reviewer,
    search: &str,
) -> Result<(Vec<AppRow>, bool), ProtocolError> {
    require_admin(admin)?;
    let search = search.trim();
    let filter = (!search.is_empty()).then(|| {
        let mut any = vec![Filter::StartsWith(AppProperty::DisplayName, search.to_owned())];
        if let Ok(app_id) = search.parse::<AppId>() {
            any.push(Filter::Eq(AppProperty::AppId, app_id.to_string()));
        }
        Filter::Any(any)
    });
    let found = state.store.list_apps(admin.tenant.id, filter.as_ref(), None, LIST_LIMIT + 1).await?;
    let more = found.len() as u64 > LIST_LIMIT;
    let mut rows: Vec<AppRow> = found
        .into_iter()
        .take(LIST_LIMIT as usize)
        .map(|registered| AppRow {
            app_id: registered.app.app_id.to_string(),
            name: registered.app.display_name.clone(),
            audience: audience_label(registered.app.sign_in_audience),
        })
        .collect();
    rows.sort_by_key(|row| row.name.to_lowercase());
    Ok((rows, more))
}

/// What the new-registration form asks.
#[derive(Clone, Debug, Default)]
pub struct NewRegistration {
    pub name: String,
    pub multi_tenant: bool,
    /// The first redirect URI's platform, when one is given.
    pub platform: Option<Platform>,
    pub redirect_uri: String,
}

/// The field a refusal is about, so the form shows it beside that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    RedirectUri,
    Secret,
    Certificate,
    /// The admin consent request settings (reviewers, expiry).
    Requests,
    /// A permission classification.
    Classification,
    Username,
    Password,
    /// An app's identifier URI.
    IdentifierUri,
    /// A new delegated permission an app exposes.
    Scope,
    /// A new app role.
    Role,
    /// A filter of the audit log.
    Audit,
}

/// Why a registration was not made.
#[derive(Debug)]
pub enum Refused {
    /// A value the form must correct, and which field it is in.
    Field(Field, String),
    Failed(ProtocolError),
}

impl From<ProtocolError> for Refused {
    fn from(err: ProtocolError) -> Self {
        Self::Failed(err)
    }
}

impl From<StoreError> for Refused {
    fn from(err: StoreError) -> Self {
        Self::Failed(err.into())
    }
}

/// Registers an app in the administrator's tenant with its service principal there, as Entra's portal
/// does, and returns it.
pub async fn register(
    state: &AppState,
    admin: &Reviewer,
    new: &NewRegistration,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<Application, Refused> {
    require_admin(admin)?;
    admin::check_display_name(&new.name).map_err(|err| Refused::Field(Field::Name, err.to_string()))?;
    let uri = new.redirect_uri.trim();
    let uris = |platform| (new.platform == Some(platform) && !uri.is_empty()).then(|| vec![uri.to_owned()]);
    if new.platform.is_some() && uri.is_empty() {
        return Err(Refused::Field(Field::RedirectUri, "Enter the redirect URI, or choose no platform.".into()));
    }
    let edit = AppEdit {
        display_name: Some(new.name.clone()),
        sign_in_audience: Some(if new.multi_tenant {
            SignInAudience::AzureADMultipleOrgs
        } else {
            SignInAudience::AzureADMyOrg
        }),
        web_redirect_uris: uris(Platform::Web),
        public_client_redirect_uris: uris(Platform::PublicClient),
        spa_redirect_uris: uris(Platform::Spa),
        is_public_client: (new.platform == Some(Platform::PublicClient)).then_some(true),
        ..AppEdit::default()
    };
    let actor = actor(admin, correlation_id);
    let app = admin::register_app(&state.store, &admin.tenant, edit, &actor, now).await.map_err(|err| match err {
        AdminError::Invalid(message) | AdminError::Conflict(message) => Refused::Field(Field::RedirectUri, message),
        other => Refused::Failed(refusal(other)),
    })?;
    admin::add_service_principal(&state.store, &admin.tenant, app.app_id, &actor, now)
        .await
        .map_err(|err| Refused::Failed(refusal(err)))?;
    Ok(app)
}

/// One app as its overview shows it.
#[derive(Clone, Debug)]
pub struct AppOverview {
    pub name: String,
    pub app_id: String,
    pub object_id: String,
    pub tenant_id: String,
    pub audience: &'static str,
    pub identifier_uris: Vec<String>,
    pub web_redirect_uris: Vec<String>,
    pub public_client_redirect_uris: Vec<String>,
    pub spa_redirect_uris: Vec<String>,
    pub secrets: Vec<CredentialRow>,
    pub certificates: Vec<CredentialRow>,
}

impl AppOverview {
    /// Every redirect URI with its platform's name.
    pub fn redirect_uris(&self) -> Vec<(&'static str, String)> {
        let web = self.web_redirect_uris.iter().map(|u| ("Web", u.clone()));
        let spa = self.spa_redirect_uris.iter().map(|u| ("Single-page application", u.clone()));
        web.chain(spa)
            .chain(self.public_client_redirect_uris.iter().map(|u| ("Public client/native", u.clone())))
            .collect()
    }
}

/// A secret (its hint) or a certificate (its SHA-1 thumbprint) as the app's page lists it.
#[derive(Clone, Debug)]
pub struct CredentialRow {
    pub key_id: String,
    pub description: String,
    pub detail: String,
    pub expires: String,
}

/// `GET /{tenant}/admin/apps/{appId}`: an app registered in the administrator's tenant; "not found"
/// for any other id, whoever registered it.
pub async fn app_overview(state: &AppState, admin: &Reviewer, app_id: &str) -> Result<AppOverview, ProtocolError> {
    require_admin(admin)?;
    let app = admin::owned_app(&state.store, &admin.tenant, app_id).await.map_err(refusal)?;
    let secrets = state.store.password_credentials(admin.tenant.id, app.app_id).await?;
    let keys = state.store.key_credentials(admin.tenant.id, app.app_id).await?;
    let row = |key_id: Uuid, name: &Option<String>, detail: String, end| CredentialRow {
        key_id: key_id.to_string(),
        description: name.clone().unwrap_or_default(),
        detail,
        expires: format_timestamp(end),
    };
    Ok(AppOverview {
        name: app.display_name.clone(),
        app_id: app.app_id.to_string(),
        object_id: app.id.to_string(),
        tenant_id: admin.tenant.id.to_string(),
        audience: audience_label(app.sign_in_audience),
        identifier_uris: app.identifier_uris.clone(),
        web_redirect_uris: app.web_redirect_uris.clone(),
        public_client_redirect_uris: app.public_client_redirect_uris.clone(),
        spa_redirect_uris: app.spa_redirect_uris.clone(),
        secrets: secrets.iter().map(|s| row(s.key_id, &s.display_name, format!("{}…", s.hint), s.end)).collect(),
        certificates: keys.iter().map(|k| row(k.key_id, &k.display_name, k.thumbprint_sha1.clone(), k.end)).collect(),
    })
}

/// The administrator as the audit log names it, in this request.
pub(super) fn actor(admin: &Reviewer, correlation_id: Uuid) -> Actor {
    Actor { name: user_actor(admin.user.id, &admin.user.username), correlation_id }
}

/// Entra's words for who may sign in.
fn audience_label(audience: SignInAudience) -> &'static str {
    match audience {
        SignInAudience::AzureADMyOrg => "My organization only",
        SignInAudience::AzureADMultipleOrgs => "Multiple organizations",
    }
}

/// An administrative refusal as a page shows it.
pub(super) fn refusal(err: AdminError) -> ProtocolError {
    match err {
        AdminError::NotFound(what) => ProtocolError::new(Aadsts::NotFound, format!("No {what} in this organization.")),
        AdminError::Invalid(message) | AdminError::Conflict(message) => {
            ProtocolError::new(Aadsts::MalformedRequest, message)
        }
        AdminError::Internal(message) => ProtocolError::internal(message),
    }
}
