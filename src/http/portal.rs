//! The tenant administration pages under `/{tenant}/admin/`: the admin consent requests with Approve
//! (through the admin consent page), Deny and Block; the audit log; and the sign-in that leads there, in
//! the path's tenant only. Every form carries a CSRF token bound to this browser's cookie.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

use super::authorize::retry_message;
use super::browser::{BROWSER_COOKIE, Browser, SESSION_COOKIE, set_cookies};
use super::html::{admin_page, error_page, secure};
use super::middleware::ids_of;
use crate::domain::audit::activity_names;
use crate::domain::consent_request::Refusal;
use crate::domain::redirect_uri::Platform;
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::portal::{Reviewer, approval_page, approve, refuse, requests, review_tenant, reviewer};
use crate::flows::portal_apps::Refused;
use crate::flows::portal_audit::{AuditQuery, AuditSlice, audit_slice};
use crate::flows::session::{Directory, sign_in as password_sign_in};
use crate::form_token::Verified;
use crate::pages::{AdminConsentPage, AdminFrame, AuditPage, AuditRow, ReviewPage, SignInPage};
use crate::state::AppState;

/// The purposes of the admin pages' form tokens.
const ADMIN_SIGN_IN_FORM: &str = "admin-signin";
const REVIEW_FORM: &str = "review";
/// Only the admin consent page's own form approves: a token of the list's forms cannot.
const APPROVAL_FORM: &str = "review-approval";

/// The name the sign-in page says it continues to.
const PORTAL_NAME: &str = "Signet administration";

/// The pages a sign-in leads back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Page {
    Overview,
    Apps,
    Enterprise,
    Users,
    Consent,
    Keys,
    ConsentRequests,
    Audit,
}

impl Page {
    /// The page's path segment under `/{tenant}/admin/`, and the sign-in form's `next` value.
    fn segment(self) -> &'static str {
        match self {
            Self::Overview => "",
            Self::Apps => "apps",
            Self::Enterprise => "enterprise-apps",
            Self::Consent => "consent",
            Self::Users => "users",
            Self::Keys => "signing-keys",
            Self::ConsentRequests => "consent-requests",
            Self::Audit => "audit",
        }
    }

    fn from_segment(value: Option<&str>) -> Self {
        match value {
            Some("") => Self::Overview,
            Some("apps") => Self::Apps,
            Some("enterprise-apps") => Self::Enterprise,
            Some("consent") => Self::Consent,
            Some("users") => Self::Users,
            Some("signing-keys") => Self::Keys,
            Some("audit") => Self::Audit,
            _ => Self::ConsentRequests,
        }
    }

    pub(super) fn path(self, tenant: &Tenant) -> String {
        format!("/{}/admin/{}", tenant.id, self.segment())
    }
}

/// `GET /{tenant}/admin/consent-requests`: the open and the decided requests, or the sign-in page.
pub async fn list(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, reviewer) = match signed_in(&state, &path, &browser).await {
        Ok(Some(found)) => found,
        Ok(None) => return sign_in_page(&state, &path, browser, Page::ConsentRequests, "", None, StatusCode::OK),
        Err(err) => return error_page(&err),
    };
    let (open, closed) = match requests(&state, &reviewer, state.clock.now()).await {
        Ok(found) => found,
        Err(err) => return error_page(&err),
    };
    let open = open.into_iter().map(|r| {
        let token = browser.token(&state, REVIEW_FORM, &r.id.to_string());
        (r, token)
    });
    let page = ReviewPage {
        frame: frame(&tenant, &reviewer, "requests"),
        base: requests_path(&tenant),
        can_approve: reviewer.can_approve(),
        open: open.collect(),
        closed,
    };
    admin_page(StatusCode::OK, &page)
}

/// `GET /{tenant}/admin/audit?activity=…&actor=…&from=…&to=…&before=…`: the tenant's audit log,
/// newest first, filtered and paged, for administrators.
pub async fn audit(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, reviewer) = match signed_in(&state, &path, &browser).await {
        Ok(Some(found)) => found,
        Ok(None) => return sign_in_page(&state, &path, browser, Page::Audit, "", None, StatusCode::OK),
        Err(err) => return error_page(&err),
    };
    let asked: HashMap<String, String> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let value = |name: &str| asked.get(name).cloned().unwrap_or_default();
    let query = AuditQuery {
        activity: value("activity"),
        actor: value("actor"),
        from: value("from"),
        to: value("to"),
        before: value("before"),
    };
    let (slice, error) = match audit_slice(&state, &reviewer, &query).await {
        Ok(slice) => (slice, None),
        Err(Refused::Field(_, message)) => (AuditSlice { events: Vec::new(), older: None }, Some(message)),
        Err(Refused::Failed(err)) => return error_page(&err),
    };
    let older = slice.older.map(|key| {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (name, typed) in
            [("activity", &query.activity), ("actor", &query.actor), ("from", &query.from), ("to", &query.to)]
        {
            if !typed.is_empty() {
                next.append_pair(name, typed);
            }
        }
        format!("{}?{}", Page::Audit.path(&tenant), next.append_pair("before", &key.to_string()).finish())
    });
    let page = AuditPage {
        frame: frame(&tenant, &reviewer, "audit"),
        events: slice.events.into_iter().map(AuditRow::of).collect(),
        activities: activity_names().into_iter().map(|name| (name, name == query.activity)).collect(),
        query,
        older,
        error,
    };
    admin_page(if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK }, &page)
}

