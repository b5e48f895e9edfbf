//! Application registrations, their service principals, credentials and grants, in Microsoft Graph's
//! shapes (protocol reference §6 and §8).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::group::GroupMembershipClaims;
use super::ids::{AppId, ObjectId, TenantId};
use super::redirect_uri::{Platform, check as check_redirect_uri};
use crate::clock::UnixTime;

/// Who may sign in to an app (`signInAudience`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum SignInAudience {
    /// Users of the home tenant only.
    AzureADMyOrg,
    /// Users of any tenant.
    AzureADMultipleOrgs,
}

impl SignInAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AzureADMyOrg => "AzureADMyOrg",
            Self::AzureADMultipleOrgs => "AzureADMultipleOrgs",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "AzureADMyOrg" => Some(Self::AzureADMyOrg),
            "AzureADMultipleOrgs" => Some(Self::AzureADMultipleOrgs),
            _ => None,
        }
    }
}

/// Which access tokens a resource gets (`api.requestedAccessTokenVersion`), whichever endpoint the
/// client asked at, as Entra decides it. Signet's default is v2.0: its own clients and APIs validate
/// v2.0 tokens, and an API that wants v1.0 ones says so, as it must in Entra for v2.0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccessTokenVersion {
    /// `ver` 1.0: `iss` `{base}/{tid}/`, `aud` the resource as asked for, `appid`, `appidacr`, `upn`.
    V1,
    #[default]
    V2,
}

impl AccessTokenVersion {
    pub fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    pub fn from_number(number: i64) -> Option<Self> {
        match number {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            _ => None,
        }
    }
}

impl Serialize for AccessTokenVersion {
    /// As Graph writes it: the number.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.number())
    }
}

/// Who may consent to a delegated permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ConsentType {
    User,
    Admin,
}

/// A delegated permission an API exposes (`api.oauth2PermissionScopes[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScope {
    pub id: Uuid,
    pub value: String,
    #[serde(rename = "type")]
    pub consent_type: ConsentType,
    pub admin_consent_display_name: String,
    pub admin_consent_description: String,
    pub user_consent_display_name: String,
    pub user_consent_description: String,
    pub is_enabled: bool,
}

/// Who an app role can be assigned to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum MemberType {
    User,
    Application,
}

/// An app role an API defines (`appRoles[]`); roles for `Application` members are application permissions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: Uuid,
    pub value: String,
    pub display_name: String,
    pub description: String,
    pub allowed_member_types: Vec<MemberType>,
    pub is_enabled: bool,
}

/// Whether a required permission is delegated or an application permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum AccessType {
    Scope,
    Role,
}

/// One permission in `requiredResourceAccess`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResourceAccess {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub access_type: AccessType,
}

/// The permissions an app needs from one resource (`requiredResourceAccess[]`); drives `.default` and admin consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequiredResourceAccess {
    pub resource_app_id: AppId,
    pub resource_access: Vec<ResourceAccess>,
}

/// An application registration, owned by its home tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: ObjectId,
    pub app_id: AppId,
    pub home_tenant: TenantId,
    pub display_name: String,
    pub sign_in_audience: SignInAudience,
    pub identifier_uris: Vec<String>,
    pub web_redirect_uris: Vec<String>,
    pub public_client_redirect_uris: Vec<String>,
    /// A single-page app's URIs (`spa.redirectUris`): codes sent there are redeemed only cross-origin,
    /// with PKCE and without a secret.
    pub spa_redirect_uris: Vec<String>,
    /// `isFallbackPublicClient`: the app cannot keep a secret and must not send one.
    pub is_public_client: bool,
    pub scopes: Vec<PermissionScope>,
    pub app_roles: Vec<AppRole>,
    pub required_resource_access: Vec<RequiredResourceAccess>,
    /// The publisher's identity was verified (`verifiedPublisher`): users may then consent to it under the
    /// low-impact policy even when it comes from another tenant.
    pub verified_publisher: bool,
    /// Which of a user's groups its tokens name: the ID token's when it is the client, the access
    /// token's when it is the resource.
    pub group_membership_claims: GroupMembershipClaims,
    /// The access tokens it gets as a resource.
    pub access_token_version: AccessTokenVersion,
}

impl Application {
    /// Which of the app's redirect URI lists holds exactly `uri`, if one does.
    pub fn redirect_platform(&self, uri: &str) -> Option<Platform> {
        if self.web_redirect_uris.iter().any(|r| r == uri) {
            Some(Platform::Web)
        } else if self.public_client_redirect_uris.iter().any(|r| r == uri) {
            Some(Platform::PublicClient)
        } else if self.spa_redirect_uris.iter().any(|r| r == uri) {
            Some(Platform::Spa)
        } else {
            None
        }
    }

