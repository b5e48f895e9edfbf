//! The administration pages for the tenant and its app registrations (issue 18): the overview, the
//! list with its search, and a new registration (one app's page is in `portal_app.rs`). The tenant's administrators
//! only; a reviewer who is not one is sent to the review queue from the overview, and refused
//! elsewhere. The new-registration form carries a single-use CSRF token bound to the session.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::{Browser, SESSION_COOKIE};
use super::html::{admin_page, error_page};
use super::middleware::ids_of;
use super::portal::{
    Page, forged, form, frame, malformed_form, platform_name, platform_named, see_other, sign_in_page, signed_in, spend,
};
use crate::domain::tenant::Tenant;
use crate::flows::portal::{Reviewer, require_admin};
use crate::flows::portal_apps::{Field, NewRegistration, Refused, overview, register, registrations};
use crate::pages::{AdminAppsPage, AdminNewAppPage, AdminOverviewPage};
use crate::state::AppState;

/// The purpose of the new-registration form's token.
const NEW_APP_FORM: &str = "admin-new-app";

/// `GET /{tenant}/admin/`: the tenant's overview; a reviewer who is not an administrator goes to the
/// review queue.
pub async fn overview_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match signed_in(&state, &path, &browser).await {
        Ok(Some(found)) => found,
        Ok(None) => return sign_in_page(&state, &path, browser, Page::Overview, "", None, StatusCode::OK),
        Err(err) => return error_page(&err),
    };
    if require_admin(&admin).is_err() {
        return see_other(&Page::ConsentRequests.path(&tenant), &browser);
    }
    match overview(&state, &admin).await {
        Ok(overview) => {
            admin_page(StatusCode::OK, &AdminOverviewPage { frame: frame(&tenant, &admin, "overview"), overview })
        }
        Err(err) => error_page(&err),
    }
}

/// `GET /{tenant}/admin/apps?search=…`: the app registrations.
pub async fn apps_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match administrator(&state, &path, &browser, Page::Apps).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string()).map(web::Query::into_inner);
    let search = query.ok().and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "search")).map(|(_, v)| v);
    let search = search.unwrap_or_default();
    match registrations(&state, &admin, &search).await {
        Ok((rows, more)) => {
            admin_page(StatusCode::OK, &AdminAppsPage { frame: frame(&tenant, &admin, "apps"), search, rows, more })
        }
        Err(err) => error_page(&err),
    }
}

/// `GET /{tenant}/admin/apps/new`: the new-registration form.
pub async fn new_app_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    match administrator(&state, &path, &browser, Page::Apps).await {
        Ok((tenant, admin)) => new_app_form(&state, &browser, &tenant, &admin, &NewRegistration::default(), None),
        Err(response) => response,
    }
}

/// `POST /{tenant}/admin/apps/new`: registers the app and shows it, or shows the form again with the
/// input kept and the message beside its field.
pub async fn create_app(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let Some(fields) = form(&body) else { return malformed_form() };
    let browser = Browser::of(&state, &req);
    let Some(verified) = browser.vouches(&state, (NEW_APP_FORM, SESSION_COOKIE), &fields, "") else {
        return forged();
    };
    if let Err(response) = spend(&state, &verified).await {
        return response;
    }
    let (tenant, admin) = match administrator(&state, &path, &browser, Page::Apps).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let new = NewRegistration {
        name: field("name").trim().to_owned(),
        multi_tenant: field("audience") == "multi",
        platform: platform_named(&field("platform")),
        redirect_uri: field("redirect_uri"),
    };
    let correlation_id = ids_of(&req, &state).correlation_id;
    match register(&state, &admin, &new, correlation_id, state.clock.now()).await {
        Ok(app) => see_other(&format!("{}/{}", Page::Apps.path(&tenant), app.app_id), &browser),
        Err(Refused::Field(field, message)) => {
            new_app_form(&state, &browser, &tenant, &admin, &new, Some((field, message)))
        }
        Err(Refused::Failed(err)) => error_page(&err),
    }
}

/// The form, empty or as it was posted with the refusal beside its field (then with status 400).
fn new_app_form(
    state: &AppState,
    browser: &Browser,
    tenant: &Tenant,
    admin: &Reviewer,
    new: &NewRegistration,
    refused: Option<(Field, String)>,
) -> HttpResponse {
    let error_of = |wanted: Field| refused.as_ref().filter(|(field, _)| *field == wanted).map(|(_, m)| m.clone());
    let page = AdminNewAppPage {
        frame: frame(tenant, admin, "apps"),
        csrf: browser.token(state, NEW_APP_FORM, ""),
        name: new.name.clone(),
        multi_tenant: new.multi_tenant,
        platform: new.platform.map_or("none", platform_name),
        redirect_uri: new.redirect_uri.clone(),
        name_error: error_of(Field::Name),
        uri_error: error_of(Field::RedirectUri),
    };
    let status = if refused.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    admin_page(status, &page)
}

/// The signed-in administrator of the path's tenant; otherwise the page to send instead: the sign-in
/// page (leading back to `page`), or the refusal.
pub(super) async fn administrator(
    state: &AppState,
    segment: &str,
    browser: &Browser,
    page: Page,
) -> Result<(Tenant, Reviewer), HttpResponse> {
    match signed_in(state, segment, browser).await {
        Ok(Some((tenant, admin))) => match require_admin(&admin) {
            Ok(()) => Ok((tenant, admin)),
            Err(err) => Err(error_page(&err)),
        },
        Ok(None) => Err(sign_in_page(state, segment, browser.clone(), page, "", None, StatusCode::OK)),
        Err(err) => Err(error_page(&err)),
    }
}
