//! An app registration's "Expose an API" and "App roles" pages in the admin portal (issue 18): the
//! identifier URI, scopes and app roles, each added and then enabled or disabled. Every form carries a
//! single-use token bound to the session and to this app; a refused value shows the page again with
//! what was typed and the message beside the form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::Browser;
use super::html::{admin_page, error_page};
use super::portal::{Page, frame, see_other};
use super::portal_app::{Posted, app_path, posted, refusal_page};
use super::portal_apps::administrator;
use crate::domain::tenant::Tenant;
use crate::flows::portal::Reviewer;
use crate::flows::portal_api::{NewRole, NewScope, add_role, add_scope, exposed, set_enabled, set_identifier_uri};
use crate::flows::portal_apps::{Field, Refused};
use crate::flows::portal_credentials::owned;
use crate::pages::{AdminExposePage, AdminRolesPage, Kept};
use crate::state::AppState;

/// The purpose of these pages' form tokens.
const API_FORM: &str = "admin-api";

/// Which of the two pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Expose,
    Roles,
}

impl Tab {
    fn segment(self) -> &'static str {
        match self {
            Self::Expose => "expose",
            Self::Roles => "roles",
        }
    }
}

/// A refused form: which field, the message, and what was posted.
type Refusal = (Field, String, Kept);

/// `GET /{tenant}/admin/apps/{appId}/expose`.
pub async fn expose_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    show(&state, path.into_inner(), &req, Tab::Expose).await
}

/// `GET /{tenant}/admin/apps/{appId}/roles`.
pub async fn roles_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    show(&state, path.into_inner(), &req, Tab::Roles).await
}

async fn show(state: &AppState, (segment, app_id): (String, String), req: &HttpRequest, tab: Tab) -> HttpResponse {
    let browser = Browser::of(state, req);
    match administrator(state, &segment, &browser, Page::Apps).await {
        Ok((tenant, admin)) => render(state, &browser, (&tenant, &admin), (&app_id, tab), None).await,
        Err(response) => response,
    }
}

async fn render(
    state: &AppState,
    browser: &Browser,
    (tenant, admin): (&Tenant, &Reviewer),
    (app_id, tab): (&str, Tab),
    refused: Option<Refusal>,
) -> HttpResponse {
    let app = match owned(state, admin, app_id).await {
        Ok(app) => app,
        Err(refused) => return refusal_page(refused),
    };
    let status = if refused.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let (field, error, kept) = match refused {
        Some((field, error, kept)) => (Some(field), Some(error), kept),
        None => (None, None, Kept::default()),
    };
    let error_of = |of: Field| error.clone().filter(|_| field == Some(of));
    let (frame, path, csrf) =
        (frame(tenant, admin, "apps"), app_path(tenant, app_id), browser.token(state, API_FORM, app_id));
    let api = exposed(&app);
    match tab {
        Tab::Expose => {
            let (uri_error, scope_error) = (error_of(Field::IdentifierUri), error_of(Field::Scope));
            admin_page(status, &AdminExposePage { frame, api, path, csrf, kept, uri_error, scope_error })
        }
        Tab::Roles => {
            let role_error = error_of(Field::Role);
            admin_page(status, &AdminRolesPage { frame, api, path, csrf, kept, role_error })
        }
    }
}

/// After a form: back to its page, or the page again with the refusal.
async fn answer(state: &AppState, p: Posted, (app_id, tab): (&str, Tab), outcome: Result<(), Refused>) -> HttpResponse {
    match outcome {
        Ok(()) => see_other(&format!("{}/{}", app_path(&p.tenant, app_id), tab.segment()), &p.browser),
        Err(Refused::Field(field, message)) => {
            let refusal = (field, message, Kept(p.fields));
            render(state, &p.browser, (&p.tenant, &p.admin), (app_id, tab), Some(refusal)).await
        }
        Err(Refused::Failed(err)) => error_page(&err),
    }
}

/// `POST /{tenant}/admin/apps/{appId}/expose/uri`: sets the identifier URI.
pub async fn identifier_uri(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (API_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let outcome = match owned(&state, &p.admin, &app_id).await {
        Ok(app) => {
            let uri = p.field("identifier_uri");
            set_identifier_uri(&state, &p.admin, &app, uri, p.correlation_id, state.clock.now()).await
        }
        Err(refused) => Err(refused),
    };
    answer(&state, p, (&app_id, Tab::Expose), outcome).await
}

/// `POST /{tenant}/admin/apps/{appId}/expose/scopes`: adds a scope.
pub async fn new_scope(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (API_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let new = NewScope {
        value: p.field("value"),
        admins_only: p.field("who") != "users",
        admin_name: p.field("admin_name"),
        admin_description: p.field("admin_description"),
        user_name: p.field("user_name"),
        user_description: p.field("user_description"),
    };
    let outcome = match owned(&state, &p.admin, &app_id).await {
        Ok(app) => add_scope(&state, &p.admin, &app, new, p.correlation_id, state.clock.now()).await,
        Err(refused) => Err(refused),
    };
    answer(&state, p, (&app_id, Tab::Expose), outcome).await
}

/// `POST /{tenant}/admin/apps/{appId}/roles`: creates an app role.
pub async fn new_role(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (API_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let new = NewRole {
        name: p.field("name"),
        members: p.field("members"),
        value: p.field("value"),
        description: p.field("description"),
    };
    let outcome = match owned(&state, &p.admin, &app_id).await {
        Ok(app) => add_role(&state, &p.admin, &app, new, p.correlation_id, state.clock.now()).await,
        Err(refused) => Err(refused),
    };
    answer(&state, p, (&app_id, Tab::Roles), outcome).await
}

/// `POST /{tenant}/admin/apps/{appId}/{expose | roles}/state`: enables (`enabled=yes`) or disables
/// the scope or app role `id`, and goes back to the page that lists it.
pub async fn set_state(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (API_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let (id, enabled) = (p.field("id"), p.ticked("enabled"));
    let (outcome, tab) = match owned(&state, &p.admin, &app_id).await {
        Ok(app) => {
            let tab = if app.app_roles.iter().any(|r| r.id.to_string() == id) { Tab::Roles } else { Tab::Expose };
            (set_enabled(&state, &p.admin, &app, (id, enabled), p.correlation_id, state.clock.now()).await, tab)
        }
        Err(refused) => (Err(refused), Tab::Expose),
    };
    answer(&state, p, (&app_id, tab), outcome).await
}
