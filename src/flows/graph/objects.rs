//! Directory objects as Microsoft Graph v1.0 writes them: property names and `null`s included, so SDK
//! models fill in.

use serde::Serialize;

use crate::clock::UnixTime;
use crate::domain::app::{
    AppRole, AppRoleAssignment, Application, KeyCredential, PasswordCredential, PermissionGrant, PermissionScope,
    RequiredResourceAccess, ServicePrincipal,
};
use crate::domain::group::GroupMembershipClaims;
use crate::domain::ids::{AppId, ObjectId, TenantId};
use crate::domain::tenant::Tenant;
use crate::domain::user::User;

/// A `user`. Graph returns [`GraphUser::DEFAULT`] unless `$select` names others.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    pub id: ObjectId,
    pub account_enabled: bool,
    pub business_phones: Vec<String>,
    pub display_name: String,
    pub given_name: Option<String>,
    pub job_title: Option<String>,
    pub mail: Option<String>,
    pub mobile_phone: Option<String>,
    pub office_location: Option<String>,
    pub preferred_language: Option<String>,
    pub surname: Option<String>,
    pub user_principal_name: String,
}

impl GraphUser {
    /// Every property, as `$select` names them.
    pub const PROPERTIES: &'static [&'static str] = &[
        "id",
        "accountEnabled",
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
    ];

    /// The properties returned when `$select` names none (Graph v1.0's default set).
    pub const DEFAULT: &'static [&'static str] = &[
        "id",
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
    ];

    pub fn of(user: &User) -> Self {
        Self {
            id: user.id,
            account_enabled: user.account_enabled,
            business_phones: Vec::new(),
            display_name: user.display_name.clone(),
            given_name: None,
            job_title: None,
            mail: Some(user.username.clone()),
            mobile_phone: None,
            office_location: None,
            preferred_language: None,
            surname: None,
            user_principal_name: user.username.clone(),
        }
    }
}

/// An `organization`: the tenant.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: TenantId,
    pub display_name: String,
    pub tenant_type: &'static str,
    pub verified_domains: Vec<VerifiedDomain>,
}

/// One of the organization's `verifiedDomains`.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    pub capabilities: &'static str,
    pub is_default: bool,
    pub is_initial: bool,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl Organization {
    /// The tenant, its first domain being the initial one (the store lists it first) and the default.
    pub fn of(tenant: &Tenant) -> Self {
        let verified_domains = tenant
            .domains
            .iter()
            .enumerate()
            .map(|(i, name)| VerifiedDomain {
                capabilities: "None",
                is_default: i == 0,
                is_initial: i == 0,
                name: name.clone(),
                kind: "Managed",
            })
            .collect();
        Self { id: tenant.id, display_name: tenant.display_name.clone(), tenant_type: "AAD", verified_domains }
    }
}

/// A time as Graph writes it: `2026-12-06T08:30:00Z`.
pub fn graph_time(at: UnixTime) -> Option<String> {
    let time = time::OffsetDateTime::from_unix_timestamp(at).ok()?;
    time.format(&time::format_description::well_known::Rfc3339).ok()
}

/// An `application`: a registration in its home tenant, with its credentials' metadata.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphApplication {
    pub id: ObjectId,
    pub app_id: AppId,
    pub display_name: String,
    pub sign_in_audience: &'static str,
    pub identifier_uris: Vec<String>,
    pub publisher_domain: Option<String>,
    pub is_fallback_public_client: bool,
    pub api: GraphApi,
    pub app_roles: Vec<AppRole>,
    pub web: GraphWeb,
    pub public_client: GraphRedirects,
    pub spa: GraphRedirects,
    pub required_resource_access: Vec<RequiredResourceAccess>,
    pub password_credentials: Vec<GraphPasswordCredential>,
    pub key_credentials: Vec<GraphKeyCredential>,
    pub verified_publisher: GraphVerifiedPublisher,
    /// Which groups its tokens name; null when none.
    pub group_membership_claims: Option<&'static str>,
}

/// An application's `api`: the delegated permissions it exposes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphApi {
    /// Signet issues v2.0 access tokens for every API.
    pub requested_access_token_version: u8,
    pub oauth2_permission_scopes: Vec<PermissionScope>,
    pub known_client_applications: Vec<AppId>,
    pub pre_authorized_applications: Vec<serde_json::Value>,
}

