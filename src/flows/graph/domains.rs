//! `domains`: the caller's tenant's verified domains. Reading needs `Domain.ReadWrite.All` or
//! `Directory.Read.All` (members may read, as in Entra); adding and removing need
//! `Domain.ReadWrite.All` and, for a delegated caller, an administrator.

use serde::{Deserialize, Serialize};

use super::{Caller, READ_ME, refused};
use crate::admin::{self, AdminError};
use crate::domain::tenant::Tenant;
use crate::graph_error::GraphError;
use crate::state::AppState;

const READ_DOMAINS: &[&str] = &["Domain.ReadWrite.All", "Directory.Read.All"];
const WRITE_DOMAINS: &[&str] = &["Domain.ReadWrite.All"];

/// A `domain`. Signet's domains are verified when added, and managed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphDomain {
    pub id: String,
    pub authentication_type: &'static str,
    pub is_admin_managed: bool,
    pub is_default: bool,
    pub is_initial: bool,
    pub is_root: bool,
    pub is_verified: bool,
    pub supported_services: Vec<String>,
}

impl GraphDomain {
    fn list(tenant: &Tenant) -> Vec<Self> {
        tenant
            .domains
            .iter()
            .enumerate()
            .map(|(i, name)| Self {
                id: name.clone(),
                authentication_type: "Managed",
                is_admin_managed: true,
                is_default: i == 0,
                is_initial: i == 0,
                is_root: true,
                is_verified: true,
                supported_services: Vec::new(),
            })
            .collect()
    }
}

/// `GET /v1.0/domains`.
pub fn domains(caller: &Caller) -> Result<Vec<GraphDomain>, GraphError> {
    caller.require(&[READ_DOMAINS, READ_ME].concat(), READ_DOMAINS)?;
    Ok(GraphDomain::list(&caller.tenant))
}

/// `GET /v1.0/domains/{id}`.
pub fn domain(caller: &Caller, name: &str) -> Result<GraphDomain, GraphError> {
    caller.require(&[READ_DOMAINS, READ_ME].concat(), READ_DOMAINS)?;
    GraphDomain::list(&caller.tenant)
        .into_iter()
        .find(|d| d.id.eq_ignore_ascii_case(name))
        .ok_or_else(|| GraphError::not_found(name))
}

/// The body of `POST /v1.0/domains`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewDomainBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: String,
}

/// `POST /v1.0/domains`: adds a domain to the caller's tenant, verified at once (Signet has no DNS
/// proof of ownership; only administrators may add one).
pub async fn add_domain(state: &AppState, caller: &Caller, body: NewDomainBody) -> Result<GraphDomain, GraphError> {
    caller.require_admin(WRITE_DOMAINS)?;
    let now = state.clock.now();
    let added = admin::add_domain(&state.store, &caller.tenant, &body.id, &caller.actor(), now).await.map_err(
        |err| match err {
            AdminError::Conflict(message) => GraphError::conflict(message),
            other => refused(other, &body.id),
        },
    )?;
    Ok(GraphDomain {
        id: added,
        authentication_type: "Managed",
        is_admin_managed: true,
        is_default: false,
        is_initial: false,
        is_root: true,
        is_verified: true,
        supported_services: Vec::new(),
    })
}

/// `DELETE /v1.0/domains/{id}`: a domain no user's name and no app's identifier URI uses.
pub async fn remove_domain(state: &AppState, caller: &Caller, name: &str) -> Result<(), GraphError> {
    caller.require_admin(WRITE_DOMAINS)?;
    let now = state.clock.now();
    admin::remove_domain(&state.store, &caller.tenant, name, &caller.actor(), now).await.map_err(|err| match err {
        AdminError::Conflict(message) => GraphError::invalid_value(message),
        other => refused(other, name),
    })
}
