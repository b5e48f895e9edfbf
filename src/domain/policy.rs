//! A tenant's consent policy (protocol reference §6): who may consent to what, and the admin consent
//! request workflow's settings.

use serde::{Deserialize, Serialize};

use super::ids::ObjectId;

/// Which permissions users may grant by themselves (Microsoft's three "user consent settings").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserConsent {
    /// Users may not consent; an admin must.
    Disabled,
    /// Users may consent to permissions an admin classified as low impact, for apps published by their
    /// own tenant or by a verified publisher.
    LowImpact,
    /// Users may consent to every permission that does not need an admin.
    All,
}

impl UserConsent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::LowImpact => "low-impact",
            Self::All => "all",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "disabled" => Some(Self::Disabled),
            "low-impact" => Some(Self::LowImpact),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// How many days an admin consent request stays open unless the tenant says otherwise.
pub const DEFAULT_REQUEST_DAYS: u32 = 30;

/// A tenant's consent settings. A tenant that never set them has [`TenantPolicy::default`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantPolicy {
    pub user_consent: UserConsent,
    /// The "integrated apps" switch: off, no user consents to anything new; grants already made still hold.
    pub integrated_apps: bool,
    /// Whether blocked users may ask an admin to approve an app.
    pub consent_requests: bool,
    /// The users who review those requests.
    pub reviewers: Vec<ObjectId>,
    /// How long a request stays open.
    pub request_days: u32,
    /// Whether apps may sign users in with their password at the token endpoint (`grant_type=password`).
    pub password_grant: bool,
}

impl Default for TenantPolicy {
    /// Users may consent to what does not need an admin, as before a tenant sets a policy (Microsoft's
    /// "allow user consent for apps"); the request workflow is off until an admin names reviewers.
    fn default() -> Self {
        Self {
            user_consent: UserConsent::All,
            integrated_apps: true,
            consent_requests: false,
            reviewers: Vec::new(),
            request_days: DEFAULT_REQUEST_DAYS,
            password_grant: false,
        }
    }
}
