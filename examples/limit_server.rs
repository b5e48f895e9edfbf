//! The benchmark's limit: the least work any client-credentials token endpoint that returns an RS256
//! JWT must do, with Signet's own signer. One confidential client held in memory; per request it
//! parses the form, compares the secret in constant time, and signs a token with the same claims
//! Signet's app-only tokens carry. No directory, no store, no logs. Whatever Signet does beyond this
//! is its own cost; `bench/compare.sh` reports Signet's rate as a share of this server's.
//!
//! `cargo run --release --example limit_server -- LISTEN CLIENT_ID CLIENT_SECRET`
//! POST /token with `grant_type=client_credentials&client_id=…&client_secret=…&scope=…`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::{App, HttpResponse, HttpServer, web};
use serde::Deserialize;
use signet::signing::Signer;
use signet::signing::material::generate;
use subtle::ConstantTimeEq;

struct Client {
    id: String,
    secret: String,
    signer: Signer,
    issuer: String,
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    client_secret: String,
    scope: String,
}

fn error(status: actix_web::http::StatusCode, error: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": error }))
}

async fn token(client: web::Data<Arc<Client>>, form: web::Form<TokenForm>) -> HttpResponse {
    use actix_web::http::StatusCode;
    if form.grant_type != "client_credentials" {
        return error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let id_matches = form.client_id.as_bytes().ct_eq(client.id.as_bytes());
    let secret_matches = form.client_secret.as_bytes().ct_eq(client.secret.as_bytes());
    if !bool::from(id_matches & secret_matches) {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let Some(resource) = form.scope.strip_suffix("/.default") else {
        return error(StatusCode::BAD_REQUEST, "invalid_scope");
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let claims = serde_json::json!({
        "aud": resource,
        "iss": client.issuer,
        "iat": now,
        "nbf": now,
        "exp": now + 3599,
        "azp": client.id,
        "azpacr": "1",
        "idtyp": "app",
        "oid": client.id,
        "sub": client.id,
        "roles": ["Data.Read.All"],
        "tid": "00000000-0000-0000-0000-000000000000",
        "uti": uuid::Uuid::new_v4().simple().to_string(),
        "ver": "2.0",
    });
    match client.signer.sign_jwt(&claims) {
        Ok(jwt) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(serde_json::json!({
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": jwt,
        })),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [listen, id, secret] = args.as_slice() else {
        eprintln!("usage: limit_server LISTEN CLIENT_ID CLIENT_SECRET");
        std::process::exit(2);
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let material = generate(i64::try_from(now).unwrap_or_default()).map_err(std::io::Error::other)?;
    let signer = Signer::from_pkcs8(&material.kid, &material.pkcs8).map_err(std::io::Error::other)?;
    let client = Arc::new(Client {
        id: id.clone(),
        secret: secret.clone(),
        signer,
        issuer: format!("http://{listen}/00000000-0000-0000-0000-000000000000/v2.0"),
    });
    HttpServer::new(move || App::new().app_data(web::Data::new(client.clone())).route("/token", web::post().to(token)))
        .bind(listen.as_str())?
        .run()
        .await
}
