//! `GET /error?code=N`: what an AADSTS code means (the `error_uri` of every error body).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::html::plain_page;
use crate::error::Aadsts;
use crate::pages::{CodeInfo, ErrorCodePage};

#[derive(Debug, Deserialize)]
pub struct Lookup {
    code: Option<String>,
}

fn info(a: Aadsts) -> CodeInfo {
    CodeInfo { number: a.code(), error: a.error().as_str(), status: a.status().as_u16(), summary: a.summary() }
}

pub async fn lookup(query: web::Query<Lookup>) -> HttpResponse {
    let requested = query.code.as_deref().map(|c| c.trim().trim_start_matches("AADSTS"));
    let found = requested.and_then(|c| c.parse().ok()).and_then(Aadsts::from_code);
    let message = match requested {
        None => "Add ?code=N to look up an AADSTS code.".to_owned(),
        Some(c) => format!("AADSTS{c} is not a code Signet answers with."),
    };
    let status = if found.is_some() || requested.is_none() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let page = ErrorCodePage { code: found.map(info), message, all: Aadsts::ALL.iter().copied().map(info).collect() };
    plain_page(status, &page)
}
