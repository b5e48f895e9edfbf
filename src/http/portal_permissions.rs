//! An app registration's API permissions in the admin portal (issue 18): the table with each
//! permission's status, adding permissions of an API found by its name, and "Grant admin consent for
//! {tenant}" or revoking it, each after a confirmation page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::Browser;
use super::html::{admin_page, error_page};
use super::portal::{Page, frame, see_other};
use super::portal_app::{CONFIRM_FORM, app_path, posted, refusal_page};
use super::portal_apps::administrator;
use crate::domain::app::Application;
use crate::domain::tenant::Tenant;
use crate::flows::portal::Reviewer;
use crate::flows::portal_apps::Refused;
use crate::flows::portal_credentials::owned;
use crate::flows::portal_permissions::{add, api, apis, grant, permissions, remove, revoke};
use crate::pages::{AdminAddPermissionPage, AdminConfirmPage, AdminPermissionsPage};
use crate::state::AppState;

/// The purpose of the add-permissions form's token.
const PERMISSIONS_FORM: &str = "admin-permissions";

/// The signed-in administrator and the app of the path, or the page to send instead.
async fn app_of(
    state: &AppState,
    (segment, app_id): (&str, &str),
    browser: &Browser,
) -> Result<(Tenant, Reviewer, Application), HttpResponse> {
    let (tenant, admin) = administrator(state, segment, browser, Page::Apps).await?;
    match owned(state, &admin, app_id).await {
        Ok(app) => Ok((tenant, admin, app)),
        Err(refused) => Err(refusal_page(refused)),
    }
}

/// `GET /{tenant}/admin/apps/{appId}/permissions`.
pub async fn permissions_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    let (tenant, admin, app) = match app_of(&state, (&segment, &app_id), &browser).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match permissions(&state, &admin, &app).await {
        Ok(rows) => {
            let page = AdminPermissionsPage {
                frame: frame(&tenant, &admin, "apps"),
                app_name: app.display_name.clone(),
                app_path: app_path(&tenant, &app_id),
                rows,
                csrf: browser.token(&state, PERMISSIONS_FORM, &app_id),
            };
            admin_page(StatusCode::OK, &page)
        }
        Err(err) => error_page(&err),
    }
}

/// `GET /{tenant}/admin/apps/{appId}/permissions/add?search=…` and `?api={appId}`: the APIs found by
/// name, or one API's permissions to choose from.
pub async fn add_page(state: web::Data<AppState>, path: web::Path<(String, String)>, req: HttpRequest) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    let (tenant, admin, app) = match app_of(&state, (&segment, &app_id), &browser).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let value = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let search = value("search").unwrap_or_default();
    let (found, chosen) = match value("api") {
        Some(api_id) => match api(&state, &admin, &api_id).await {
            Ok(chosen) => (Vec::new(), Some(chosen)),
            Err(err) => return error_page(&err),
        },
        None => match apis(&state, &admin, &search).await {
            Ok(found) => (found, None),
            Err(err) => return error_page(&err),
        },
    };
    let page = AdminAddPermissionPage {
        frame: frame(&tenant, &admin, "apps"),
        app_name: app.display_name.clone(),
        app_path: app_path(&tenant, &app_id),
        search,
        apis: found,
        chosen,
        csrf: browser.token(&state, PERMISSIONS_FORM, &app_id),
    };
    admin_page(StatusCode::OK, &page)
}

