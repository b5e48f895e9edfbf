//! One app registration's page in the admin portal and its forms (issue 18): the overview, redirect
//! URIs (add, remove), client secrets (add, the value shown once; remove after a confirmation) and
//! certificates (upload a PEM; remove after a confirmation). Every form carries a single-use token
//! bound to the session and to this app; a refused value shows the page again with the input kept and
//! the message beside its field.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

use super::browser::{Browser, SESSION_COOKIE};
use super::html::{admin_page, error_page};
use super::middleware::ids_of;
use super::portal::{Page, forged, form, frame, malformed_form, platform_named, see_other, spend};
use super::portal_apps::administrator;
use crate::domain::redirect_uri::Platform;
use crate::domain::tenant::Tenant;
use crate::error::format_timestamp;
use crate::flows::portal::Reviewer;
use crate::flows::portal_apps::{Field, Refused, app_overview};
use crate::flows::portal_credentials::{
    Credential, SECRET_DAYS, add_certificate, add_redirect_uri, add_secret, describe, owned, remove,
    remove_redirect_uri,
};
use crate::pages::{AdminAppPage, AdminConfirmPage, AdminSecretPage, FormInput};
use crate::state::AppState;

/// The purpose of the app page's form tokens.
pub(super) const APP_FORM: &str = "admin-app";
/// The purpose of a removal confirmation's token.
pub(super) const CONFIRM_FORM: &str = "admin-confirm";

/// The expiry a new secret gets unless another is chosen: 180 days, as Entra's portal suggests.
const DEFAULT_SECRET_DAYS: u32 = 180;

/// `GET /{tenant}/admin/apps/{appId}`.
pub async fn app_page(state: web::Data<AppState>, path: web::Path<(String, String)>, req: HttpRequest) -> HttpResponse {
    let (segment, app_id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    match administrator(&state, &segment, &browser, Page::Apps).await {
        Ok((tenant, admin)) => render(&state, &browser, &tenant, &admin, &app_id, Inputs::default()).await,
        Err(response) => response,
    }
}

/// What the page's forms hold when it is shown again after a refusal.
#[derive(Default)]
struct Inputs {
    uri: FormInput,
    secret: FormInput,
    certificate: FormInput,
    refused: bool,
}

impl Inputs {
    /// The posted values of the form `field` is in, with the refusal beside it.
    fn refused(field: Field, message: String, fields: &HashMap<String, String>) -> Self {
        let value = |name: &str| fields.get(name).cloned().unwrap_or_default();
        let input = |value_name: &str| FormInput {
            choice: value("platform"),
            value: value(value_name),
            description: value("description"),
            error: Some(message.clone()),
        };
        let mut inputs = Self { refused: true, ..Self::default() };
        match field {
            Field::Secret => inputs.secret = input("days"),
            Field::Certificate => inputs.certificate = input("pem"),
            _ => {
                inputs.uri = input("redirect_uri");
            }
        }
        inputs
    }
}

async fn render(
    state: &AppState,
    browser: &Browser,
    tenant: &Tenant,
    admin: &Reviewer,
    app_id: &str,
    inputs: Inputs,
) -> HttpResponse {
    let app = match app_overview(state, admin, app_id).await {
        Ok(app) => app,
        Err(err) => return error_page(&err),
    };
    let chosen = inputs.secret.value.parse().unwrap_or(DEFAULT_SECRET_DAYS);
    let page = AdminAppPage {
        frame: frame(tenant, admin, "apps"),
        path: app_path(tenant, &app.app_id),
        csrf: browser.token(state, APP_FORM, &app.app_id),
        secret_days: SECRET_DAYS.iter().map(|&days| (days, days == chosen)).collect(),
        app,
        uri: inputs.uri,
        secret: inputs.secret,
        certificate: inputs.certificate,
    };
    admin_page(if inputs.refused { StatusCode::BAD_REQUEST } else { StatusCode::OK }, &page)
}

pub(super) fn app_path(tenant: &Tenant, app_id: &str) -> String {
    format!("{}/{app_id}", Page::Apps.path(tenant))
}

/// A posted form of the app page: its fields, once its token is checked and spent, and the signed-in
/// administrator.
pub(super) struct Posted {
    pub(super) browser: Browser,
    pub(super) fields: HashMap<String, String>,
    pub(super) tenant: Tenant,
    pub(super) admin: Reviewer,
    pub(super) correlation_id: Uuid,
}

impl Posted {
    /// A posted field's value; empty when it was not sent.
    pub(super) fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or_default()
    }

    /// Whether a checkbox (`value="yes"`) was ticked: a browser sends an unticked one not at all.
    pub(super) fn ticked(&self, name: &str) -> bool {
        self.field(name) == "yes"
    }

    /// Whether a confirmation page was answered with its Yes button.
    pub(super) fn accepted(&self) -> bool {
        self.field("decision") == "accept"
    }
}

