//! The device flow's HTTP side: `POST /{tenant}/oauth2/v2.0/devicecode` for the device, and
//! `/devicelogin` for its user, whose code starts the authorization endpoint's pages for the device's
//! request. The code form carries a CSRF token bound to the browser cookie, and wrong codes are
//! throttled per client address, so that nobody can find a live code by trying them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::authorize::{Carried, Retry, render, v1_query};
use super::browser::{BROWSER_COOKIE, Browser, set_cookies};
use super::html::{error_page, plain_page};
use super::middleware::ids_of;
use super::token::{no_store, require_form};
use crate::error::{Aadsts, ProtocolError};
use crate::flows::authorize::device::{awaiting_user, request_device_code};
use crate::flows::authorize::{AuthorizeParams, Endpoint, Interaction, authorize};
use crate::pages::DeviceLoginPage;
use crate::state::AppState;

/// The purpose the code form's token is bound to.
const CODE_FORM: &str = "devicelogin";

/// `POST /{tenant}/oauth2/v2.0/devicecode` (RFC 8628 §3.1).
pub async fn device_code(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ProtocolError> {
    require_form(&req)?;
    let response = request_device_code(&state, &path, &body, state.clock.now()).await?;
    Ok(no_store(HttpResponse::Ok()).json(response))
}

/// `POST /{tenant}/oauth2/devicecode`: the v1.0 endpoint's, which names a `resource` (ADAL's
/// `acquire_user_code`), and answers as v1.0 does: `verification_url`, and the numbers as strings.
pub async fn device_code_v1(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ProtocolError> {
    require_form(&req)?;
    let body = v1_query(std::str::from_utf8(&body).map_err(|_| ProtocolError::of(Aadsts::MalformedRequest))?);
    let response = request_device_code(&state, &path, body.as_bytes(), state.clock.now()).await?;
    Ok(no_store(HttpResponse::Ok()).json(serde_json::json!({
        "user_code": response.user_code,
        "device_code": response.device_code,
        "verification_url": response.verification_uri,
        "expires_in": response.expires_in.to_string(),
        "interval": response.interval.to_string(),
        "message": response.message,
    })))
}

/// `GET /devicelogin`: the code form.
pub async fn device_login_page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    code_form(&state, &Browser::of(&state, &req), "", None, StatusCode::OK)
}

/// `POST /devicelogin`: a typed code. A live one continues to the device request's sign-in; a wrong,
/// expired or used one shows the form again, counted against this address.
pub async fn device_login(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let fields: std::collections::HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let browser = Browser::of(&state, &req);
    let Some(verified) = browser.vouches(&state, (CODE_FORM, BROWSER_COOKIE), &fields, "") else {
        return error_page(&ProtocolError::of(Aadsts::FormRejected));
    };
    match state.store.spend_form_token(&verified.nonce, verified.expires_at).await {
        Ok(true) => {}
        Ok(false) => return error_page(&ProtocolError::of(Aadsts::FormRejected)),
        Err(err) => return error_page(&ProtocolError::from(err)),
    }
    let typed = fields.get("user_code").map(|c| c.trim()).unwrap_or_default();
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let now = state.clock.now();
    if let Err(seconds) = state.throttle.begin_user_code(&address, now) {
        let retry = Retry {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: format!("Too many codes that did not work. Wait {seconds} seconds, then try again."),
            after: Some(seconds),
        };
        return retry.apply(code_form(&state, &browser, typed, Some(retry.message.clone()), retry.status));
    }
    let request = match awaiting_user(&state, typed, now).await {
        Ok(Some(request)) => request,
        Ok(None) => {
            let message = "That code didn't work. Check the code and try again.".to_owned();
            return code_form(&state, &browser, typed, Some(message), StatusCode::OK);
        }
        Err(err) => return error_page(&err),
    };
    state.throttle.user_code_found(&address);
    let session = match browser.session(&state).await {
        Ok(session) => session,
        Err(err) => return error_page(&err),
    };
    let params = AuthorizeParams { user_code: Some(request.user_code), ..AuthorizeParams::default() };
    let ids = ids_of(&req, &state);
    let interaction = Interaction::new(ids.correlation_id);
    let outcome = authorize(&state, Endpoint::Device, &request.segment, &params, session, interaction, now).await;
    render(&state, &request.segment, &Carried { endpoint: Endpoint::Device, params }, &browser, outcome, &ids)
}

/// The code form with `typed` in it, and `message` beside it.
fn code_form(
    state: &AppState,
    browser: &Browser,
    typed: &str,
    message: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let mut browser = browser.clone();
    let csrf = match browser.browser_token(state, CODE_FORM, "") {
        Ok(csrf) => csrf,
        Err(err) => return error_page(&err),
    };
    let mut response = plain_page(status, &DeviceLoginPage { csrf, user_code: typed.to_owned(), message });
    set_cookies(&mut response, &browser);
    response
}
