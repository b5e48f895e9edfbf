//! The directory API's service principals, their app role assignments and permission classifications.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::respond::{
    ListQuery, Listed, Page, SelectQuery, assignments, body, caller, entity, fragment, json, list_page, metadata,
    owner_of, project, properties, query_pairs, sp_key,
};
use crate::domain::query::ServicePrincipalProperty;
use crate::flows::graph::odata::{entity_options, list_options, no_options};
use crate::flows::graph::{
    self, GraphAppRoleAssignment, GraphServicePrincipal, NewAssignmentBody, NewClassificationBody,
    NewServicePrincipalBody, PermissionClassification, ServicePrincipalPatch,
};
use crate::graph_error::{GraphError, GraphErrorBody};
use crate::state::AppState;

/// `GET /v1.0/servicePrincipals`.
#[utoipa::path(
    get,
    path = "/v1.0/servicePrincipals",
    tag = "servicePrincipals",
    summary = "The apps present in the tenant, paged by key",
    params(ListQuery),
    responses((status = 200, description = "A page of service principals", body = Page<GraphServicePrincipal>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn service_principals(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let pairs = query_pairs(&req);
    let caller = caller(&state, &req).await?;
    let options = list_options::<ServicePrincipalProperty>(&pairs, GraphServicePrincipal::PROPERTIES)?;
    let page = graph::list_service_principals(&state, &caller, &options).await?;
    let listed = Listed {
        set: "servicePrincipals",
        select: options.select.as_deref(),
        default: GraphServicePrincipal::PROPERTIES,
        skip_token: page.skip_token,
    };
    list_page(&state, &req, &pairs, listed, page.principals)
}

/// `POST /v1.0/servicePrincipals`.
#[utoipa::path(
    post,
    path = "/v1.0/servicePrincipals",
    tag = "servicePrincipals",
    summary = "Adds an app to the tenant",
    request_body = NewServicePrincipalBody,
    responses((status = 201, description = "The new service principal", body = GraphServicePrincipal), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn create_service_principal(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let sp = graph::create_service_principal(&state, &caller, body(&bytes)?).await?;
    Ok(entity(&state, "servicePrincipals/$entity", properties(sp)?, StatusCode::CREATED))
}

/// `GET /v1.0/servicePrincipals/{id}` and `servicePrincipals(appId='{appId}')`.
#[utoipa::path(
    get,
    path = "/v1.0/servicePrincipals/{id}",
    tag = "servicePrincipals",
    summary = "A service principal; also at servicePrincipals(appId='{appId}')",
    params(("id" = String, Path, description = "Object id"), SelectQuery),
    responses((status = 200, description = "The service principal", body = GraphServicePrincipal), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn service_principal(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let select = entity_options(&query_pairs(&req), GraphServicePrincipal::PROPERTIES)?;
    let sp = graph::service_principal(&state, &caller, sp_key(&req)).await?;
    let sp = project(sp, select.as_deref(), GraphServicePrincipal::PROPERTIES)?;
    Ok(entity(&state, &fragment("servicePrincipals", select.as_deref(), true), sp, StatusCode::OK))
}

/// `PATCH /v1.0/servicePrincipals/{id}` and `servicePrincipals(appId='{appId}')`.
#[utoipa::path(
    patch,
    path = "/v1.0/servicePrincipals/{id}",
    tag = "servicePrincipals",
    summary = "Blocks or unblocks the app, or requires assignment",
    params(("id" = String, Path, description = "Object id")),
    request_body = ServicePrincipalPatch,
    responses((status = 204, description = "Changed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn update_service_principal(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::update_service_principal(&state, &caller, sp_key(&req), body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1.0/servicePrincipals/{id}` and `servicePrincipals(appId='{appId}')`.
#[utoipa::path(
    delete,
    path = "/v1.0/servicePrincipals/{id}",
    tag = "servicePrincipals",
    summary = "Removes the app from the tenant with its grants and assignments",
    params(("id" = String, Path, description = "Object id")),
    responses((status = 204, description = "Removed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn delete_service_principal(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::delete_service_principal(&state, &caller, sp_key(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo`.
#[utoipa::path(
    get,
    path = "/v1.0/servicePrincipals/{id}/appRoleAssignedTo",
    tag = "servicePrincipals",
    summary = "The app's roles assigned to users and apps",
    params(("id" = String, Path, description = "Object id")),
    responses((status = 200, description = "The assignments", body = Page<GraphAppRoleAssignment>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn app_role_assigned_to(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let key = sp_key(&req);
    let value = graph::app_role_assigned_to(&state, &caller, key).await?;
    Ok(assignments(&state, owner_of(key), "appRoleAssignedTo", value))
}

/// `GET /v1.0/servicePrincipals/{id}/appRoleAssignments`.
#[utoipa::path(
    get,
    path = "/v1.0/servicePrincipals/{id}/appRoleAssignments",
    tag = "servicePrincipals",
    summary = "The roles the app holds on other apps",
    params(("id" = String, Path, description = "Object id")),
    responses((status = 200, description = "The assignments", body = Page<GraphAppRoleAssignment>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn sp_app_role_assignments(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let key = sp_key(&req);
    let value = graph::sp_app_role_assignments(&state, &caller, key).await?;
    Ok(assignments(&state, owner_of(key), "appRoleAssignments", value))
}

/// `POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo`.
#[utoipa::path(
    post,
    path = "/v1.0/servicePrincipals/{id}/appRoleAssignedTo",
    tag = "servicePrincipals",
    summary = "Assigns one of the app's roles (or default access) to a user or an app",
    params(("id" = String, Path, description = "Object id")),
    request_body = NewAssignmentBody,
    responses((status = 201, description = "The assignment", body = GraphAppRoleAssignment), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn assign_app_role(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let key = sp_key(&req);
    let assignment = graph::assign_app_role(&state, &caller, key, body(&bytes)?).await?;
    let context = format!("{}/appRoleAssignedTo/$entity", owner_of(key));
    Ok(entity(&state, &context, properties(assignment)?, StatusCode::CREATED))
}

/// `DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignment}`.
#[utoipa::path(
    delete,
    path = "/v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignment}",
    tag = "servicePrincipals",
    summary = "Removes an assignment",
    params(("id" = String, Path, description = "Object id"), ("assignment" = String, Path, description = "Assignment id")),
    responses((status = 204, description = "Removed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn remove_app_role_assignment(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let assignment = req.match_info().get("assignment").unwrap_or_default();
    graph::remove_app_role_assignment(&state, &caller, sp_key(&req), assignment).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1.0/servicePrincipals/{id}/delegatedPermissionClassifications`.
#[utoipa::path(
    get,
    path = "/v1.0/servicePrincipals/{id}/delegatedPermissionClassifications",
    tag = "servicePrincipals",
    summary = "The app's delegated permissions classified low impact in the tenant",
    params(("id" = String, Path, description = "Object id")),
    responses((status = 200, description = "The classifications", body = Page<PermissionClassification>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn classifications(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let key = sp_key(&req);
    let value = graph::classifications(&state, &caller, key).await?;
    let context = metadata(&state, &format!("{}/delegatedPermissionClassifications", owner_of(key)));
    Ok(json(StatusCode::OK, Page { context, next_link: None, value }))
}

/// `POST /v1.0/servicePrincipals/{id}/delegatedPermissionClassifications`.
#[utoipa::path(
    post,
    path = "/v1.0/servicePrincipals/{id}/delegatedPermissionClassifications",
    tag = "servicePrincipals",
    summary = "Classifies one of the app's delegated permissions low impact",
    params(("id" = String, Path, description = "Object id")),
    request_body = NewClassificationBody,
    responses((status = 201, description = "The classification", body = PermissionClassification), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn classify(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let key = sp_key(&req);
    let classification = graph::classify(&state, &caller, key, body(&bytes)?).await?;
    let context = format!("{}/delegatedPermissionClassifications/$entity", owner_of(key));
    Ok(entity(&state, &context, properties(classification)?, StatusCode::CREATED))
}

/// `DELETE /v1.0/servicePrincipals/{id}/delegatedPermissionClassifications/{classification}`.
#[utoipa::path(
    delete,
    path = "/v1.0/servicePrincipals/{id}/delegatedPermissionClassifications/{classification}",
    tag = "servicePrincipals",
    summary = "The permission is no longer low impact",
    params(("id" = String, Path, description = "Object id"), ("classification" = String, Path, description = "Classification id")),
    responses((status = 204, description = "Removed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn unclassify(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let id = req.match_info().get("classification").unwrap_or_default();
    graph::unclassify(&state, &caller, sp_key(&req), id).await?;
    Ok(HttpResponse::NoContent().finish())
}
