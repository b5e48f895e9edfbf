//! Request middleware: ids and a tracing span per request, secret-free access logs, and protocol-shaped
//! bodies for failures that happen before a handler runs (unreadable bodies, framework errors).

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use tracing::Instrument;
use uuid::Uuid;

use super::request_ids::RequestIds;
use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;

/// Gives the request its ids, logs method, path (never the query: it can carry codes) and outcome,
/// and turns non-protocol error responses into protocol errors.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (now, base_url) = match req.app_data::<web::Data<AppState>>() {
        Some(state) => (state.clock.now(), state.base_url.clone()),
        None => (crate::clock::system_now(), "".into()),
    };
    let correlation_id =
        req.headers().get("client-request-id").and_then(|v| v.to_str().ok()).and_then(|v| Uuid::parse_str(v).ok());
    let ids = RequestIds::new(correlation_id, now, base_url);
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.path(),
        trace_id = %ids.trace_id,
        correlation_id = %ids.correlation_id,
    );
    let started = Instant::now();
    let result = ids
        .clone()
        .scope(async move { next.call(req).await.map(|r| protocol_shaped(r.map_into_boxed_body())) })
        .instrument(span.clone())
        .await;
    let mut response = result?;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "served"
        );
    });
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&ids.correlation_id.to_string()) {
        headers.insert(HeaderName::from_static("client-request-id"), value);
    }
    if let Ok(value) = HeaderValue::from_str(&ids.trace_id.to_string()) {
        headers.insert(HeaderName::from_static("x-ms-request-id"), value);
    }
    Ok(response)
}

/// Replaces an error response that did not come from a [`ProtocolError`] with one that does.
fn protocol_shaped(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let foreign = response.response().error().is_some_and(|e| e.as_error::<ProtocolError>().is_none());
    if !foreign {
        return response;
    }
    let status = response.status();
    let error = if status == StatusCode::PAYLOAD_TOO_LARGE {
        ProtocolError::new(Aadsts::MalformedRequest, "The request body is too large.")
    } else if status.is_client_error() {
        let cause = response.response().error().map(ToString::to_string).unwrap_or_default();
        ProtocolError::new(Aadsts::MalformedRequest, format!("The request could not be read: {cause}"))
    } else {
        ProtocolError::internal(format!("framework error {status}"))
    };
    let (request, _) = response.into_parts();
    ServiceResponse::new(request, error.error_response())
}
