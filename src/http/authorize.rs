//! `GET`/`POST /{tenant}/oauth2/v2.0/authorize`, `GET /{tenant}/v2.0/adminconsent` and
//! `GET /{tenant}/adminconsent`, and the forms of their pages: sign-in, account choice, consent and admin
//! consent. Each form carries a CSRF token bound to a cookie of this browser, and the request (endpoint
//! and parameters) as hidden fields, which the flow checks again on every post.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::{BROWSER_COOKIE, Browser, SESSION_COOKIE, set_cookies};
use super::html::{error_page, plain_page, script_page, secure};
use super::middleware::ids_of;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::authorize::{
    AuthorizeParams, ConsentAnswer, ConsentView, Endpoint, Interaction, Outcome, Reply, ResponseMode, ValidRequest,
    authorize, prepare, proceed,
};
use crate::flows::session::{Directory, SignInFailure, sign_in as password_sign_in};
use crate::pages::{
    AdminConsentPage, ConsentPage, DeviceDonePage, FormPostPage, Hidden, SelectAccountPage, SignInPage,
};
use crate::request_ids::RequestIds;
use crate::state::AppState;

/// The purposes form tokens are bound to.
const SIGN_IN_FORM: &str = "signin";
const ACCOUNT_FORM: &str = "account";
const CONSENT_FORM: &str = "consent";
const ADMIN_CONSENT_FORM: &str = "admin-consent";

/// Signet's forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    SignIn,
    Account,
    Consent,
}

/// The request a page carries from form to form: its endpoint and authorization parameters.
#[derive(Clone, Debug)]
pub(super) struct Carried {
    pub endpoint: Endpoint,
    pub params: AuthorizeParams,
}

impl Carried {
    /// Whether an Accept on the consent page grants for the whole organisation.
    fn admin_consent(&self) -> bool {
        self.endpoint.is_admin_consent() || self.params.prompt.as_deref() == Some("admin_consent")
    }

    /// What a form carrying this request decides, as its token is bound to it: the hidden fields.
    fn decides(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(self.hidden()).finish()
    }

    /// The hidden fields of a page's form.
    fn hidden(&self) -> Hidden {
        let mut fields: Hidden =
            self.params.present().into_iter().map(|(name, value)| (name, value.to_owned())).collect();
        if self.endpoint != Endpoint::Authorize {
            fields.push(("endpoint", self.endpoint.form_value().to_owned()));
        }
        fields
    }
}

/// `GET /{tenant}/oauth2/v2.0/authorize`.
pub async fn authorize_get(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    start(&state, Endpoint::Authorize, &path, &req, req.query_string().as_bytes()).await
}

/// `GET /{tenant}/oauth2/authorize`: the v1.0 endpoint. It names the token's `resource` rather than
/// scopes, and always signs the user in with an ID token and a refresh token: the request is the v2.0
/// one for `openid profile offline_access {resource}/.default`, plus any `scope` sent.
pub async fn authorize_v1(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let query = v1_query(req.query_string());
    start(&state, Endpoint::Authorize, &path, &req, query.as_bytes()).await
}

/// A v1.0 query (or form body) as the v2.0 endpoint reads it: `resource` becomes scopes. A parameter
/// sent twice is left twice, for the parser to refuse.
pub(super) fn v1_query(query: &str) -> String {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let count = |name: &str| pairs.iter().filter(|(n, _)| n == name).count();
    if count("resource") > 1 || count("scope") > 1 {
        return query.to_owned();
    }
    let value = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
    let mut scopes: Vec<String> =
        value("scope").map(|s| s.split_whitespace().map(str::to_owned).collect()).unwrap_or_default();
    for oidc in ["openid", "profile", "offline_access"] {
        if !scopes.iter().any(|s| s == oidc) {
            scopes.push(oidc.to_owned());
        }
    }
    if let Some(resource) = value("resource") {
        scopes.push(format!("{}/.default", resource.trim_end_matches('/')));
    }
    let rest = pairs.iter().filter(|(n, _)| n != "scope" && n != "resource");
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(rest)
        .append_pair("scope", &scopes.join(" "))
        .finish()
}

/// `GET /{tenant}/v2.0/adminconsent`: tenant-wide consent to the permissions `scope` names.
pub async fn admin_consent(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    start(&state, Endpoint::AdminConsent, &path, &req, req.query_string().as_bytes()).await
}

