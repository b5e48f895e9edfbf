//! What the authorization endpoint works with and answers: the checked request, what the browser did,
//! and the outcome the HTTP layer renders.

use uuid::Uuid;

use super::views::{AdminConsentView, ConsentView};
use crate::domain::app::Application;
use crate::domain::pkce::ChallengeMethod;
use crate::domain::scope::DelegatedScopes;
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::error::{Aadsts, ProtocolError};

/// How the response goes back to the client (OAuth 2.0 Multiple Response Type Encoding Practices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    pub(super) fn parse(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("query") => Some(Self::Query),
            Some("fragment") => Some(Self::Fragment),
            Some("form_post") => Some(Self::FormPost),
            Some(_) => None,
        }
    }
}

/// Which endpoint a request came to. The pages' forms carry it, so a posted form continues the same flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Endpoint {
    /// `/{tenant}/oauth2/v2.0/authorize`: sign in, and a code for the client.
    #[default]
    Authorize,
    /// `/{tenant}/v2.0/adminconsent`: tenant-wide consent to the permissions `scope` names.
    AdminConsent,
    /// `/{tenant}/adminconsent`: tenant-wide consent to everything the app requires.
    AdminConsentV1,
    /// `/devicelogin`: the user signs in for a device that asked at `/{tenant}/oauth2/v2.0/devicecode`;
    /// the device gets the tokens, the browser a page that says it is done.
    Device,
}

impl Endpoint {
    /// The value of the pages' hidden `endpoint` field.
    pub fn form_value(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::AdminConsent => "adminconsent",
            Self::AdminConsentV1 => "adminconsent-v1",
            Self::Device => "device",
        }
    }

    pub fn from_form_value(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("authorize") => Some(Self::Authorize),
            Some("adminconsent") => Some(Self::AdminConsent),
            Some("adminconsent-v1") => Some(Self::AdminConsentV1),
            Some("device") => Some(Self::Device),
            Some(_) => None,
        }
    }

    /// One of the admin consent endpoints, whose every reply carries `admin_consent=True`.
    pub fn is_admin_consent(self) -> bool {
        matches!(self, Self::AdminConsent | Self::AdminConsentV1)
    }
}

/// The `prompt` values of the v2.0 endpoint, and v1's `admin_consent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    Login,
    None,
    Consent,
    SelectAccount,
    /// An administrator grants the permissions for the whole organisation.
    AdminConsent,
}

impl Prompt {
    pub(super) fn parse(value: &str) -> Option<Self> {
        match value {
            "login" => Some(Self::Login),
            "none" => Some(Self::None),
            "consent" => Some(Self::Consent),
            "select_account" => Some(Self::SelectAccount),
            "admin_consent" => Some(Self::AdminConsent),
            _ => None,
        }
    }
}

/// A response to the client at its registered redirect URI.
#[derive(Clone, Debug)]
pub struct Reply {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    /// An error for the client (RFC 6749 §4.1.2.1): the HTTP layer writes `error`,
    /// `error_description` and `error_uri` first, quoting the request's ids.
    pub error: Option<ProtocolError>,
    pub params: Vec<(&'static str, String)>,
}

/// What to answer.
#[derive(Debug)]
pub enum Outcome {
    /// The client or redirect URI could not be trusted: an error page, never a redirect.
    ErrorPage(ProtocolError),
    /// Back to the client: a code, or an error.
    Reply(Reply),
    /// Ask for username and password.
    SignIn { app_name: String, username: Option<String> },
    /// Show the signed-in account, with "use another account".
    SelectAccount { app_name: String, username: String, display_name: String },
    /// Ask the user to consent.
    Consent(ConsentView),
    /// Only an administrator can grant what the app asks for (AADSTS90094, or 90093 by policy).
    NeedsAdmin(ConsentView),
    /// Ask an administrator to consent for the whole organisation.
    AdminConsent(AdminConsentView),
    /// The user's part of a device's sign-in is over: approved (`None`), or ended by this error, which
    /// the device's next poll gets too.
    DeviceDone { app_name: String, error: Option<ProtocolError> },
}

/// A request whose client and redirect URI are trusted, with every parameter checked.
#[derive(Clone, Debug)]
pub struct ValidRequest {
    pub endpoint: Endpoint,
    pub segment: TenantSegment,
    /// The tenant a GUID or domain segment names; `None` for `common` and `organizations`.
    pub path_tenant: Option<Tenant>,
    pub client: Application,
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
    pub scopes: DelegatedScopes,
    pub prompt: Option<Prompt>,
    pub login_hint: Option<String>,
    pub domain_hint: Option<String>,
    pub challenge: Option<(String, ChallengeMethod)>,
    pub nonce: Option<String>,
    /// The user code of a device's request ([`Endpoint::Device`]); the request has no redirect URI.
    pub user_code: Option<String>,
}

impl ValidRequest {
    /// An error for the client, in the request's response mode.
    pub fn error_reply(&self, error: &ProtocolError) -> Outcome {
        error_reply(&self.redirect_uri, self.mode, self.state.as_deref(), self.endpoint, error)
    }

    pub fn reply(&self, mut params: Vec<(&'static str, String)>) -> Outcome {
        if let Some(state) = &self.state {
            params.push(("state", state.clone()));
        }
        Outcome::Reply(Reply { redirect_uri: self.redirect_uri.clone(), mode: self.mode, error: None, params })
    }
}

/// What the browser just did, as the HTTP layer vouches for it (each form's CSRF token checked), and the
/// correlation id of the request it did it in, which audit events record.
#[derive(Clone, Debug)]
pub struct Interaction {
    pub correlation_id: Uuid,
    /// The user typed their password in this request.
    pub signed_in_now: bool,
    /// The user chose the signed-in account on the account page.
    pub account_chosen: bool,
    pub consent: Option<ConsentAnswer>,
    /// An admin ticked "Consent on behalf of your organization".
    pub for_organization: bool,
    /// The justification of a request for admin approval (with [`ConsentAnswer::RequestApproval`]).
    pub justification: Option<String>,
}

impl Interaction {
    /// Nothing done yet, in the request `correlation_id`.
    pub fn new(correlation_id: Uuid) -> Self {
        Self {
            correlation_id,
            signed_in_now: false,
            account_chosen: false,
            consent: None,
            for_organization: false,
            justification: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentAnswer {
    Accept,
    Cancel,
    /// Ask the tenant's reviewers to approve the app.
    RequestApproval,
}

/// An error for the client at `redirect_uri` (RFC 6749 §4.1.2.1), with Microsoft's AADSTS description;
/// from an admin consent endpoint, with `admin_consent=True`.
pub(super) fn error_reply(
    redirect_uri: &str,
    mode: ResponseMode,
    state: Option<&str>,
    endpoint: Endpoint,
    error: &ProtocolError,
) -> Outcome {
    let mut params = Vec::new();
    if error.aadsts() == Aadsts::UserDeclined {
        params.push(("error_subcode", "cancel".to_owned()));
    }
    if endpoint.is_admin_consent() {
        params.push(("admin_consent", "True".to_owned()));
    }
    if let Some(state) = state {
        params.push(("state", state.to_owned()));
    }
    Outcome::Reply(Reply { redirect_uri: redirect_uri.to_owned(), mode, error: Some(error.clone()), params })
}
