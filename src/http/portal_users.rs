//! Users in the admin portal (issue 18): the list, a new user, and a user's page with its properties,
//! password reset (a generated password shown once, on the answer to the form) and delete after a
//! confirmation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::browser::Browser;
use super::html::{admin_page, error_page};
use super::portal::{Page, frame, see_other};
use super::portal_app::{APP_FORM, CONFIRM_FORM, Posted, posted, refusal_page};
use super::portal_apps::administrator;
use crate::domain::tenant::Tenant;
use crate::flows::portal::Reviewer;
use crate::flows::portal_apps::{Field, Refused};
use crate::flows::portal_users::{NewUser, create, delete, details, find, reset_password, set_properties, users};
use crate::pages::{AdminConfirmPage, AdminNewUserPage, AdminPasswordPage, AdminUserPage, AdminUsersPage};
use crate::state::AppState;

/// What the new-user form's token is bound to.
const NEW_USER: &str = "new-user";

fn user_path(tenant: &Tenant, id: &str) -> String {
    format!("{}/{id}", Page::Users.path(tenant))
}

/// `GET /{tenant}/admin/users?search=…`.
pub async fn list_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match administrator(&state, &path, &browser, Page::Users).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let search = query.into_iter().find(|(k, _)| k == "search").map(|(_, v)| v).unwrap_or_default();
    match users(&state, &admin, &search).await {
        Ok((rows, more)) => {
            admin_page(StatusCode::OK, &AdminUsersPage { frame: frame(&tenant, &admin, "users"), search, rows, more })
        }
        Err(err) => error_page(&err),
    }
}

/// `GET /{tenant}/admin/users/new`.
pub async fn new_page(state: web::Data<AppState>, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let browser = Browser::of(&state, &req);
    match administrator(&state, &path, &browser, Page::Users).await {
        Ok((tenant, admin)) => new_form(&state, &browser, &tenant, &admin, &NewUser::default(), None),
        Err(response) => response,
    }
}

fn new_form(
    state: &AppState,
    browser: &Browser,
    tenant: &Tenant,
    admin: &Reviewer,
    new: &NewUser,
    refused: Option<(Field, String)>,
) -> HttpResponse {
    let error_of = |wanted: Field| refused.as_ref().filter(|(field, _)| *field == wanted).map(|(_, m)| m.clone());
    let page = AdminNewUserPage {
        frame: frame(tenant, admin, "users"),
        csrf: browser.token(state, APP_FORM, NEW_USER),
        username: new.username.clone(),
        display_name: new.display_name.clone(),
        is_admin: new.is_admin,
        username_error: error_of(Field::Username),
        password_error: error_of(Field::Password),
    };
    admin_page(if refused.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK }, &page)
}

/// `POST /{tenant}/admin/users/new`: the new user's page, or its generated password shown once.
pub async fn create_user(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let p = match posted(&state, (&path, NEW_USER), &req, &body, (APP_FORM, NEW_USER)).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let value = |name: &str| p.field(name).to_owned();
    let new = NewUser {
        username: value("username").trim().to_owned(),
        display_name: value("display_name"),
        password: value("password"),
        is_admin: p.ticked("is_admin"),
    };
    match create(&state, &p.admin, &new, p.correlation_id, state.clock.now()).await {
        Ok((user, Some(password))) => password_page(&p, &user.username, &user.id.to_string(), password),
        Ok((user, None)) => see_other(&user_path(&p.tenant, &user.id.to_string()), &p.browser),
        Err(Refused::Field(field, message)) => {
            new_form(&state, &p.browser, &p.tenant, &p.admin, &new, Some((field, message)))
        }
        Err(refused) => refusal_page(refused),
    }
}

fn password_page(p: &Posted, username: &str, id: &str, password: String) -> HttpResponse {
    let page = AdminPasswordPage {
        frame: frame(&p.tenant, &p.admin, "users"),
        username: username.to_owned(),
        user_path: user_path(&p.tenant, id),
        password,
    };
    admin_page(StatusCode::OK, &page)
}

/// `GET /{tenant}/admin/users/{id}`.
pub async fn user_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (segment, id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    match administrator(&state, &segment, &browser, Page::Users).await {
        Ok((tenant, admin)) => render(&state, &browser, &tenant, &admin, &id, None).await,
        Err(response) => response,
    }
}