/// `GET /{tenant}/adminconsent`: tenant-wide consent to everything the app requires.
pub async fn admin_consent_v1(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    start(&state, Endpoint::AdminConsentV1, &path, &req, req.query_string().as_bytes()).await
}

/// `POST /{tenant}/oauth2/v2.0/authorize` (form body).
pub async fn authorize_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    start(&state, Endpoint::Authorize, &path, &req, &body).await
}

async fn start(state: &AppState, endpoint: Endpoint, segment: &str, req: &HttpRequest, encoded: &[u8]) -> HttpResponse {
    let (params, _) = match AuthorizeParams::parse(encoded) {
        Ok(parsed) => parsed,
        Err(err) => return error_page(&err),
    };
    let browser = Browser::of(state, req);
    let session = match browser.session(state).await {
        Ok(session) => session,
        Err(err) => return error_page(&err),
    };
    let now = state.clock.now();
    let ids = ids_of(req, state);
    let interaction = Interaction::new(ids.correlation_id);
    let outcome = authorize(state, endpoint, segment, &params, session, interaction, now).await;
    render(state, segment, &Carried { endpoint, params }, &browser, outcome, &ids)
}

/// `POST /{tenant}/login`: the sign-in form.
pub async fn sign_in(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (carried, fields, browser, request) = match posted(&state, &path, &req, &body, Form::SignIn).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let username = fields.get("username").map(|u| u.trim()).unwrap_or_default();
    let password = fields.get("password").map(String::as_str).unwrap_or_default();
    let retry = |status: StatusCode, message: String| {
        let page =
            sign_in_page(&state, &path, &carried, &browser, &request.client.display_name, username, Some(message));
        with_cookies(page, status)
    };
    if username.is_empty() || password.is_empty() {
        return retry(StatusCode::OK, "Enter your username and password.".to_owned());
    }
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let now = state.clock.now();
    let directory =
        Directory { path_tenant: request.path_tenant.as_ref(), domain_hint: request.domain_hint.as_deref() };
    match password_sign_in(&state, directory, username, password, &address, now).await {
        Ok(started) => {
            let browser = Browser { session: Some(started.cookie_value), new_session: true, ..browser };
            let ids = ids_of(&req, &state);
            let interaction = Interaction { signed_in_now: true, ..Interaction::new(ids.correlation_id) };
            let outcome = proceed(&state, &request, Some(started.session), interaction, now).await;
            render(&state, &path, &carried, &browser, outcome, &ids)
        }
        Err(failure) => match retry_message(failure) {
            Ok(again) => again.apply(retry(again.status, again.message.clone())),
            Err(err) => error_page(&err),
        },
    }
}

/// What a sign-in page says when the password did not sign the user in: its status, message and the
/// seconds to send in `Retry-After`. An internal failure is an error page instead.
pub(super) fn retry_message(failure: SignInFailure) -> Result<Retry, ProtocolError> {
    match failure {
        SignInFailure::Invalid => Ok(Retry {
            status: StatusCode::OK,
            message: "Your account or password is incorrect. If you don't remember your password, ask your administrator to reset it."
                .to_owned(),
            after: None,
        }),
        SignInFailure::Wait(seconds) => Ok(Retry {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: format!("Too many failed sign-in attempts. Wait {seconds} seconds, then try again."),
            after: Some(seconds),
        }),
        SignInFailure::Disabled => Ok(Retry {
            status: StatusCode::OK,
            message: format!(
                "AADSTS{}: Your account has been disabled. Contact your administrator.",
                Aadsts::UserDisabled.code()
            ),
            after: None,
        }),
        SignInFailure::Busy => Ok(Retry {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: "Too many people are signing in right now. Try again in a moment.".to_owned(),
            after: Some(1),
        }),
        SignInFailure::Internal(err) => Err(err),
    }
}

/// A sign-in page shown again.
pub(super) struct Retry {
    pub status: StatusCode,
    pub message: String,
    /// Seconds for `Retry-After`, when the user must wait.
    pub after: Option<i64>,
}

impl Retry {
    /// Adds `Retry-After` to the page, when there is a wait.
    pub fn apply(&self, mut page: HttpResponse) -> HttpResponse {
        if let Some(seconds) = self.after
            && let Ok(value) = header::HeaderValue::from_str(&seconds.to_string())
        {
            page.headers_mut().insert(header::RETRY_AFTER, value);
        }
        page
    }
}

