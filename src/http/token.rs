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
    let request = token_request(&state, &req, &body)?;
    let segment = path.into_inner();
    let tenant = TenantSegment::parse(&segment);
    let endpoint = Endpoint { segment: &segment, tenant: &tenant };
    let response = serve_token(&state, endpoint, &request, state.clock.now()).await?;
    Ok(no_store(HttpResponse::Ok()).json(response))
}

/// `POST /{tenant}/oauth2/token`: the v1.0 endpoint, which names the token's `resource` instead of a
/// `scope`, and answers in v1.0's shape. Which token the resource gets is its own setting
/// (`requestedAccessTokenVersion`), as at v2.0.
pub async fn token_v1(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ProtocolError> {
    let (request, resource) = token_request(&state, &req, &body)?.for_v1_resource()?;
    let segment = path.into_inner();
    let tenant = TenantSegment::parse(&segment);
    let endpoint = Endpoint { segment: &segment, tenant: &tenant };
    let now = state.clock.now();
    let response = serve_token(&state, endpoint, &request, now).await?;
    Ok(no_store(HttpResponse::Ok()).json(response.into_v1(&resource, now)))
}

/// The form, its Basic credentials, and the browser origin and network address it came from.
fn token_request(state: &AppState, req: &HttpRequest, body: &[u8]) -> Result<TokenRequest, ProtocolError> {
    require_form(req)?;
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let address = req.peer_addr().map(|a| a.ip());
    let correlation_id = ids_of(req, state).correlation_id;
    Ok(TokenRequest::from_form(body, basic_credentials(req)?)?.with_origin(origin).with_caller(address, correlation_id))
}

/// A token response is never cached (RFC 6749 §5.1).
pub(super) fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((header::CACHE_CONTROL, "no-store, no-cache")).insert_header((header::PRAGMA, "no-cache"));
    builder
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
