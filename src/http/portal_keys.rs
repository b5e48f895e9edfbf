//! Signing keys in the admin portal (issue 18): the list, and "Rotate now" after a confirmation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::Browser;
use super::html::{admin_page, error_page};
use super::portal::{Page, frame, see_other};
use super::portal_app::{CONFIRM_FORM, posted, refusal_page};
use super::portal_apps::administrator;
use crate::flows::portal_keys::{keys, rotate};
use crate::pages::{AdminConfirmPage, AdminKeysPage};
use crate::state::AppState;

/// What the rotation confirmation's token is bound to.
const ROTATE: &str = "rotate-signing-keys";

/// `GET /{tenant}/admin/signing-keys`.
pub async fn keys_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match administrator(&state, &path, &browser, Page::Keys).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match keys(&state, &admin).await {
        Ok((keys, next)) => {
            admin_page(StatusCode::OK, &AdminKeysPage { frame: frame(&tenant, &admin, "keys"), keys, next })
        }
        Err(err) => error_page(&err),
    }
}

/// `GET /{tenant}/admin/signing-keys/rotate`: the confirmation.
pub async fn confirm_rotation(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match administrator(&state, &path, &browser, Page::Keys).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let back = Page::Keys.path(&tenant);
    let page = AdminConfirmPage {
        frame: frame(&tenant, &admin, "keys"),
        title: "Rotate the signing keys".to_owned(),
        question: "Publish the next signing key now? It signs every tenant's tokens after the publish lead; the current key signs until then and stays published while its tokens are valid.".to_owned(),
        action: format!("{back}/rotate"),
        csrf: browser.token(&state, CONFIRM_FORM, ROTATE),
        back,
        confirm: "Yes, rotate",
    };
    admin_page(StatusCode::OK, &page)
}

/// `POST /{tenant}/admin/signing-keys/rotate`: Yes rotates, Cancel goes back.
pub async fn rotation(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match posted(&state, (&path, ROTATE), &req, &body, (CONFIRM_FORM, ROTATE)).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    if p.accepted()
        && let Err(refused) = rotate(&state, &p.admin, p.correlation_id, state.clock.now()).await
    {
        return refusal_page(refused);
    }
    see_other(&Page::Keys.path(&p.tenant), &p.browser)
}