/// `POST /{tenant}/account`: continue as the signed-in user, or use another account.
pub async fn account(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (carried, fields, browser, request) = match posted(&state, &path, &req, &body, Form::Account).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    match fields.get("choice").map(String::as_str) {
        Some("continue") => {
            let interaction =
                Interaction { account_chosen: true, ..Interaction::new(ids_of(&req, &state).correlation_id) };
            continue_signed_in(&state, &path, &req, (&carried, &browser, &request), interaction).await
        }
        Some("other") => {
            let page = sign_in_page(&state, &path, &carried, &browser, &request.client.display_name, "", None);
            with_cookies(page, StatusCode::OK)
        }
        _ => error_page(&ProtocolError::new(Aadsts::MalformedRequest, "The form must say 'continue' or 'other'.")),
    }
}

/// `POST /{tenant}/consent`: Accept or Cancel, on the consent or the admin consent page; an admin may
/// tick "Consent on behalf of your organization"; on "Need admin approval", a request for approval.
pub async fn consent(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (carried, fields, browser, request) = match posted(&state, &path, &req, &body, Form::Consent).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let answer = match fields.get("decision").map(String::as_str) {
        Some("accept") => ConsentAnswer::Accept,
        Some("cancel") => ConsentAnswer::Cancel,
        Some("request") => ConsentAnswer::RequestApproval,
        _ => {
            return error_page(&ProtocolError::new(
                Aadsts::MalformedRequest,
                "The form must say 'accept', 'cancel' or 'request'.",
            ));
        }
    };
    let for_organization = fields.get("for_organization").is_some_and(|v| v == "on");
    let justification = fields.get("justification").cloned();
    let interaction = Interaction {
        consent: Some(answer),
        for_organization,
        justification,
        ..Interaction::new(ids_of(&req, &state).correlation_id)
    };
    continue_signed_in(&state, &path, &req, (&carried, &browser, &request), interaction).await
}

async fn continue_signed_in(
    state: &AppState,
    segment: &str,
    req: &HttpRequest,
    (carried, browser, request): (&Carried, &Browser, &ValidRequest),
    interaction: Interaction,
) -> HttpResponse {
    let session = match browser.session(state).await {
        Ok(session) => session,
        Err(err) => return error_page(&err),
    };
    let outcome = proceed(state, request, session, interaction, state.clock.now()).await;
    render(state, segment, carried, browser, outcome, &ids_of(req, state))
}

/// What a posted form of the sign-in pages holds: the request it carries, the form's own fields, the
/// browser's cookies, and the request as the flow checked it again.
type Posted = (Carried, HashMap<String, String>, Browser, ValidRequest);

/// Reads a posted `form`, checks its CSRF token (bound to the browser cookie before sign-in, to the
/// session after), and checks the request it carries again. Otherwise the response to send instead.
async fn posted(
    state: &AppState,
    segment: &str,
    req: &HttpRequest,
    body: &[u8],
    form: Form,
) -> Result<Posted, HttpResponse> {
    let Ok((params, fields)) = AuthorizeParams::parse(body) else { return Err(forged()) };
    let Some(endpoint) = Endpoint::from_form_value(fields.get("endpoint").map(String::as_str)) else {
        return Err(forged());
    };
    let carried = Carried { endpoint, params };
    let (purpose, cookie) = match form {
        Form::SignIn => (SIGN_IN_FORM, BROWSER_COOKIE),
        Form::Account => (ACCOUNT_FORM, SESSION_COOKIE),
        Form::Consent if carried.admin_consent() => (ADMIN_CONSENT_FORM, SESSION_COOKIE),
        Form::Consent => (CONSENT_FORM, SESSION_COOKIE),
    };
    let browser = Browser::of(state, req);
    let Some(verified) = browser.vouches(state, (purpose, cookie), &fields, &carried.decides()) else {
        return Err(forged());
    };
    // Each form acts once: a replayed sign-in, account choice or consent gets no second code.
    match state.store.spend_form_token(&verified.nonce, verified.expires_at).await {
        Ok(true) => {}
        Ok(false) => return Err(forged()),
        Err(err) => return Err(error_page(&ProtocolError::from(err))),
    }
    match prepare(state, endpoint, segment, &carried.params).await {
        Ok(request) => Ok((carried, fields, browser, request)),
        Err(outcome) => Err(render(state, segment, &carried, &browser, outcome, &ids_of(req, state))),
    }
}

/// A form that this browser was not served: no redirect, no detail.
fn forged() -> HttpResponse {
    error_page(&ProtocolError::of(Aadsts::FormRejected))
}

