//! `GET`/`POST /{tenant}/oauth2/v2.0/logout` (OpenID Connect RP-Initiated Logout 1.0): ends the SSO
//! session, then goes to `post_logout_redirect_uri` only when it is registered on the app named by
//! `client_id` or by `id_token_hint`'s audience.

use actix_web::cookie::Cookie;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::SESSION_COOKIE;
use super::html::{error_page, plain_page, secure};
use crate::domain::ids::AppId;
use crate::flows::bearer::verify_issued;
use crate::flows::session::sign_out;
use crate::pages::SignedOutPage;
use crate::state::AppState;

#[derive(Debug, Default)]
struct LogoutParams {
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
    id_token_hint: Option<String>,
}

impl LogoutParams {
    fn parse(encoded: &[u8]) -> Self {
        let mut params = Self::default();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            let slot = match name.as_ref() {
                "post_logout_redirect_uri" => &mut params.post_logout_redirect_uri,
                "state" => &mut params.state,
                "client_id" => &mut params.client_id,
                "id_token_hint" => &mut params.id_token_hint,
                _ => continue,
            };
            *slot = Some(value.into_owned()).filter(|v| !v.is_empty());
        }
        params
    }
}

pub async fn logout_get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    logout(&state, &req, req.query_string().as_bytes()).await
}

pub async fn logout_post(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    logout(&state, &req, &body).await
}

async fn logout(state: &AppState, req: &HttpRequest, encoded: &[u8]) -> HttpResponse {
    let params = LogoutParams::parse(encoded);
    if let Some(cookie) = req.cookie(SESSION_COOKIE)
        && let Err(err) = sign_out(state, cookie.value()).await
    {
        return error_page(&err);
    }
    let destination = match registered_destination(state, &params).await {
        Some(uri) => {
            let mut location = uri;
            if let Some(s) = &params.state {
                let encoded = url::form_urlencoded::Serializer::new(String::new()).append_pair("state", s).finish();
                location.push(if location.contains('?') { '&' } else { '?' });
                location.push_str(&encoded);
            }
            secure(&mut HttpResponse::Found(), false).insert_header((header::LOCATION, location)).finish()
        }
        None => plain_page(StatusCode::OK, &SignedOutPage),
    };
    let mut response = destination;
    let mut removal = Cookie::build(SESSION_COOKIE, "").path("/").http_only(true).finish();
    removal.make_removal();
    if let Err(err) = response.add_cookie(&removal) {
        tracing::error!(cause = %err, "cookie not removed");
    }
    response
}

/// `post_logout_redirect_uri`, when the app the request names has registered it exactly.
async fn registered_destination(state: &AppState, params: &LogoutParams) -> Option<String> {
    let uri = params.post_logout_redirect_uri.as_deref()?;
    let from_hint = || {
        let hint = params.id_token_hint.as_deref()?;
        verify_issued(state, hint, state.clock.now(), true).ok().map(|c| c.aud)
    };
    let app_id: AppId = match params.client_id.as_deref() {
        Some(id) => id.parse().ok()?,
        None => from_hint()?,
    };
    let app = state.store.app_by_app_id(app_id).await.ok()??;
    let registered = app.web_redirect_uris.iter().chain(&app.public_client_redirect_uris).any(|r| r == uri);
    if registered {
        Some(uri.to_owned())
    } else {
        tracing::info!(client = %app.app_id, "post_logout_redirect_uri is not registered; not redirecting");
        None
    }
}
