//! What every directory API handler shares: the caller, the query options and the body it sent, and
//! the answer in Graph's shape (`@odata.context`, the properties asked for, the next page's link).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::super::middleware::ids_of;
use crate::flows::graph::{self, AppKey, Caller, SpKey};
use crate::graph_error::GraphError;
use crate::state::AppState;

/// The query options of a list (see [`crate::flows::graph::odata`]); any other is a 400.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(super) struct ListQuery {
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
pub(super) struct SelectQuery {
    /// Comma-separated property names.
    #[param(rename = "$select")]
    select: Option<String>,
}

pub(super) async fn caller(state: &AppState, req: &HttpRequest) -> Result<Caller, GraphError> {
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let correlation_id = ids_of(req, state).correlation_id;
    graph::authenticate(state, authorization, correlation_id, state.clock.now()).await
}

/// The request's query options, decoded.
pub(super) fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect()
}

/// A JSON body of type `T`; anything else is Graph's 400.
pub(super) fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(bytes).map_err(|err| GraphError::bad_request(format!("Invalid request body: {err}.")))
}

pub(super) fn metadata(state: &AppState, fragment: &str) -> String {
    format!("{}/v1.0/$metadata#{fragment}", state.base_url)
}

/// The `@odata.context` fragment of `set`, naming the selected properties when `$select` was given.
pub(super) fn fragment(set: &str, select: Option<&[&str]>, entity: bool) -> String {
    let selected = select.map(|names| format!("({})", names.join(","))).unwrap_or_default();
    if entity { format!("{set}{selected}/$entity") } else { format!("{set}{selected}") }
}

/// Every property of the object.
pub(super) fn properties(object: impl Serialize) -> Result<Map<String, Value>, GraphError> {
    match serde_json::to_value(object).map_err(GraphError::internal)? {
        Value::Object(properties) => Ok(properties),
        _ => Err(GraphError::internal("an object did not serialise to a JSON object")),
    }
}

/// The object's properties that `select` names, or its `default` ones.
pub(super) fn project(
    object: impl Serialize,
    select: Option<&[&str]>,
    default: &[&str],
) -> Result<Map<String, Value>, GraphError> {
    let mut properties = properties(object)?;
    let keep = select.unwrap_or(default);
    properties.retain(|name, _| keep.contains(&name.as_str()));
    Ok(properties)
}

pub(super) fn json(status: StatusCode, body: impl Serialize) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::CACHE_CONTROL, "no-store")).json(body)
}

/// One object with its `@odata.context`.
pub(super) fn entity(
    state: &AppState,
    context: &str,
    mut properties: Map<String, Value>,
    status: StatusCode,
) -> HttpResponse {
    properties.insert("@odata.context".to_owned(), Value::String(metadata(state, context)));
    json(status, properties)
}

/// A page of a collection: its `@odata.context`, the link to the next page when there is one, and the
/// objects.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Page<T> {
    #[serde(rename = "@odata.context")]
    pub(super) context: String,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub(super) next_link: Option<String>,
    pub(super) value: Vec<T>,
}

/// The link to the page after `skip_token`: the same request with the token in `$skiptoken`.
pub(super) fn next_link(
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

/// The application a path names: `applications/{id}` or `applications(appId='{app_id}')`.
pub(super) fn app_key(req: &HttpRequest) -> AppKey<'_> {
    match req.match_info().get("app_id") {
        Some(app_id) => AppKey::AppId(app_id),
        None => AppKey::Id(req.match_info().get("id").unwrap_or_default()),
    }
}

/// The service principal a path names: `servicePrincipals/{id}` or `servicePrincipals(appId='{app_id}')`.
pub(super) fn sp_key(req: &HttpRequest) -> SpKey<'_> {
    match req.match_info().get("app_id") {
        Some(app_id) => SpKey::AppId(app_id),
        None => SpKey::Id(req.match_info().get("id").unwrap_or_default()),
    }
}

/// A collection of app role assignments under `owner` (`servicePrincipals('{id}')`, `users('{id}')`).
pub(super) fn assignments(
    state: &AppState,
    owner: String,
    navigation: &str,
    value: Vec<graph::GraphAppRoleAssignment>,
) -> HttpResponse {
    json(StatusCode::OK, Page { context: metadata(state, &format!("{owner}/{navigation}")), next_link: None, value })
}

/// How Graph's metadata names a service principal a path named.
pub(super) fn owner_of(key: SpKey<'_>) -> String {
    match key {
        SpKey::Id(id) => format!("servicePrincipals('{id}')"),
        SpKey::AppId(app_id) => format!("servicePrincipals(appId='{app_id}')"),
    }
}

/// A page of the collection `set`: each object's selected (or `default`) properties, the collection's
/// `@odata.context`, and the link to the next page when `skip_token` says there is one.
pub(super) struct Listed<'a> {
    pub(super) set: &'a str,
    pub(super) select: Option<&'a [&'a str]>,
    pub(super) default: &'a [&'a str],
    pub(super) skip_token: Option<String>,
}

pub(super) fn list_page<T: Serialize>(
    state: &AppState,
    req: &HttpRequest,
    pairs: &[(String, String)],
    listed: Listed<'_>,
    objects: Vec<T>,
) -> Result<HttpResponse, GraphError> {
    let value =
        objects.into_iter().map(|o| project(o, listed.select, listed.default)).collect::<Result<Vec<_>, _>>()?;
    Ok(json(
        StatusCode::OK,
        Page {
            context: metadata(state, &fragment(listed.set, listed.select, false)),
            next_link: next_link(state, req, pairs, listed.skip_token),
            value,
        },
    ))
}
