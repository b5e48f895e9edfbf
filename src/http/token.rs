//! `POST /{tenant}/oauth2/v2.0/token`: parse the form and the Basic header, call the token flow.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::tenant::TenantSegment;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::token::{Endpoint, TokenRequest, parse_basic, token as serve_token};
use crate::state::AppState;

pub async fn token(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ProtocolError> {
    require_form(&req)?;
    let request = TokenRequest::from_form(&body, basic_credentials(&req)?)?;
    let segment = path.into_inner();
    let tenant = TenantSegment::parse(&segment);
    let endpoint = Endpoint { segment: &segment, tenant: &tenant };
    let response = serve_token(&state, endpoint, &request, state.clock.now()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store, no-cache"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(response))
}

/// RFC 6749 §3.2: the token endpoint takes `application/x-www-form-urlencoded`.
fn require_form(req: &HttpRequest) -> Result<(), ProtocolError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(ProtocolError::new(Aadsts::MalformedRequest, "The request body must be application/x-www-form-urlencoded."))
    }
}

/// HTTP Basic client credentials, when the request sends an `Authorization` header.
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, ProtocolError> {
    req.headers().get(header::AUTHORIZATION).map(|value| parse_basic(value.as_bytes())).transpose()
}
