//! The directory API's OpenAPI document (issue 17): generated from the handlers, served without a
//! token at `/v1.0/$metadata/openapi.json`, and complete: every `/v1.0/` route and method of the route
//! table is in it, and nothing else is.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::json;

use crate::on_every_backend;
use crate::support::{Backend, TestServer};

on_every_backend!(the_openapi_document_covers_every_directory_api_route);

/// `{user}`, `{id}`, `{appId}`... all read as `{}`, so that the route table's and the document's
/// parameter names need not agree.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// The (method, path) pairs `src/http/mod.rs` serves under `/v1.0/`.
fn routed() -> BTreeSet<(String, String)> {
    let table = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/mod.rs")).unwrap();
    let mut pairs = BTreeSet::new();
    for chunk in table.split("resource(\"").skip(1) {
        let path = chunk.split('"').next().unwrap();
        if !path.starts_with("/v1.0/") {
            continue;
        }
        for method in chunk.split("web::").skip(1).filter_map(|m| m.split("()").next()) {
            if ["get", "post", "put", "patch", "delete"].contains(&method) {
                pairs.insert((method.to_owned(), shape(path)));
            }
        }
    }
    pairs
}

async fn the_openapi_document_covers_every_directory_api_route(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (status, document) = server.get_json("/v1.0/$metadata/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{document}");
    assert!(document["openapi"].as_str().unwrap().starts_with("3."), "{}", document["openapi"]);
    assert_eq!(document["servers"], json!([{ "url": server.base }]));
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");

    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), shape(path)));
        }
    }
    let routed = routed();
    assert!(routed.len() > 40, "{routed:?}");
    let missing: Vec<_> = routed.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing from the document: {missing:?}; not routed: {extra:?}");

    // Object types come from the code: a user's properties, and Graph's error body.
    let schemas = &document["components"]["schemas"];
    let user: BTreeSet<&str> =
        schemas["GraphUser"]["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    assert!(user.contains("userPrincipalName") && user.contains("accountEnabled"), "{user:?}");
    let error = &schemas["ErrorDetail"]["properties"];
    assert!(error.get("code").is_some() && error.get("innerError").is_some(), "{error}");
    let filter = document["paths"]["/v1.0/users"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "$filter");
    assert!(filter, "list options are documented");
}