/// `POST /{tenant}/admin/signin`: the administration sign-in form, in the path's tenant only.
pub async fn sign_in(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let Some(fields) = form(&body) else { return malformed_form() };
    let browser = Browser::of(&state, &req);
    let next = fields.get("next").map(String::as_str).unwrap_or_default();
    let Some(verified) = browser.vouches(&state, (ADMIN_SIGN_IN_FORM, BROWSER_COOKIE), &fields, next) else {
        return forged();
    };
    if let Err(response) = spend(&state, &verified).await {
        return response;
    }
    let tenant = match review_tenant(&state, &path).await {
        Ok(tenant) => tenant,
        Err(err) => return error_page(&err),
    };
    let username = fields.get("username").map(|u| u.trim()).unwrap_or_default();
    let password = fields.get("password").map(String::as_str).unwrap_or_default();
    let next = Page::from_segment(fields.get("next").map(String::as_str));
    let retry =
        |status, message: &str| sign_in_page(&state, &path, browser.clone(), next, username, Some(message), status);
    if username.is_empty() || password.is_empty() {
        return retry(StatusCode::OK, "Enter your username and password.");
    }
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let directory = Directory { path_tenant: Some(&tenant), domain_hint: None };
    match password_sign_in(&state, directory, username, password, &address, state.clock.now()).await {
        Ok(started) => {
            let browser = Browser { session: Some(started.cookie_value), new_session: true, ..browser };
            see_other(&next.path(&tenant), &browser)
        }
        Err(failure) => match retry_message(failure) {
            Ok(again) => again.apply(retry(again.status, &again.message)),
            Err(err) => error_page(&err),
        },
    }
}

/// `GET /{tenant}/admin/consent-requests/{id}/approve`: the admin consent page for exactly what the
/// request asks for.
pub async fn approval(state: web::Data<AppState>, path: web::Path<(String, String)>, req: HttpRequest) -> HttpResponse {
    let (segment, id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    let (tenant, reviewer, id) = match reviewed(&state, &segment, &id, &browser).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match approval_page(&state, &reviewer, id, state.clock.now()).await {
        Ok(view) => {
            let page = AdminConsentPage {
                action: format!("{}/{id}/approve", requests_path(&tenant)),
                hidden: Vec::new(),
                csrf: browser.token(&state, APPROVAL_FORM, &id.to_string()),
                view,
            };
            admin_page(StatusCode::OK, &page)
        }
        Err(err) => error_page(&err),
    }
}

/// `POST /{tenant}/admin/consent-requests/{id}/approve`: Accept grants and closes the request; Cancel
/// goes back to the list.
pub async fn approval_answer(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, id) = path.into_inner();
    let (browser, fields, tenant, reviewer, id) = match posted(&state, &segment, &id, &req, &body, APPROVAL_FORM).await
    {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    match fields.get("decision").map(String::as_str) {
        Some("accept") => {
            match approve(&state, &reviewer, id, state.clock.now(), ids_of(&req, &state).correlation_id).await {
                Ok(()) => see_other(&requests_path(&tenant), &browser),
                Err(err) => error_page(&err),
            }
        }
        Some("cancel") => see_other(&requests_path(&tenant), &browser),
        _ => error_page(&ProtocolError::new(Aadsts::MalformedRequest, "The form must say 'accept' or 'cancel'.")),
    }
}

/// `POST /{tenant}/admin/consent-requests/{id}/deny`.
pub async fn deny(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    refusal(&state, path.into_inner(), &req, &body, Refusal::Deny).await
}

/// `POST /{tenant}/admin/consent-requests/{id}/block`.
pub async fn block(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    refusal(&state, path.into_inner(), &req, &body, Refusal::Block).await
}

async fn refusal(
    state: &AppState,
    (segment, id): (String, String),
    req: &HttpRequest,
    body: &[u8],
    refusal: Refusal,
) -> HttpResponse {
    let (browser, fields, tenant, reviewer, id) = match posted(state, &segment, &id, req, body, REVIEW_FORM).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let reason = fields.get("justification").map(String::as_str).unwrap_or_default();
    let correlation_id = ids_of(req, state).correlation_id;
    match refuse(state, &reviewer, id, refusal, reason, state.clock.now(), correlation_id).await {
        Ok(()) => see_other(&requests_path(&tenant), &browser),
        Err(err) => error_page(&err),
    }
}

/// The signed-in reviewer of the path's tenant; `None` when nobody of that tenant is signed in.
pub(super) async fn signed_in(
    state: &AppState,
    segment: &str,
    browser: &Browser,
) -> Result<Option<(Tenant, Reviewer)>, ProtocolError> {
    let tenant = review_tenant(state, segment).await?;
    let session = browser.session(state).await?;
    Ok(reviewer(state, &tenant, session).await?.map(|reviewer| (tenant, reviewer)))
}

/// The reviewer and the request id a request page is for; otherwise the page to send instead (the
/// sign-in page leads back to the list).
async fn reviewed(
    state: &AppState,
    segment: &str,
    id: &str,
    browser: &Browser,
) -> Result<(Tenant, Reviewer, Uuid), HttpResponse> {
    let (tenant, reviewer) = match signed_in(state, segment, browser).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return Err(sign_in_page(state, segment, browser.clone(), Page::ConsentRequests, "", None, StatusCode::OK));
        }
        Err(err) => return Err(error_page(&err)),
    };
    let id = id.parse().map_err(|_| {
        error_page(&ProtocolError::new(Aadsts::NotFound, format!("'{id}' is not a consent request id.")))
    })?;
    Ok((tenant, reviewer, id))
}

