//! `GET /common/UserRealm/{username}?api-version=1.0` (ADAL's spelling; MSAL Python asks for
//! `/common/userrealm/…`): whether the username's domain is a managed one, so the password grant may
//! follow. Every tenant of Signet is managed: its users' passwords are checked here, never federated.
//! A domain no tenant verified is `Unknown`, as Entra answers it.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::error::{Aadsts, ProtocolError};
use crate::state::AppState;

pub async fn user_realm(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ProtocolError> {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    match query.iter().find(|(k, _)| k == "api-version").map(|(_, v)| v.as_str()) {
        Some("1.0") => {}
        None => return Err(ProtocolError::missing("api-version")),
        Some(other) => {
            return Err(ProtocolError::new(
                Aadsts::MalformedRequest,
                format!("The api-version '{other}' is not supported: use 1.0."),
            ));
        }
    }
    let username = path.into_inner();
    let domain = username.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
    let managed = !domain.is_empty() && state.store.resolve_tenant(&domain).await?.is_some();
    let host = url::Url::parse(&state.base_url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    let body = if managed {
        json!({
            "ver": "1.0",
            "account_type": "Managed",
            "domain_name": domain,
            "cloud_instance_name": host,
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        })
    } else {
        json!({
            "ver": "1.0",
            "account_type": "Unknown",
            "cloud_instance_name": host,
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        })
    };
    Ok(HttpResponse::Ok().json(body))
}
