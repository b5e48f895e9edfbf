//! `{base}/v1.0/…`: the directory API in Microsoft Graph's shape (see [`crate::flows::graph`]). Handlers
//! authenticate the caller, call one flow and write the object with its `@odata.context`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::flows::graph::{self, Caller};
use crate::graph_error::GraphError;
use crate::state::AppState;

/// One object, with the metadata URL Graph gives it.
#[derive(Serialize)]
struct Entity<T> {
    #[serde(rename = "@odata.context")]
    context: String,
    #[serde(flatten)]
    entity: T,
}

/// A collection, with the metadata URL Graph gives it.
#[derive(Serialize)]
struct Collection<T> {
    #[serde(rename = "@odata.context")]
    context: String,
    value: Vec<T>,
}

async fn caller(state: &AppState, req: &HttpRequest) -> Result<Caller, GraphError> {
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    graph::authenticate(state, authorization, state.clock.now()).await
}

fn metadata(state: &AppState, fragment: &str) -> String {
    format!("{}/v1.0/$metadata#{fragment}", state.base_url)
}

fn ok(body: impl Serialize) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(body)
}

/// `GET /v1.0/me`.
pub async fn me(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let user = graph::me(&caller)?;
    Ok(ok(Entity { context: metadata(&state, "users/$entity"), entity: user }))
}

/// `GET /v1.0/users/{id | userPrincipalName}`.
pub async fn user(
    state: web::Data<AppState>,
    key: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let user = graph::user(&state, &caller, &key).await?;
    Ok(ok(Entity { context: metadata(&state, "users/$entity"), entity: user }))
}

/// `GET /v1.0/organization`.
pub async fn organization(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, GraphError> {
    let caller = caller(&state, &req).await?;
    let organization = graph::organization(&caller)?;
    Ok(ok(Collection { context: metadata(&state, "organization"), value: vec![organization] }))
}