pub(super) async fn posted(
    state: &AppState,
    (segment, app_id): (&str, &str),
    req: &HttpRequest,
    body: &[u8],
    purpose: (&str, &str),
) -> Result<Posted, HttpResponse> {
    let Some(fields) = form(body) else { return Err(malformed_form()) };
    let browser = Browser::of(state, req);
    let (purpose, decides) = purpose;
    let decides = if decides.is_empty() { app_id.to_owned() } else { decides.to_owned() };
    let Some(verified) = browser.vouches(state, (purpose, SESSION_COOKIE), &fields, &decides) else {
        return Err(forged());
    };
    spend(state, &verified).await?;
    let (tenant, admin) = administrator(state, segment, &browser, Page::Apps).await?;
    Ok(Posted { browser, fields, tenant, admin, correlation_id: ids_of(req, state).correlation_id })
}

/// A refusal shown as an error page: a value to correct is a 400 (AADSTS90014) where no form can show
/// it beside its field.
pub(super) fn refusal_page(refused: Refused) -> HttpResponse {
    match refused {
        Refused::Failed(err) => error_page(&err),
        Refused::Field(_, message) => {
            error_page(&crate::error::ProtocolError::new(crate::error::Aadsts::MalformedRequest, message))
        }
    }
}

/// After a form of the app page: back to the page, or the page again with the refusal.
async fn answer(state: &AppState, p: &Posted, app_id: &str, outcome: Result<(), Refused>) -> HttpResponse {
    match outcome {
        Ok(()) => see_other(&app_path(&p.tenant, app_id), &p.browser),
        Err(Refused::Field(field, message)) => {
            let inputs = Inputs::refused(field, message, &p.fields);
            render(state, &p.browser, &p.tenant, &p.admin, app_id, inputs).await
        }
        Err(Refused::Failed(err)) => error_page(&err),
    }
}

/// `POST /{tenant}/admin/apps/{appId}/redirect-uris`.
pub async fn add_uri(
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
    let platform = platform_named(p.field("platform")).unwrap_or(Platform::Web);
    let uri = p.field("redirect_uri");
    let outcome =
        add_redirect_uri(&state, &p.admin, &app_id, (platform, uri), p.correlation_id, state.clock.now()).await;
    answer(&state, &p, &app_id, outcome).await
}

/// `POST /{tenant}/admin/apps/{appId}/redirect-uris/remove`.
pub async fn remove_uri(
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
    let uri = p.field("uri");
    let outcome = remove_redirect_uri(&state, &p.admin, &app_id, uri, p.correlation_id, state.clock.now()).await;
    answer(&state, &p, &app_id, outcome).await
}

