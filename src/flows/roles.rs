//! App roles assigned to users, as tokens carry them: a user assigned roles of an API gets them in
//! `roles` of access tokens for that API, and roles of the app it signs in to in that app's ID token.
//! An app whose service principal requires assignment signs in only users assigned to it
//! (AADSTS50105).

use crate::domain::app::{Application, MemberType, ServicePrincipal};
use crate::domain::tenant::Tenant;
use crate::domain::user::User;
use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;

/// What a user was assigned on one app's service principal.
#[derive(Debug, Default)]
pub struct Assigned {
    /// Anything at all: a role or default access.
    pub any: bool,
    /// The values of the enabled roles for users among them, in assignment order.
    pub roles: Vec<String>,
}

/// What `user` was assigned on `sp`, the service principal of `app` in `tenant` (cached).
pub async fn assigned(
    state: &AppState,
    tenant: &Tenant,
    user: &User,
    sp: &ServicePrincipal,
    app: &Application,
) -> Result<Assigned, ProtocolError> {
    let mut assignments = state.store.app_role_assignments(tenant.id, user.id, sp.id).await?;
    let to_groups = state.store.group_role_assignments(tenant.id, sp.id).await?;
    if !to_groups.is_empty() {
        let groups = state.store.transitive_groups(tenant.id, user.id).await?;
        assignments.extend(to_groups.into_iter().filter(|a| groups.contains(&a.principal_id)));
    }
    let roles = assignments
        .iter()
        .filter_map(|a| app.app_role_by_id(a.app_role_id))
        .filter(|role| role.is_enabled && role.allowed_member_types.contains(&MemberType::User))
        .map(|role| role.value.clone())
        .collect();
    Ok(Assigned { any: !assignments.is_empty(), roles })
}

/// AADSTS50105 when the client's service principal requires assignment and the user has none.
pub fn check_assignment(client_sp: &ServicePrincipal, assigned: &Assigned) -> Result<(), ProtocolError> {
    if client_sp.app_role_assignment_required && !assigned.any {
        return Err(ProtocolError::new(
            Aadsts::UserNotAssigned,
            format!(
                "The signed in user is not assigned to a role for the application '{}'({}).",
                client_sp.app_id, client_sp.display_name
            ),
        ));
    }
    Ok(())
}
