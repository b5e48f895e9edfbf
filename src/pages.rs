//! One askama template per page.

use askama::Template;

use crate::domain::consent_request::RequestStatus;
use crate::flows::authorize::consent::AdminReason;

/// One AADSTS code as the lookup page shows it.
#[derive(Debug)]
pub struct CodeInfo {
    pub number: u32,
    pub error: &'static str,
    pub status: u16,
    pub summary: &'static str,
}

/// `GET /error?code=N`.
#[derive(Debug, Template)]
#[template(path = "error_code.html")]
pub struct ErrorCodePage {
    pub code: Option<CodeInfo>,
    pub message: String,
    pub all: Vec<CodeInfo>,
}

/// Hidden form fields: the authorization request, carried from page to page.
pub type Hidden = Vec<(&'static str, String)>;

/// The sign-in form.
#[derive(Debug, Template)]
#[template(path = "signin.html")]
pub struct SignInPage {
    pub action: String,
    pub hidden: Hidden,
    pub csrf: String,
    pub app_name: String,
    pub username: String,
    pub message: Option<String>,
}

/// The signed-in account, with "use another account" (`prompt=select_account`).
#[derive(Debug, Template)]
#[template(path = "select_account.html")]
pub struct SelectAccountPage {
    pub action: String,
    pub hidden: Hidden,
    pub csrf: String,
    pub app_name: String,
    pub username: String,
    pub display_name: String,
}

/// `/devicelogin`: the code a device shows, typed by its user.
#[derive(Debug, Template)]
#[template(path = "device_login.html")]
pub struct DeviceLoginPage {
    pub csrf: String,
    pub user_code: String,
    pub message: Option<String>,
}

/// The end of a device's sign-in in the browser: done, or the error it ended in (as `AADSTSn: text`).
#[derive(Debug, Template)]
#[template(path = "device_done.html")]
pub struct DeviceDonePage {
    pub app_name: String,
    pub error: Option<String>,
}

/// The user consent prompt (with "Consent on behalf of your organization" for admins), or "Need admin
/// approval" (AADSTS90094, or 90093 when the tenant's policy blocks user consent): the same permissions
/// and form, with Cancel as the only answer.
#[derive(Debug, Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub action: String,
    pub hidden: Hidden,
    pub csrf: String,
    pub view: crate::flows::authorize::ConsentView,
    pub needs_admin: bool,
}

/// The admin consent page: every delegated and application permission per resource, granted for the
/// whole organisation on Accept.
#[derive(Debug, Template)]
#[template(path = "admin_consent.html")]
pub struct AdminConsentPage {
    pub action: String,
    pub hidden: Hidden,
    pub csrf: String,
    pub view: crate::flows::authorize::AdminConsentView,
}

/// The reviewers' list of admin consent requests: the open ones with Approve, Deny and Block, then the
/// decided and expired ones.
#[derive(Debug, Template)]
#[template(path = "consent_requests.html")]
pub struct ReviewPage {
    pub frame: AdminFrame,
    /// The list's path; each request's actions are below it.
    pub base: String,
    pub can_approve: bool,
    /// Each open request with the token its deny and block forms carry.
    pub open: Vec<(crate::flows::portal::RequestSummary, String)>,
    pub closed: Vec<crate::flows::portal::RequestSummary>,
}

/// The tenant's audit log, newest first.
#[derive(Debug, Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub frame: AdminFrame,
    pub events: Vec<AuditRow>,
    /// The filters as typed.
    pub query: crate::flows::portal_audit::AuditQuery,
    /// Every activity name, and whether it is the one chosen.
    pub activities: Vec<(&'static str, bool)>,
    /// Why a filter value was refused.
    pub error: Option<String>,
    /// The address of the next (older) page, when there is one.
    pub older: Option<String>,
}

/// One audit event as the page shows it.
#[derive(Debug)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub correlation_id: String,
}

impl AuditRow {
    pub fn of(event: crate::domain::audit::AuditEvent) -> Self {
        Self {
            at: crate::error::format_timestamp(event.at),
            actor: event.actor,
            action: event.action,
            target: event.target,
            details: event.details.to_string(),
            correlation_id: event.correlation_id.to_string(),
        }
    }
}

/// `response_mode=form_post`: posts the response to the client's redirect URI.
#[derive(Debug, Template)]
#[template(path = "form_post.html")]
pub struct FormPostPage {
    pub action: String,
    pub fields: Hidden,
}

/// An error that must not go back to the client (unknown client, unregistered redirect URI, a forged form).
#[derive(Debug, Template)]
#[template(path = "auth_error.html")]
pub struct AuthErrorPage {
    pub code: u32,
    pub error: &'static str,
    pub description: String,
    pub trace_id: String,
    pub correlation_id: String,
    pub timestamp: String,
}

/// Asks before ending the session when the request does not show it came from a signed-in app.
#[derive(Debug, Template)]
#[template(path = "sign_out.html")]
pub struct SignOutPage {
    pub action: String,
    pub hidden: Hidden,
    pub csrf: String,
}

