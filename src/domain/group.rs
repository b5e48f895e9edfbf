//! Security groups, and which of a user's groups an app's tokens name.

use serde::{Deserialize, Serialize};

use super::ids::{ObjectId, TenantId};

/// A security group of a tenant. Its members are users and other groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: ObjectId,
    pub tenant_id: TenantId,
    pub display_name: String,
    pub security_enabled: bool,
}

/// Which groups an app's tokens name (`groupMembershipClaims`): none, the security groups, every
/// group, or the groups assigned to the app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum GroupMembershipClaims {
    #[default]
    None,
    SecurityGroup,
    All,
    ApplicationGroup,
}

impl GroupMembershipClaims {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::SecurityGroup => "SecurityGroup",
            Self::All => "All",
            Self::ApplicationGroup => "ApplicationGroup",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::None, Self::SecurityGroup, Self::All, Self::ApplicationGroup].into_iter().find(|c| c.as_str() == s)
    }
}

/// More groups than this and a JWT names none: it points to where they are read instead (Entra's
/// overage rule for JWTs).
pub const MAX_GROUPS_IN_TOKEN: usize = 200;
