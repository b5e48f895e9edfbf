//! The directory API's users, the organization and its domains.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::respond::{
    ListQuery, Listed, Page, SelectQuery, assignments, body, caller, entity, fragment, json, list_page, metadata,
    project, properties, query_pairs,
};
use crate::domain::query::UserProperty;
use crate::flows::graph::odata::{entity_options, list_options, no_options};
use crate::flows::graph::{
    self, GraphAppRoleAssignment, GraphDomain, GraphUser, MemberObjectsBody, NewDomainBody, NewGraphUser, Organization,
    UserPatch,
};
use crate::graph_error::{GraphError, GraphErrorBody};
use crate::state::AppState;

/// `GET /v1.0/me`.
#[utoipa::path(
    get,
    path = "/v1.0/me",
    tag = "users",
    summary = "The signed-in user",
    params(SelectQuery),
    responses((status = 200, description = "The user", body = GraphUser), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn me(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let select = entity_options(&query_pairs(&req), GraphUser::PROPERTIES)?;
    let user = project(graph::me(&caller)?, select.as_deref(), GraphUser::DEFAULT)?;
    Ok(entity(&state, &fragment("users", select.as_deref(), true), user, StatusCode::OK))
}

/// `GET /v1.0/users`.
#[utoipa::path(
    get,
    path = "/v1.0/users",
    tag = "users",
    summary = "The tenant's users, paged by key",
    params(ListQuery),
    responses((status = 200, description = "A page of users", body = Page<GraphUser>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn users(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let pairs = query_pairs(&req);
    let caller = caller(&state, &req).await?;
    let options = list_options::<UserProperty>(&pairs, GraphUser::PROPERTIES)?;
    let page = graph::list_users(&state, &caller, &options).await?;
    let listed = Listed {
        set: "users",
        select: options.select.as_deref(),
        default: GraphUser::DEFAULT,
        skip_token: page.skip_token,
    };
    list_page(&state, &req, &pairs, listed, page.users)
}

/// `POST /v1.0/users`.
#[utoipa::path(
    post,
    path = "/v1.0/users",
    tag = "users",
    summary = "Creates a user",
    request_body = NewGraphUser,
    responses((status = 201, description = "The new user", body = GraphUser), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn create_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let user = graph::create_user(&state, &caller, body(&bytes)?).await?;
    let user = project(user, None, GraphUser::DEFAULT)?;
    Ok(entity(&state, "users/$entity", user, StatusCode::CREATED))
}

/// `GET /v1.0/users/{id | userPrincipalName}`.
#[utoipa::path(
    get,
    path = "/v1.0/users/{user}",
    tag = "users",
    summary = "A user by id or userPrincipalName",
    params(("user" = String, Path, description = "Object id or userPrincipalName"), SelectQuery),
    responses((status = 200, description = "The user", body = GraphUser), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn user(
    state: web::Data<AppState>,
    key: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let select = entity_options(&query_pairs(&req), GraphUser::PROPERTIES)?;
    let user = project(graph::user(&state, &caller, &key).await?, select.as_deref(), GraphUser::DEFAULT)?;
    Ok(entity(&state, &fragment("users", select.as_deref(), true), user, StatusCode::OK))
}

/// `PATCH /v1.0/users/{id | userPrincipalName}`.
#[utoipa::path(
    patch,
    path = "/v1.0/users/{user}",
    tag = "users",
    summary = "Renames, blocks or unblocks a user, or resets its password",
    params(("user" = String, Path, description = "Object id or userPrincipalName")),
    request_body = UserPatch,
    responses((status = 204, description = "Changed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn update_user(
    state: web::Data<AppState>,
    key: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::update_user(&state, &caller, &key, body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1.0/users/{id | userPrincipalName}`.
#[utoipa::path(
    delete,
    path = "/v1.0/users/{user}",
    tag = "users",
    summary = "Deletes a user",
    params(("user" = String, Path, description = "Object id or userPrincipalName")),
    responses((status = 204, description = "Deleted"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn delete_user(
    state: web::Data<AppState>,
    key: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::delete_user(&state, &caller, &key).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1.0/organization`.
#[utoipa::path(
    get,
    path = "/v1.0/organization",
    tag = "organization",
    summary = "The caller's tenant",
    responses((status = 200, description = "The tenant", body = Page<Organization>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn organization(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let organization = graph::organization(&caller)?;
    let value = vec![organization];
    Ok(json(StatusCode::OK, Page { context: metadata(&state, "organization"), next_link: None, value }))
}

/// `GET /v1.0/users/{id | userPrincipalName}/appRoleAssignments`.
#[utoipa::path(
    get,
    path = "/v1.0/users/{user}/appRoleAssignments",
    tag = "users",
    summary = "The app roles a user holds",
    params(("user" = String, Path, description = "Object id or userPrincipalName")),
    responses((status = 200, description = "The assignments", body = Page<GraphAppRoleAssignment>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn user_app_role_assignments(
    state: web::Data<AppState>,
    key: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let value = graph::user_app_role_assignments(&state, &caller, &key).await?;
    Ok(assignments(&state, format!("users('{key}')"), "appRoleAssignments", value))
}

#[utoipa::path(
    get,
    path = "/v1.0/domains",
    tag = "domains",
    summary = "The tenant's verified domains",
    responses((status = 200, description = "The domains", body = Page<GraphDomain>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
/// `GET /v1.0/domains`.
pub async fn domains(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let value = graph::domains(&caller)?;
    Ok(json(StatusCode::OK, Page { context: metadata(&state, "domains"), next_link: None, value }))
}

#[utoipa::path(
    post,
    path = "/v1.0/domains",
    tag = "domains",
    summary = "Adds a verified domain",
    request_body = NewDomainBody,
    responses((status = 201, description = "The domain", body = GraphDomain), (status = 409, description = "A tenant has it", body = GraphErrorBody), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
/// `POST /v1.0/domains`.
pub async fn add_domain(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let domain = graph::add_domain(&state, &caller, body(&bytes)?).await?;
    Ok(entity(&state, "domains/$entity", properties(domain)?, StatusCode::CREATED))
}

#[utoipa::path(
    get,
    path = "/v1.0/domains/{id}",
    tag = "domains",
    summary = "A verified domain",
    params(("id" = String, Path, description = "The domain name")),
    responses((status = 200, description = "The domain", body = GraphDomain), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
/// `GET /v1.0/domains/{id}`.
pub async fn domain(
    state: web::Data<AppState>,
    name: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    Ok(entity(&state, "domains/$entity", properties(graph::domain(&caller, &name)?)?, StatusCode::OK))
}

#[utoipa::path(
    delete,
    path = "/v1.0/domains/{id}",
    tag = "domains",
    summary = "Removes a domain no user or app uses",
    params(("id" = String, Path, description = "The domain name")),
    responses((status = 204, description = "Removed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
/// `DELETE /v1.0/domains/{id}`.
pub async fn remove_domain(
    state: web::Data<AppState>,
    name: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::remove_domain(&state, &caller, &name).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /v1.0/users/{id | userPrincipalName}/getMemberObjects`.
#[utoipa::path(
    post,
    path = "/v1.0/users/{user}/getMemberObjects",
    tag = "users",
    summary = "Every group the user is in, directly or not",
    params(("user" = String, Path, description = "Object id or userPrincipalName")),
    request_body = MemberObjectsBody,
    responses((status = 200, description = "The groups' ids", body = Page<String>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn member_objects(
    state: web::Data<AppState>,
    key: web::Path<String>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let ids = graph::member_objects(&state, &caller, &key, body(&bytes)?).await?;
    let value: Vec<String> = ids.iter().map(ToString::to_string).collect();
    Ok(json(StatusCode::OK, Page { context: metadata(&state, "Collection(Edm.String)"), next_link: None, value }))
}
