//! Request middleware: ids and a tracing span per request, secret-free access logs, and protocol-shaped
//! bodies for failures that happen before a handler runs (unreadable bodies, framework errors).

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{PayloadError, UrlencodedError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Instrument;
use uuid::Uuid;

use super::body_deadline::{BODY_DEADLINE, Deadline};
use super::html::{PageError, render_error_page};
use crate::error::{Aadsts, ProtocolError};
use crate::graph_error::GraphError;
use crate::request_ids::RequestIds;
use crate::state::AppState;

/// Gives the request its ids and a deadline for its body, logs method, path (never the query: it can
/// carry codes) and outcome, renders error responses with the request's ids, turns non-protocol errors
/// into protocol errors, and adds `Strict-Transport-Security` when Signet is served over TLS.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.headers().contains_key(header::CONTENT_LENGTH) || req.headers().contains_key(header::TRANSFER_ENCODING) {
        let payload = req.take_payload();
        req.set_payload(Deadline::wrap(payload, BODY_DEADLINE));
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(actix_web::error::ErrorInternalServerError("the application has no state"));
    };
    let correlation_id =
        req.headers().get("client-request-id").and_then(|v| v.to_str().ok()).and_then(|v| Uuid::parse_str(v).ok());
    let ids = RequestIds::new(correlation_id, state.clock.now(), state.base_url.clone());
    req.extensions_mut().insert(ids.clone());
    let tls = state.base_url.starts_with("https://");
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.path(),
        trace_id = %ids.trace_id,
        correlation_id = %ids.correlation_id,
    );
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let result = span.in_scope(|| result.map(|r| rendered(r.map_into_boxed_body(), &ids)));
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
    if tls {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    Ok(response)
}

/// An error response rendered with the request's ids: a [`ProtocolError`] as JSON, a [`PageError`] as
/// a page, a [`GraphError`] in Graph's shape, and any other error (the framework's) as the protocol
/// error it amounts to.
fn rendered(response: ServiceResponse<BoxBody>, ids: &RequestIds) -> ServiceResponse<BoxBody> {
    let Some(error) = response.response().error() else { return response };
    let page = if let Some(error) = error.as_error::<ProtocolError>() {
        error.json_response(ids)
    } else if let Some(PageError(error)) = error.as_error::<PageError>() {
        render_error_page(error, ids)
    } else if let Some(error) = error.as_error::<GraphError>() {
        error.json_response(ids)
    } else {
        framework_error(&response).json_response(ids)
    };
    let mut page = page;
    // What a middleware inside this one added stays: the token endpoint's CORS headers, so a
    // single-page app can read why its request was refused.
    for (name, value) in response.headers() {
        if name.as_str().starts_with("access-control-") || name == header::VARY {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let (request, _) = response.into_parts();
    ServiceResponse::new(request, page)
}

/// The protocol error a framework error (an unreadable body, an oversized one) amounts to.
fn framework_error(response: &ServiceResponse<BoxBody>) -> ProtocolError {
    let status = response.status();
    if response.response().error().is_some_and(body_timed_out) {
        ProtocolError::new(
            Aadsts::BodyTimeout,
            format!("The request body did not arrive within {} seconds.", BODY_DEADLINE.as_secs()),
        )
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        ProtocolError::new(Aadsts::MalformedRequest, "The request body is too large.")
    } else if status.is_client_error() {
        let cause = response.response().error().map(ToString::to_string).unwrap_or_default();
        ProtocolError::new(Aadsts::MalformedRequest, format!("The request could not be read: {cause}"))
    } else {
        ProtocolError::internal(format!("framework error {status}"))
    }
}

/// Whether a body read failed because [`Deadline`] ran out, whichever extractor read it.
fn body_timed_out(error: &actix_web::Error) -> bool {
    let payload = error.as_error::<PayloadError>().or_else(|| match error.as_error::<UrlencodedError>() {
        Some(UrlencodedError::Payload(payload)) => Some(payload),
        _ => None,
    });
    matches!(payload, Some(PayloadError::Io(io)) if io.kind() == std::io::ErrorKind::TimedOut)
}

/// The request's ids, as the middleware made them (fresh ones, by the server's clock, outside it).
pub fn ids_of(req: &actix_web::HttpRequest, state: &AppState) -> RequestIds {
    let made = req.extensions().get::<RequestIds>().cloned();
    made.unwrap_or_else(|| RequestIds::new(None, state.clock.now(), state.base_url.clone()))
}
