//! The one protocol error type and its rendering.
//!
//! Every failure a client can cause becomes a [`ProtocolError`]: an OAuth `error` value (RFC 6749 §5.2),
//! an AADSTS number from [`Aadsts`], a description, and the request's trace and correlation ids. It renders
//! in exactly one place, as the Microsoft identity platform's JSON error body.

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::http::request_ids::RequestIds;

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
    ResourceNotFound = 500011, InvalidResource, 400, "The resource principal was not found in the tenant: the API is not registered or has no service principal there.";
    InvalidClientSecret = 7000215, InvalidClient, 401, "Invalid client secret provided. Send the secret's value, not its id.";
    ExpiredClientSecret = 7000222, InvalidClient, 401, "The provided client secret keys are expired. Create a new secret for the app.";
    MissingClientCredential = 7000218, InvalidClient, 401, "The request body must contain 'client_assertion' or 'client_secret'.";
    PublicClientCredential = 700025, InvalidClient, 400, "A public client must not send a client secret or assertion.";
    AssertionSignature = 700027, InvalidClient, 401, "The client assertion failed signature validation, or its key is not registered on the app.";
    InvalidAssertion = 50013, InvalidClient, 401, "The client assertion is invalid: malformed, expired, not yet valid, for another audience or issuer, or already used.";
    NotFound = 90099, InvalidRequest, 404, "No endpoint exists at this address.";
    MethodNotAllowed = 90098, InvalidRequest, 405, "This endpoint does not accept that HTTP method.";
    InternalError = 90100, ServerError, 500, "An internal error occurred. Quote the correlation id when you report it.";
    StoreUnavailable = 90101, TemporarilyUnavailable, 503, "The directory store is unavailable. Retry later.";
}

/// A protocol error on its way to the client.
#[derive(Debug)]
pub struct ProtocolError {
    aadsts: Aadsts,
    error: OAuthError,
    status: StatusCode,
    description: String,
}

impl ProtocolError {
    /// An error with the catalogue's `error` and status and a description for this occurrence.
    pub fn new(aadsts: Aadsts, description: impl Into<String>) -> Self {
        Self { aadsts, error: aadsts.error(), status: aadsts.status(), description: description.into() }
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

    /// The JSON body of protocol reference §4, for the request's ids and the given time.
    pub fn body(&self, ids: &RequestIds, public_url: &str) -> ErrorBody {
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
            error_uri: format!("{public_url}/error?code={code}"),
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
}

impl ResponseError for ProtocolError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let ids = RequestIds::current();
        let body = self.body(&ids, &ids.public_url);
        tracing::info!(error = body.error, aadsts = self.aadsts.code(), "protocol error");
        let mut response = HttpResponse::build(self.status);
        response
            .insert_header((header::CACHE_CONTROL, "no-store, no-cache"))
            .insert_header((header::PRAGMA, "no-cache"));
        if self.status == StatusCode::UNAUTHORIZED {
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