/// An application's `web` platform.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphWeb {
    pub redirect_uris: Vec<String>,
    pub home_page_url: Option<String>,
    pub logout_url: Option<String>,
    pub implicit_grant_settings: ImplicitGrantSettings,
}

/// Signet issues no tokens from the authorization endpoint, so both are always off.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImplicitGrantSettings {
    pub enable_access_token_issuance: bool,
    pub enable_id_token_issuance: bool,
}

/// A platform's redirect URIs (`publicClient`, `spa`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphRedirects {
    pub redirect_uris: Vec<String>,
}

/// A client secret's metadata; `secretText` only in the answer to `addPassword`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphPasswordCredential {
    pub custom_key_identifier: Option<String>,
    pub display_name: Option<String>,
    pub end_date_time: Option<String>,
    pub hint: String,
    pub key_id: uuid::Uuid,
    pub secret_text: Option<String>,
    pub start_date_time: Option<String>,
}

impl GraphPasswordCredential {
    pub fn of(credential: &PasswordCredential, secret_text: Option<String>) -> Self {
        Self {
            custom_key_identifier: None,
            display_name: credential.display_name.clone(),
            end_date_time: graph_time(credential.end),
            hint: credential.hint.clone(),
            key_id: credential.key_id,
            secret_text,
            start_date_time: graph_time(credential.start),
        }
    }
}

/// A certificate's metadata; the key itself is not returned, as in Graph.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphKeyCredential {
    /// The certificate's SHA-1 thumbprint (base64url), as Graph names a certificate.
    pub custom_key_identifier: String,
    pub display_name: Option<String>,
    pub end_date_time: Option<String>,
    pub key: Option<String>,
    pub key_id: uuid::Uuid,
    pub start_date_time: Option<String>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub usage: &'static str,
}

impl GraphKeyCredential {
    pub fn of(credential: &KeyCredential) -> Self {
        Self {
            custom_key_identifier: credential.thumbprint_sha1.clone(),
            display_name: credential.display_name.clone(),
            end_date_time: graph_time(credential.end),
            key: None,
            key_id: credential.key_id,
            start_date_time: graph_time(credential.start),
            kind: "AsymmetricX509Cert",
            usage: "Verify",
        }
    }
}

/// Whether the publisher is verified. Signet records only the fact; the name shown is the home
/// tenant's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphVerifiedPublisher {
    pub display_name: Option<String>,
    pub verified_publisher_id: Option<String>,
    pub added_date_time: Option<String>,
}

impl GraphApplication {
    /// Every property, as `$select` names them; all are returned by default.
    pub const PROPERTIES: &'static [&'static str] = &[
        "id",
        "appId",
        "displayName",
        "signInAudience",
        "identifierUris",
        "publisherDomain",
        "isFallbackPublicClient",
        "api",
        "appRoles",
        "web",
        "publicClient",
        "spa",
        "requiredResourceAccess",
        "passwordCredentials",
        "keyCredentials",
        "verifiedPublisher",
        "groupMembershipClaims",
    ];

    /// The registration `app` of `home`, with its credentials.
    pub fn of(app: &Application, home: &Tenant, passwords: &[PasswordCredential], keys: &[KeyCredential]) -> Self {
        Self {
            id: app.id,
            app_id: app.app_id,
            display_name: app.display_name.clone(),
            sign_in_audience: app.sign_in_audience.as_str(),
            identifier_uris: app.identifier_uris.clone(),
            publisher_domain: home.domains.first().cloned(),
            is_fallback_public_client: app.is_public_client,
            api: GraphApi {
                requested_access_token_version: app.access_token_version.number(),
                oauth2_permission_scopes: app.scopes.clone(),
                known_client_applications: Vec::new(),
                pre_authorized_applications: Vec::new(),
            },
            app_roles: app.app_roles.clone(),
            web: GraphWeb {
                redirect_uris: app.web_redirect_uris.clone(),
                home_page_url: None,
                logout_url: None,
                implicit_grant_settings: ImplicitGrantSettings {
                    enable_access_token_issuance: false,
                    enable_id_token_issuance: false,
                },
            },
            public_client: GraphRedirects { redirect_uris: app.public_client_redirect_uris.clone() },
            spa: GraphRedirects { redirect_uris: app.spa_redirect_uris.clone() },
            required_resource_access: app.required_resource_access.clone(),
            password_credentials: passwords.iter().map(|p| GraphPasswordCredential::of(p, None)).collect(),
            key_credentials: keys.iter().map(GraphKeyCredential::of).collect(),
            verified_publisher: GraphVerifiedPublisher {
                display_name: app.verified_publisher.then(|| home.display_name.clone()),
                verified_publisher_id: app.verified_publisher.then(|| home.id.to_string()),
                added_date_time: None,
            },
            group_membership_claims: match app.group_membership_claims {
                GroupMembershipClaims::None => None,
                claims => Some(claims.as_str()),
            },
        }
    }
}