async fn render(
    state: &AppState,
    browser: &Browser,
    tenant: &Tenant,
    admin: &Reviewer,
    id: &str,
    refused: Option<(Field, String)>,
) -> HttpResponse {
    let details = match details(state, admin, id).await {
        Ok(details) => details,
        Err(refused) => return refusal_page(refused),
    };
    let error_of = |wanted: Field| refused.as_ref().filter(|(field, _)| *field == wanted).map(|(_, m)| m.clone());
    let page = AdminUserPage {
        frame: frame(tenant, admin, "users"),
        path: user_path(tenant, &details.user.id),
        csrf: browser.token(state, APP_FORM, &details.user.id),
        properties_error: error_of(Field::Username),
        password_error: error_of(Field::Password),
        details,
    };
    admin_page(if refused.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK }, &page)
}

/// The user's object id, as the forms' tokens are bound to it, for any way the path names the user.
async fn object_id(state: &AppState, (segment, id): (&str, &str), req: &HttpRequest) -> Result<String, HttpResponse> {
    let browser = Browser::of(state, req);
    let (_, admin) = administrator(state, segment, &browser, Page::Users).await?;
    find(state, &admin, id).await.map(|user| user.id.to_string()).map_err(refusal_page)
}

/// `POST /{tenant}/admin/users/{id}/properties`: an unticked box is `false`.
pub async fn properties(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, id) = path.into_inner();
    let id = match object_id(&state, (&segment, &id), &req).await {
        Ok(id) => id,
        Err(response) => return response,
    };
    let p = match posted(&state, (&segment, &id), &req, &body, (APP_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let name = p.field("display_name").to_owned();
    let values = (name.as_str(), p.ticked("enabled"), p.ticked("is_admin"));
    match set_properties(&state, &p.admin, &id, values, p.correlation_id, state.clock.now()).await {
        Ok(()) => see_other(&user_path(&p.tenant, &id), &p.browser),
        Err(Refused::Field(field, message)) => {
            render(&state, &p.browser, &p.tenant, &p.admin, &id, Some((field, message))).await
        }
        Err(refused) => refusal_page(refused),
    }
}

/// `POST /{tenant}/admin/users/{id}/password`.
pub async fn password(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, id) = path.into_inner();
    let id = match object_id(&state, (&segment, &id), &req).await {
        Ok(id) => id,
        Err(response) => return response,
    };
    let p = match posted(&state, (&segment, &id), &req, &body, (APP_FORM, "")).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let typed = p.field("password").to_owned();
    match reset_password(&state, &p.admin, &id, &typed, p.correlation_id, state.clock.now()).await {
        Ok(Some(generated)) => match find(&state, &p.admin, &id).await {
            Ok(user) => password_page(&p, &user.username, &id, generated),
            Err(refused) => refusal_page(refused),
        },
        Ok(None) => see_other(&user_path(&p.tenant, &id), &p.browser),
        Err(Refused::Field(field, message)) => {
            render(&state, &p.browser, &p.tenant, &p.admin, &id, Some((field, message))).await
        }
        Err(refused) => refusal_page(refused),
    }
}

/// `GET /{tenant}/admin/users/{id}/delete`: the confirmation.
pub async fn confirm_delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> HttpResponse {
    let (segment, id) = path.into_inner();
    let browser = Browser::of(&state, &req);
    let (tenant, admin) = match administrator(&state, &segment, &browser, Page::Users).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let user = match find(&state, &admin, &id).await {
        Ok(user) => user,
        Err(refused) => return refusal_page(refused),
    };
    let base = user_path(&tenant, &user.id.to_string());
    let page = AdminConfirmPage {
        frame: frame(&tenant, &admin, "users"),
        title: format!("Delete {}", user.username),
        question: format!(
            "Delete {} with its sessions, tokens, consents and role assignments? This cannot be undone.",
            user.username
        ),
        action: format!("{base}/delete"),
        csrf: browser.token(&state, CONFIRM_FORM, &format!("{}/delete", user.id)),
        back: base,
        confirm: "Yes, delete",
    };
    admin_page(StatusCode::OK, &page)
}

/// `POST /{tenant}/admin/users/{id}/delete`: Yes deletes, Cancel goes back.
pub async fn delete_user(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (segment, id) = path.into_inner();
    let id = match object_id(&state, (&segment, &id), &req).await {
        Ok(id) => id,
        Err(response) => return response,
    };
    let decides = format!("{id}/delete");
    let p = match posted(&state, (&segment, &id), &req, &body, (CONFIRM_FORM, &decides)).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    if !p.accepted() {
        return see_other(&user_path(&p.tenant, &id), &p.browser);
    }
    match delete(&state, &p.admin, &id, p.correlation_id, state.clock.now()).await {
        Ok(()) => see_other(&Page::Users.path(&p.tenant), &p.browser),
        Err(refused) => refusal_page(refused),
    }
}
