//! The built-in directory resource, "Signet Graph" (protocol reference §0): registered with Microsoft
//! Graph's well-known appId and `https://graph.microsoft.com` as an alias of `{base}/graph`, so
//! registrations and client code written for Entra ID work unchanged. Bare scope names mean it.
//!
//! It belongs to the system tenant, which owns first-party apps and has no users or domains, like
//! Microsoft's first-party tenant in Entra ID.

use uuid::{Uuid, uuid};

use super::app::{Application, ConsentType, PermissionScope, SignInAudience};
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
    (
        uuid!("a154be20-db9c-4678-8ab7-66f6cc099a59"),
        "User.Read.All",
        ConsentType::Admin,
        "Read all users' full profiles",
        "Allows the app to read the full set of profile properties of all users in your organization.",
    ),
];

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
        is_public_client: false,
        scopes: SCOPES
            .iter()
            .map(|&(id, value, consent_type, name, description)| PermissionScope {
                id,
                value: value.to_owned(),
                consent_type,
                admin_consent_display_name: name.to_owned(),
                admin_consent_description: description.to_owned(),
                user_consent_display_name: name.to_owned(),
                user_consent_description: description.to_owned(),
                is_enabled: true,
            })
            .collect(),
        app_roles: Vec::new(),
        required_resource_access: Vec::new(),
        verified_publisher: true,
    }
}
