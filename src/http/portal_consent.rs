//! Consent and permissions in the admin portal (issue 18): the page and its three forms (user consent
//! with the integrated-apps switch, the admin consent request workflow, the low-impact
//! classifications). Each form carries a single-use token bound to the session and to this page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::Browser;
use super::html::{admin_page, error_page};
use super::portal::{Page, frame, see_other};
use super::portal_app::{APP_FORM, Posted, posted};
use super::portal_apps::administrator;
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::portal::Reviewer;
use crate::flows::portal_apps::{Field, Refused};
use crate::flows::portal_consent::{classify, set_requests, set_user_consent, settings};
use crate::pages::{AdminConsentSettingsPage, FormInput};
use crate::state::AppState;

/// What the page's tokens are bound to, besides the session.
const CONSENT_PAGE: &str = "consent-settings";

/// `GET /{tenant}/admin/consent`.
pub async fn consent_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    match administrator(&state, &path, &browser, Page::Consent).await {
        Ok((tenant, admin)) => render(&state, &browser, &tenant, &admin, None).await,
        Err(response) => response,
    }
}

async fn render(
    state: &AppState,
    browser: &Browser,
    tenant: &Tenant,
    admin: &Reviewer,
    refused: Option<(Field, String, FormInput)>,
) -> HttpResponse {
    let settings = match settings(state, admin).await {
        Ok(settings) => settings,
        Err(err) => return error_page(&err),
    };
    let status = if refused.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let (mut requests, mut classification) = (FormInput::default(), FormInput::default());
    if let Some((field, message, input)) = refused {
        let target = if field == Field::Classification { &mut classification } else { &mut requests };
        *target = FormInput { error: Some(message), ..input };
    }
    let page = AdminConsentSettingsPage {
        frame: frame(tenant, admin, "consent"),
        settings,
        csrf: browser.token(state, APP_FORM, CONSENT_PAGE),
        requests,
        classification,
    };
    admin_page(status, &page)
}

/// A posted form of the page, its token checked and spent.
async fn form_of(state: &AppState, segment: &str, req: &HttpRequest, body: &[u8]) -> Result<Posted, HttpResponse> {
    posted(state, (segment, CONSENT_PAGE), req, body, (APP_FORM, CONSENT_PAGE)).await
}

async fn answer(state: &AppState, p: &Posted, outcome: Result<(), Refused>) -> HttpResponse {
    match outcome {
        Ok(()) => see_other(&Page::Consent.path(&p.tenant), &p.browser),
        Err(Refused::Field(field, message)) => {
            let value = |name: &str| p.field(name).to_owned();
            let input =
                FormInput { value: value("reviewers"), description: value("request_days"), ..FormInput::default() };
            render(state, &p.browser, &p.tenant, &p.admin, Some((field, message, input))).await
        }
        Err(Refused::Failed(err)) => error_page(&err),
    }
}

/// `POST /{tenant}/admin/consent/user-consent`.
pub async fn user_consent(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match form_of(&state, &path, &req, &body).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let setting = p.field("user_consent");
    let integrated = p.ticked("integrated_apps");
    let outcome = set_user_consent(&state, &p.admin, (setting, integrated), p.correlation_id, state.clock.now()).await;
    answer(&state, &p, outcome).await
}

/// `POST /{tenant}/admin/consent/requests`.
pub async fn requests(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match form_of(&state, &path, &req, &body).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let change = (p.ticked("requests_on"), p.field("reviewers"), p.field("request_days"));
    let outcome = set_requests(&state, &p.admin, change, p.correlation_id, state.clock.now()).await;
    answer(&state, &p, outcome).await
}

/// `POST /{tenant}/admin/consent/classifications` (`permission` = "{appId} {value}").
pub async fn add_classification(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    classification(&state, &path, &req, &body, true).await
}

/// `POST /{tenant}/admin/consent/classifications/remove`.
pub async fn remove_classification(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    classification(&state, &path, &req, &body, false).await
}

async fn classification(state: &AppState, segment: &str, req: &HttpRequest, body: &[u8], low: bool) -> HttpResponse {
    let p = match form_of(state, segment, req, body).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let permission = p.field("permission");
    let Some((api, value)) = permission.split_once(' ') else {
        let message = "Choose a permission: the form sends its API's appId and its value.";
        return error_page(&ProtocolError::new(Aadsts::MalformedRequest, message));
    };
    let outcome = classify(state, &p.admin, (api, value), low, p.correlation_id, state.clock.now()).await;
    answer(state, &p, outcome).await
}
