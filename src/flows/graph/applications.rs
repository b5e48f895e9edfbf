//! `applications`: the app registrations of the caller's tenant, and their client secrets.
//!
//! Reading needs an application read permission (members may read, as in Entra). Changes need
//! `Application.ReadWrite.All` and, for a delegated caller, a user who administers the tenant: Signet
//! has no app owners yet, so a member cannot register or change apps.

use serde::Deserialize;
use uuid::Uuid;

use super::key_credentials::{KeyCredentialBody, key_changes};
use super::objects::{GraphApplication, GraphPasswordCredential};
use super::odata::ListOptions;
use super::{Caller, refused};
use crate::admin::{self, AdminError, AppEdit, SecretSpec};
use crate::clock::UnixTime;
use crate::domain::app::{
    AccessTokenVersion, AppRole, Application, ConsentType, MemberType, PermissionScope, RequiredResourceAccess,
    SignInAudience,
};
use crate::domain::group::GroupMembershipClaims;
use crate::domain::ids::{AppId, ObjectId};
use crate::domain::query::AppProperty;
use crate::graph_error::GraphError;
use crate::state::AppState;

const READ_APPS: &[&str] = &["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"];
pub(super) const WRITE_APPS: &[&str] = &["Application.ReadWrite.All"];

/// How a request names an application: `applications/{id}` or `applications(appId='{appId}')`.
#[derive(Clone, Copy, Debug)]
pub enum AppKey<'a> {
    Id(&'a str),
    AppId(&'a str),
}

/// The app of the caller's tenant that `key` names; 404 when there is none.
pub(super) async fn find(state: &AppState, caller: &Caller, key: AppKey<'_>) -> Result<Application, GraphError> {
    let (AppKey::Id(value) | AppKey::AppId(value)) = key;
    let invalid = || GraphError::bad_request(format!("Invalid object identifier '{value}'."));
    let found = match key {
        AppKey::Id(id) => {
            state.store.app_by_object_id(caller.tenant.id, id.parse::<ObjectId>().map_err(|_| invalid())?).await?
        }
        AppKey::AppId(id) => {
            state.store.app_in_tenant(caller.tenant.id, id.parse::<AppId>().map_err(|_| invalid())?).await?
        }
    };
    found.ok_or_else(|| GraphError::not_found(value))
}

async fn graph_application(
    state: &AppState,
    caller: &Caller,
    app: &Application,
) -> Result<GraphApplication, GraphError> {
    let passwords = state.store.password_credentials(caller.tenant.id, app.app_id).await?;
    let keys = state.store.key_credentials(caller.tenant.id, app.app_id).await?;
    Ok(GraphApplication::of(app, &caller.tenant, &passwords, &keys))
}

/// One page of a list of applications, and where the next one starts when there is one.
#[derive(Debug)]
pub struct AppPage {
    pub apps: Vec<GraphApplication>,
    pub skip_token: Option<String>,
}

/// `GET /v1.0/applications`.
pub async fn list_applications(
    state: &AppState,
    caller: &Caller,
    options: &ListOptions<AppProperty>,
) -> Result<AppPage, GraphError> {
    caller.require(READ_APPS, READ_APPS)?;
    let after = options.after::<ObjectId>()?;
    let rows = state.store.list_apps(caller.tenant.id, options.filter.as_ref(), after, options.limit()).await?;
    let (page, skip_token) = options.page(rows, |r| r.app.id.to_string());
    let apps = page.iter().map(|r| GraphApplication::of(&r.app, &caller.tenant, &r.passwords, &r.keys)).collect();
    Ok(AppPage { apps, skip_token })
}

/// `GET /v1.0/applications/{id}` and `applications(appId='…')`.
pub async fn application(state: &AppState, caller: &Caller, key: AppKey<'_>) -> Result<GraphApplication, GraphError> {
    caller.require(READ_APPS, READ_APPS)?;
    let app = find(state, caller, key).await?;
    graph_application(state, caller, &app).await
}

/// `POST /v1.0/applications`: registers an app in the caller's tenant, with its service principal.
pub async fn create_application(
    state: &AppState,
    caller: &Caller,
    mut body: ApplicationBody,
) -> Result<GraphApplication, GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let now = state.clock.now();
    // Every certificate is checked before the app is registered, so a bad one leaves nothing behind.
    let keys = body.key_credentials.take().map(|wanted| key_changes(&wanted, &[], now)).transpose()?;
    let edit = body.edit()?;
    let app = admin::register_app(&state.store, &caller.tenant, edit, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, "application"))?;
    if let Some(keys) = keys {
        admin::change_keys(&state.store, &caller.tenant, &app, keys, &caller.actor(), now)
            .await
            .map_err(|err| refused(err, &app.id.to_string()))?;
    }
    graph_application(state, caller, &app).await
}

