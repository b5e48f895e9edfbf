//! HTML pages of the sign-in flow: rendering with the security headers every one of them carries.

use std::sync::LazyLock;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, HttpResponseBuilder};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::ProtocolError;
use crate::pages::AuthErrorPage;
use crate::request_ids::RequestIds;

/// The one script Signet serves: the auto-submit of `form_post`. It is allowed by its hash alone.
const FORM_POST_SCRIPT: &str = "document.forms[0].submit()";

static FORM_POST_SCRIPT_HASH: LazyLock<String> =
    LazyLock::new(|| STANDARD.encode(ring::digest::digest(&ring::digest::SHA256, FORM_POST_SCRIPT.as_bytes())));

/// Headers that keep pages out of frames, caches and other sites' reach.
pub fn secure(builder: &mut HttpResponseBuilder, script: bool) -> &mut HttpResponseBuilder {
    let script_src =
        if script { format!(" script-src 'sha256-{}';", FORM_POST_SCRIPT_HASH.as_str()) } else { String::new() };
    with_script_src(builder, &script_src)
}

/// The security headers, with `script_src` (empty, or ` script-src …;`) in the Content-Security-Policy.
fn with_script_src<'b>(builder: &'b mut HttpResponseBuilder, script_src: &str) -> &'b mut HttpResponseBuilder {
    builder
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("default-src 'none'; style-src 'self';{script_src} frame-ancestors 'none'; base-uri 'none'"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
}

/// A rendered page with status `status`.
pub fn page(builder: &mut HttpResponseBuilder, template: &impl Template) -> HttpResponse {
    match template.render() {
        Ok(body) => builder.content_type("text/html; charset=utf-8").body(body),
        Err(err) => {
            tracing::error!(cause = %err, "page did not render");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// A page with the form-post script allowed.
pub fn script_page(status: StatusCode, template: &impl Template) -> HttpResponse {
    page(secure(&mut HttpResponse::build(status), true), template)
}

/// An administration page: it may run Signet's own portal script (`/static/portal.js`) and no other.
pub fn admin_page(status: StatusCode, template: &impl Template) -> HttpResponse {
    page(with_script_src(&mut HttpResponse::build(status), " script-src 'self';"), template)
}

/// A page without scripts.
pub fn plain_page(status: StatusCode, template: &impl Template) -> HttpResponse {
    page(secure(&mut HttpResponse::build(status), false), template)
}

/// A failure shown to the person at the browser as a page, for failures that must not redirect. Like a
/// [`ProtocolError`] sent as JSON, it is rendered by the request middleware, which knows the ids the
/// page quotes.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PageError(pub ProtocolError);

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.aadsts().status()
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::new(self.status_code())
    }
}

/// The error page for `error`.
pub fn error_page(error: &ProtocolError) -> HttpResponse {
    HttpResponse::from_error(PageError(error.clone()))
}

/// The page of a [`PageError`], quoting the request's ids.
pub fn render_error_page(error: &ProtocolError, ids: &RequestIds) -> HttpResponse {
    let body = error.body(ids);
    tracing::info!(error = body.error, aadsts = error.aadsts().code(), "error page");
    let view = AuthErrorPage {
        code: error.aadsts().code(),
        error: body.error,
        description: error.description().to_owned(),
        trace_id: body.trace_id,
        correlation_id: body.correlation_id,
        timestamp: body.timestamp,
    };
    plain_page(error.aadsts().status(), &view)
}
