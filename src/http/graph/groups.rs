//! The directory API's groups and their members.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::respond::{Page, body, caller, entity, json, metadata, properties, query_pairs};
use crate::flows::graph::odata::no_options;
use crate::flows::graph::{self, GraphGroup, GraphMember, MemberRefBody, NewGroupBody};
use crate::graph_error::{GraphError, GraphErrorBody};
use crate::state::AppState;

/// `GET /v1.0/groups`.
#[utoipa::path(
    get,
    path = "/v1.0/groups",
    tag = "groups",
    summary = "The tenant's security groups",
    responses((status = 200, description = "The groups", body = Page<GraphGroup>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn groups(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let value = graph::groups(&state, &caller).await?;
    Ok(json(StatusCode::OK, Page { context: metadata(&state, "groups"), next_link: None, value }))
}

/// `POST /v1.0/groups`.
#[utoipa::path(
    post,
    path = "/v1.0/groups",
    tag = "groups",
    summary = "Creates a security group",
    request_body = NewGroupBody,
    responses((status = 201, description = "The group", body = GraphGroup), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn create_group(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let group = graph::create_group(&state, &caller, body(&bytes)?).await?;
    Ok(entity(&state, "groups/$entity", properties(group)?, StatusCode::CREATED))
}

/// `GET /v1.0/groups/{id}`.
#[utoipa::path(
    get,
    path = "/v1.0/groups/{id}",
    tag = "groups",
    summary = "A group",
    params(("id" = String, Path, description = "The group's object id")),
    responses((status = 200, description = "The group", body = GraphGroup), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn group(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    Ok(entity(&state, "groups/$entity", properties(graph::group(&state, &caller, &id).await?)?, StatusCode::OK))
}

/// `GET /v1.0/groups/{id}/members`.
#[utoipa::path(
    get,
    path = "/v1.0/groups/{id}/members",
    tag = "groups",
    summary = "A group's direct members, users and groups",
    params(("id" = String, Path, description = "The group's object id")),
    responses((status = 200, description = "The members", body = Page<GraphMember>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn members(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let value = graph::members(&state, &caller, &id).await?;
    Ok(json(StatusCode::OK, Page { context: metadata(&state, "directoryObjects"), next_link: None, value }))
}

/// `POST /v1.0/groups/{id}/members/$ref`.
#[utoipa::path(
    post,
    path = "/v1.0/groups/{id}/members/$ref",
    tag = "groups",
    summary = "Adds a user or a group to a group",
    params(("id" = String, Path, description = "The group's object id")),
    request_body = MemberRefBody,
    responses((status = 204, description = "Added"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn add_member(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::add_member(&state, &caller, &id, body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1.0/groups/{id}`.
#[utoipa::path(
    delete,
    path = "/v1.0/groups/{id}",
    tag = "groups",
    summary = "Deletes a group, its memberships and the app roles assigned to it",
    params(("id" = String, Path, description = "The group's object id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn delete_group(
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::delete_group(&state, &caller, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1.0/groups/{id}/members/{member}/$ref`.
#[utoipa::path(
    delete,
    path = "/v1.0/groups/{id}/members/{member}/$ref",
    tag = "groups",
    summary = "Removes a direct member, user or group, from a group",
    params(("id" = String, Path, description = "The group's object id"), ("member" = String, Path, description = "The member's object id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such group, or not a direct member", body = GraphErrorBody))
)]
pub async fn remove_member(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let (id, member) = path.into_inner();
    graph::remove_member(&state, &caller, &id, &member).await?;
    Ok(HttpResponse::NoContent().finish())
}
