//! `POST /{tenant}/oauth2/v2.0/token`: parse the form, the Basic header and the `Origin` of a
//! cross-origin request, call the token flow. The endpoint answers CORS preflights from any origin, as
//! Entra's does; which origin may redeem what is the flow's rule (a single-page app's, from the origin
//! of one of its redirect URIs).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::middleware::ids_of;
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
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let address = req.peer_addr().map(|a| a.ip());
    let correlation_id = ids_of(&req, &state).correlation_id;
    let request = TokenRequest::from_form(&body, basic_credentials(&req)?)?
        .with_origin(origin)
        .with_caller(address, correlation_id);
    let segment = path.into_inner();
    let tenant = TenantSegment::parse(&segment);
    let endpoint = Endpoint { segment: &segment, tenant: &tenant };
    let response = serve_token(&state, endpoint, &request, state.clock.now()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store, no-cache"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(response))
}

/// The token endpoint's CORS: any origin, `POST`, any request header (msal sends its own `x-client-*`
/// ones), no cookies, and a preflight cached for a day.
pub fn cors() -> actix_cors::Cors {
    actix_cors::Cors::default().allow_any_origin().allowed_methods(["POST"]).allow_any_header().max_age(86_400)
}

/// RFC 6749 §3.2: the token endpoint takes `application/x-www-form-urlencoded`.
pub(super) fn require_form(req: &HttpRequest) -> Result<(), ProtocolError> {
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
