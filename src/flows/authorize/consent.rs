//! The consent decision (protocol reference §6): given who is asking and which delegated permissions
//! are not yet granted, may the user grant them, or must an admin? This is the one place a tenant's
//! user-consent policy plugs in.

use crate::domain::app::{Application, ConsentType, PermissionScope, ServicePrincipal};
use crate::store::User;

/// A delegated permission the request asks for and the user does not hold yet.
#[derive(Clone, Debug)]
pub struct PendingPermission {
    pub resource_sp: ServicePrincipal,
    pub resource: Application,
    pub scope: PermissionScope,
}

/// What the sign-in must do about the pending permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentDecision {
    /// Nothing to ask: every permission is granted.
    Granted,
    /// The user may grant them: show the consent page.
    AskUser,
    /// At least one needs an administrator (AADSTS90094).
    NeedsAdmin,
}

/// Decides for `user` over `pending`. A non-admin cannot grant `Admin`-type scopes; an admin can.
pub fn decide(user: &User, pending: &[PendingPermission]) -> ConsentDecision {
    if pending.is_empty() {
        ConsentDecision::Granted
    } else if !user.is_admin && pending.iter().any(|p| p.scope.consent_type == ConsentType::Admin) {
        ConsentDecision::NeedsAdmin
    } else {
        ConsentDecision::AskUser
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::graph::{SYSTEM_TENANT, graph_application};
    use crate::domain::ids::ObjectId;

    fn user(is_admin: bool) -> User {
        User {
            id: ObjectId::new_random(),
            tenant_id: SYSTEM_TENANT,
            username: "u@contoso.com".into(),
            display_name: "U".into(),
            is_admin,
            password_hash: String::new(),
        }
    }

    fn pending(value: &str) -> PendingPermission {
        let graph = graph_application("http://x");
        PendingPermission {
            resource_sp: ServicePrincipal {
                id: ObjectId::new_random(),
                tenant_id: SYSTEM_TENANT,
                app_id: graph.app_id,
                display_name: graph.display_name.clone(),
                account_enabled: true,
            },
            scope: graph.scope(value).unwrap().clone(),
            resource: graph,
        }
    }

    #[test]
    fn users_grant_user_scopes_and_only_admins_grant_admin_scopes() {
        assert_eq!(decide(&user(false), &[]), ConsentDecision::Granted);
        assert_eq!(decide(&user(false), &[pending("User.Read")]), ConsentDecision::AskUser);
        assert_eq!(
            decide(&user(false), &[pending("User.Read"), pending("User.Read.All")]),
            ConsentDecision::NeedsAdmin
        );
        assert_eq!(decide(&user(true), &[pending("User.Read.All")]), ConsentDecision::AskUser);
    }
}
