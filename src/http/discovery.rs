//! OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) and the JWKS, per tenant; and MSAL's
//! instance discovery, answered for this server's own host.
//!
//! The document is written here rather than with openidconnect's `ProviderMetadata` because it must
//! carry the literal `{tenantid}` template issuer for `common`/`organizations` and Microsoft's extra
//! fields; clients (msal, openidconnect) read it in the tests.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::{Value, json};

use crate::domain::claims::{issuer, template_issuer};
use crate::domain::tenant::TenantSegment;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::tenant::resolve_named;
use crate::signing::Jwk;
use crate::state::AppState;

/// The discovery document's fields (protocol reference §1).
#[derive(Debug, Serialize)]
struct ProviderMetadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    device_authorization_endpoint: String,
    end_session_endpoint: String,
    userinfo_endpoint: String,
    jwks_uri: String,
    token_endpoint_auth_methods_supported: [&'static str; 3],
    token_endpoint_auth_signing_alg_values_supported: [&'static str; 2],
    response_modes_supported: [&'static str; 3],
    response_types_supported: [&'static str; 1],
    grant_types_supported: [&'static str; 5],
    code_challenge_methods_supported: [&'static str; 2],
    prompt_values_supported: [&'static str; 4],
    subject_types_supported: [&'static str; 1],
    id_token_signing_alg_values_supported: [&'static str; 1],
    scopes_supported: [&'static str; 4],
    claims_supported: [&'static str; 19],
    http_logout_supported: bool,
    request_uri_parameter_supported: bool,
    tenant_region_scope: Option<&'static str>,
    cloud_instance_name: &'static str,
}

/// Which issuer a `{tenant}` segment publishes: the concrete one of a named tenant, or the template.
async fn tenant_issuer(state: &AppState, segment: &str) -> Result<String, ProtocolError> {
    match TenantSegment::parse(segment) {
        TenantSegment::Common | TenantSegment::Organizations => Ok(template_issuer(&state.base_url)),
        TenantSegment::Consumers => Err(ProtocolError::of(Aadsts::UnsupportedTenant)),
        TenantSegment::Named(name) => Ok(issuer(&state.base_url, resolve_named(state, &name).await?.id)),
    }
}

/// Which endpoint's discovery document: v2.0's, or v1.0's (`/{tenant}/oauth2/authorize` and `/token`,
/// the v1.0 issuer, the keys at `/discovery/keys`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`. Endpoint URLs echo the segment requested.
pub async fn openid_configuration(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ProtocolError> {
    provider_metadata(&state, &path, Version::V2).await
}

/// `GET /{tenant}/.well-known/openid-configuration`: the v1.0 endpoint's document.
pub async fn openid_configuration_v1(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ProtocolError> {
    provider_metadata(&state, &path, Version::V1).await
}

async fn provider_metadata(state: &AppState, segment: &str, version: Version) -> Result<HttpResponse, ProtocolError> {
    let issuer = tenant_issuer(state, segment).await?;
    let base = format!("{}/{segment}", state.base_url);
    let (oauth2, keys, issuer) = match version {
        Version::V2 => ("oauth2/v2.0", "discovery/v2.0/keys", issuer),
        // The v1.0 issuer is the v2.0 one without `v2.0`: `{base}/{tid}/`, or the template's.
        Version::V1 => ("oauth2", "discovery/keys", issuer.trim_end_matches("v2.0").to_owned()),
    };
    let metadata = ProviderMetadata {
        issuer,
        authorization_endpoint: format!("{base}/{oauth2}/authorize"),
        token_endpoint: format!("{base}/{oauth2}/token"),
        device_authorization_endpoint: format!("{base}/{oauth2}/devicecode"),
        end_session_endpoint: format!("{base}/{oauth2}/logout"),
        userinfo_endpoint: format!("{}/oidc/userinfo", state.base_url),
        jwks_uri: format!("{base}/{keys}"),
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        token_endpoint_auth_signing_alg_values_supported: ["RS256", "PS256"],
        response_modes_supported: ["query", "fragment", "form_post"],
        response_types_supported: ["code"],
        grant_types_supported: [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        code_challenge_methods_supported: ["S256", "plain"],
        prompt_values_supported: ["login", "none", "consent", "select_account"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        claims_supported: [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "nbf",
            "tid",
            "oid",
            "azp",
            "azpacr",
            "roles",
            "ver",
            "uti",
            "idtyp",
            "name",
            "preferred_username",
            "email",
            "nonce",
            "scp",
        ],
        http_logout_supported: true,
        request_uri_parameter_supported: false,
        tenant_region_scope: None,
        cloud_instance_name: "signet",
    };
    Ok(cached(HttpResponse::Ok()).json(metadata))
}

#[derive(Debug, Serialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

/// `GET /{tenant}/discovery/v2.0/keys`: every published key, each with the tenant's issuer.
pub async fn jwks(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ProtocolError> {
    let issuer = tenant_issuer(&state, &path).await?;
    let keys = state
        .keys
        .published(state.clock.now())
        .into_iter()
        .map(|jwk| Jwk { issuer: Some(issuer.clone()), ..jwk })
        .collect();
    Ok(cached(HttpResponse::Ok()).json(KeySet { keys }))
}

/// The caching and CORS headers Microsoft sends on metadata (protocol reference §1).
fn cached(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((header::CACHE_CONTROL, "max-age=86400, private"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    builder
}

/// Discovery and the keys are public: any origin may read them (a single-page app's msal fetches both).
pub fn cors() -> actix_cors::Cors {
    actix_cors::Cors::default().allow_any_origin().allowed_methods(["GET"]).max_age(86_400)
}

/// `GET /{tenant}/discovery/instance?api-version=1.0|1.1&authorization_endpoint=…` (`common` is the
/// usual segment): MSAL's instance discovery, which tells it where the tenant's discovery document is
/// and which hosts are the same instance. It answers for this server's host only (AADSTS50049
/// `invalid_instance` for another), compared without the port: MSAL Python drops it from the
/// endpoint it asks about.
pub async fn instance(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ProtocolError> {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let value = |name: &str| {
        query
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| ProtocolError::missing(name))
    };
    let version = value("api-version")?;
    if version != "1.0" && version != "1.1" {
        return Err(ProtocolError::new(
            Aadsts::MalformedRequest,
            format!("The api-version '{version}' is not supported: use 1.0 or 1.1."),
        ));
    }
    let document = instance_document(&state.base_url, value("authorization_endpoint")?, version)?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "max-age=86400")).json(document))
}

/// Where the tenant of `endpoint` (an authorization endpoint on this server's host) publishes its
/// discovery document, and this host's aliases.
fn instance_document(base_url: &str, endpoint: &str, version: &str) -> Result<Value, ProtocolError> {
    let unknown = || {
        ProtocolError::new(
            Aadsts::UnknownInstance,
            format!("Unknown or invalid instance: '{endpoint}' is not an authorization endpoint of this server."),
        )
    };
    let base = url::Url::parse(base_url).map_err(|_| ProtocolError::internal("the base URL does not parse"))?;
    let asked = url::Url::parse(endpoint).map_err(|_| unknown())?;
    let same_port = asked.port().is_none() || asked.port_or_known_default() == base.port_or_known_default();
    if asked.scheme() != base.scheme() || asked.host_str() != base.host_str() || !same_port {
        return Err(unknown());
    }
    let mut path = asked.path_segments().into_iter().flatten();
    let tenant = path.next().unwrap_or_default();
    // A v1.0 authorization endpoint (`/{tenant}/oauth2/authorize`) is told of the v1.0 document.
    let v1 = path.next() == Some("oauth2") && path.next() == Some("authorize");
    let plausible = |c: char| c.is_ascii_alphanumeric() || ".-_".contains(c);
    if tenant.is_empty() || tenant.len() > 256 || !tenant.chars().all(plausible) {
        return Err(unknown());
    }
    let host = base.host_str().unwrap_or_default();
    let netloc = base.port().map_or_else(|| host.to_owned(), |port| format!("{host}:{port}"));
    let mut aliases = vec![netloc.clone()];
    if netloc != host {
        aliases.push(host.to_owned());
    }
    Ok(json!({
        "tenant_discovery_endpoint": match v1 {
            true => format!("{base_url}/{tenant}/.well-known/openid-configuration"),
            false => format!("{base_url}/{tenant}/v2.0/.well-known/openid-configuration"),
        },
        "api-version": version,
        "metadata": [{ "preferred_network": netloc, "preferred_cache": netloc, "aliases": aliases }],
    }))
}
