//! Which tenant a request is for: the `{tenant}` path segment resolved against the directory
//! (protocol reference §1).

use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;

/// The tenant a grant that needs one runs in: `common` and `organizations` do not name one
/// (AADSTS9001023), `consumers` does not exist here.
pub async fn concrete_tenant(state: &AppState, segment: &TenantSegment) -> Result<Tenant, ProtocolError> {
    match segment {
        TenantSegment::Common | TenantSegment::Organizations => Err(ProtocolError::new(
            Aadsts::TenantRequired,
            "The grant type is not supported over the /common or /organizations endpoints. Please use the /tenant-specific endpoint.",
        )),
        TenantSegment::Consumers => Err(ProtocolError::of(Aadsts::UnsupportedTenant)),
        TenantSegment::Named(name) => resolve_named(state, name).await,
    }
}

/// The tenant a GUID or verified domain names, or AADSTS90002.
pub async fn resolve_named(state: &AppState, name: &str) -> Result<Tenant, ProtocolError> {
    state.store.resolve_tenant(name).await?.ok_or_else(|| tenant_not_found(name))
}

pub fn tenant_not_found(name: &str) -> ProtocolError {
    ProtocolError::new(
        Aadsts::TenantNotFound,
        format!(
            "Tenant '{name}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ),
    )
}
