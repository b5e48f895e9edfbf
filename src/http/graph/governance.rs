//! The directory API's delegated grants, policies, consent requests, audit log and Signet's signing keys.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::respond::{
    ListQuery, Listed, Page, SelectQuery, body, caller, entity, fragment, json, list_page, metadata, owner_of, project,
    properties, query_pairs, sp_key,
};
use crate::domain::query::{AuditProperty, GrantProperty};
use crate::flows::graph::odata::{entity_options, list_options, no_options};
use crate::flows::graph::{
    self, AppConsentRequest, AuthorizationPolicy, AuthorizationPolicyPatch, ConsentRequestPolicy,
    ConsentRequestPolicyBody, DirectoryAudit, GrantPatch, GraphGrant, NewGrantBody, SigningKey, SigningKeys,
    UserConsentRequest,
};
use crate::graph_error::{GraphError, GraphErrorBody};
use crate::state::AppState;

/// `GET /v1.0/oauth2PermissionGrants`.
#[utoipa::path(
    get,
    path = "/v1.0/oauth2PermissionGrants",
    tag = "oauth2PermissionGrants",
    summary = "Delegated grants, paged by key",
    params(ListQuery),
    responses((status = 200, description = "A page of grants", body = Page<GraphGrant>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn grants(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let pairs = query_pairs(&req);
    let caller = caller(&state, &req).await?;
    let options = list_options::<GrantProperty>(&pairs, GraphGrant::PROPERTIES)?;
    let page = graph::list_grants(&state, &caller, &options).await?;
    let listed = Listed {
        set: "oauth2PermissionGrants",
        select: options.select.as_deref(),
        default: GraphGrant::PROPERTIES,
        skip_token: page.skip_token,
    };
    list_page(&state, &req, &pairs, listed, page.grants)
}

/// `GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants`.
#[utoipa::path(
    get,
    path = "/v1.0/servicePrincipals/{id}/oauth2PermissionGrants",
    tag = "servicePrincipals",
    summary = "The delegated grants the app holds as a client",
    params(("id" = String, Path, description = "Object id"), ListQuery),
    responses((status = 200, description = "A page of grants", body = Page<GraphGrant>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn sp_grants(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let pairs = query_pairs(&req);
    let caller = caller(&state, &req).await?;
    let options = list_options::<GrantProperty>(&pairs, GraphGrant::PROPERTIES)?;
    let key = sp_key(&req);
    let page = graph::sp_grants(&state, &caller, key, &options).await?;
    let set = format!("{}/oauth2PermissionGrants", owner_of(key));
    let listed = Listed {
        set: &set,
        select: options.select.as_deref(),
        default: GraphGrant::PROPERTIES,
        skip_token: page.skip_token,
    };
    list_page(&state, &req, &pairs, listed, page.grants)
}

/// `POST /v1.0/oauth2PermissionGrants`.
#[utoipa::path(
    post,
    path = "/v1.0/oauth2PermissionGrants",
    tag = "oauth2PermissionGrants",
    summary = "Grants a client delegated permissions on a resource",
    request_body = NewGrantBody,
    responses((status = 201, description = "The grant", body = GraphGrant), (status = 409, description = "A grant of the same client, resource and user exists", body = GraphErrorBody), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn create_grant(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let grant = graph::create_grant(&state, &caller, body(&bytes)?).await?;
    Ok(entity(&state, "oauth2PermissionGrants/$entity", properties(grant)?, StatusCode::CREATED))
}

/// `GET /v1.0/oauth2PermissionGrants/{id}`.
#[utoipa::path(
    get,
    path = "/v1.0/oauth2PermissionGrants/{id}",
    tag = "oauth2PermissionGrants",
    summary = "A delegated grant",
    params(("id" = String, Path, description = "Grant id"), SelectQuery),
    responses((status = 200, description = "The grant", body = GraphGrant), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn grant(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let select = entity_options(&query_pairs(&req), GraphGrant::PROPERTIES)?;
    let grant = project(graph::grant(&state, &caller, &id).await?, select.as_deref(), GraphGrant::PROPERTIES)?;
    Ok(entity(&state, &fragment("oauth2PermissionGrants", select.as_deref(), true), grant, StatusCode::OK))
}

/// `PATCH /v1.0/oauth2PermissionGrants/{id}`.
#[utoipa::path(
    patch,
    path = "/v1.0/oauth2PermissionGrants/{id}",
    tag = "oauth2PermissionGrants",
    summary = "Replaces the grant's scopes",
    params(("id" = String, Path, description = "Grant id")),
    request_body = GrantPatch,
    responses((status = 204, description = "Changed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn update_grant(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::update_grant(&state, &caller, &id, body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1.0/oauth2PermissionGrants/{id}`.
#[utoipa::path(
    delete,
    path = "/v1.0/oauth2PermissionGrants/{id}",
    tag = "oauth2PermissionGrants",
    summary = "Revokes a delegated grant",
    params(("id" = String, Path, description = "Grant id")),
    responses((status = 204, description = "Revoked"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn delete_grant(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::delete_grant(&state, &caller, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1.0/policies/authorizationPolicy`.
#[utoipa::path(
    get,
    path = "/v1.0/policies/authorizationPolicy",
    tag = "policies",
    summary = "The user consent setting",
    responses((status = 200, description = "The policy", body = AuthorizationPolicy), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn authorization_policy(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let policy = graph::get_authorization_policy(&state, &caller).await?;
    Ok(entity(&state, "policies/authorizationPolicy/$entity", properties(policy)?, StatusCode::OK))
}

/// `PATCH /v1.0/policies/authorizationPolicy`.
#[utoipa::path(
    patch,
    path = "/v1.0/policies/authorizationPolicy",
    tag = "policies",
    summary = "Changes the user consent setting",
    request_body = AuthorizationPolicyPatch,
    responses((status = 204, description = "Changed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn update_authorization_policy(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::update_authorization_policy(&state, &caller, body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1.0/policies/adminConsentRequestPolicy`.
#[utoipa::path(
    get,
    path = "/v1.0/policies/adminConsentRequestPolicy",
    tag = "policies",
    summary = "The admin consent request workflow",
    responses((status = 200, description = "The policy", body = ConsentRequestPolicy), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn consent_request_policy(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let policy = graph::get_consent_request_policy(&state, &caller).await?;
    Ok(entity(&state, "policies/adminConsentRequestPolicy/$entity", properties(policy)?, StatusCode::OK))
}

/// `PUT` and `PATCH /v1.0/policies/adminConsentRequestPolicy`.
#[utoipa::path(
    method(put, patch),
    path = "/v1.0/policies/adminConsentRequestPolicy",
    tag = "policies",
    summary = "Changes the admin consent request workflow",
    request_body = ConsentRequestPolicyBody,
    responses((status = 204, description = "Changed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn update_consent_request_policy(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::update_consent_request_policy(&state, &caller, body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1.0/auditLogs/directoryAudits`.
#[utoipa::path(
    get,
    path = "/v1.0/auditLogs/directoryAudits",
    tag = "auditLogs",
    summary = "The audit log, newest first",
    params(ListQuery),
    responses((status = 200, description = "A page of entries", body = Page<DirectoryAudit>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn directory_audits(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let pairs = query_pairs(&req);
    let caller = caller(&state, &req).await?;
    let options = list_options::<AuditProperty>(&pairs, graph::DirectoryAudit::PROPERTIES)?;
    let page = graph::directory_audits(&state, &caller, &options).await?;
    let listed = Listed {
        set: "auditLogs/directoryAudits",
        select: options.select.as_deref(),
        default: graph::DirectoryAudit::PROPERTIES,
        skip_token: page.skip_token,
    };
    list_page(&state, &req, &pairs, listed, page.entries)
}

/// `GET /v1.0/identityGovernance/appConsent/appConsentRequests`.
#[utoipa::path(
    get,
    path = "/v1.0/identityGovernance/appConsent/appConsentRequests",
    tag = "appConsentRequests",
    summary = "The tenant's admin consent requests, newest first",
    responses((status = 200, description = "The requests", body = Page<AppConsentRequest>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn app_consent_requests(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let value = graph::app_consent_requests(&state, &caller).await?;
    let context = metadata(&state, "identityGovernance/appConsent/appConsentRequests");
    Ok(json(StatusCode::OK, Page { context, next_link: None, value }))
}

/// `GET /v1.0/identityGovernance/appConsent/appConsentRequests/{id}`.
#[utoipa::path(
    get,
    path = "/v1.0/identityGovernance/appConsent/appConsentRequests/{id}",
    tag = "appConsentRequests",
    summary = "An admin consent request",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The request", body = AppConsentRequest), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn app_consent_request(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let request = graph::app_consent_request(&state, &caller, &id).await?;
    let context = "identityGovernance/appConsent/appConsentRequests/$entity";
    Ok(entity(&state, context, properties(request)?, StatusCode::OK))
}

/// `GET /v1.0/identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests`.
#[utoipa::path(
    get,
    path = "/v1.0/identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests",
    tag = "appConsentRequests",
    summary = "Each user's part of a request, with its review",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The users' requests", body = Page<UserConsentRequest>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn user_consent_requests(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let value = graph::user_consent_requests(&state, &caller, &id).await?;
    let context =
        metadata(&state, &format!("identityGovernance/appConsent/appConsentRequests('{id}')/userConsentRequests"));
    Ok(json(StatusCode::OK, Page { context, next_link: None, value }))
}

/// `GET /v1.0/signet/signingKeys`: Signet's extension.
#[utoipa::path(
    get,
    path = "/v1.0/signet/signingKeys",
    tag = "signet",
    summary = "The server's signing keys and the next scheduled rotation (Signet's extension)",
    responses((status = 200, description = "The keys", body = SigningKeys), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn signing_keys(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let keys = graph::signing_keys(&state, &caller).await?;
    Ok(entity(&state, "signet.signingKeys", properties(keys)?, StatusCode::OK))
}

/// `POST /v1.0/signet/signingKeys/rotate`: Signet's extension.
#[utoipa::path(
    post,
    path = "/v1.0/signet/signingKeys/rotate",
    tag = "signet",
    summary = "Adds the next signing key on the usual schedule (Signet's extension)",
    responses((status = 201, description = "The new key", body = SigningKey), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn rotate_signing_keys(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let key = graph::rotate_signing_keys(&state, &caller).await?;
    Ok(entity(&state, "signet.signingKey/$entity", properties(key)?, StatusCode::CREATED))
}
