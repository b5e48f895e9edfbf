//! The one protocol error type and its rendering.
//!
//! Every failure a client can cause becomes a [`ProtocolError`]: an OAuth `error` value (RFC 6749 §5.2),
//! an AADSTS number from [`Aadsts`], a description, and the request's trace and correlation ids. It renders
//! in exactly one place, as the Microsoft identity platform's JSON error body.

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::request_ids::RequestIds;

/// The `error` values of RFC 6749 §5.2 and §4.1.2.1, plus the ones the Microsoft identity platform adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthError {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    InvalidResource,
    AccessDenied,
    UnsupportedResponseType,
    LoginRequired,
    InteractionRequired,
    ConsentRequired,
    InvalidToken,
    InvalidInstance,
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    AuthorizationDeclined,
    BadVerificationCode,
    ServerError,
    TemporarilyUnavailable,
}

impl OAuthError {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidResource => "invalid_resource",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::LoginRequired => "login_required",
            Self::InvalidInstance => "invalid_instance",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::AuthorizationDeclined => "authorization_declined",
            Self::BadVerificationCode => "bad_verification_code",
            Self::InteractionRequired => "interaction_required",
            Self::ConsentRequired => "consent_required",
            Self::InvalidToken => "invalid_token",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

macro_rules! aadsts_catalogue {
    ($($variant:ident = $code:literal, $error:ident, $status:literal, $summary:literal;)*) => {
        /// The AADSTS codes Signet answers with. Each carries its OAuth `error`, HTTP status and a summary;
        /// `GET /error?code=N` renders the summary. Numbers and meanings follow the Microsoft identity
        /// platform's published error-code list (protocol reference §4).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Aadsts { $($variant,)* }

        impl Aadsts {
            /// Every code, for the error lookup page.
            pub const ALL: &'static [Aadsts] = &[$(Aadsts::$variant,)*];

            pub fn code(self) -> u32 { match self { $(Self::$variant => $code,)* } }
            pub fn error(self) -> OAuthError { match self { $(Self::$variant => OAuthError::$error,)* } }
            pub fn status(self) -> StatusCode {
                match self { $(Self::$variant => StatusCode::from_u16($status).unwrap_or(StatusCode::BAD_REQUEST),)* }
            }
            pub fn summary(self) -> &'static str { match self { $(Self::$variant => $summary,)* } }
            pub fn from_code(code: u32) -> Option<Self> { Self::ALL.iter().copied().find(|a| a.code() == code) }
        }
    };
}

aadsts_catalogue! {
    MissingParameter = 900144, InvalidRequest, 400, "The request body must contain a required parameter that is missing.";
    MalformedRequest = 90014, InvalidRequest, 400, "A required field is missing or malformed, or a parameter was sent more than once.";
    TenantNotFound = 90002, InvalidRequest, 400, "The tenant was not found. Check the tenant id or domain in the URL.";
    UnsupportedTenant = 90023, InvalidRequest, 400, "This tenant alias is not supported by Signet (personal Microsoft accounts do not exist here).";
    TenantRequired = 9001023, InvalidRequest, 400, "The grant type is not supported over the /common or /organizations endpoints. Use a tenant id or verified domain.";
    UnsupportedGrantType = 70003, UnsupportedGrantType, 400, "The app requested an unsupported grant type.";
    ClientNotFound = 700016, UnauthorizedClient, 400, "The application was not found in the directory (tenant): it is not registered, or no admin of the tenant has consented to it.";
    ClientDisabled = 7000112, UnauthorizedClient, 400, "The application is disabled in this tenant.";
    InvalidScope = 70011, InvalidScope, 400, "The provided value for the scope parameter is not valid. Client credentials require a single resource's '/.default' scope.";
    MultipleResources = 700022, InvalidScope, 400, "The scope requests more than one resource; a token is issued for one resource at a time.";
    ResourceNotInTenant = 650052, InvalidResource, 400, "The app needs access to a service that the organization has no service principal for: an administrator must add that service first.";
    ResourceNotFound = 500011, InvalidResource, 400, "The resource principal was not found in the tenant: the API is not registered or has no service principal there.";
    InvalidClientSecret = 7000215, InvalidClient, 401, "Invalid client secret provided. Send the secret's value, not its id.";
    ExpiredClientSecret = 7000222, InvalidClient, 401, "The provided client secret keys are expired. Create a new secret for the app.";
    MissingClientCredential = 7000218, InvalidClient, 401, "The request body must contain 'client_assertion' or 'client_secret'.";
    PublicClientCredential = 700025, InvalidClient, 400, "A public client must not send a client secret or assertion.";
    AssertionSignature = 700027, InvalidClient, 401, "The client assertion failed signature validation, or its key is not registered on the app.";
    InvalidAssertion = 50013, InvalidClient, 401, "The client assertion is invalid: malformed, expired, not yet valid, for another audience or issuer, or already used.";
    RedirectUriMismatch = 50011, InvalidRequest, 400, "The redirect URI in the request does not match a redirect URI registered for the application.";
    ResponseTypeUnsupported = 700054, UnsupportedResponseType, 400, "The response_type is not supported: Signet issues authorization codes (response_type=code).";
    ResponseModeUnsupported = 70007, InvalidRequest, 400, "The response_mode is not supported: use query, fragment or form_post.";
    PkceRequired = 9002325, InvalidRequest, 400, "Proof Key for Code Exchange (S256) is required for public clients and for cross-origin authorization code redemption.";
    CrossOriginNotSpa = 9002326, InvalidRequest, 400, "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type, from the origin of one of its redirect URIs.";
    SpaNotCrossOrigin = 9002327, InvalidRequest, 400, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.";
    NotMultiTenant = 50194, InvalidRequest, 400, "The application is not configured as a multi-tenant application: users of other tenants cannot sign in to it.";
    LoginRequired = 50058, LoginRequired, 400, "A silent sign-in request was sent but no user is signed in.";
    InteractionRequired = 50076, InteractionRequired, 400, "The request needs the user to interact, but prompt=none was sent.";
    ConsentRequired = 65001, InvalidGrant, 400, "The user or administrator has not consented to use the application for the requested permissions.";
    UserDeclined = 65004, AccessDenied, 400, "The user declined to consent to access the app.";
    ConsentBlockedByPolicy = 90093, AccessDenied, 400, "The organization's policy does not let users consent to this app: an administrator must grant it.";
    NeedsAdminApproval = 90094, AccessDenied, 400, "The app needs permissions that only an administrator can grant.";
    ApprovalRequestable = 90095, AccessDenied, 400, "The app needs an administrator's approval: the user may send the organization's reviewers a request.";
    ConsentRequestClosed = 90096, InvalidRequest, 409, "The admin consent request was already decided or has expired.";
    ReviewerRequired = 90097, AccessDenied, 403, "Only the organization's consent request reviewers and administrators can review admin consent requests.";
    AdministratorRequired = 90104, AccessDenied, 403, "Only the organization's administrators can do this.";
    AppNotAssigned = 501051, InvalidGrant, 400, "The resource requires assignment, and the application holds none of its app roles: an administrator must grant one.";
    UserNotAssigned = 50105, InvalidGrant, 400, "The application requires users to be assigned to it, and the signed-in user is not: an administrator must assign the user.";
    UserDisabled = 50057, InvalidGrant, 400, "The user account is disabled: an administrator blocked its sign-in.";
    InvalidCredentials = 50126, InvalidGrant, 400, "Error validating credentials due to invalid username or password.";
    AccountLocked = 50053, InvalidGrant, 400, "The account is locked for a while: too many sign-ins with a wrong username or password.";
    TransientError = 90033, TemporarilyUnavailable, 503, "A transient error occurred: too many sign-ins are being checked right now. Try again in a moment.";
    AuthorizationPending = 70016, AuthorizationPending, 400, "The device flow's request has not yet been authorized by the user: the user must enter the code and sign in. Keep polling at the interval.";
    BadVerificationCode = 70018, BadVerificationCode, 400, "The device code is not one this server issued, or it was issued to another client.";
    DeviceCodeExpired = 70019, ExpiredToken, 400, "The device code expired before the user signed in. Start the device flow again.";
    InvalidGrant = 70000, InvalidGrant, 400, "The provided grant (authorization code or refresh token) is invalid, or was issued to another client or redirect URI.";
    GrantExpired = 70008, InvalidGrant, 400, "The provided authorization code or refresh token has expired or was revoked. Send a new interactive authorization request.";
    RefreshTokenInactive = 700082, InvalidGrant, 400, "The refresh token has expired due to inactivity.";
    SpaRefreshExpired = 700084, InvalidGrant, 400, "The refresh token was issued to a single page app and has a fixed lifetime of 24 hours from sign-in, which has passed: sign the user in again.";
    CodeRedeemed = 54005, InvalidGrant, 400, "The authorization code was already redeemed; tokens issued from it are revoked.";
    PkceMismatch = 501481, InvalidGrant, 400, "The code_verifier does not match the code_challenge supplied in the authorization request.";
    CodeOtherTenant = 700005, InvalidGrant, 400, "The authorization code was issued in another tenant.";
    AssertionAudience = 500131, InvalidGrant, 400, "The assertion's audience does not match the client app presenting it: on-behalf-of exchanges a token issued for the middle tier itself.";
    AssertionTime = 500133, InvalidGrant, 400, "The assertion is not within its valid time range: it has expired or is not valid yet.";
    AppOnBehalfOf = 7000114, InvalidGrant, 400, "The application is not allowed to make application on-behalf-of calls: the assertion must be a user's access token.";
    FormRejected = 90102, InvalidRequest, 400, "The form expired or was not sent by this browser's sign-in page. Start the sign-in again.";
    InvalidAccessToken = 90103, InvalidToken, 401, "The access token is missing, malformed, expired, or not for this resource.";
    NotFound = 90099, InvalidRequest, 404, "No endpoint exists at this address.";
    UnknownInstance = 50049, InvalidInstance, 400, "Unknown or invalid instance: instance discovery answers for this server's own host only.";
    MethodNotAllowed = 90098, InvalidRequest, 405, "This endpoint does not accept that HTTP method.";
    InternalError = 90100, ServerError, 500, "An internal error occurred. Quote the correlation id when you report it.";
    StoreUnavailable = 90101, TemporarilyUnavailable, 503, "The directory store is unavailable. Retry later.";
    BodyTimeout = 90106, InvalidRequest, 408, "The request body did not arrive in time: send the whole body with the request.";
    NoSigningKey = 90105, TemporarilyUnavailable, 503, "No signing key is active, so no token can be issued. Retry later; an operator should check key rotation.";
}

/// A protocol error on its way to the client.
#[derive(Clone, Debug)]
pub struct ProtocolError {
    aadsts: Aadsts,
    error: OAuthError,
    status: StatusCode,
    description: String,
    /// Microsoft's `suberror`, which tells the client what to do (`consent_required`: ask the user).
    suberror: Option<&'static str>,
}

impl ProtocolError {
    /// An error with the catalogue's `error` and status and a description for this occurrence.
    pub fn new(aadsts: Aadsts, description: impl Into<String>) -> Self {
        Self { aadsts, error: aadsts.error(), status: aadsts.status(), description: description.into(), suberror: None }
    }

