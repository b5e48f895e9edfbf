//! Enterprise applications in the admin portal (issue 18): the list, and per app its properties, the
//! users assigned to its roles, the permissions granted to it (revoking one after a confirmation),
//! and removing it from the tenant after a confirmation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::Browser;
use super::html::{admin_page, error_page};
use super::portal::{Page, frame, see_other};
use super::portal_app::{APP_FORM, CONFIRM_FORM, Posted, posted, refusal_page};
use super::portal_apps::administrator;
use crate::domain::tenant::Tenant;
use crate::flows::portal::Reviewer;
use crate::flows::portal_apps::Refused;
use crate::flows::portal_enterprise::{
    assign, enterprise_app, enterprise_apps, principal, remove, revoke_grant, set_properties, unassign,
};
use crate::pages::{AdminConfirmPage, AdminEnterpriseAppPage, AdminEnterpriseAppsPage, FormInput};
use crate::state::AppState;

fn app_path(tenant: &Tenant, app_id: &str) -> String {
    format!("/{}/admin/enterprise-apps/{app_id}", tenant.id)
}

/// `GET /{tenant}/admin/enterprise-apps?search=…`.
pub async fn list_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match administrator(&state, &path, &browser, Page::Enterprise).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let search = query.into_iter().find(|(k, _)| k == "search").map(|(_, v)| v).unwrap_or_default();
    match enterprise_apps(&state, &admin, &search).await {
        Ok(rows) => admin_page(
            StatusCode::OK,
            &AdminEnterpriseAppsPage { frame: frame(&tenant, &admin, "enterprise"), search, rows },
        ),
        Err(err) => error_page(&err),
    }
}

/// `GET /{tenant}/admin/enterprise-apps/{appId}`.
pub async fn app_page(state: web::Data<AppState>, path: web::Path<(String, String)>, req: HttpRequest) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    match administrator(&state, &segment, &browser, Page::Enterprise).await {
        Ok((tenant, admin)) => render(&state, &browser, &tenant, &admin, &app_id, FormInput::default()).await,
        Err(response) => response,
    }
}

async fn render(
    state: &AppState,
    browser: &Browser,
    tenant: &Tenant,
    admin: &Reviewer,
    app_id: &str,
    assign: FormInput,
) -> HttpResponse {
    let app = match enterprise_app(state, admin, app_id).await {
        Ok(app) => app,
        Err(refused) => return refusal_page(refused),
    };
    let status = if assign.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = AdminEnterpriseAppPage {
        frame: frame(tenant, admin, "enterprise"),
        path: app_path(tenant, &app.app_id),
        csrf: browser.token(state, APP_FORM, &app.app_id),
        app,
        assign,
    };
    admin_page(status, &page)
}

/// After a form: back to the app's page, or the page again with the assignment's refusal.
async fn answer(state: &AppState, p: &Posted, app_id: &str, outcome: Result<(), Refused>) -> HttpResponse {
    match outcome {
        Ok(()) => see_other(&app_path(&p.tenant, app_id), &p.browser),
        Err(Refused::Field(_, message)) => {
            let value = |name: &str| p.field(name).to_owned();
            let input =
                FormInput { choice: value("role"), value: value("user"), error: Some(message), ..FormInput::default() };
            render(state, &p.browser, &p.tenant, &p.admin, app_id, input).await
        }
        Err(refused) => refusal_page(refused),
    }
}