/// `PATCH /v1.0/applications/{id}`: replaces the properties the body names.
pub async fn update_application(
    state: &AppState,
    caller: &Caller,
    key: AppKey<'_>,
    mut body: ApplicationBody,
) -> Result<(), GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let app = find(state, caller, key).await?;
    let now = state.clock.now();
    let keys = match body.key_credentials.take() {
        Some(wanted) => {
            let current = state.store.key_credentials(caller.tenant.id, app.app_id).await?;
            Some(key_changes(&wanted, &current, now)?)
        }
        None => None,
    };
    let edit = body.edit()?;
    if keys.is_none() || !edit.is_empty() {
        admin::update_app(&state.store, &caller.tenant, &app, edit, &caller.actor(), now)
            .await
            .map_err(|err| refused(err, &app.id.to_string()))?;
    }
    if let Some(keys) = keys {
        admin::change_keys(&state.store, &caller.tenant, &app, keys, &caller.actor(), now)
            .await
            .map_err(|err| refused(err, &app.id.to_string()))?;
    }
    Ok(())
}

/// `DELETE /v1.0/applications/{id}`.
pub async fn delete_application(state: &AppState, caller: &Caller, key: AppKey<'_>) -> Result<(), GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let app = find(state, caller, key).await?;
    let now = state.clock.now();
    admin::delete_app(&state.store, &caller.tenant, &app, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, &app.id.to_string()))
}

/// The body of `addPassword`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddPasswordBody {
    pub password_credential: Option<PasswordCredentialBody>,
}

/// The secret asked for: all optional.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordCredentialBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: Option<String>,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
}

/// How long a secret is valid when `endDateTime` is not given: Graph's default, two years.
const DEFAULT_SECRET_SECONDS: i64 = 2 * 365 * 86_400;

/// `POST /v1.0/applications/{id}/addPassword`: a new client secret, whose text is returned this once.
pub async fn add_password(
    state: &AppState,
    caller: &Caller,
    key: AppKey<'_>,
    body: AddPasswordBody,
) -> Result<GraphPasswordCredential, GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let asked = body.password_credential.unwrap_or_default();
    let now = state.clock.now();
    let start = asked.start_date_time.as_deref().map(parse_time).transpose()?.unwrap_or(now);
    let end = asked.end_date_time.as_deref().map(parse_time).transpose()?.unwrap_or(start + DEFAULT_SECRET_SECONDS);
    let app = find(state, caller, key).await?;
    let spec = SecretSpec { display_name: asked.display_name, start, end };
    let (credential, secret) =
        admin::add_password(&state.store, &state.kek, &caller.tenant, &app, spec, &caller.actor(), now)
            .await
            .map_err(|err| refused(err, &app.id.to_string()))?;
    Ok(GraphPasswordCredential::of(&credential, Some(secret.expose().to_owned())))
}

/// The body of `removePassword`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemovePasswordBody {
    pub key_id: Uuid,
}

/// `POST /v1.0/applications/{id}/removePassword`.
pub async fn remove_password(
    state: &AppState,
    caller: &Caller,
    key: AppKey<'_>,
    body: RemovePasswordBody,
) -> Result<(), GraphError> {
    caller.require_admin(WRITE_APPS)?;
    let app = find(state, caller, key).await?;
    let now = state.clock.now();
    match admin::remove_password(&state.store, &caller.tenant, &app, body.key_id, &caller.actor(), now).await {
        Err(AdminError::NotFound(_)) => Err(GraphError::not_found(&body.key_id.to_string())),
        other => other.map_err(|err| refused(err, &app.id.to_string())),
    }
}

/// An RFC 3339 time, or an ISO 8601 one without an offset (read as UTC, as Graph does).
fn parse_time(text: &str) -> Result<UnixTime, GraphError> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    time::OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .or_else(|_| time::PrimitiveDateTime::parse(text, &Iso8601::DEFAULT).map(|t| t.assume_utc().unix_timestamp()))
        .map_err(|_| GraphError::bad_request(format!("'{text}' is not a date and time (use 2027-01-31T00:00:00Z).")))
}

/// The body of `POST` and `PATCH /v1.0/applications`: the properties Signet stores. Graph's other
/// properties are refused rather than ignored.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: Option<String>,
    pub sign_in_audience: Option<String>,
    pub identifier_uris: Option<Vec<String>>,
    pub is_fallback_public_client: Option<bool>,
    pub api: Option<ApiBody>,
    pub app_roles: Option<Vec<AppRoleBody>>,
    pub web: Option<WebBody>,
    pub public_client: Option<RedirectsBody>,
    pub spa: Option<RedirectsBody>,
    pub required_resource_access: Option<Vec<RequiredResourceAccess>>,
    /// The app's certificates afterwards: a new one carries its `key`, one to keep only its `keyId`.
    pub key_credentials: Option<Vec<KeyCredentialBody>>,
    /// `None`, `SecurityGroup`, `All` or `ApplicationGroup`; null is `None`.
    #[serde(default, deserialize_with = "double_option")]
    pub group_membership_claims: Option<Option<String>>,
}

/// A number that may be absent (outer `None`), null (`Some(None)`) or a value.
fn double_option_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::deserialize(deserializer)?))
}