    /// The same error answered as an `invalid_grant` (400): a code that is a client's error at one
    /// grant is the grant's at another (an invalid assertion of a user, at on-behalf-of).
    pub fn as_invalid_grant(mut self) -> Self {
        self.error = OAuthError::InvalidGrant;
        self.status = StatusCode::BAD_REQUEST;
        self
    }

    /// The same error with Microsoft's `suberror`.
    pub fn with_suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    /// The same error with another OAuth `error` value: some codes answer differently at the
    /// authorization endpoint (AADSTS65001 is `consent_required` there, `invalid_grant` at the token endpoint).
    pub fn with_error(mut self, error: OAuthError) -> Self {
        self.error = error;
        self
    }

    /// An error described by the catalogue's summary alone.
    pub fn of(aadsts: Aadsts) -> Self {
        Self::new(aadsts, aadsts.summary())
    }

    /// A required parameter is absent or empty (AADSTS900144).
    pub fn missing(parameter: &str) -> Self {
        Self::new(
            Aadsts::MissingParameter,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    /// An internal failure: logged with its cause, answered without it.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::of(Aadsts::InternalError)
    }

    pub fn aadsts(&self) -> Aadsts {
        self.aadsts
    }

    pub fn oauth_error(&self) -> OAuthError {
        self.error
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// The JSON body of protocol reference §4, quoting the request's ids and arrival time.
    pub fn body(&self, ids: &RequestIds) -> ErrorBody {
        let timestamp = format_timestamp(ids.started);
        let code = self.aadsts.code();
        ErrorBody {
            error: self.error.as_str(),
            error_description: format!(
                "AADSTS{code}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {timestamp}",
                self.description, ids.trace_id, ids.correlation_id
            ),
            error_codes: [code],
            timestamp,
            trace_id: ids.trace_id.to_string(),
            correlation_id: ids.correlation_id.to_string(),
            error_uri: format!("{}/error?code={code}", ids.public_url),
            suberror: self.suberror,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} AADSTS{}: {}", self.error.as_str(), self.aadsts.code(), self.description)
    }
}

/// The Microsoft identity platform's error body (protocol reference §4).
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error: &'static str,
    pub error_description: String,
    pub error_codes: [u32; 1],
    pub timestamp: String,
    pub trace_id: String,
    pub correlation_id: String,
    pub error_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suberror: Option<&'static str>,
}

/// A handler's `Err(ProtocolError)` becomes a response in two steps: actix-web asks the error for a
/// response at once, which carries only the status, and the request middleware, which knows the
/// request's ids, replaces it with [`ProtocolError::json_response`].
impl ResponseError for ProtocolError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::new(self.status)
    }
}

