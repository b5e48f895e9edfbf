//! Errors of the directory API in Microsoft Graph's shape: `{"error": {"code", "message", "innerError":
//! {"date", "request-id", "client-request-id"}}}`, with Graph's codes for the same mistakes, so Graph
//! SDKs raise the exceptions they raise against Entra ID. Like [`crate::error::ProtocolError`], the
//! request middleware renders it, as it alone knows the request's ids.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::graph::GRAPH_APP_ID;
use crate::request_ids::RequestIds;

/// A directory API error on its way to the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct GraphError {
    pub status: StatusCode,
    /// Graph's error code, e.g. `InvalidAuthenticationToken`.
    pub code: &'static str,
    pub message: String,
}

impl GraphError {
    /// 401: no token, or one that is not a valid token for the directory API.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self { status: StatusCode::UNAUTHORIZED, code: "InvalidAuthenticationToken", message: message.into() }
    }

    /// 403: a valid token without the permission or the rights the call needs.
    pub fn denied(message: impl Into<String>) -> Self {
        Self { status: StatusCode::FORBIDDEN, code: "Authorization_RequestDenied", message: message.into() }
    }

    /// 404: no such object in the caller's tenant (whether it exists in another is not said).
    pub fn not_found(id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "Request_ResourceNotFound",
            message: format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        }
    }

    /// 400: a request the API cannot serve as asked.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "BadRequest", message: message.into() }
    }

    /// 400: a query option, operator or property the API does not serve.
    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "Request_UnsupportedQuery", message: message.into() }
    }

    /// 400: a property value the directory refuses (a malformed, missing or duplicate value).
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "Request_BadRequest", message: message.into() }
    }

    /// 500: our own failure; the cause goes to the log, not to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "directory API internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "generalException",
            message: "An internal error occurred. Quote the request id when you report it.".to_owned(),
        }
    }

    /// 409: the object exists already.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self { status: StatusCode::CONFLICT, code: "Request_BadRequest", message: message.into() }
    }

    /// 503: the store could not answer.
    pub fn unavailable() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "serviceNotAvailable",
            message: "The directory store is unavailable. Retry later.".to_owned(),
        }
    }

    /// The JSON response with the request's ids; a 401 names the Bearer scheme and where to get a token.
    pub fn json_response(&self, ids: &RequestIds) -> HttpResponse {
        tracing::info!(code = self.code, status = self.status.as_u16(), "directory API error");
        let date = time::OffsetDateTime::from_unix_timestamp(ids.started)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default();
        let body = GraphErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
                inner_error: InnerError {
                    date: date.trim_end_matches('Z').to_owned(),
                    request_id: ids.trace_id,
                    client_request_id: ids.correlation_id,
                },
            },
        };
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = format!(
                "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/v2.0/authorize\", client_id=\"{GRAPH_APP_ID}\"",
                ids.public_url
            );
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        response.json(body)
    }
}

/// Graph's error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GraphErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// Graph's code for the mistake, e.g. `Request_ResourceNotFound`.
    pub code: &'static str,
    pub message: String,
    pub inner_error: InnerError,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InnerError {
    /// When the request arrived (UTC, without a zone suffix, as Graph writes it).
    pub date: String,
    #[serde(rename = "request-id")]
    pub request_id: uuid::Uuid,
    /// The `client-request-id` the request sent, or one Signet drew.
    #[serde(rename = "client-request-id")]
    pub client_request_id: uuid::Uuid,
}

/// The status alone; the middleware replaces the body with [`GraphError::json_response`].
impl ResponseError for GraphError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::new(self.status)
    }
}

impl From<crate::store::StoreError> for GraphError {
    fn from(err: crate::store::StoreError) -> Self {
        tracing::error!(cause = %err, "store error");
        Self::unavailable()
    }
}
