//! The built-in directory resource, "Signet Graph" (protocol reference §0): registered with Microsoft
//! Graph's well-known appId and `https://graph.microsoft.com` as an alias of `{base}/graph`, so
//! registrations and client code written for Entra ID work unchanged. Bare scope names mean it.
//!
//! It belongs to the system tenant, which owns first-party apps and has no users or domains, like
//! Microsoft's first-party tenant in Entra ID.

use uuid::{Uuid, uuid};

use super::app::{AppRole, Application, ConsentType, MemberType, PermissionScope, SignInAudience};
use super::ids::{AppId, ObjectId, TenantId};

/// The tenant that owns first-party apps (Microsoft's first-party tenant id). Nobody signs in to it.
pub const SYSTEM_TENANT: TenantId = TenantId(uuid!("f8cdef31-a31e-4b4a-93e4-5f571e91255a"));

/// Microsoft Graph's appId.
pub const GRAPH_APP_ID: AppId = AppId(uuid!("00000003-0000-0000-c000-000000000000"));

/// The application object id of the built-in registration (fixed, so every replica agrees).
pub const GRAPH_OBJECT_ID: ObjectId = ObjectId(uuid!("6bbe1b2b-04c4-4a7f-8d3b-53d1b0c5a1f0"));

/// Microsoft Graph's identifier URI.
pub const GRAPH_URI: &str = "https://graph.microsoft.com";

/// Signet's own URL for the directory API.
pub fn graph_uri(base_url: &str) -> String {
    format!("{base_url}/graph")
}

