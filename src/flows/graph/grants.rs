//! `oauth2PermissionGrants`: the delegated permissions granted in the caller's tenant, made, changed
//! and revoked directly.
//!
//! Reading needs a grant or directory read permission; changes need
//! `DelegatedPermissionGrant.ReadWrite.All` and, for a delegated caller, an administrator.

use serde::Deserialize;

use super::objects::GraphGrant;
use super::odata::ListOptions;
use super::principals::{SpKey, find as find_principal};
use super::{Caller, refused};
use crate::admin::{self, AdminError, GrantSpec};
use crate::domain::app::{GrantConsentType, PermissionGrant};
use crate::domain::ids::ObjectId;
use crate::domain::query::{Filter, GrantProperty};
use crate::graph_error::GraphError;
use crate::state::AppState;

const READ_GRANTS: &[&str] = &[
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.Read.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
];
const WRITE_GRANTS: &[&str] = &["DelegatedPermissionGrant.ReadWrite.All"];

async fn find(state: &AppState, caller: &Caller, id: &str) -> Result<PermissionGrant, GraphError> {
    let Ok(key) = id.parse::<ObjectId>() else { return Err(GraphError::not_found(id)) };
    state.store.grant_by_id(caller.tenant.id, key).await?.ok_or_else(|| GraphError::not_found(id))
}

/// One page of grants, and where the next one starts when there is one.
#[derive(Debug)]
pub struct GrantPage {
    pub grants: Vec<GraphGrant>,
    pub skip_token: Option<String>,
}

/// `GET /v1.0/oauth2PermissionGrants`.
pub async fn list_grants(
    state: &AppState,
    caller: &Caller,
    options: &ListOptions<GrantProperty>,
) -> Result<GrantPage, GraphError> {
    caller.require(READ_GRANTS, READ_GRANTS)?;
    page(state, caller, options.filter.as_ref(), options).await
}

async fn page(
    state: &AppState,
    caller: &Caller,
    filter: Option<&Filter<GrantProperty>>,
    options: &ListOptions<GrantProperty>,
) -> Result<GrantPage, GraphError> {
    let after = options.after::<ObjectId>()?;
    let rows = state.store.list_grants(caller.tenant.id, filter, after, options.limit()).await?;
    let (grants, skip_token) = options.page(rows, |g| g.id.to_string());
    Ok(GrantPage { grants: grants.iter().map(GraphGrant::of).collect(), skip_token })
}

/// `GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants`: the grants this app holds as a client.
pub async fn sp_grants(
    state: &AppState,
    caller: &Caller,
    key: SpKey<'_>,
    options: &ListOptions<GrantProperty>,
) -> Result<GrantPage, GraphError> {
    caller.require(READ_GRANTS, READ_GRANTS)?;
    let sp = find_principal(state, caller, key).await?;
    let client = Filter::Eq(GrantProperty::ClientId, sp.id.to_string());
    let filter = match options.filter.clone() {
        Some(asked) => Filter::All(vec![client, asked]),
        None => client,
    };
    page(state, caller, Some(&filter), options).await
}

/// `GET /v1.0/oauth2PermissionGrants/{id}`.
pub async fn grant(state: &AppState, caller: &Caller, id: &str) -> Result<GraphGrant, GraphError> {
    caller.require(READ_GRANTS, READ_GRANTS)?;
    Ok(GraphGrant::of(&find(state, caller, id).await?))
}

/// The body of `POST /v1.0/oauth2PermissionGrants`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGrantBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub client_id: ObjectId,
    pub consent_type: String,
    pub principal_id: Option<ObjectId>,
    pub resource_id: ObjectId,
    pub scope: String,
}

/// `POST /v1.0/oauth2PermissionGrants`.
pub async fn create_grant(state: &AppState, caller: &Caller, body: NewGrantBody) -> Result<GraphGrant, GraphError> {
    caller.require_admin(WRITE_GRANTS)?;
    let consent_type = match body.consent_type.as_str() {
        "AllPrincipals" => GrantConsentType::AllPrincipals,
        "Principal" => GrantConsentType::Principal,
        other => {
            return Err(GraphError::invalid_value(format!(
                "consentType '{other}' is not valid: use AllPrincipals or Principal."
            )));
        }
    };
    let spec = GrantSpec {
        client: body.client_id,
        resource: body.resource_id,
        consent_type,
        principal: body.principal_id,
        scope: body.scope,
    };
    let now = state.clock.now();
    let grant =
        admin::create_grant(&state.store, &caller.tenant, spec, &caller.actor(), now).await.map_err(
            |err| match err {
                AdminError::Conflict(message) => GraphError::conflict(message),
                AdminError::NotFound(what) => {
                    GraphError::invalid_value(format!("{what} was not found in this tenant."))
                }
                other => refused(other, "oauth2PermissionGrant"),
            },
        )?;
    Ok(GraphGrant::of(&grant))
}

/// The body of `PATCH /v1.0/oauth2PermissionGrants/{id}`: only the scopes change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantPatch {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub scope: String,
}

/// `PATCH /v1.0/oauth2PermissionGrants/{id}`.
pub async fn update_grant(state: &AppState, caller: &Caller, id: &str, patch: GrantPatch) -> Result<(), GraphError> {
    caller.require_admin(WRITE_GRANTS)?;
    let grant = find(state, caller, id).await?;
    let now = state.clock.now();
    admin::set_grant_scope(&state.store, &caller.tenant, &grant, &patch.scope, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, id))?;
    Ok(())
}

/// `DELETE /v1.0/oauth2PermissionGrants/{id}`.
pub async fn delete_grant(state: &AppState, caller: &Caller, id: &str) -> Result<(), GraphError> {
    caller.require_admin(WRITE_GRANTS)?;
    let grant = find(state, caller, id).await?;
    let now = state.clock.now();
    admin::delete_grant(&state.store, &caller.tenant, &grant, &caller.actor(), now)
        .await
        .map_err(|err| refused(err, id))
}
