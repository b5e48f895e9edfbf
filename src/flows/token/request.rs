//! What a token request carries and what a token response holds: the types every grant shares.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::domain::tenant::TenantSegment;
use crate::error::{Aadsts, ProtocolError};

/// A token request: the form parameters and the HTTP Basic credentials, if any.
#[derive(Default)]
pub struct TokenRequest {
    params: HashMap<String, String>,
    basic: Option<(String, String)>,
    /// The `Origin` header of a cross-origin (browser) request: a single-page app's.
    origin: Option<String>,
    /// The client's network address, which the password grant's throttle counts failures by.
    address: Option<std::net::IpAddr>,
    /// The request's correlation id, which the audit log records.
    correlation_id: uuid::Uuid,
}

impl std::fmt::Debug for TokenRequest {
    /// Parameter names only: values include secrets, codes and tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("params", &self.params.keys().collect::<Vec<_>>())
            .field("basic", &self.basic.is_some())
            .field("origin", &self.origin)
            .finish()
    }
}

impl TokenRequest {
    /// Parses an `application/x-www-form-urlencoded` body. A parameter sent twice is refused
    /// (RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once").
    pub fn from_form(body: &[u8], basic: Option<(String, String)>) -> Result<Self, ProtocolError> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if params.insert(name.to_string(), value.into_owned()).is_some() {
                return Err(ProtocolError::new(
                    Aadsts::MalformedRequest,
                    format!("The parameter '{name}' was sent more than once."),
                ));
            }
        }
        Ok(Self { params, basic, origin: None, address: None, correlation_id: uuid::Uuid::nil() })
    }

    /// The request as sent cross-origin from `origin` (a browser's `Origin` header).
    pub fn with_origin(self, origin: Option<String>) -> Self {
        Self { origin, ..self }
    }

    /// The request as sent from network address `address`, with its correlation id.
    pub fn with_caller(self, address: Option<std::net::IpAddr>, correlation_id: uuid::Uuid) -> Self {
        Self { address, correlation_id, ..self }
    }

    pub fn correlation_id(&self) -> uuid::Uuid {
        self.correlation_id
    }

    /// The client's network address, as the sign-in throttle names it (empty when unknown).
    pub fn address(&self) -> String {
        self.address.map(|ip| ip.to_string()).unwrap_or_default()
    }

    /// The origin of a cross-origin request.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// A parameter's value; empty values count as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A required parameter, or AADSTS900144.
    pub fn require(&self, name: &str) -> Result<&str, ProtocolError> {
        self.get(name).ok_or_else(|| ProtocolError::missing(name))
    }

    /// The request as the v1.0 endpoint means it: `resource` (required) names the token's resource
    /// where v2.0 sends `scope`. Client credentials then ask for `{resource}/.default`; a user's grant
    /// for that and the ID and refresh tokens v1.0 always issues (any `scope` sent, such as ADAL's
    /// `openid`, is replaced). ADAL's device code poll (`grant_type=device_code`, the code as `code`)
    /// is the device code grant. The resource as sent, for the response.
    pub fn for_v1_resource(mut self) -> Result<(Self, String), ProtocolError> {
        let resource = self.require("resource")?.trim_end_matches('/').to_owned();
        if self.get("grant_type") == Some("device_code") {
            let code = self.require("code")?.to_owned();
            self.params.insert("grant_type".to_owned(), crate::domain::device_code::DEVICE_CODE_GRANT.to_owned());
            self.params.insert("device_code".to_owned(), code);
        }
        let scope = match self.get("grant_type") {
            Some("client_credentials") => format!("{resource}/.default"),
            _ => format!("openid profile offline_access {resource}/.default"),
        };
        self.params.insert("scope".to_owned(), scope);
        Ok((self, resource))
    }

    pub fn basic(&self) -> Option<(&str, &str)> {
        self.basic.as_ref().map(|(id, secret)| (id.as_str(), secret.as_str()))
    }
}

/// The client id and secret of an HTTP Basic `Authorization` header's value; RFC 6749 §2.3.1
/// form-encodes both parts before base64.
pub fn parse_basic(value: &[u8]) -> Result<(String, String), ProtocolError> {
    let malformed =
        || ProtocolError::new(Aadsts::MalformedRequest, "The Authorization header is not valid HTTP Basic.");
    let value = std::str::from_utf8(value).map_err(|_| malformed())?;
    let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) else {
        return Err(malformed());
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape =
        |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8().map(|v| v.into_owned());
    Ok((unescape(id).map_err(|_| malformed())?, unescape(secret).map_err(|_| malformed())?))
}

/// A successful token response (RFC 6749 §5.1, with Microsoft's `ext_expires_in`).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub expires_in: i64,
    pub ext_expires_in: i64,
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// base64url `{"uid": oid, "utid": tid}`, when the client sent `client_info=1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_info: Option<String>,
}

/// A v1.0 token response: the lifetimes and times as strings, and the `resource` asked for.
#[derive(Debug, Serialize)]
pub struct V1TokenResponse {
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub expires_in: String,
    pub ext_expires_in: String,
    pub expires_on: String,
    pub not_before: String,
    pub resource: String,
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl TokenResponse {
    /// The response as the v1.0 endpoint writes it, issued at `now` for `resource`: its `scope` is
    /// the access token's permissions by their short names.
    pub fn into_v1(self, resource: &str, now: crate::clock::UnixTime) -> V1TokenResponse {
        let prefix = format!("{resource}/");
        let scope = self.scope.map(|scope| {
            let short = scope.split_whitespace().map(|s| s.strip_prefix(&prefix).unwrap_or(s));
            short.filter(|s| !crate::domain::scope::is_oidc(s)).collect::<Vec<_>>().join(" ")
        });
        V1TokenResponse {
            token_type: self.token_type,
            scope,
            expires_in: self.expires_in.to_string(),
            ext_expires_in: self.ext_expires_in.to_string(),
            expires_on: (now + self.expires_in).to_string(),
            not_before: now.to_string(),
            resource: resource.to_owned(),
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            id_token: self.id_token,
        }
    }
}

/// Where the request was sent: the `{tenant}` segment as written, and what it names.
#[derive(Debug)]
pub struct Endpoint<'a> {
    pub segment: &'a str,
    pub tenant: &'a TenantSegment,
}
