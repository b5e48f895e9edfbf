//! One askama template per page.

use askama::Template;
use askama_web::WebTemplate;

/// One AADSTS code as the lookup page shows it.
#[derive(Debug)]
pub struct CodeInfo {
    pub number: u32,
    pub error: &'static str,
    pub status: u16,
    pub summary: &'static str,
}

/// `GET /error?code=N`.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "error_code.html")]
pub struct ErrorCodePage {
    pub code: Option<CodeInfo>,
    pub message: String,
    pub all: Vec<CodeInfo>,
}
