//! `{base}/v1.0/…`: the directory API in Microsoft Graph's shape (see [`crate::flows::graph`]). Handlers
//! authenticate the caller, read the query options and body, call one flow and write the result with
//! its `@odata.context`, only the properties asked for, and the next page's link.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::middleware::ids_of;
use crate::domain::query::{AppProperty, AuditProperty, GrantProperty, ServicePrincipalProperty, UserProperty};
use crate::flows::graph::odata::{entity_options, list_options, no_options};
use crate::flows::graph::{
    self, AddPasswordBody, AppConsentRequest, AppKey, ApplicationBody, AuthorizationPolicy, AuthorizationPolicyPatch,
    Caller, ConsentRequestPolicy, ConsentRequestPolicyBody, DirectoryAudit, GrantPage, GrantPatch,
    GraphAppRoleAssignment, GraphApplication, GraphDomain, GraphGrant, GraphPasswordCredential, GraphServicePrincipal,
    GraphUser, NewAssignmentBody, NewClassificationBody, NewDomainBody, NewGrantBody, NewGraphUser,
    NewServicePrincipalBody, Organization, PermissionClassification, RemovePasswordBody, ServicePrincipalPatch,
    SigningKey, SigningKeys, SpKey, UserConsentRequest, UserPatch,
};
use crate::graph_error::{GraphError, GraphErrorBody};
use crate::state::AppState;

/// The query options of a list (see [`crate::flows::graph::odata`]); any other is a 400.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ListQuery {
    /// `eq` on the collection's ids and names, `startswith(property, 'text')`, `and`, `or`, parentheses.
    #[param(rename = "$filter")]
    filter: Option<String>,
    /// Comma-separated property names.
    #[param(rename = "$select")]
    select: Option<String>,
    /// 1 to 999; 100 when absent.
    #[param(rename = "$top")]
    top: Option<u32>,
    /// Where the page starts, from the previous page's `@odata.nextLink`.
    #[param(rename = "$skiptoken")]
    skiptoken: Option<String>,
}

/// The query option of one object.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SelectQuery {
    /// Comma-separated property names.
    #[param(rename = "$select")]
    select: Option<String>,
}

async fn caller(state: &AppState, req: &HttpRequest) -> Result<Caller, GraphError> {
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let correlation_id = ids_of(req, state).correlation_id;
    graph::authenticate(state, authorization, correlation_id, state.clock.now()).await
}

/// The request's query options, decoded.
fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect()
}

/// A JSON body of type `T`; anything else is Graph's 400.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(bytes).map_err(|err| GraphError::bad_request(format!("Invalid request body: {err}.")))
}

fn metadata(state: &AppState, fragment: &str) -> String {
    format!("{}/v1.0/$metadata#{fragment}", state.base_url)
}

/// The `@odata.context` fragment of `set`, naming the selected properties when `$select` was given.
fn fragment(set: &str, select: Option<&[&str]>, entity: bool) -> String {
    let selected = select.map(|names| format!("({})", names.join(","))).unwrap_or_default();
    if entity { format!("{set}{selected}/$entity") } else { format!("{set}{selected}") }
}

/// Every property of the object.
fn properties(object: impl Serialize) -> Result<Map<String, Value>, GraphError> {
    match serde_json::to_value(object).map_err(GraphError::internal)? {
        Value::Object(properties) => Ok(properties),
        _ => Err(GraphError::internal("an object did not serialise to a JSON object")),
    }
}

/// The object's properties that `select` names, or its `default` ones.
fn project(
    object: impl Serialize,
    select: Option<&[&str]>,
    default: &[&str],
) -> Result<Map<String, Value>, GraphError> {
    let mut properties = properties(object)?;
    let keep = select.unwrap_or(default);
    properties.retain(|name, _| keep.contains(&name.as_str()));
    Ok(properties)
}

fn json(status: StatusCode, body: impl Serialize) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::CACHE_CONTROL, "no-store")).json(body)
}

/// One object with its `@odata.context`.
fn entity(state: &AppState, context: &str, mut properties: Map<String, Value>, status: StatusCode) -> HttpResponse {
    properties.insert("@odata.context".to_owned(), Value::String(metadata(state, context)));
    json(status, properties)
}

/// A page of a collection: its `@odata.context`, the link to the next page when there is one, and the
/// objects.
#[derive(Serialize, utoipa::ToSchema)]
struct Page<T> {
    #[serde(rename = "@odata.context")]
    context: String,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    value: Vec<T>,
}