/// A `servicePrincipal`: an app's presence in the caller's tenant, with what its registration exposes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphServicePrincipal {
    pub id: ObjectId,
    pub app_id: AppId,
    pub display_name: String,
    pub app_display_name: String,
    pub account_enabled: bool,
    pub app_role_assignment_required: bool,
    pub app_owner_organization_id: TenantId,
    pub app_roles: Vec<AppRole>,
    pub oauth2_permission_scopes: Vec<PermissionScope>,
    pub service_principal_names: Vec<String>,
    pub service_principal_type: &'static str,
    pub reply_urls: Vec<String>,
    pub sign_in_audience: &'static str,
}

impl GraphServicePrincipal {
    /// Every property, as `$select` names them; all are returned by default.
    pub const PROPERTIES: &'static [&'static str] = &[
        "id",
        "appId",
        "displayName",
        "appDisplayName",
        "accountEnabled",
        "appRoleAssignmentRequired",
        "appOwnerOrganizationId",
        "appRoles",
        "oauth2PermissionScopes",
        "servicePrincipalNames",
        "servicePrincipalType",
        "replyUrls",
        "signInAudience",
    ];

    pub fn of(sp: &ServicePrincipal, app: &Application) -> Self {
        let mut names = vec![app.app_id.to_string()];
        names.extend(app.identifier_uris.iter().cloned());
        let mut reply_urls = app.web_redirect_uris.clone();
        reply_urls.extend(app.public_client_redirect_uris.iter().cloned());
        reply_urls.extend(app.spa_redirect_uris.iter().cloned());
        Self {
            id: sp.id,
            app_id: sp.app_id,
            display_name: sp.display_name.clone(),
            app_display_name: app.display_name.clone(),
            account_enabled: sp.account_enabled,
            app_role_assignment_required: sp.app_role_assignment_required,
            app_owner_organization_id: app.home_tenant,
            app_roles: app.app_roles.clone(),
            oauth2_permission_scopes: app.scopes.clone(),
            service_principal_names: names,
            service_principal_type: "Application",
            reply_urls,
            sign_in_audience: app.sign_in_audience.as_str(),
        }
    }
}

/// An `appRoleAssignment`: a role of a resource's service principal held by a user or an app.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphAppRoleAssignment {
    pub id: ObjectId,
    pub app_role_id: uuid::Uuid,
    pub created_date_time: Option<String>,
    pub deleted_date_time: Option<String>,
    pub principal_display_name: Option<String>,
    pub principal_id: ObjectId,
    pub principal_type: String,
    pub resource_display_name: Option<String>,
    pub resource_id: ObjectId,
}

impl GraphAppRoleAssignment {
    pub fn of(assignment: &AppRoleAssignment, principal_name: Option<String>, resource_name: Option<String>) -> Self {
        Self {
            id: assignment.id,
            app_role_id: assignment.app_role_id,
            created_date_time: graph_time(assignment.created_at),
            deleted_date_time: None,
            principal_display_name: principal_name,
            principal_id: assignment.principal_id,
            principal_type: assignment.principal_type.clone(),
            resource_display_name: resource_name,
            resource_id: assignment.resource_id,
        }
    }
}

/// An `oAuth2PermissionGrant`: a client's delegated permissions on a resource, for everyone or one user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphGrant {
    pub id: ObjectId,
    pub client_id: ObjectId,
    pub consent_type: &'static str,
    pub principal_id: Option<ObjectId>,
    pub resource_id: ObjectId,
    pub scope: String,
}

impl GraphGrant {
    pub const PROPERTIES: &'static [&'static str] =
        &["id", "clientId", "consentType", "principalId", "resourceId", "scope"];

    pub fn of(grant: &PermissionGrant) -> Self {
        Self {
            id: grant.id,
            client_id: grant.client_id,
            consent_type: grant.consent_type.as_str(),
            principal_id: grant.principal_id,
            resource_id: grant.resource_id,
            scope: grant.scope.clone(),
        }
    }
}