/// What a posted review form holds, its CSRF token checked against the session.
type Posted = (Browser, HashMap<String, String>, Tenant, Reviewer, Uuid);

/// Reads a posted form of `purpose` about request `id`, and checks its token and its reviewer.
async fn posted(
    state: &AppState,
    segment: &str,
    id: &str,
    req: &HttpRequest,
    body: &[u8],
    purpose: &str,
) -> Result<Posted, HttpResponse> {
    let Some(fields) = form(body) else { return Err(malformed_form()) };
    let browser = Browser::of(state, req);
    let Some(verified) = browser.vouches(state, (purpose, SESSION_COOKIE), &fields, id) else {
        return Err(forged());
    };
    if purpose == APPROVAL_FORM {
        spend(state, &verified).await?;
    }
    let (tenant, reviewer, id) = reviewed(state, segment, id, &browser).await?;
    Ok((browser, fields, tenant, reviewer, id))
}

/// A posted form's fields; `None` when a field is sent twice, which the protocol's own parsers refuse
/// too: which of two values counts would be up to the parser, not to the sender.
pub(super) fn form(body: &[u8]) -> Option<HashMap<String, String>> {
    let mut fields = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body).into_owned() {
        if fields.insert(name, value).is_some() {
            return None;
        }
    }
    Some(fields)
}

/// Records a single-use form's token as posted; a second post of the same form is refused.
pub(super) async fn spend(state: &AppState, verified: &Verified) -> Result<(), HttpResponse> {
    match state.store.spend_form_token(&verified.nonce, verified.expires_at).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(forged()),
        Err(err) => Err(error_page(&ProtocolError::from(err))),
    }
}

pub(super) fn malformed_form() -> HttpResponse {
    error_page(&ProtocolError::new(Aadsts::MalformedRequest, "A form field was sent more than once."))
}

pub(super) fn forged() -> HttpResponse {
    error_page(&ProtocolError::of(Aadsts::FormRejected))
}

fn requests_path(tenant: &Tenant) -> String {
    Page::ConsentRequests.path(tenant)
}

pub(super) fn sign_in_page(
    state: &AppState,
    segment: &str,
    mut browser: Browser,
    next: Page,
    username: &str,
    message: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let page = SignInPage {
        action: format!("/{segment}/admin/signin"),
        hidden: vec![("next", next.segment().to_owned())],
        csrf: match browser.browser_token(state, ADMIN_SIGN_IN_FORM, next.segment()) {
            Ok(token) => token,
            Err(err) => return error_page(&err),
        },
        app_name: PORTAL_NAME.to_owned(),
        username: username.to_owned(),
        message: message.map(str::to_owned),
    };
    let mut response = admin_page(status, &page);
    set_cookies(&mut response, &browser);
    response
}

/// What every administration page shows around its content, with `current` marked in the navigation.
pub(super) fn frame(tenant: &Tenant, admin: &Reviewer, current: &'static str) -> AdminFrame {
    AdminFrame {
        base: format!("/{}/admin", tenant.id),
        tenant_name: tenant.display_name.clone(),
        username: admin.user.username.clone(),
        current,
        admin: admin.can_approve(),
    }
}

/// A platform as the portal's forms name it: `web`, `spa` or `public`.
pub(super) fn platform_named(name: &str) -> Option<Platform> {
    match name {
        "web" => Some(Platform::Web),
        "spa" => Some(Platform::Spa),
        "public" => Some(Platform::PublicClient),
        _ => None,
    }
}

/// The name the portal's forms give `platform`.
pub(super) fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Web => "web",
        Platform::Spa => "spa",
        Platform::PublicClient => "public",
    }
}

/// After a form: back to a page with GET, so a reload does not post again.
pub(super) fn see_other(location: &str, browser: &Browser) -> HttpResponse {
    let mut response =
        secure(&mut HttpResponse::SeeOther(), false).insert_header((header::LOCATION, location.to_owned())).finish();
    set_cookies(&mut response, browser);
    response
}