    /// `uri`, when the app registered it exactly and it still follows the redirect URI rules.
    pub fn followable_redirect(&self, uri: &str) -> Option<String> {
        let platform = self.redirect_platform(uri)?;
        check_redirect_uri(uri, platform).is_ok().then(|| uri.to_owned())
    }

    pub fn scope(&self, value: &str) -> Option<&PermissionScope> {
        self.scopes.iter().find(|s| s.value == value)
    }

    pub fn app_role(&self, value: &str) -> Option<&AppRole> {
        self.app_roles.iter().find(|r| r.value == value)
    }

    pub fn app_role_by_id(&self, id: Uuid) -> Option<&AppRole> {
        self.app_roles.iter().find(|r| r.id == id)
    }

    /// The enabled delegated permissions of `resource` this app requires (`requiredResourceAccess`), in
    /// the order the resource defines them: what `.default` and admin consent stand for.
    pub fn required_scopes<'r>(&self, resource: &'r Application) -> Vec<&'r PermissionScope> {
        let ids = self.required_ids(resource, AccessType::Scope);
        resource.scopes.iter().filter(|s| s.is_enabled && ids.contains(&s.id)).collect()
    }

    /// The enabled application permissions of `resource` this app requires, in the resource's order.
    pub fn required_app_roles<'r>(&self, resource: &'r Application) -> Vec<&'r AppRole> {
        let ids = self.required_ids(resource, AccessType::Role);
        let for_apps = |r: &&AppRole| r.is_enabled && r.allowed_member_types.contains(&MemberType::Application);
        resource.app_roles.iter().filter(for_apps).filter(|r| ids.contains(&r.id)).collect()
    }

    fn required_ids(&self, resource: &Application, kind: AccessType) -> Vec<Uuid> {
        let required = self.required_resource_access.iter().filter(|r| r.resource_app_id == resource.app_id);
        required.flat_map(|r| r.resource_access.iter()).filter(|a| a.access_type == kind).map(|a| a.id).collect()
    }
}

/// A client secret's metadata; the secret itself exists only as a keyed hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    pub key_id: Uuid,
    /// The first three characters, to tell secrets apart.
    pub hint: String,
    /// What the secret is for (Graph's `displayName`).
    pub display_name: Option<String>,
    pub start: UnixTime,
    pub end: UnixTime,
    #[serde(skip)]
    pub hash: Vec<u8>,
}

/// A certificate registered on an app for client assertions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCredential {
    pub key_id: Uuid,
    /// base64url SHA-1 of the certificate's DER: the `x5t` a client assertion names.
    pub thumbprint_sha1: String,
    /// base64url SHA-256 of the certificate's DER: the `x5t#S256` a client assertion names.
    pub thumbprint_sha256: String,
    /// What the certificate is for, as its uploader described it.
    pub display_name: Option<String>,
    pub start: UnixTime,
    pub end: UnixTime,
    #[serde(skip)]
    pub certificate_der: Vec<u8>,
}

/// An app's instance in one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: ObjectId,
    pub tenant_id: TenantId,
    pub app_id: AppId,
    pub display_name: String,
    pub account_enabled: bool,
    /// Only users and apps assigned one of the app's roles may sign in to it or get tokens for it
    /// (`appRoleAssignmentRequired`).
    pub app_role_assignment_required: bool,
}

/// `AllPrincipals` (admin, whole tenant) or `Principal` (one user) delegated grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GrantConsentType {
    AllPrincipals,
    Principal,
}

impl GrantConsentType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AllPrincipals => "AllPrincipals",
            Self::Principal => "Principal",
        }
    }
}

/// A delegated permission grant (`oAuth2PermissionGrant`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    pub id: ObjectId,
    pub tenant_id: TenantId,
    pub client_id: ObjectId,
    pub consent_type: GrantConsentType,
    pub principal_id: Option<ObjectId>,
    pub resource_id: ObjectId,
    pub scope: String,
    /// When it was first granted (a later consent merged into it keeps the time).
    #[serde(skip)]
    pub granted_at: UnixTime,
}

/// An app role assigned to a principal (`appRoleAssignment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    pub id: ObjectId,
    pub tenant_id: TenantId,
    pub principal_id: ObjectId,
    pub principal_type: String,
    pub resource_id: ObjectId,
    /// The zero GUID for "default access": assigned to the app without a particular role.
    pub app_role_id: Uuid,
    pub created_at: UnixTime,
}