/// `POST /{tenant}/admin/enterprise-apps/{appId}/properties`: a checkbox left unticked is `false`.
pub async fn properties(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (APP_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let values = (p.ticked("enabled"), p.ticked("assignment_required"));
    let outcome = set_properties(&state, &p.admin, &app_id, values, p.correlation_id, state.clock.now()).await;
    answer(&state, &p, &app_id, outcome).await
}

/// `POST /{tenant}/admin/enterprise-apps/{appId}/assignments`.
pub async fn add_assignment(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (APP_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let chosen = (p.field("user"), p.field("role"));
    let outcome = assign(&state, &p.admin, &app_id, chosen, p.correlation_id, state.clock.now()).await;
    answer(&state, &p, &app_id, outcome).await
}

/// `POST /{tenant}/admin/enterprise-apps/{appId}/assignments/remove`.
pub async fn remove_assignment(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (APP_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let id = p.field("id").to_owned();
    let outcome = unassign(&state, &p.admin, &app_id, &id, p.correlation_id, state.clock.now()).await;
    answer(&state, &p, &app_id, outcome).await
}

/// What a confirmation is for: revoking one grant, or deleting the app.
enum Destroy {
    Grant(String),
    App,
}

impl Destroy {
    fn decides(&self, app_id: &str) -> String {
        match self {
            Self::Grant(id) => format!("{app_id}/grants/{id}"),
            Self::App => format!("{app_id}/delete"),
        }
    }

    fn action(&self, base: &str) -> String {
        match self {
            Self::Grant(id) => format!("{base}/grants/{id}/revoke"),
            Self::App => format!("{base}/delete"),
        }
    }
}

async fn confirm(state: &AppState, (segment, app_id): (&str, &str), req: &HttpRequest, what: Destroy) -> HttpResponse {
    let browser = Browser::of(state, req);
    let (tenant, admin) = match administrator(state, segment, &browser, Page::Enterprise).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let sp = match principal(state, &admin, app_id).await {
        Ok(sp) => sp,
        Err(refused) => return refusal_page(refused),
    };
    let base = app_path(&tenant, app_id);
    let (title, question, label) = match &what {
        Destroy::Grant(_) => (
            format!("Revoke a permission grant of {}", sp.display_name),
            format!("Revoke this grant of {}? Refresh tokens that relied on it stop working.", sp.display_name),
            "Yes, revoke",
        ),
        Destroy::App => (
            format!("Delete {}", sp.display_name),
            format!(
                "Delete {} from {}, with every permission granted to it and every assignment? Its sign-ins stop.",
                sp.display_name, tenant.display_name
            ),
            "Yes, delete",
        ),
    };
    let page = AdminConfirmPage {
        frame: frame(&tenant, &admin, "enterprise"),
        title,
        question,
        action: what.action(&base),
        csrf: browser.token(state, CONFIRM_FORM, &what.decides(app_id)),
        back: base,
        confirm: label,
    };
    admin_page(StatusCode::OK, &page)
}

async fn destroy(
    state: &AppState,
    (segment, app_id): (&str, &str),
    req: &HttpRequest,
    body: &[u8],
    what: Destroy,
) -> HttpResponse {
    let decides = what.decides(app_id);
    let p = match posted(state, (segment, app_id), req, body, (CONFIRM_FORM, &decides)).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    if !p.accepted() {
        return see_other(&app_path(&p.tenant, app_id), &p.browser);
    }
    let now = state.clock.now();
    match what {
        Destroy::Grant(id) => {
            let outcome = revoke_grant(state, &p.admin, app_id, &id, p.correlation_id, now).await;
            answer(state, &p, app_id, outcome).await
        }
        Destroy::App => match remove(state, &p.admin, app_id, p.correlation_id, now).await {
            Ok(()) => see_other(&Page::Enterprise.path(&p.tenant), &p.browser),
            Err(refused) => refusal_page(refused),
        },
    }
}

/// `GET /{tenant}/admin/enterprise-apps/{appId}/grants/{id}/revoke`.
pub async fn confirm_revoke(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (segment, app_id, id) = path.into_inner();
    confirm(&state, (&segment, &app_id), &req, Destroy::Grant(id)).await
}

/// `POST /{tenant}/admin/enterprise-apps/{appId}/grants/{id}/revoke`.
pub async fn revoke(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id, id) = path.into_inner();
    destroy(&state, (&segment, &app_id), &req, &body, Destroy::Grant(id)).await
}

/// `GET /{tenant}/admin/enterprise-apps/{appId}/delete`.
pub async fn confirm_delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    confirm(&state, (&segment, &app_id), &req, Destroy::App).await
}

/// `POST /{tenant}/admin/enterprise-apps/{appId}/delete`.
pub async fn delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    destroy(&state, (&segment, &app_id), &req, &body, Destroy::App).await
}