/// `POST /{tenant}/admin/apps/{appId}/secrets`: the new secret's value, on this response only (never in
/// a URL).
pub async fn new_secret(
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
    let description = p.field("description");
    let days = p.field("days").parse().unwrap_or(0);
    let now = state.clock.now();
    match add_secret(&state, &p.admin, &app_id, (description, days), p.correlation_id, now).await {
        Ok((credential, secret)) => {
            let app_name = match owned(&state, &p.admin, &app_id).await {
                Ok(app) => app.display_name,
                Err(_) => app_id.clone(),
            };
            let page = AdminSecretPage {
                frame: frame(&p.tenant, &p.admin, "apps"),
                app_name,
                app_path: app_path(&p.tenant, &app_id),
                key_id: credential.key_id.to_string(),
                description: credential.display_name.unwrap_or_default(),
                value: secret.expose().to_owned(),
                expires: format_timestamp(credential.end),
            };
            admin_page(StatusCode::OK, &page)
        }
        Err(refused) => answer(&state, &p, &app_id, Err(refused)).await,
    }
}

/// `POST /{tenant}/admin/apps/{appId}/certificates`.
pub async fn new_certificate(
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
    let upload = (p.field("pem"), p.field("description"));
    let outcome = add_certificate(&state, &p.admin, &app_id, upload, p.correlation_id, state.clock.now()).await;
    answer(&state, &p, &app_id, outcome).await
}

/// The credential a removal path names: `secrets/{keyId}` or `certificates/{keyId}`.
fn credential(kind: &str, key_id: &str) -> Option<Credential> {
    let key_id = key_id.parse().ok()?;
    match kind {
        "secrets" => Some(Credential::Secret(key_id)),
        "certificates" => Some(Credential::Certificate(key_id)),
        _ => None,
    }
}

/// `GET /{tenant}/admin/apps/{appId}/{secrets | certificates}/{keyId}/remove`: the confirmation.
pub async fn confirm_removal(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (segment, app_id, kind, key_id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match administrator(&state, &segment, &browser, Page::Apps).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(credential) = credential(&kind, &key_id) else { return not_found() };
    let described = match owned(&state, &admin, &app_id).await {
        Ok(app) => describe(&state, &admin, &app, credential).await.map(|found| (app, found)),
        Err(refused) => Err(refused),
    };
    match described {
        Ok((app, (what, name))) => {
            let action = format!("{}/{kind}/{key_id}/remove", app_path(&tenant, &app_id));
            let page = AdminConfirmPage {
                frame: frame(&tenant, &admin, "apps"),
                title: format!("Remove a {what} of {}", app.display_name),
                question: format!(
                    "Remove the {what} {name}? Whatever signs in with it fails at once; this cannot be undone."
                ),
                csrf: browser.token(&state, CONFIRM_FORM, &format!("{app_id}/{kind}/{key_id}")),
                action,
                back: app_path(&tenant, &app_id),
                confirm: "Yes, remove",
            };
            admin_page(StatusCode::OK, &page)
        }
        Err(refused) => refusal_page(refused),
    }
}

/// `POST …/{secrets | certificates}/{keyId}/remove`: Yes removes, Cancel goes back to the app.
pub async fn remove_credential(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, app_id, kind, key_id) = path.into_inner();
    let Some(credential) = credential(&kind, &key_id) else { return not_found() };
    let decides = format!("{app_id}/{kind}/{key_id}");
    let p = match posted(&state, (&segment, &app_id), &req, &body, (CONFIRM_FORM, &decides)).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    if !p.accepted() {
        return see_other(&app_path(&p.tenant, &app_id), &p.browser);
    }
    let outcome = match owned(&state, &p.admin, &app_id).await {
        Ok(app) => remove(&state, &p.admin, &app, credential, p.correlation_id, state.clock.now()).await,
        Err(refused) => Err(refused),
    };
    answer(&state, &p, &app_id, outcome).await
}

fn not_found() -> HttpResponse {
    let message = "No such credential: the address names secrets or certificates and a key id.";
    error_page(&crate::error::ProtocolError::new(crate::error::Aadsts::NotFound, message))
}