/// After sign-out without a registered `post_logout_redirect_uri`.
#[derive(Debug, Template)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage;

/// What every administration page shows around its content: the tenant, who is signed in, and the
/// navigation with the current page marked.
#[derive(Debug)]
pub struct AdminFrame {
    /// `/{tenant id}/admin`: the pages are below it.
    pub base: String,
    pub tenant_name: String,
    pub username: String,
    /// The navigation entry of this page: `overview`, `apps`, `requests` or `audit`.
    pub current: &'static str,
    /// Whether the signed-in user administers the tenant: a reviewer who does not sees only the
    /// consent request queue.
    pub admin: bool,
}

impl AdminFrame {
    /// The navigation: each entry's label and path, and whether it is this page.
    pub fn entries(&self) -> Vec<(&'static str, String, bool)> {
        [
            ("overview", "Overview", String::new()),
            ("apps", "App registrations", "/apps".to_owned()),
            ("enterprise", "Enterprise applications", "/enterprise-apps".to_owned()),
            ("users", "Users", "/users".to_owned()),
            ("consent", "Consent and permissions", "/consent".to_owned()),
            ("requests", "Admin consent requests", "/consent-requests".to_owned()),
            ("audit", "Audit log", "/audit".to_owned()),
            ("keys", "Signing keys", "/signing-keys".to_owned()),
        ]
        .into_iter()
        .filter(|(key, _, _)| self.admin || *key == "requests")
        .map(|(key, label, path)| (label, format!("{}{path}", self.base), key == self.current))
        .collect()
    }
}

/// `/{tenant}/admin/`: the tenant, its counts and its endpoints.
#[derive(Debug, Template)]
#[template(path = "admin_overview.html")]
pub struct AdminOverviewPage {
    pub frame: AdminFrame,
    pub overview: crate::flows::portal_apps::TenantOverview,
}

/// `/{tenant}/admin/apps`: the app registrations, with a search.
#[derive(Debug, Template)]
#[template(path = "admin_apps.html")]
pub struct AdminAppsPage {
    pub frame: AdminFrame,
    pub search: String,
    pub rows: Vec<crate::flows::portal_apps::AppRow>,
    /// Whether more apps match than the list shows.
    pub more: bool,
}

/// `/{tenant}/admin/apps/new`: a new registration, shown again with the input kept and a message beside
/// the field it is about when it was refused.
#[derive(Debug, Template)]
#[template(path = "admin_app_new.html")]
pub struct AdminNewAppPage {
    pub frame: AdminFrame,
    pub csrf: String,
    pub name: String,
    pub multi_tenant: bool,
    /// `none`, `web` or `public`.
    pub platform: &'static str,
    pub redirect_uri: String,
    pub name_error: Option<String>,
    pub uri_error: Option<String>,
}

/// `/{tenant}/admin/apps/{appId}`: one app's overview, with its Authentication and Certificates &
/// secrets forms; after a refused change, with what was typed and the message beside its field.
#[derive(Debug, Template)]
#[template(path = "admin_app.html")]
pub struct AdminAppPage {
    pub frame: AdminFrame,
    pub app: crate::flows::portal_apps::AppOverview,
    /// `/{tenant}/admin/apps/{appId}`: the forms post below it.
    pub path: String,
    /// The token every form of this page carries (single use, bound to this app).
    pub csrf: String,
    pub uri: FormInput,
    pub secret: FormInput,
    pub certificate: FormInput,
    /// The expiries offered for a new secret, in days, and the one chosen.
    pub secret_days: Vec<(u32, bool)>,
}

/// `/{tenant}/admin/apps/{appId}/expose`: the identifier URI and the scopes the app exposes.
#[derive(Debug, Template)]
#[template(path = "admin_expose.html")]
pub struct AdminExposePage {
    pub frame: AdminFrame,
    pub api: crate::flows::portal_api::ExposedApi,
    /// `/{tenant}/admin/apps/{appId}`.
    pub path: String,
    pub csrf: String,
    /// What a refused form held.
    pub kept: Kept,
    pub uri_error: Option<String>,
    pub scope_error: Option<String>,
}

/// `/{tenant}/admin/apps/{appId}/roles`: the app roles an app defines.
#[derive(Debug, Template)]
#[template(path = "admin_roles.html")]
pub struct AdminRolesPage {
    pub frame: AdminFrame,
    pub api: crate::flows::portal_api::ExposedApi,
    /// `/{tenant}/admin/apps/{appId}`.
    pub path: String,
    pub csrf: String,
    /// What a refused form held.
    pub kept: Kept,
    pub role_error: Option<String>,
}

/// The fields of a refused form, shown again as they were typed.
#[derive(Debug, Default)]
pub struct Kept(pub std::collections::HashMap<String, String>);

impl Kept {
    /// The posted value of `name`; empty when it was not posted.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }
}

/// A form's typed values and its refusal.
#[derive(Debug, Default)]
pub struct FormInput {
    /// A choice (a platform).
    pub choice: String,
    pub value: String,
    pub description: String,
    pub error: Option<String>,
}