/// The link to the page after `skip_token`: the same request with the token in `$skiptoken`.
fn next_link(
    state: &AppState,
    req: &HttpRequest,
    pairs: &[(String, String)],
    skip_token: Option<String>,
) -> Option<String> {
    let skip_token = skip_token?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(name, _)| !name.eq_ignore_ascii_case("$skiptoken")) {
        query.append_pair(name, value);
    }
    query.append_pair("$skiptoken", &skip_token);
    Some(format!("{}{}?{}", state.base_url, req.path(), query.finish()))
}

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
    let select = options.select.as_deref();
    let value =
        page.users.into_iter().map(|user| project(user, select, GraphUser::DEFAULT)).collect::<Result<_, _>>()?;
    Ok(json(
        StatusCode::OK,
        Page {
            context: metadata(&state, &fragment("users", select, false)),
            next_link: next_link(&state, &req, &pairs, page.skip_token),
            value,
        },
    ))
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

/// The application a path names: `applications/{id}` or `applications(appId='{app_id}')`.
fn app_key(req: &HttpRequest) -> AppKey<'_> {
    match req.match_info().get("app_id") {
        Some(app_id) => AppKey::AppId(app_id),
        None => AppKey::Id(req.match_info().get("id").unwrap_or_default()),
    }
}

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
    let select = options.select.as_deref();
    let value = page
        .apps
        .into_iter()
        .map(|app| project(app, select, GraphApplication::PROPERTIES))
        .collect::<Result<_, _>>()?;
    Ok(json(
        StatusCode::OK,
        Page {
            context: metadata(&state, &fragment("applications", select, false)),
            next_link: next_link(&state, &req, &pairs, page.skip_token),
            value,
        },
    ))
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

/// The service principal a path names: `servicePrincipals/{id}` or `servicePrincipals(appId='{app_id}')`.
fn sp_key(req: &HttpRequest) -> SpKey<'_> {
    match req.match_info().get("app_id") {
        Some(app_id) => SpKey::AppId(app_id),
        None => SpKey::Id(req.match_info().get("id").unwrap_or_default()),
    }
}

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
    let select = options.select.as_deref();
    let value = page
        .principals
        .into_iter()
        .map(|sp| project(sp, select, GraphServicePrincipal::PROPERTIES))
        .collect::<Result<_, _>>()?;
    Ok(json(
        StatusCode::OK,
        Page {
            context: metadata(&state, &fragment("servicePrincipals", select, false)),
            next_link: next_link(&state, &req, &pairs, page.skip_token),
            value,
        },
    ))
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

/// A collection of app role assignments under `owner` (`servicePrincipals('{id}')`, `users('{id}')`).
fn assignments(
    state: &AppState,
    owner: String,
    navigation: &str,
    value: Vec<graph::GraphAppRoleAssignment>,
) -> HttpResponse {
    json(StatusCode::OK, Page { context: metadata(state, &format!("{owner}/{navigation}")), next_link: None, value })
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

/// How Graph's metadata names a service principal a path named.
fn owner_of(key: SpKey<'_>) -> String {
    match key {
        SpKey::Id(id) => format!("servicePrincipals('{id}')"),
        SpKey::AppId(app_id) => format!("servicePrincipals(appId='{app_id}')"),
    }
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

/// A page of grants under `set` (`oauth2PermissionGrants`, `servicePrincipals('{id}')/oauth2PermissionGrants`).
fn grant_page(
    state: &AppState,
    req: &HttpRequest,
    pairs: &[(String, String)],
    set: &str,
    select: Option<&[&str]>,
    page: GrantPage,
) -> Result<HttpResponse, GraphError> {
    let value =
        page.grants.into_iter().map(|g| project(g, select, GraphGrant::PROPERTIES)).collect::<Result<_, _>>()?;
    Ok(json(
        StatusCode::OK,
        Page {
            context: metadata(state, &fragment(set, select, false)),
            next_link: next_link(state, req, pairs, page.skip_token),
            value,
        },
    ))
}

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
    grant_page(&state, &req, &pairs, "oauth2PermissionGrants", options.select.as_deref(), page)
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
    grant_page(&state, &req, &pairs, &set, options.select.as_deref(), page)
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
    let select = options.select.as_deref();
    let value = page
        .entries
        .into_iter()
        .map(|entry| project(entry, select, graph::DirectoryAudit::PROPERTIES))
        .collect::<Result<_, _>>()?;
    Ok(json(
        StatusCode::OK,
        Page {
            context: metadata(&state, &fragment("auditLogs/directoryAudits", select, false)),
            next_link: next_link(&state, &req, &pairs, page.skip_token),
            value,
        },
    ))
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
