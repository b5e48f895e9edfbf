//! The directory API's OpenAPI 3 document, generated from its handlers' `#[utoipa::path]` attributes
//! and its object types, and served at `/v1.0/$metadata/openapi.json` with this server as its server.
//! `tests/it/openapi.rs` fails when a `/v1.0/` route of `http/mod.rs` is missing from it.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Server};
use utoipa::{Modify, OpenApi};

use super::graph;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Signet directory API",
        description = "Tenant administration in Microsoft Graph v1.0's shape: a Signet access token for \
                       https://graph.microsoft.com, app roles for app-only callers, scopes and the user's rights for \
                       delegated ones, everything in the token's tenant.",
    ),
    paths(
        document,
        graph::me,
        graph::organization,
        graph::domains,
        graph::add_domain,
        graph::domain,
        graph::remove_domain,
        graph::users,
        graph::create_user,
        graph::user,
        graph::update_user,
        graph::delete_user,
        graph::user_app_role_assignments,
        graph::member_objects,
        graph::groups,
        graph::create_group,
        graph::group,
        graph::members,
        graph::add_member,
        graph::remove_member,
        graph::delete_group,
        graph::applications,
        graph::create_application,
        graph::application,
        graph::update_application,
        graph::delete_application,
        graph::add_password,
        graph::remove_password,
        graph::add_key,
        graph::remove_key,
        graph::service_principals,
        graph::create_service_principal,
        graph::service_principal,
        graph::update_service_principal,
        graph::delete_service_principal,
        graph::app_role_assigned_to,
        graph::assign_app_role,
        graph::remove_app_role_assignment,
        graph::sp_app_role_assignments,
        graph::sp_grants,
        graph::classifications,
        graph::classify,
        graph::unclassify,
        graph::grants,
        graph::create_grant,
        graph::grant,
        graph::update_grant,
        graph::delete_grant,
        graph::authorization_policy,
        graph::update_authorization_policy,
        graph::consent_request_policy,
        graph::update_consent_request_policy,
        graph::directory_audits,
        graph::signing_keys,
        graph::rotate_signing_keys,
        graph::app_consent_requests,
        graph::app_consent_request,
        graph::user_consent_requests,
    ),
    modifiers(&AppIdPaths, &BearerTokens),
)]
struct DirectoryApi;

/// Applications and service principals are also named by appId, as in Graph:
/// `applications(appId='{appId}')` answers as `applications/{id}` does, below it too.
struct AppIdPaths;

impl Modify for AppIdPaths {
    fn modify(&self, openapi: &mut Document) {
        let mut aliases = Vec::new();
        for (path, item) in &openapi.paths.paths {
            for set in ["applications", "servicePrincipals"] {
                let by_id = format!("/v1.0/{set}/{{id}}");
                if let Some(rest) = path.strip_prefix(&by_id) {
                    let mut item = item.clone();
                    for operation in item_operations(&mut item) {
                        for parameter in operation.parameters.iter_mut().flatten() {
                            if parameter.name == "id" {
                                parameter.name = "appId".to_owned();
                                parameter.description = Some("The application's appId".to_owned());
                            }
                        }
                        operation.operation_id = operation.operation_id.take().map(|id| format!("{id}_by_app_id"));
                    }
                    aliases.push((format!("/v1.0/{set}(appId='{{appId}}'){rest}"), item));
                }
            }
        }
        openapi.paths.paths.extend(aliases);
    }
}

fn item_operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
}

/// Every operation takes a Bearer access token.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut Document) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
        openapi.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
    }
}

static DOCUMENT: LazyLock<Document> = LazyLock::new(DirectoryApi::openapi);

/// `GET /v1.0/$metadata/openapi.json`: the document, with this server's base URL as its server.
#[utoipa::path(
    get,
    path = "/v1.0/$metadata/openapi.json",
    tag = "metadata",
    summary = "This document",
    security(()),
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json"))
)]
pub async fn document(state: web::Data<AppState>) -> HttpResponse {
    let mut document = DOCUMENT.clone();
    document.servers = Some(vec![Server::new(state.base_url.to_string())]);
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "max-age=3600")).json(document)
}
