//! Admin consent (protocol reference §3): an administrator grants an app permissions for the whole
//! organisation, from `/{tenant}/v2.0/adminconsent`, `/{tenant}/adminconsent` or `prompt=admin_consent`.
//!
//! What is granted is planned first, per resource: the delegated permissions asked for (`.default`: the
//! ones the app requires) and, with `.default`, the application permissions the app requires. Accept
//! stores the plan in one transaction: the app's service principal in the admin's tenant, one
//! `AllPrincipals` grant per resource and the app role assignments.

use serde_json::json;

use super::request::{ConsentAnswer, Endpoint, Interaction, Outcome, ValidRequest};
use super::resources::requested_values;
use super::views::{AdminConsentView, ResourcePermissionsView};
use crate::clock::UnixTime;
use crate::domain::app::{AppRole, Application, GrantConsentType, PermissionScope};
use crate::domain::audit::{AuditEvent, app_target, user_actor};
use crate::domain::ids::ObjectId;
use crate::domain::scope::{DelegatedScopes, ResourceScopes};
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;
use crate::store::{Consent, ResourceLookup, User};

/// What an admin consent grants on one resource.
pub(crate) struct Planned {
    /// The resource as the request named it.
    named: String,
    sp_id: ObjectId,
    app: Application,
    scopes: Vec<PermissionScope>,
    roles: Vec<AppRole>,
}

/// The `/{tenant}/adminconsent` request: `.default` of every resource the app requires.
pub(super) fn everything_required(client: &Application) -> DelegatedScopes {
    let resources = client
        .required_resource_access
        .iter()
        .map(|r| ResourceScopes { resource: r.resource_app_id.to_string(), values: Vec::new(), default: true })
        .collect();
    DelegatedScopes { resources }
}

/// Runs the admin consent step for a signed-in `user` of `tenant`. `None` when it granted and the
/// authorization request goes on to its code; otherwise the page or reply to send.
pub(super) async fn admin_consent(
    state: &AppState,
    request: &ValidRequest,
    user: &User,
    tenant: &Tenant,
    interaction: &Interaction,
    now: UnixTime,
) -> Result<Option<Outcome>, ProtocolError> {
    if !user.is_admin {
        return Ok(Some(Outcome::ErrorPage(ProtocolError::new(
            Aadsts::NeedsAdminApproval,
            format!(
                "{} is not an administrator of '{}'. Only an administrator can grant '{}' permissions for the whole organization.",
                user.username, tenant.display_name, request.client.display_name
            ),
        ))));
    }
    let plan = plan(state, &request.client, &request.scopes, tenant).await?;
    if interaction.consent != Some(ConsentAnswer::Accept) {
        return Ok(Some(Outcome::AdminConsent(view(state, &request.client, user, tenant, &plan).await?)));
    }
    let granted = granted_scope(&plan);
    let details = json!({ "appId": request.client.app_id, "consentType": "AllPrincipals", "scope": granted });
    let event = AuditEvent::new(
        now,
        interaction.correlation_id,
        user_actor(user.id, &user.username),
        "consent.admin",
        app_target(request.client.app_id),
        details,
    );
    state.store.grant_consent(tenant.id, &request.client, &tenant_wide(&plan), &event).await?;
    tracing::info!(client = %request.client.app_id, tenant = %tenant.id, admin = %user.id, "admin consent granted");
    Ok(match request.endpoint {
        Endpoint::Authorize | Endpoint::Device => None,
        Endpoint::AdminConsent => Some(request.reply(vec![
            ("admin_consent", "True".to_owned()),
            ("tenant", tenant.id.to_string()),
            ("scope", granted),
        ])),
        Endpoint::AdminConsentV1 => {
            Some(request.reply(vec![("admin_consent", "True".to_owned()), ("tenant", tenant.id.to_string())]))
        }
    })
}

/// The tenant-wide consent to `plan`: one `AllPrincipals` grant per resource and the app role assignments.
pub(crate) fn tenant_wide(plan: &[Planned]) -> Consent {
    Consent {
        consent_type: GrantConsentType::AllPrincipals,
        principal: None,
        delegated: plan
            .iter()
            .filter(|p| !p.scopes.is_empty())
            .map(|p| (p.sp_id, p.scopes.iter().map(|s| s.value.clone()).collect()))
            .collect(),
        roles: plan.iter().flat_map(|p| p.roles.iter().map(|r| (p.sp_id, r.id))).collect(),
    }
}

/// What a tenant-wide consent of `client` to `scopes` grants. Every requested resource must have a
/// service principal in the tenant (AADSTS650052) and expose each named scope (AADSTS70011).
pub(crate) async fn plan(
    state: &AppState,
    client: &Application,
    scopes: &DelegatedScopes,
    tenant: &Tenant,
) -> Result<Vec<Planned>, ProtocolError> {
    let mut planned = Vec::new();
    for requested in &scopes.resources {
        let (sp, app) = match state.store.resource_in_tenant(tenant.id, &requested.resource).await? {
            ResourceLookup::Found(sp, app) => (sp, *app),
            ResourceLookup::NotInTenant(app) => {
                return Err(ProtocolError::new(
                    Aadsts::ResourceNotInTenant,
                    format!(
                        "The app is trying to access a service '{}'({}) that your organization '{}' lacks a service principal for. An administrator must add the service to the organization first.",
                        app.app_id, app.display_name, tenant.id
                    ),
                ));
            }
            ResourceLookup::NotRegistered => {
                return Err(ProtocolError::new(
                    Aadsts::ResourceNotFound,
                    format!("The resource principal named {} was not found.", requested.resource),
                ));
            }
        };
        let values = requested_values(client, &app, requested)?;
        let scopes = values.iter().filter_map(|v| app.scope(v)).cloned().collect();
        let roles = match requested.default {
            true => client.required_app_roles(&app).into_iter().cloned().collect(),
            false => Vec::new(),
        };
        planned.push(Planned { named: requested.resource.clone(), sp_id: sp.id, app, scopes, roles });
    }
    Ok(planned)
}

/// The `scope` of the reply: `{resource}/{value}` of every permission granted, delegated and application.
pub(crate) fn granted_scope(plan: &[Planned]) -> String {
    let mut out: Vec<String> = Vec::new();
    for p in plan {
        let values = p.scopes.iter().map(|s| &s.value).chain(p.roles.iter().map(|r| &r.value));
        out.extend(values.map(|v| format!("{}/{v}", p.named)));
    }
    out.join(" ")
}

/// The admin consent page's view of `plan`.
pub(crate) async fn view(
    state: &AppState,
    client: &Application,
    user: &User,
    tenant: &Tenant,
    plan: &[Planned],
) -> Result<AdminConsentView, ProtocolError> {
    let home = state.store.tenant(client.home_tenant).await?;
    Ok(AdminConsentView {
        app_name: client.display_name.clone(),
        publisher: home.map_or_else(|| client.home_tenant.to_string(), |t| t.display_name),
        publisher_is_own_tenant: client.home_tenant == tenant.id,
        verified_publisher: client.verified_publisher,
        username: user.username.clone(),
        tenant_name: tenant.display_name.clone(),
        resources: plan
            .iter()
            .map(|p| ResourcePermissionsView {
                resource: p.app.display_name.clone(),
                delegated: p
                    .scopes
                    .iter()
                    .map(|s| (s.admin_consent_display_name.clone(), s.admin_consent_description.clone()))
                    .collect(),
                application: p.roles.iter().map(|r| (r.display_name.clone(), r.description.clone())).collect(),
            })
            .collect(),
    })
}
