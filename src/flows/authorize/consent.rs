//! The consent decision (protocol reference §6): given who is asking and which delegated permissions
//! are not yet granted, may the user grant them, or must an admin? This is the one place a tenant's
//! user-consent policy plugs in.

use uuid::Uuid;

use crate::domain::app::{Application, ConsentType, PermissionScope, ServicePrincipal};
use crate::domain::ids::AppId;
use crate::domain::policy::{TenantPolicy, UserConsent};
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
    /// An administrator must grant them, for this reason.
    NeedsAdmin(AdminReason),
}

/// Why a user cannot consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminReason {
    /// A permission's consent type is `Admin` (AADSTS90094).
    AdminOnlyPermission,
    /// The tenant's policy does not let users grant these (AADSTS90093).
    TenantPolicy,
}

/// What the decision weighs besides the permissions.
#[derive(Clone, Copy, Debug)]
pub struct Consenter<'a> {
    pub user: &'a User,
    /// The user's tenant's policy.
    pub policy: &'a TenantPolicy,
    /// The app is published by the user's own tenant or by a verified publisher.
    pub trusted_publisher: bool,
    /// The permissions the tenant classified as low impact: (resource appId, scope id).
    pub low_impact: &'a [(AppId, Uuid)],
}

/// Decides whether `who` may grant `pending`. Admins may grant anything; a user may never grant an
/// `Admin`-type scope, and otherwise what the tenant's policy allows: nothing when user consent or the
/// integrated-apps switch is off; under `low-impact`, only classified permissions of trusted publishers.
pub fn decide(who: &Consenter<'_>, pending: &[PendingPermission]) -> ConsentDecision {
    if pending.is_empty() {
        return ConsentDecision::Granted;
    }
    if who.user.is_admin {
        return ConsentDecision::AskUser;
    }
    if pending.iter().any(|p| p.scope.consent_type == ConsentType::Admin) {
        return ConsentDecision::NeedsAdmin(AdminReason::AdminOnlyPermission);
    }
    let low_impact = |p: &PendingPermission| who.low_impact.contains(&(p.resource.app_id, p.scope.id));
    let allowed = who.policy.integrated_apps
        && match who.policy.user_consent {
            UserConsent::Disabled => false,
            UserConsent::LowImpact => who.trusted_publisher && pending.iter().all(low_impact),
            UserConsent::All => true,
        };
    if allowed { ConsentDecision::AskUser } else { ConsentDecision::NeedsAdmin(AdminReason::TenantPolicy) }
}

/// `{resource appId}/{value}` of each pending permission, as audit events and requests name them.
pub(super) fn scope_names(pending: &[PendingPermission]) -> Vec<String> {
    pending.iter().map(|p| format!("{}/{}", p.resource.app_id, p.scope.value)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::graph::{GRAPH_APP_ID, SYSTEM_TENANT, graph_application};
    use crate::domain::ids::ObjectId;

    fn user(is_admin: bool) -> User {
        User {
            id: ObjectId::new_random(),
            tenant_id: SYSTEM_TENANT,
            username: "u@contoso.com".into(),
            display_name: "U".into(),
            is_admin,
            account_enabled: true,
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
                app_role_assignment_required: false,
            },
            scope: graph.scope(value).unwrap().clone(),
            resource: graph,
        }
    }

    fn policy(user_consent: UserConsent, integrated_apps: bool) -> TenantPolicy {
        TenantPolicy { user_consent, integrated_apps, ..TenantPolicy::default() }
    }

    fn decision(is_admin: bool, policy: &TenantPolicy, trusted: bool, low: &[&str], asked: &[&str]) -> ConsentDecision {
        let user = user(is_admin);
        let low_impact: Vec<(AppId, Uuid)> = low.iter().map(|v| (GRAPH_APP_ID, pending(v).scope.id)).collect();
        let asked: Vec<PendingPermission> = asked.iter().map(|v| pending(v)).collect();
        decide(&Consenter { user: &user, policy, trusted_publisher: trusted, low_impact: &low_impact }, &asked)
    }

    const NEEDS_ADMIN_SCOPE: ConsentDecision = ConsentDecision::NeedsAdmin(AdminReason::AdminOnlyPermission);
    const BLOCKED: ConsentDecision = ConsentDecision::NeedsAdmin(AdminReason::TenantPolicy);

    #[test]
    fn nothing_pending_is_granted_whatever_the_policy() {
        let off = policy(UserConsent::Disabled, false);
        assert_eq!(decision(false, &off, false, &[], &[]), ConsentDecision::Granted);
    }

    #[test]
    fn allow_all_lets_users_grant_user_scopes_and_only_admins_grant_admin_scopes() {
        let all = policy(UserConsent::All, true);
        assert_eq!(decision(false, &all, false, &[], &["User.Read"]), ConsentDecision::AskUser);
        assert_eq!(decision(false, &all, false, &[], &["User.Read", "User.Read.All"]), NEEDS_ADMIN_SCOPE);
        assert_eq!(decision(true, &all, false, &[], &["User.Read.All"]), ConsentDecision::AskUser);
    }

    #[test]
    fn disabled_user_consent_or_integrated_apps_off_leaves_everything_to_admins() {
        for off in [policy(UserConsent::Disabled, true), policy(UserConsent::All, false)] {
            assert_eq!(decision(false, &off, true, &["User.Read"], &["User.Read"]), BLOCKED);
            assert_eq!(decision(false, &off, true, &[], &["User.Read.All"]), NEEDS_ADMIN_SCOPE);
            assert_eq!(decision(true, &off, false, &[], &["User.Read", "User.Read.All"]), ConsentDecision::AskUser);
        }
    }

    #[test]
    fn low_impact_needs_classified_permissions_from_a_trusted_publisher() {
        let low = policy(UserConsent::LowImpact, true);
        assert_eq!(decision(false, &low, true, &["User.Read"], &["User.Read"]), ConsentDecision::AskUser);
        assert_eq!(decision(false, &low, false, &["User.Read"], &["User.Read"]), BLOCKED);
        assert_eq!(decision(false, &low, true, &["User.Read"], &["User.Read", "email"]), BLOCKED);
        assert_eq!(decision(false, &low, true, &[], &["User.Read.All"]), NEEDS_ADMIN_SCOPE);
        assert_eq!(decision(true, &low, false, &[], &["email"]), ConsentDecision::AskUser);
    }
}