impl ProtocolError {
    /// The JSON error response, with the headers RFC 6749 §5.2 and RFC 6750 §3 ask for.
    pub fn json_response(&self, ids: &RequestIds) -> HttpResponse {
        let body = self.body(ids);
        tracing::info!(error = body.error, aadsts = self.aadsts.code(), "protocol error");
        let mut response = HttpResponse::build(self.status);
        response
            .insert_header((header::CACHE_CONTROL, "no-store, no-cache"))
            .insert_header((header::PRAGMA, "no-cache"));
        if self.error == OAuthError::InvalidToken {
            // RFC 6750 §3: a protected resource names the Bearer scheme and the error.
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"signet\", error=\"invalid_token\""));
        } else if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6749 §5.2: a 401 for invalid_client carries the scheme the client tried.
            response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"signet\""));
        }
        response.json(body)
    }
}

impl From<sea_orm::DbErr> for ProtocolError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(cause = %err, "store error");
        Self::of(Aadsts::StoreUnavailable)
    }
}

impl From<crate::store::StoreError> for ProtocolError {
    /// A store failure as the client sees it: unavailable when the database failed, internal otherwise.
    fn from(err: crate::store::StoreError) -> Self {
        match err {
            crate::store::StoreError::Db(db) => db.into(),
            other => Self::internal(other),
        }
    }
}

/// `2016-01-09 02:02:12Z`, the timestamp format of the error body.
pub fn format_timestamp(unix_seconds: i64) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds).ok().and_then(|t| t.format(FORMAT).ok()).unwrap_or_default()
}
