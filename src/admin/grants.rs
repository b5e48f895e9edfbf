//! Delegated permission grants (`oAuth2PermissionGrant`) made directly, as Graph scripts make them:
//! a client's delegated permissions on a resource, for everyone in the tenant or for one user.

use serde_json::json;

use super::common::{Actor, AdminError, Result};
use crate::clock::UnixTime;
use crate::domain::app::{Application, GrantConsentType, PermissionGrant};
use crate::domain::audit::app_target;
use crate::domain::ids::ObjectId;
use crate::domain::tenant::Tenant;
use crate::store::{GrantTo, Store};

/// A delegated grant to create: client and resource service principals of the tenant, for everyone
/// (`AllPrincipals`, no principal) or for one user (`Principal`), of space-separated scope values.
#[derive(Clone, Debug)]
pub struct GrantSpec {
    pub client: ObjectId,
    pub resource: ObjectId,
    pub consent_type: GrantConsentType,
    pub principal: Option<ObjectId>,
    pub scope: String,
}

/// Creates a delegated grant in `tenant`; each scope must be an enabled delegated permission of the
/// resource.
pub async fn create_grant(
    store: &Store,
    tenant: &Tenant,
    spec: GrantSpec,
    actor: &Actor,
    now: UnixTime,
) -> Result<PermissionGrant> {
    let client = store
        .service_principal_by_id(tenant.id, spec.client)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("client service principal {}", spec.client)))?;
    let resource_app = resource_app(store, tenant, spec.resource).await?;
    match (spec.consent_type, spec.principal) {
        (GrantConsentType::AllPrincipals, None) => {}
        (GrantConsentType::Principal, Some(user)) => {
            store.user(tenant.id, user).await?.ok_or_else(|| AdminError::NotFound(format!("user {user}")))?;
        }
        _ => {
            return Err(AdminError::Invalid(
                "principalId is required with consentType Principal and must be absent with AllPrincipals".into(),
            ));
        }
    }
    let scope = checked_scope(&resource_app, &spec.scope)?;
    let details = json!({
        "clientId": client.id,
        "resourceAppId": resource_app.app_id,
        "consentType": spec.consent_type.as_str(),
        "principalId": spec.principal,
        "scope": scope,
    });
    let event = actor.event(now, "grant.create", app_target(client.app_id), details);
    let to = GrantTo {
        client: client.id,
        resource: spec.resource,
        consent_type: spec.consent_type,
        principal: spec.principal,
    };
    Ok(store.create_grant(tenant.id, to, &scope, now, &event).await?)
}

/// Replaces the scopes of a delegated grant of `tenant`. Tokens already issued run out; refresh tokens
/// relying on a removed scope stop working.
pub async fn set_grant_scope(
    store: &Store,
    tenant: &Tenant,
    grant: &PermissionGrant,
    scope: &str,
    actor: &Actor,
    now: UnixTime,
) -> Result<PermissionGrant> {
    let resource_app = resource_app(store, tenant, grant.resource_id).await?;
    let scope = checked_scope(&resource_app, scope)?;
    let details = json!({ "grantId": grant.id, "scope": scope, "was": grant.scope });
    let event = actor.event(now, "grant.update", format!("grant:{}", grant.id), details);
    Ok(store.set_grant_scope(tenant.id, grant.id, &scope, &event).await?)
}

/// Deletes a delegated grant of `tenant`.
pub async fn delete_grant(
    store: &Store,
    tenant: &Tenant,
    grant: &PermissionGrant,
    actor: &Actor,
    now: UnixTime,
) -> Result<()> {
    let details = json!({ "grantId": grant.id, "clientId": grant.client_id, "scope": grant.scope });
    let event = actor.event(now, "grant.delete", format!("grant:{}", grant.id), details);
    Ok(store.delete_grant(tenant.id, grant.id, &event).await?)
}

/// The registration behind the resource service principal `resource` of `tenant`.
async fn resource_app(store: &Store, tenant: &Tenant, resource: ObjectId) -> Result<Application> {
    let sp = store
        .service_principal_by_id(tenant.id, resource)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("resource service principal {resource}")))?;
    store.app_by_app_id(sp.app_id).await?.ok_or_else(|| AdminError::NotFound(format!("app {}", sp.app_id)))
}

/// `scope` as space-separated values, each once, each an enabled delegated permission of `resource`.
fn checked_scope(resource: &Application, scope: &str) -> Result<String> {
    let mut values: Vec<&str> = Vec::new();
    for value in scope.split_whitespace() {
        if !resource.scopes.iter().any(|s| s.is_enabled && s.value == value) {
            return Err(AdminError::Invalid(format!(
                "{} exposes no enabled delegated permission '{value}'",
                resource.display_name
            )));
        }
        if !values.contains(&value) {
            values.push(value);
        }
    }
    Ok(values.join(" "))
}
