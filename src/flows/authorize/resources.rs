//! The resources a request names, as the user's tenant sees them: each one's service principal there,
//! and the scope values the request stands for (`.default`: what the client requires).

use super::consent::PendingPermission;
use crate::domain::app::{Application, ServicePrincipal};
use crate::domain::scope::{DelegatedScopes, ResourceScopes};
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;
use crate::store::ResourceLookup;

/// One requested resource as the user's tenant sees it.
pub(super) struct ResolvedResource {
    pub sp: ServicePrincipal,
    pub app: Application,
    /// The scope values asked for (for `.default` without a grant: the app's required ones).
    pub values: Vec<String>,
    pub default: bool,
}

impl ResolvedResource {
    /// The permissions not in `granted`; all of them when `ask_all` (`prompt=consent`).
    pub fn pending(&self, granted: &[String], ask_all: bool) -> Vec<PendingPermission> {
        if self.default && !granted.is_empty() && !ask_all {
            return Vec::new();
        }
        self.values
            .iter()
            .filter(|v| ask_all || !granted.iter().any(|g| g == *v))
            .filter_map(|v| self.app.scope(v))
            .map(|scope| PendingPermission {
                resource_sp: self.sp.clone(),
                resource: self.app.clone(),
                scope: scope.clone(),
            })
            .collect()
    }
}

/// Every requested resource must have a service principal in the user's tenant (AADSTS500011) and
/// expose each named scope (AADSTS70011).
pub(super) async fn resolve_resources(
    state: &AppState,
    client: &Application,
    tenant: &Tenant,
    scopes: &DelegatedScopes,
) -> Result<Vec<ResolvedResource>, ProtocolError> {
    let mut resolved = Vec::new();
    for requested in &scopes.resources {
        let (sp, app) = match state.store.resource_in_tenant(tenant.id, &requested.resource).await? {
            ResourceLookup::Found(sp, app) => (sp, *app),
            ResourceLookup::NotRegistered | ResourceLookup::NotInTenant(_) => {
                return Err(ProtocolError::new(
                    Aadsts::ResourceNotFound,
                    format!(
                        "The resource principal named {} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
                        requested.resource, tenant.id
                    ),
                ));
            }
        };
        let values = requested_values(client, &app, requested)?;
        resolved.push(ResolvedResource { sp, app, values, default: requested.default });
    }
    Ok(resolved)
}

/// The scope values of one resource a request stands for: named ones must exist and be enabled;
/// `.default` adds the delegated permissions the client's registration requires.
pub(super) fn requested_values(
    client: &Application,
    resource: &Application,
    requested: &ResourceScopes,
) -> Result<Vec<String>, ProtocolError> {
    let mut values = Vec::new();
    for value in &requested.values {
        match resource.scope(value) {
            Some(scope) if scope.is_enabled => values.push(scope.value.clone()),
            _ => {
                return Err(ProtocolError::new(
                    Aadsts::InvalidScope,
                    format!(
                        "The application '{}' asked for scope '{value}' that doesn't exist on the resource '{}'.",
                        client.app_id, resource.app_id
                    ),
                ));
            }
        }
    }
    if requested.default {
        for scope in client.required_scopes(resource) {
            if !values.contains(&scope.value) {
                values.push(scope.value.clone());
            }
        }
    }
    Ok(values)
}