fn sign_in_page(
    state: &AppState,
    segment: &str,
    carried: &Carried,
    browser: &Browser,
    app_name: &str,
    username: &str,
    message: Option<String>,
) -> Result<(SignInPage, Browser), ProtocolError> {
    let mut browser = browser.clone();
    let page = SignInPage {
        action: format!("/{segment}/login"),
        hidden: carried.hidden(),
        csrf: browser.browser_token(state, SIGN_IN_FORM, &carried.decides())?,
        app_name: app_name.to_owned(),
        username: username.to_owned(),
        message,
    };
    Ok((page, browser))
}

/// The sign-in page with the browser cookie it is bound to; an error page when it could not be made.
fn with_cookies(page: Result<(SignInPage, Browser), ProtocolError>, status: StatusCode) -> HttpResponse {
    match page {
        Ok((page, browser)) => {
            let mut response = plain_page(status, &page);
            set_cookies(&mut response, &browser);
            response
        }
        Err(err) => error_page(&err),
    }
}

/// Renders what the flow decided.
pub(super) fn render(
    state: &AppState,
    segment: &str,
    carried: &Carried,
    browser: &Browser,
    outcome: Outcome,
    ids: &RequestIds,
) -> HttpResponse {
    let mut response = match outcome {
        Outcome::ErrorPage(error) => error_page(&error),
        Outcome::Reply(reply) => reply_to_client(reply, ids),
        Outcome::SignIn { app_name, username } => {
            let username = username.as_deref().unwrap_or_default();
            let page = sign_in_page(state, segment, carried, browser, &app_name, username, None);
            return with_cookies(page, StatusCode::OK);
        }
        Outcome::SelectAccount { app_name, username, display_name } => {
            let page = SelectAccountPage {
                action: format!("/{segment}/account"),
                hidden: carried.hidden(),
                csrf: browser.token(state, ACCOUNT_FORM, &carried.decides()),
                app_name,
                username,
                display_name,
            };
            plain_page(StatusCode::OK, &page)
        }
        Outcome::Consent(view) => consent_page(state, segment, carried, browser, view, false),
        Outcome::NeedsAdmin(view) => consent_page(state, segment, carried, browser, view, true),
        Outcome::AdminConsent(view) => {
            let page = AdminConsentPage {
                action: format!("/{segment}/consent"),
                hidden: carried.hidden(),
                csrf: browser.token(state, ADMIN_CONSENT_FORM, &carried.decides()),
                view,
            };
            plain_page(StatusCode::OK, &page)
        }
        Outcome::DeviceDone { app_name, error } => {
            let error = error.map(|e| format!("AADSTS{}: {}", e.aadsts().code(), e.description()));
            let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            plain_page(status, &DeviceDonePage { app_name, error })
        }
    };
    set_cookies(&mut response, browser);
    response
}

/// The consent prompt, or "Need admin approval" (HTTP 403).
fn consent_page(
    state: &AppState,
    segment: &str,
    carried: &Carried,
    browser: &Browser,
    view: ConsentView,
    needs_admin: bool,
) -> HttpResponse {
    let page = ConsentPage {
        action: format!("/{segment}/consent"),
        hidden: carried.hidden(),
        csrf: browser.token(state, CONSENT_FORM, &carried.decides()),
        view,
        needs_admin,
    };
    plain_page(if needs_admin { StatusCode::FORBIDDEN } else { StatusCode::OK }, &page)
}

/// The response at the client's redirect URI, in its response mode; an error quotes the request's ids.
fn reply_to_client(reply: Reply, ids: &RequestIds) -> HttpResponse {
    let Reply { redirect_uri, mode, error, params: more } = reply;
    let mut params = Vec::with_capacity(more.len() + 3);
    if let Some(error) = error {
        let body = error.body(ids);
        tracing::info!(error = body.error, aadsts = error.aadsts().code(), "authorization error reply");
        params.push(("error", body.error.to_owned()));
        params.push(("error_description", body.error_description));
        params.push(("error_uri", body.error_uri));
    }
    params.extend(more);
    if mode == ResponseMode::FormPost {
        return script_page(StatusCode::OK, &FormPostPage { action: redirect_uri, fields: params });
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    let location = match mode {
        ResponseMode::Fragment => format!("{}#{encoded}", redirect_uri.split('#').next().unwrap_or_default()),
        _ if redirect_uri.contains('?') => format!("{redirect_uri}&{encoded}"),
        _ => format!("{redirect_uri}?{encoded}"),
    };
    secure(&mut HttpResponse::Found(), false).insert_header((header::LOCATION, location)).finish()
}
