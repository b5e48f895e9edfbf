//! `GET`/`POST /{tenant}/oauth2/v2.0/logout` (OpenID Connect RP-Initiated Logout 1.0): ends the SSO
//! session, at once when a valid `id_token_hint` shows the request comes from a signed-in app, after
//! the user confirms otherwise; then goes to `post_logout_redirect_uri` only when it is registered on
//! the app named by `client_id` or by the hint's audience (see [`crate::flows::logout`]).

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::{Browser, SESSION_COOKIE};
use super::html::{error_page, plain_page, secure};
use crate::flows::logout::{self, LogoutRequest};
use crate::flows::session::sign_out;
use crate::pages::{Hidden, SignOutPage, SignedOutPage};
use crate::state::AppState;

/// The purpose the confirmation form's CSRF token is made for.
const CONFIRM_PURPOSE: &str = "logout";

fn parse(encoded: &[u8]) -> (LogoutRequest, HashMap<String, String>) {
    let fields: HashMap<String, String> =
        url::form_urlencoded::parse(encoded).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let get = |name: &str| fields.get(name).filter(|v| !v.is_empty()).cloned();
    let request = LogoutRequest {
        post_logout_redirect_uri: get("post_logout_redirect_uri"),
        state: get("state"),
        client_id: get("client_id"),
        id_token_hint: get("id_token_hint"),
    };
    (request, fields)
}

pub async fn logout_get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let (request, _) = parse(req.query_string().as_bytes());
    logout(&state, &req, request, false).await
}

pub async fn logout_post(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let (request, fields) = parse(&body);
    let decides = decides(&request);
    let confirmed = Browser::of(&state, &req).vouches(&state, (CONFIRM_PURPOSE, SESSION_COOKIE), &fields, &decides);
    let confirmed = confirmed.is_some();
    logout(&state, &req, request, confirmed).await
}

async fn logout(state: &AppState, req: &HttpRequest, request: LogoutRequest, confirmed: bool) -> HttpResponse {
    let segment = req.match_info().get("tenant").unwrap_or_default();
    let checked = logout::check(state, segment, &request).await;
    let browser = Browser::of(state, req);
    if let Some(cookie) = &browser.session {
        if checked.hint.is_none() && !confirmed {
            return confirmation(state, req, &browser, &request);
        }
        if let Err(err) = sign_out(state, cookie).await {
            return error_page(&err);
        }
    }
    let mut response = match logout::destination(state, &request, &checked).await {
        Some(mut location) => {
            if let Some(s) = &request.state {
                let encoded = url::form_urlencoded::Serializer::new(String::new()).append_pair("state", s).finish();
                location.push(if location.contains('?') { '&' } else { '?' });
                location.push_str(&encoded);
            }
            secure(&mut HttpResponse::Found(), false).insert_header((header::LOCATION, location)).finish()
        }
        None => plain_page(StatusCode::OK, &SignedOutPage),
    };
    let mut removal = browser.cookie(SESSION_COOKIE, String::new());
    removal.make_removal();
    if let Err(err) = response.add_cookie(&removal) {
        tracing::error!(cause = %err, "cookie not removed");
    }
    response
}

/// The page that asks the user to confirm, posting the request back with a token bound to the session.
fn confirmation(state: &AppState, req: &HttpRequest, browser: &Browser, request: &LogoutRequest) -> HttpResponse {
    let csrf = browser.token(state, CONFIRM_PURPOSE, &decides(request));
    let page = SignOutPage { action: req.path().to_owned(), hidden: hidden(request), csrf };
    plain_page(StatusCode::OK, &page)
}

/// The confirmation form's hidden fields: where to go afterwards, and for which app.
fn hidden(request: &LogoutRequest) -> Hidden {
    let fields = [
        ("post_logout_redirect_uri", &request.post_logout_redirect_uri),
        ("state", &request.state),
        ("client_id", &request.client_id),
    ];
    fields.into_iter().filter_map(|(name, value)| Some((name, value.clone()?))).collect()
}

/// What the confirmation decides, as its token is bound to it.
fn decides(request: &LogoutRequest) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(hidden(request)).finish()
}
