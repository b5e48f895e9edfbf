//! `GET`/`POST /oidc/userinfo` (OpenID Connect Core §5.3): the signed-in user's claims, for an access
//! token of the built-in directory resource.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::domain::graph::GRAPH_APP_ID;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::bearer::verify_issued;
use crate::state::AppState;

#[derive(Debug, Serialize)]
struct UserInfo {
    sub: String,
    name: String,
    preferred_username: String,
    email: String,
}

pub async fn userinfo(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ProtocolError> {
    let invalid = |why: &str| ProtocolError::new(Aadsts::InvalidAccessToken, why.to_owned());
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let token = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .ok_or_else(|| invalid("Send an access token in the Authorization header as 'Bearer {token}'."))?;
    let claims = verify_issued(&state, token.trim(), state.clock.now(), false)?;
    if claims.aud != GRAPH_APP_ID || claims.scp.is_none() {
        return Err(invalid(
            "The userinfo endpoint needs a user's access token for the directory resource (https://graph.microsoft.com).",
        ));
    }
    let found = state.store.user(claims.tid, claims.oid).await?.filter(|user| user.account_enabled);
    let user = found.ok_or_else(|| invalid("The token's user no longer exists or is disabled."))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(UserInfo {
            sub: claims.sub,
            name: user.display_name,
            email: user.username.clone(),
            preferred_username: user.username,
        }))
}