/// A new client secret's value, shown this once.
#[derive(Debug, Template)]
#[template(path = "admin_secret.html")]
pub struct AdminSecretPage {
    pub frame: AdminFrame,
    pub app_name: String,
    pub app_path: String,
    pub key_id: String,
    pub description: String,
    pub value: String,
    pub expires: String,
}

/// A destructive action's confirmation: what it does, and the form that does it.
#[derive(Debug, Template)]
#[template(path = "admin_confirm.html")]
pub struct AdminConfirmPage {
    pub frame: AdminFrame,
    pub title: String,
    pub question: String,
    pub action: String,
    pub csrf: String,
    /// The page Cancel goes back to.
    pub back: String,
    /// The button that does it: "Yes, remove", "Yes, grant".
    pub confirm: &'static str,
}

/// An app's API permissions: each with its type, whether it needs an administrator and its status,
/// with "Add a permission" and "Grant admin consent for {tenant}".
#[derive(Debug, Template)]
#[template(path = "admin_permissions.html")]
pub struct AdminPermissionsPage {
    pub frame: AdminFrame,
    pub app_name: String,
    /// The app's page; the permission pages are below it.
    pub app_path: String,
    pub rows: Vec<crate::flows::portal_permissions::PermissionRow>,
    /// The token of the table's Remove forms.
    pub csrf: String,
}

/// Adding permissions: the APIs found by name, then one API's delegated and application permissions.
#[derive(Debug, Template)]
#[template(path = "admin_permission_add.html")]
pub struct AdminAddPermissionPage {
    pub frame: AdminFrame,
    pub app_name: String,
    pub app_path: String,
    pub search: String,
    pub apis: Vec<crate::flows::portal_permissions::ApiChoice>,
    pub chosen: Option<crate::flows::portal_permissions::ApiChoice>,
    pub csrf: String,
}

/// `/{tenant}/admin/enterprise-apps`: every app present in the tenant.
#[derive(Debug, Template)]
#[template(path = "admin_enterprise_apps.html")]
pub struct AdminEnterpriseAppsPage {
    pub frame: AdminFrame,
    pub search: String,
    pub rows: Vec<crate::flows::portal_enterprise::EnterpriseRow>,
}

/// `/{tenant}/admin/enterprise-apps/{appId}`: an app's properties, assignments and permissions.
#[derive(Debug, Template)]
#[template(path = "admin_enterprise_app.html")]
pub struct AdminEnterpriseAppPage {
    pub frame: AdminFrame,
    pub app: crate::flows::portal_enterprise::EnterpriseApp,
    /// `/{tenant}/admin/enterprise-apps/{appId}`: the forms post below it.
    pub path: String,
    pub csrf: String,
    /// The assignment form's typed user and refusal.
    pub assign: FormInput,
}

/// `/{tenant}/admin/consent`: the user consent setting, the integrated-apps switch, the admin consent
/// request workflow, and the low-impact permissions.
#[derive(Debug, Template)]
#[template(path = "admin_consent_settings.html")]
pub struct AdminConsentSettingsPage {
    pub frame: AdminFrame,
    pub settings: crate::flows::portal_consent::ConsentSettings,
    pub csrf: String,
    /// The request settings form as typed (`value`: reviewers, `description`: days) and its refusal.
    pub requests: FormInput,
    /// A classification's refusal.
    pub classification: FormInput,
}

/// `/{tenant}/admin/users`: the users, with a search and "New user".
#[derive(Debug, Template)]
#[template(path = "admin_users.html")]
pub struct AdminUsersPage {
    pub frame: AdminFrame,
    pub search: String,
    pub rows: Vec<crate::flows::portal_users::UserRow>,
    pub more: bool,
}

/// `/{tenant}/admin/users/new`: shown again with the input kept (never the password) and the message
/// beside its field when refused.
#[derive(Debug, Template)]
#[template(path = "admin_user_new.html")]
pub struct AdminNewUserPage {
    pub frame: AdminFrame,
    pub csrf: String,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub username_error: Option<String>,
    pub password_error: Option<String>,
}

/// `/{tenant}/admin/users/{id}`: a user's properties, password reset, delete, roles and consents.
#[derive(Debug, Template)]
#[template(path = "admin_user.html")]
pub struct AdminUserPage {
    pub frame: AdminFrame,
    pub details: crate::flows::portal_users::UserDetails,
    pub path: String,
    pub csrf: String,
    pub properties_error: Option<String>,
    pub password_error: Option<String>,
}

/// A password made by Signet, shown this once.
#[derive(Debug, Template)]
#[template(path = "admin_password.html")]
pub struct AdminPasswordPage {
    pub frame: AdminFrame,
    pub username: String,
    pub user_path: String,
    pub password: String,
}

/// `/{tenant}/admin/signing-keys`: the server's signing keys and "Rotate now".
#[derive(Debug, Template)]
#[template(path = "admin_keys.html")]
pub struct AdminKeysPage {
    pub frame: AdminFrame,
    pub keys: Vec<crate::flows::portal_keys::KeyRow>,
    pub next: String,
}
