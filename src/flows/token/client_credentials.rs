//! The client credentials grant (RFC 6749 §4.4; protocol reference §2.3): an app-only token for one
//! resource, carrying the app roles assigned to the client in the request's tenant.

use super::client_auth::AuthenticatedClient;
use super::request::{TokenRequest, TokenResponse};
use crate::clock::UnixTime;
use crate::domain::app::{AccessTokenVersion, Application, MemberType, ServicePrincipal};
use crate::domain::claims::{AppAccessTokenClaims, ClientAuthMethod, issuer};
use crate::domain::scope::{ScopeError, parse_default_scope};
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;
use crate::store::ResourceLookup;

/// Issues an app-only access token to an authenticated client.
pub async fn issue(
    state: &AppState,
    tenant: &Tenant,
    client: &AuthenticatedClient,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<TokenResponse, ProtocolError> {
    if client.method == ClientAuthMethod::None {
        return Err(ProtocolError::new(
            Aadsts::MissingClientCredential,
            "The client credentials grant needs a confidential client: send 'client_assertion' or 'client_secret'.",
        ));
    }
    let resource = requested_resource(request)?;
    let (resource_sp, resource_app) = resource_in_tenant(state, tenant, &resource).await?;
    let roles = assigned_roles(state, tenant, &client.sp, &resource_sp, &resource_app).await?;
    if resource_sp.app_role_assignment_required && roles.is_empty() {
        return Err(ProtocolError::new(
            Aadsts::AppNotAssigned,
            format!(
                "The application '{}' has no app role on the resource '{}', which requires assignment.",
                client.app.app_id, resource_app.app_id
            ),
        ));
    }
    let lifetime = state.config.access_token_lifetime.as_i64();
    let claims = AppAccessTokenClaims {
        aud: resource_app.app_id,
        iss: issuer(&state.base_url, tenant.id),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        azp: client.app.app_id,
        azpacr: client.method,
        idtyp: "app",
        oid: client.sp.id,
        roles,
        sub: client.sp.id,
        tid: tenant.id,
        uti: super::user_tokens::unique_token_id(),
        ver: "2.0",
    };
    let signer = super::user_tokens::active_signer(state, now)?;
    let access_token = match resource_app.access_token_version {
        AccessTokenVersion::V2 => signer.sign_jwt(&claims),
        AccessTokenVersion::V1 => signer.sign_jwt(&claims.into_v1(&state.base_url, &resource)),
    }
    .map_err(ProtocolError::internal)?;
    Ok(TokenResponse {
        token_type: "Bearer",
        scope: None,
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token,
        refresh_token: None,
        id_token: None,
        client_info: None,
    })
}

/// The one resource the `scope` names, as `{resource}/.default`.
fn requested_resource(request: &TokenRequest) -> Result<String, ProtocolError> {
    let scope = request.require("scope")?;
    parse_default_scope(scope).map(|d| d.resource).map_err(|err| match err {
        ScopeError::Missing => ProtocolError::missing("scope"),
        ScopeError::NotDefault(value) => ProtocolError::new(
            Aadsts::InvalidScope,
            format!(
                "The provided value for scope {value} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ),
        ScopeError::DefaultMixed(value) => ProtocolError::new(
            Aadsts::InvalidScope,
            format!("The scope of {value} mixes /.default with named scopes."),
        ),
        ScopeError::SeveralResources => ProtocolError::new(
            Aadsts::MultipleResources,
            "Scope can't contain scopes from multiple resources. Request a token for one resource at a time.",
        ),
    })
}

/// The resource's service principal in the tenant, or AADSTS500011.
async fn resource_in_tenant(
    state: &AppState,
    tenant: &Tenant,
    resource: &str,
) -> Result<(ServicePrincipal, Application), ProtocolError> {
    let not_found = || {
        ProtocolError::new(
            Aadsts::ResourceNotFound,
            format!(
                "The resource principal named {resource} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
                tenant.id
            ),
        )
    };
    match state.store.resource_in_tenant(tenant.id, resource).await? {
        ResourceLookup::Found(sp, app) => Ok((sp, *app)),
        ResourceLookup::NotRegistered | ResourceLookup::NotInTenant(_) => Err(not_found()),
    }
}

/// The values of the enabled application roles of the resource assigned to the client in this tenant.
async fn assigned_roles(
    state: &AppState,
    tenant: &Tenant,
    client: &ServicePrincipal,
    resource_sp: &ServicePrincipal,
    resource: &Application,
) -> Result<Vec<String>, ProtocolError> {
    let assignments = state.store.app_role_assignments(tenant.id, client.id, resource_sp.id).await?;
    let mut roles: Vec<String> = assignments
        .iter()
        .filter_map(|a| resource.app_role_by_id(a.app_role_id))
        .filter(|role| role.is_enabled && role.allowed_member_types.contains(&MemberType::Application))
        .map(|role| role.value.clone())
        .collect();
    roles.sort();
    roles.dedup();
    Ok(roles)
}