/// The delegated permissions, with Microsoft Graph's permission ids.
const SCOPES: &[(Uuid, &str, ConsentType, &str, &str)] = &[
    (
        uuid!("37f7f235-527c-4136-accd-4a02d197296e"),
        "openid",
        ConsentType::User,
        "Sign users in",
        "Allows users to sign in to the app with their work or school accounts.",
    ),
    (
        uuid!("14dad69e-099b-42c9-810b-d002981feec1"),
        "profile",
        ConsentType::User,
        "View users' basic profile",
        "Allows the app to see your basic profile (name and username).",
    ),
    (
        uuid!("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0"),
        "email",
        ConsentType::User,
        "View users' email address",
        "Allows the app to read your primary email address.",
    ),
    (
        uuid!("7427e0e9-2fba-42fe-b0c0-848c9e6a8182"),
        "offline_access",
        ConsentType::User,
        "Maintain access to data you have given it access to",
        "Allows the app to see and update the data you gave it access to, even when you are not using the app.",
    ),
    (
        uuid!("e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        "User.Read",
        ConsentType::User,
        "Sign in and read user profile",
        "Allows you to sign in to the app with your organizational account and let the app read your profile.",
    ),
];

/// The directory permissions (issue 17), each a delegated scope an admin must grant and an app role of
/// the same value, with Microsoft Graph's ids: (value, scope id, app role id, name, what it allows).
const DIRECTORY_PERMISSIONS: &[(&str, Uuid, Uuid, &str, &str)] = &[
    (
        "User.Read.All",
        uuid!("a154be20-db9c-4678-8ab7-66f6cc099a59"),
        uuid!("df021288-bdef-4463-88db-98f22de89214"),
        "Read all users' full profiles",
        "read the full profiles of all users in the organization",
    ),
    (
        "User.ReadWrite.All",
        uuid!("204e0828-b5ca-4ad8-b9f3-f32a958e7cc4"),
        uuid!("741f803b-c850-494e-b5df-cde7c675a1ca"),
        "Read and write all users' full profiles",
        "create, read, update and delete the users of the organization, and reset their passwords",
    ),
    (
        "Application.Read.All",
        uuid!("c79f8feb-a9db-4090-85f9-90d820caa0eb"),
        uuid!("9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"),
        "Read applications",
        "read the organization's app registrations and service principals",
    ),
    (
        "Application.ReadWrite.All",
        uuid!("bdfbf15f-ee85-4955-8675-146e8e5296b5"),
        uuid!("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"),
        "Read and write all applications",
        "create, read, update and delete app registrations and service principals, and their credentials",
    ),
    (
        "AppRoleAssignment.ReadWrite.All",
        uuid!("84bccea3-f856-4a8a-967b-dbe0a3d53a64"),
        uuid!("06b708a9-e830-4db3-a914-8e69da51d44f"),
        "Manage app role assignments",
        "assign and remove the app roles of any app, to users and apps",
    ),
    (
        "DelegatedPermissionGrant.ReadWrite.All",
        uuid!("41ce6ca6-6826-4807-84f1-1c82854f7ee5"),
        uuid!("8e8e4742-1d95-4f68-9d56-6ee75648c72a"),
        "Manage delegated permission grants",
        "grant, change and revoke delegated permissions for any app",
    ),
    (
        "Group.Read.All",
        uuid!("5f8c59db-677d-491f-a6b8-5f174b11ec1d"),
        uuid!("5b567255-7703-4780-807c-7be8301ae99b"),
        "Read all groups",
        "read the organization's groups and their members",
    ),
    (
        "Group.ReadWrite.All",
        uuid!("4e46008b-f24c-477d-8fff-7bb4ec7aafe0"),
        uuid!("62a82d76-70ea-41e2-9197-370581804d09"),
        "Read and write all groups",
        "create groups and add members to them",
    ),
    (
        "GroupMember.Read.All",
        uuid!("bc024368-1153-4739-b217-4326f2e966d0"),
        uuid!("98830695-27a2-44f7-8c18-0c3ebc9698f6"),
        "Read group memberships",
        "read the organization's groups and their members",
    ),
    (
        "GroupMember.ReadWrite.All",
        uuid!("f81125ac-d3b7-4573-a3b2-7099cc39df9e"),
        uuid!("dbaae8cf-10b5-4b86-a4a1-f871c94c6695"),
        "Read and write group memberships",
        "add and remove the members of any group",
    ),
    (
        "Directory.Read.All",
        uuid!("06da0dbc-49e2-44d2-8312-53f166ab848a"),
        uuid!("7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
        "Read directory data",
        "read the organization's directory: users, apps, service principals, grants and domains",
    ),
    (
        "Policy.Read.All",
        uuid!("572fea84-0151-49b2-9301-11cb16974376"),
        uuid!("246dd0d5-5bd0-4def-940b-0421030a5b68"),
        "Read the organization's policies",
        "read the organization's consent and authorization policies",
    ),
    (
        "Policy.ReadWrite.PermissionGrant",
        uuid!("2672f8bb-fd5e-42e0-85e1-ec764dd2614e"),
        uuid!("a402ca1c-2696-4531-972d-6e5ee4aa11ea"),
        "Manage consent and permission grant policies",
        "change which permissions users may consent to, and how permissions are classified",
    ),
    (
        "Policy.ReadWrite.Authorization",
        uuid!("edd3c878-b384-41fd-95ad-e7407dd775be"),
        uuid!("fb221be6-99f2-473f-bd32-01c6a0e9ca3b"),
        "Manage the authorization policy",
        "change the organization's authorization policy",
    ),
    (
        "Policy.ReadWrite.ConsentRequest",
        uuid!("4d135e65-66b8-41a8-9f8b-081452c91774"),
        uuid!("999f8c63-0a38-4f1b-91fd-ed1947bdd1a9"),
        "Manage the consent request policy",
        "turn the admin consent request workflow on or off and choose its reviewers",
    ),
    (
        "ConsentRequest.Read.All",
        uuid!("f3bfad56-966e-4590-a536-82ecf548ac1e"),
        uuid!("1260ad83-98fb-4785-abbb-d6cc1806fd41"),
        "Read consent requests",
        "read the organization's admin consent requests",
    ),
    (
        "AuditLog.Read.All",
        uuid!("e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20"),
        uuid!("b0afded3-3588-46d8-8b3d-9842eff778da"),
        "Read audit log data",
        "read the organization's audit log",
    ),
    (
        "Domain.ReadWrite.All",
        uuid!("0b5d694c-a244-4bde-86e6-eb5cd07730fe"),
        uuid!("7e05723c-0bb0-42da-be95-ae9f08a6e53c"),
        "Read and write domains",
        "read, add and remove the organization's domains",
    ),
];

fn scope(id: Uuid, value: &str, consent_type: ConsentType, name: &str, description: &str) -> PermissionScope {
    PermissionScope {
        id,
        value: value.to_owned(),
        consent_type,
        admin_consent_display_name: name.to_owned(),
        admin_consent_description: description.to_owned(),
        user_consent_display_name: name.to_owned(),
        user_consent_description: description.to_owned(),
        is_enabled: true,
    }
}

/// The built-in registration as `base_url` publishes it.
pub fn graph_application(base_url: &str) -> Application {
    Application {
        id: GRAPH_OBJECT_ID,
        app_id: GRAPH_APP_ID,
        home_tenant: SYSTEM_TENANT,
        display_name: "Signet Graph".to_owned(),
        sign_in_audience: SignInAudience::AzureADMultipleOrgs,
        identifier_uris: vec![GRAPH_URI.to_owned(), graph_uri(base_url)],
        web_redirect_uris: Vec::new(),
        public_client_redirect_uris: Vec::new(),
        spa_redirect_uris: Vec::new(),
        group_membership_claims: super::group::GroupMembershipClaims::None,
        access_token_version: super::app::AccessTokenVersion::V2,
        is_public_client: false,
        scopes: SCOPES
            .iter()
            .map(|&(id, value, consent_type, name, description)| scope(id, value, consent_type, name, description))
            .chain(DIRECTORY_PERMISSIONS.iter().map(|&(value, id, _, name, allows)| {
                let description = format!("Allows the app to {allows} on behalf of the signed-in user.");
                scope(id, value, ConsentType::Admin, name, &description)
            }))
            .collect(),
        app_roles: DIRECTORY_PERMISSIONS
            .iter()
            .map(|&(value, _, id, name, allows)| AppRole {
                id,
                value: value.to_owned(),
                display_name: name.to_owned(),
                description: format!("Allows the app to {allows} without a signed-in user."),
                allowed_member_types: vec![MemberType::Application],
                is_enabled: true,
            })
            .collect(),
        required_resource_access: Vec::new(),
        verified_publisher: true,
    }
}