/// `POST /{tenant}/admin/apps/{appId}/permissions`: adds the permissions ticked (`scope:{value}`,
/// `role:{value}`) of the API named by `api`.
pub async fn add_permissions(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (PERMISSIONS_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let ticked = |prefix: &str| -> Vec<String> {
        let mut values: Vec<String> =
            p.fields.keys().filter_map(|name| name.strip_prefix(prefix)).map(str::to_owned).collect();
        values.sort();
        values
    };
    let (scopes, roles) = (ticked("scope:"), ticked("role:"));
    let api_id = p.field("api").to_owned();
    let outcome = match owned(&state, &p.admin, &app_id).await {
        Ok(app) => add(&state, &p.admin, &app, (&api_id, &scopes, &roles), p.correlation_id, state.clock.now()).await,
        Err(refused) => Err(refused),
    };
    finish(&p.tenant, &app_id, &p.browser, outcome)
}

/// `POST /{tenant}/admin/apps/{appId}/permissions/remove`: one required permission (`api`, `kind`,
/// `value`) is no longer required.
pub async fn remove_permission(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let p = match posted(&state, (&segment, &app_id), &req, &body, (PERMISSIONS_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let named = (p.field("api"), p.field("kind"), p.field("value"));
    let outcome = match owned(&state, &p.admin, &app_id).await {
        Ok(app) => remove(&state, &p.admin, &app, named, p.correlation_id, state.clock.now()).await,
        Err(refused) => Err(refused),
    };
    finish(&p.tenant, &app_id, &p.browser, outcome)
}

/// What a confirmation on the permissions page decides: grant admin consent, or revoke it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AdminConsent {
    Grant,
    Revoke,
}

impl AdminConsent {
    /// The decision the last segment of the path names.
    fn named(segment: &str) -> Option<Self> {
        match segment {
            "grant" => Some(Self::Grant),
            "revoke" => Some(Self::Revoke),
            _ => None,
        }
    }

    /// The last segment of the confirmation's path.
    fn segment(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Revoke => "revoke",
        }
    }
}

/// The page for a path that names no decision.
fn no_such_decision() -> HttpResponse {
    let message = "No such page: the address names grant or revoke.";
    error_page(&crate::error::ProtocolError::new(crate::error::Aadsts::NotFound, message))
}

/// `GET /{tenant}/admin/apps/{appId}/permissions/{grant | revoke}`: the confirmation.
pub async fn confirm(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (segment, app_id, decision) = path.into_inner();
    let Some(decision) = AdminConsent::named(&decision) else { return no_such_decision() };
    let browser = Browser::of(&state, &req);
    let (tenant, admin, app) = match app_of(&state, (&segment, &app_id), &browser).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let back = format!("{}/permissions", app_path(&tenant, &app_id));
    let (app_name, tenant_name) = (&app.display_name, &tenant.display_name);
    let (title, question, confirm) = match decision {
        AdminConsent::Grant => (
            format!("Grant admin consent for {tenant_name}"),
            format!(
                "Grant every permission {app_name} requires for all accounts in {tenant_name}? Users will not be asked to consent."
            ),
            "Yes, grant",
        ),
        AdminConsent::Revoke => (
            format!("Revoke admin consent for {tenant_name}"),
            format!(
                "Revoke what was granted to {app_name} for all accounts in {tenant_name}, delegated and application permissions? What users consented to for themselves stays; refresh tokens that relied on the rest stop working."
            ),
            "Yes, revoke",
        ),
    };
    let page = AdminConfirmPage {
        frame: frame(&tenant, &admin, "apps"),
        title,
        question,
        action: format!("{back}/{}", decision.segment()),
        csrf: browser.token(&state, CONFIRM_FORM, &format!("{app_id}/{}", decision.segment())),
        back,
        confirm,
    };
    admin_page(StatusCode::OK, &page)
}

/// `POST /{tenant}/admin/apps/{appId}/permissions/{grant | revoke}`: Yes decides, Cancel goes back.
pub async fn decide(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id, decision) = path.into_inner();
    let Some(decision) = AdminConsent::named(&decision) else { return no_such_decision() };
    let decides = format!("{app_id}/{}", decision.segment());
    let p = match posted(&state, (&segment, &app_id), &req, &body, (CONFIRM_FORM, &decides)).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    if !p.accepted() {
        return finish(&p.tenant, &app_id, &p.browser, Ok(()));
    }
    let now = state.clock.now();
    let outcome = match (owned(&state, &p.admin, &app_id).await, decision) {
        (Ok(app), AdminConsent::Grant) => grant(&state, &p.admin, &app, p.correlation_id, now).await,
        (Ok(app), AdminConsent::Revoke) => revoke(&state, &p.admin, &app, p.correlation_id, now).await,
        (Err(refused), _) => Err(refused),
    };
    finish(&p.tenant, &app_id, &p.browser, outcome)
}

/// Back to the permissions page, or the refusal.
fn finish(tenant: &Tenant, app_id: &str, browser: &Browser, outcome: Result<(), Refused>) -> HttpResponse {
    match outcome {
        Ok(()) => see_other(&format!("{}/permissions", app_path(tenant, app_id)), browser),
        Err(refused) => refusal_page(refused),
    }
}
