//! Liveness and readiness for orchestrators.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// The process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers and a signing key is loaded: the server can issue tokens.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state.store.ping().await.is_ok();
    let signing_key = state.keys.signer(state.clock.now()).is_some();
    let body = json!({ "database": database, "signing_key": signing_key });
    if database && signing_key { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}