/// A field that may be absent (outer `None`), null (`Some(None)`) or a value.
fn double_option<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(deserializer)?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    #[serde(default, deserialize_with = "double_option_number")]
    pub requested_access_token_version: Option<Option<i64>>,
    pub oauth2_permission_scopes: Option<Vec<ScopeBody>>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: Uuid,
    pub value: String,
    #[serde(rename = "type")]
    pub consent_type: ConsentType,
    pub admin_consent_display_name: String,
    pub admin_consent_description: String,
    pub user_consent_display_name: Option<String>,
    pub user_consent_description: Option<String>,
    pub is_enabled: Option<bool>,
    pub origin: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppRoleBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: Uuid,
    pub value: String,
    pub display_name: String,
    pub description: Option<String>,
    pub allowed_member_types: Vec<MemberType>,
    pub is_enabled: Option<bool>,
    pub origin: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub implicit_grant_settings: Option<ImplicitGrantBody>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImplicitGrantBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub enable_access_token_issuance: Option<bool>,
    pub enable_id_token_issuance: Option<bool>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedirectsBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
}

impl ApplicationBody {
    /// The change the body asks for, or a 400 for what Signet cannot honour.
    fn edit(self) -> Result<AppEdit, GraphError> {
        let unsupported = |what: &str| GraphError::invalid_value(format!("{what} is not supported by Signet."));
        if self.odata_type.as_deref().is_some_and(|t| t != "#microsoft.graph.application") {
            return Err(GraphError::bad_request("The type must be '#microsoft.graph.application'."));
        }
        let group_membership_claims = match self.group_membership_claims {
            None => None,
            Some(None) => Some(GroupMembershipClaims::None),
            Some(Some(text)) => Some(GroupMembershipClaims::parse(&text).ok_or_else(|| {
                GraphError::invalid_value(format!(
                    "groupMembershipClaims '{text}' is not supported: use None, SecurityGroup, All or ApplicationGroup."
                ))
            })?),
        };
        let sign_in_audience = match self.sign_in_audience.as_deref() {
            None => None,
            Some(text) => Some(SignInAudience::parse(text).ok_or_else(|| {
                GraphError::invalid_value(format!(
                    "signInAudience '{text}' is not supported: use AzureADMyOrg or AzureADMultipleOrgs."
                ))
            })?),
        };
        let mut web_redirect_uris = None;
        if let Some(web) = self.web {
            let implicit = web.implicit_grant_settings.unwrap_or_default();
            if implicit.enable_access_token_issuance == Some(true) || implicit.enable_id_token_issuance == Some(true) {
                return Err(unsupported("The implicit grant"));
            }
            web_redirect_uris = web.redirect_uris;
        }
        let (mut scopes, mut access_token_version) = (None, None);
        if let Some(api) = self.api {
            access_token_version = match api.requested_access_token_version {
                None => None,
                // Entra reads null as 1; Signet's default is 2 (see AccessTokenVersion).
                Some(None) => Some(AccessTokenVersion::default()),
                Some(Some(number)) => Some(AccessTokenVersion::from_number(number).ok_or_else(|| {
                    GraphError::invalid_value(format!(
                        "requestedAccessTokenVersion {number} is not supported: use 1 or 2."
                    ))
                })?),
            };
            scopes = api.oauth2_permission_scopes.map(|list| list.into_iter().map(ScopeBody::scope).collect());
        }
        Ok(AppEdit {
            display_name: self.display_name,
            sign_in_audience,
            identifier_uris: self.identifier_uris,
            web_redirect_uris,
            public_client_redirect_uris: self.public_client.and_then(|p| p.redirect_uris),
            spa_redirect_uris: self.spa.and_then(|s| s.redirect_uris),
            is_public_client: self.is_fallback_public_client,
            scopes,
            app_roles: self.app_roles.map(|list| list.into_iter().map(AppRoleBody::role).collect()),
            required_resource_access: self.required_resource_access,
            verified_publisher: None,
            group_membership_claims,
            access_token_version,
        })
    }
}

impl ScopeBody {
    fn scope(self) -> PermissionScope {
        PermissionScope {
            id: self.id,
            user_consent_display_name: self
                .user_consent_display_name
                .unwrap_or_else(|| self.admin_consent_display_name.clone()),
            user_consent_description: self
                .user_consent_description
                .unwrap_or_else(|| self.admin_consent_description.clone()),
            value: self.value,
            consent_type: self.consent_type,
            admin_consent_display_name: self.admin_consent_display_name,
            admin_consent_description: self.admin_consent_description,
            is_enabled: self.is_enabled.unwrap_or(true),
        }
    }
}

impl AppRoleBody {
    fn role(self) -> AppRole {
        AppRole {
            id: self.id,
            description: self.description.unwrap_or_else(|| self.display_name.clone()),
            value: self.value,
            display_name: self.display_name,
            allowed_member_types: self.allowed_member_types,
            is_enabled: self.is_enabled.unwrap_or(true),
        }
    }
}
