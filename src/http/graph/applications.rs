//! The directory API's app registrations and their client secrets.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::respond::{
    ListQuery, Listed, Page, SelectQuery, app_key, body, caller, entity, fragment, list_page, project, properties,
    query_pairs,
};
use crate::domain::query::AppProperty;
use crate::flows::graph::odata::{entity_options, list_options, no_options};
use crate::flows::graph::{
    self, AddKeyBody, AddPasswordBody, ApplicationBody, GraphApplication, GraphKeyCredential, GraphPasswordCredential,
    RemoveKeyBody, RemovePasswordBody,
};
use crate::graph_error::{GraphError, GraphErrorBody};
use crate::state::AppState;

/// `GET /v1.0/applications`.
#[utoipa::path(
    get,
    path = "/v1.0/applications",
    tag = "applications",
    summary = "The tenant's app registrations, paged by key",
    params(ListQuery),
    responses((status = 200, description = "A page of applications", body = Page<GraphApplication>), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn applications(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let pairs = query_pairs(&req);
    let caller = caller(&state, &req).await?;
    let options = list_options::<AppProperty>(&pairs, GraphApplication::PROPERTIES)?;
    let page = graph::list_applications(&state, &caller, &options).await?;
    let listed = Listed {
        set: "applications",
        select: options.select.as_deref(),
        default: GraphApplication::PROPERTIES,
        skip_token: page.skip_token,
    };
    list_page(&state, &req, &pairs, listed, page.apps)
}

/// `POST /v1.0/applications`.
#[utoipa::path(
    post,
    path = "/v1.0/applications",
    tag = "applications",
    summary = "Registers an app (without its service principal, as in Graph)",
    request_body = ApplicationBody,
    responses((status = 201, description = "The new registration", body = GraphApplication), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody))
)]
pub async fn create_application(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let app = graph::create_application(&state, &caller, body(&bytes)?).await?;
    let app = project(app, None, GraphApplication::PROPERTIES)?;
    Ok(entity(&state, "applications/$entity", app, StatusCode::CREATED))
}

/// `GET /v1.0/applications/{id}` and `applications(appId='{appId}')`.
#[utoipa::path(
    get,
    path = "/v1.0/applications/{id}",
    tag = "applications",
    summary = "An app registration; also at applications(appId='{appId}')",
    params(("id" = String, Path, description = "Object id"), SelectQuery),
    responses((status = 200, description = "The registration", body = GraphApplication), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn application(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let select = entity_options(&query_pairs(&req), GraphApplication::PROPERTIES)?;
    let app = graph::application(&state, &caller, app_key(&req)).await?;
    let app = project(app, select.as_deref(), GraphApplication::PROPERTIES)?;
    Ok(entity(&state, &fragment("applications", select.as_deref(), true), app, StatusCode::OK))
}

/// `PATCH /v1.0/applications/{id}` and `applications(appId='{appId}')`.
#[utoipa::path(
    patch,
    path = "/v1.0/applications/{id}",
    tag = "applications",
    summary = "Replaces the properties the body names",
    params(("id" = String, Path, description = "Object id")),
    request_body = ApplicationBody,
    responses((status = 204, description = "Changed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn update_application(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::update_application(&state, &caller, app_key(&req), body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1.0/applications/{id}` and `applications(appId='{appId}')`.
#[utoipa::path(
    delete,
    path = "/v1.0/applications/{id}",
    tag = "applications",
    summary = "Deletes an app with its credentials and service principals",
    params(("id" = String, Path, description = "Object id")),
    responses((status = 204, description = "Deleted"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn delete_application(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::delete_application(&state, &caller, app_key(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /v1.0/applications/{id}/addPassword`: 200 with the secret's text, this once.
#[utoipa::path(
    post,
    path = "/v1.0/applications/{id}/addPassword",
    tag = "applications",
    summary = "Adds a client secret, whose text is returned once",
    params(("id" = String, Path, description = "Object id")),
    request_body = AddPasswordBody,
    responses((status = 200, description = "The secret, with its text", body = GraphPasswordCredential), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn add_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let asked = if bytes.is_empty() { graph::AddPasswordBody::default() } else { body(&bytes)? };
    let credential = graph::add_password(&state, &caller, app_key(&req), asked).await?;
    Ok(entity(&state, "microsoft.graph.passwordCredential", properties(credential)?, StatusCode::OK))
}

/// `POST /v1.0/applications/{id}/removePassword`.
#[utoipa::path(
    post,
    path = "/v1.0/applications/{id}/removePassword",
    tag = "applications",
    summary = "Removes a client secret",
    params(("id" = String, Path, description = "Object id")),
    request_body = RemovePasswordBody,
    responses((status = 204, description = "Removed"), (status = 400, description = "Bad request or query", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn remove_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::remove_password(&state, &caller, app_key(&req), body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /v1.0/applications/{id}/addKey`.
#[utoipa::path(
    post,
    path = "/v1.0/applications/{id}/addKey",
    tag = "applications",
    summary = "Adds a certificate, with a proof of possession of a current one",
    description = "The proof is a JWT signed with a current certificate of the app (named by x5t), with aud 00000002-0000-0000-c000-000000000000, iss the application's object id, and nbf and exp at most ten minutes apart. An app may call this for itself with an app-only token and no permission.",
    params(("id" = String, Path, description = "Object id")),
    request_body = AddKeyBody,
    responses((status = 200, description = "The certificate's metadata", body = GraphKeyCredential), (status = 400, description = "Bad request, certificate or proof", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn add_key(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    let credential = graph::add_key(&state, &caller, app_key(&req), body(&bytes)?).await?;
    Ok(entity(&state, "microsoft.graph.keyCredential", properties(credential)?, StatusCode::OK))
}

/// `POST /v1.0/applications/{id}/removeKey`.
#[utoipa::path(
    post,
    path = "/v1.0/applications/{id}/removeKey",
    tag = "applications",
    summary = "Removes a certificate, with a proof of possession of a current one",
    params(("id" = String, Path, description = "Object id")),
    request_body = RemoveKeyBody,
    responses((status = 204, description = "Removed"), (status = 400, description = "Bad request or proof", body = GraphErrorBody), (status = 401, description = "No valid token", body = GraphErrorBody), (status = 403, description = "Missing permission or rights", body = GraphErrorBody), (status = 404, description = "No such object in the caller's tenant", body = GraphErrorBody))
)]
pub async fn remove_key(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    no_options(&query_pairs(&req))?;
    graph::remove_key(&state, &caller, app_key(&req), body(&bytes)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
