//! HTTP: one route table, thin handlers that parse, call one flow and render.

mod authorize;
mod body_deadline;
mod browser;
mod device;
mod discovery;
mod error_page;
mod graph;
mod health;
mod html;
mod logout;
pub mod middleware;
mod openapi;
mod portal;
mod portal_api;
mod portal_app;
mod portal_apps;
mod portal_consent;
mod portal_enterprise;
mod portal_keys;
mod portal_permissions;
mod portal_users;
mod token;
mod user_realm;
mod userinfo;

use actix_web::web;

use crate::error::{Aadsts, ProtocolError};

/// Every path and method Signet serves. The token endpoint comes first: routes are tried in order, and
/// it is the hot path.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/{tenant}/oauth2/v2.0/token").wrap(token::cors()).route(web::post().to(token::token)))
        .service(resource("/{tenant}/oauth2/token").wrap(token::cors()).route(web::post().to(token::token_v1)))
        .service(resource("/{tenant}/oauth2/authorize").route(web::get().to(authorize::authorize_v1)))
        .service(
            resource("/{tenant}/oauth2/v2.0/authorize")
                .route(web::get().to(authorize::authorize_get))
                .route(web::post().to(authorize::authorize_post)),
        )
        .service(resource("/{tenant}/v2.0/adminconsent").route(web::get().to(authorize::admin_consent)))
        .service(resource("/{tenant}/adminconsent").route(web::get().to(authorize::admin_consent_v1)))
        .service(resource("/{tenant}/oauth2/v2.0/devicecode").route(web::post().to(device::device_code)))
        .service(resource("/{tenant}/oauth2/devicecode").route(web::post().to(device::device_code_v1)))
        .service(
            resource("/devicelogin")
                .route(web::get().to(device::device_login_page))
                .route(web::post().to(device::device_login)),
        )
        .service(resource("/{tenant}/login").route(web::post().to(authorize::sign_in)))
        .service(resource("/{tenant}/account").route(web::post().to(authorize::account)))
        .service(resource("/{tenant}/consent").route(web::post().to(authorize::consent)))
        .service(resource("/{tenant}/admin/signin").route(web::post().to(portal::sign_in)))
        .service(resource("/{tenant}/admin/consent-requests").route(web::get().to(portal::list)))
        .service(resource("/{tenant}/admin/audit").route(web::get().to(portal::audit)))
        .service(resource("/{tenant}/admin").route(web::get().to(portal_apps::overview_page)))
        .service(resource("/{tenant}/admin/").route(web::get().to(portal_apps::overview_page)))
        .configure(portal_app_routes)
        .service(
            resource("/{tenant}/admin/consent-requests/{id}/approve")
                .route(web::get().to(portal::approval))
                .route(web::post().to(portal::approval_answer)),
        )
        .service(resource("/{tenant}/admin/consent-requests/{id}/deny").route(web::post().to(portal::deny)))
        .service(resource("/{tenant}/admin/consent-requests/{id}/block").route(web::post().to(portal::block)))
        .service(
            resource("/{tenant}/oauth2/v2.0/logout")
                .route(web::get().to(logout::logout_get))
                .route(web::post().to(logout::logout_post)),
        )
        .service(
            resource("/{tenant}/oauth2/logout")
                .route(web::get().to(logout::logout_get))
                .route(web::post().to(logout::logout_post)),
        )
        .service(
            resource("/oidc/userinfo")
                .route(web::get().to(userinfo::userinfo))
                .route(web::post().to(userinfo::userinfo)),
        )
        .configure(directory_api)
        .service(resource("/healthz").route(web::get().to(health::healthz)))
        .service(resource("/readyz").route(web::get().to(health::readyz)))
        .service(resource("/error").route(web::get().to(error_page::lookup)))
        .service(resource("/common/UserRealm/{username}").route(web::get().to(user_realm::user_realm)))
        .service(resource("/common/userrealm/{username}").route(web::get().to(user_realm::user_realm)))
        .service(resource("/static/signet.css").route(web::get().to(stylesheet)))
        .service(resource("/static/portal.js").route(web::get().to(portal_script)))
        .service(
            resource("/{tenant}/v2.0/.well-known/openid-configuration")
                .wrap(discovery::cors())
                .route(web::get().to(discovery::openid_configuration)),
        )
        .service(
            resource("/{tenant}/discovery/v2.0/keys").wrap(discovery::cors()).route(web::get().to(discovery::jwks)),
        )
        .service(
            resource("/{tenant}/.well-known/openid-configuration")
                .wrap(discovery::cors())
                .route(web::get().to(discovery::openid_configuration_v1)),
        )
        .service(resource("/{tenant}/discovery/keys").wrap(discovery::cors()).route(web::get().to(discovery::jwks)))
        .service(
            resource("/{tenant}/discovery/instance").wrap(discovery::cors()).route(web::get().to(discovery::instance)),
        )
        .default_service(web::to(not_found));
}

/// The directory API (Microsoft Graph's paths): users, the organization and applications.
fn directory_api(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1.0/$metadata/openapi.json").route(web::get().to(openapi::document)))
        .service(resource("/v1.0/me").route(web::get().to(graph::me)))
        .service(resource("/v1.0/organization").route(web::get().to(graph::organization)))
        .service(
            resource("/v1.0/domains").route(web::get().to(graph::domains)).route(web::post().to(graph::add_domain)),
        )
        .service(
            resource("/v1.0/domains/{id}")
                .route(web::get().to(graph::domain))
                .route(web::delete().to(graph::remove_domain)),
        )
        .service(resource("/v1.0/users").route(web::get().to(graph::users)).route(web::post().to(graph::create_user)))
        .service(
            resource("/v1.0/users/{user}")
                .route(web::get().to(graph::user))
                .route(web::patch().to(graph::update_user))
                .route(web::delete().to(graph::delete_user)),
        )
        .service(
            resource("/v1.0/applications")
                .route(web::get().to(graph::applications))
                .route(web::post().to(graph::create_application)),
        )
        .service(
            resource("/v1.0/applications/{id}")
                .route(web::get().to(graph::application))
                .route(web::patch().to(graph::update_application))
                .route(web::delete().to(graph::delete_application)),
        )
        .service(
            resource("/v1.0/applications(appId='{app_id}')")
                .route(web::get().to(graph::application))
                .route(web::patch().to(graph::update_application))
                .route(web::delete().to(graph::delete_application)),
        )
        .service(resource("/v1.0/applications/{id}/addPassword").route(web::post().to(graph::add_password)))
        .service(resource("/v1.0/applications/{id}/removePassword").route(web::post().to(graph::remove_password)))
        .service(
            resource("/v1.0/applications(appId='{app_id}')/addPassword").route(web::post().to(graph::add_password)),
        )
        .service(
            resource("/v1.0/applications(appId='{app_id}')/removePassword")
                .route(web::post().to(graph::remove_password)),
        )
        .service(resource("/v1.0/applications/{id}/addKey").route(web::post().to(graph::add_key)))
        .service(resource("/v1.0/applications/{id}/removeKey").route(web::post().to(graph::remove_key)))
        .service(resource("/v1.0/applications(appId='{app_id}')/addKey").route(web::post().to(graph::add_key)))
        .service(resource("/v1.0/applications(appId='{app_id}')/removeKey").route(web::post().to(graph::remove_key)))
        .configure(directory_principals)
        .configure(directory_governance)
        .configure(directory_classifications);
}

/// The admin portal's app registrations: the list, a new registration, and an app's pages.
fn portal_app_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/{tenant}/admin/apps").route(web::get().to(portal_apps::apps_page)))
        .service(
            resource("/{tenant}/admin/apps/new")
                .route(web::get().to(portal_apps::new_app_page))
                .route(web::post().to(portal_apps::create_app)),
        )
        .service(resource("/{tenant}/admin/apps/{app}").route(web::get().to(portal_app::app_page)))
        .service(resource("/{tenant}/admin/apps/{app}/redirect-uris").route(web::post().to(portal_app::add_uri)))
        .service(
            resource("/{tenant}/admin/apps/{app}/redirect-uris/remove").route(web::post().to(portal_app::remove_uri)),
        )
        .service(resource("/{tenant}/admin/apps/{app}/secrets").route(web::post().to(portal_app::new_secret)))
        .service(resource("/{tenant}/admin/apps/{app}/certificates").route(web::post().to(portal_app::new_certificate)))
        .service(
            resource("/{tenant}/admin/apps/{app}/permissions")
                .route(web::get().to(portal_permissions::permissions_page))
                .route(web::post().to(portal_permissions::add_permissions)),
        )
        .service(
            resource("/{tenant}/admin/apps/{app}/permissions/add").route(web::get().to(portal_permissions::add_page)),
        )
        .service(
            resource("/{tenant}/admin/apps/{app}/permissions/remove")
                .route(web::post().to(portal_permissions::remove_permission)),
        )
        .service(
            resource("/{tenant}/admin/apps/{app}/permissions/{decision}")
                .route(web::get().to(portal_permissions::confirm))
                .route(web::post().to(portal_permissions::decide)),
        )
        .service(resource("/{tenant}/admin/apps/{app}/expose").route(web::get().to(portal_api::expose_page)))
        .service(resource("/{tenant}/admin/apps/{app}/expose/uri").route(web::post().to(portal_api::identifier_uri)))
        .service(resource("/{tenant}/admin/apps/{app}/expose/scopes").route(web::post().to(portal_api::new_scope)))
        .service(resource("/{tenant}/admin/apps/{app}/expose/state").route(web::post().to(portal_api::set_state)))
        .service(
            resource("/{tenant}/admin/apps/{app}/roles")
                .route(web::get().to(portal_api::roles_page))
                .route(web::post().to(portal_api::new_role)),
        )
        .service(resource("/{tenant}/admin/apps/{app}/roles/state").route(web::post().to(portal_api::set_state)))
        .configure(portal_enterprise_routes)
        .service(
            resource("/{tenant}/admin/apps/{app}/{kind}/{key}/remove")
                .route(web::get().to(portal_app::confirm_removal))
                .route(web::post().to(portal_app::remove_credential)),
        );
}

/// The admin portal's signing keys, users, consent settings and enterprise applications.
fn portal_enterprise_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/{tenant}/admin/signing-keys").route(web::get().to(portal_keys::keys_page)))
        .service(
            resource("/{tenant}/admin/signing-keys/rotate")
                .route(web::get().to(portal_keys::confirm_rotation))
                .route(web::post().to(portal_keys::rotation)),
        )
        .service(resource("/{tenant}/admin/users").route(web::get().to(portal_users::list_page)))
        .service(
            resource("/{tenant}/admin/users/new")
                .route(web::get().to(portal_users::new_page))
                .route(web::post().to(portal_users::create_user)),
        )
        .service(resource("/{tenant}/admin/users/{id}").route(web::get().to(portal_users::user_page)))
        .service(resource("/{tenant}/admin/users/{id}/properties").route(web::post().to(portal_users::properties)))
        .service(resource("/{tenant}/admin/users/{id}/password").route(web::post().to(portal_users::password)))
        .service(
            resource("/{tenant}/admin/users/{id}/delete")
                .route(web::get().to(portal_users::confirm_delete))
                .route(web::post().to(portal_users::delete_user)),
        )
        .service(resource("/{tenant}/admin/consent").route(web::get().to(portal_consent::consent_page)))
        .service(resource("/{tenant}/admin/consent/user-consent").route(web::post().to(portal_consent::user_consent)))
        .service(resource("/{tenant}/admin/consent/requests").route(web::post().to(portal_consent::requests)))
        .service(
            resource("/{tenant}/admin/consent/classifications")
                .route(web::post().to(portal_consent::add_classification)),
        )
        .service(
            resource("/{tenant}/admin/consent/classifications/remove")
                .route(web::post().to(portal_consent::remove_classification)),
        )
        .service(resource("/{tenant}/admin/enterprise-apps").route(web::get().to(portal_enterprise::list_page)))
        .service(resource("/{tenant}/admin/enterprise-apps/{app}").route(web::get().to(portal_enterprise::app_page)))
        .service(
            resource("/{tenant}/admin/enterprise-apps/{app}/properties")
                .route(web::post().to(portal_enterprise::properties)),
        )
        .service(
            resource("/{tenant}/admin/enterprise-apps/{app}/assignments")
                .route(web::post().to(portal_enterprise::add_assignment)),
        )
        .service(
            resource("/{tenant}/admin/enterprise-apps/{app}/assignments/remove")
                .route(web::post().to(portal_enterprise::remove_assignment)),
        )
        .service(
            resource("/{tenant}/admin/enterprise-apps/{app}/grants/{id}/revoke")
                .route(web::get().to(portal_enterprise::confirm_revoke))
                .route(web::post().to(portal_enterprise::revoke)),
        )
        .service(
            resource("/{tenant}/admin/enterprise-apps/{app}/delete")
                .route(web::get().to(portal_enterprise::confirm_delete))
                .route(web::post().to(portal_enterprise::delete)),
        );
}

/// The directory API's delegated grants, policies, consent requests, audit log and signing keys.
fn directory_governance(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1.0/signet/signingKeys").route(web::get().to(graph::signing_keys)));
    cfg.service(resource("/v1.0/signet/signingKeys/rotate").route(web::post().to(graph::rotate_signing_keys)));
    cfg.service(
        resource("/v1.0/identityGovernance/appConsent/appConsentRequests")
            .route(web::get().to(graph::app_consent_requests)),
    );
    cfg.service(
        resource("/v1.0/identityGovernance/appConsent/appConsentRequests/{id}")
            .route(web::get().to(graph::app_consent_request)),
    );
    cfg.service(
        resource("/v1.0/identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests")
            .route(web::get().to(graph::user_consent_requests)),
    );
    cfg.service(resource("/v1.0/auditLogs/directoryAudits").route(web::get().to(graph::directory_audits)));
    cfg.service(
        resource("/v1.0/policies/authorizationPolicy")
            .route(web::get().to(graph::authorization_policy))
            .route(web::patch().to(graph::update_authorization_policy)),
    );
    cfg.service(
        resource("/v1.0/policies/adminConsentRequestPolicy")
            .route(web::get().to(graph::consent_request_policy))
            .route(web::put().to(graph::update_consent_request_policy))
            .route(web::patch().to(graph::update_consent_request_policy)),
    );
    cfg.service(
        resource("/v1.0/oauth2PermissionGrants")
            .route(web::get().to(graph::grants))
            .route(web::post().to(graph::create_grant)),
    );
    cfg.service(
        resource("/v1.0/oauth2PermissionGrants/{id}")
            .route(web::get().to(graph::grant))
            .route(web::patch().to(graph::update_grant))
            .route(web::delete().to(graph::delete_grant)),
    );
    cfg.service(resource("/v1.0/servicePrincipals/{id}/oauth2PermissionGrants").route(web::get().to(graph::sp_grants)));
    cfg.service(
        resource("/v1.0/servicePrincipals(appId='{app_id}')/oauth2PermissionGrants")
            .route(web::get().to(graph::sp_grants)),
    );
    cfg.service(
        resource("/v1.0/users/{user}/appRoleAssignments").route(web::get().to(graph::user_app_role_assignments)),
    )
    .service(resource("/v1.0/users/{user}/getMemberObjects").route(web::post().to(graph::member_objects)))
    .service(resource("/v1.0/groups").route(web::get().to(graph::groups)).route(web::post().to(graph::create_group)))
    .service(
        resource("/v1.0/groups/{id}").route(web::get().to(graph::group)).route(web::delete().to(graph::delete_group)),
    )
    .service(resource("/v1.0/groups/{id}/members").route(web::get().to(graph::members)))
    .service(resource("/v1.0/groups/{id}/members/$ref").route(web::post().to(graph::add_member)))
    .service(resource("/v1.0/groups/{id}/members/{member}/$ref").route(web::delete().to(graph::remove_member)));
}

/// The low-impact classifications of a service principal's delegated permissions.
fn directory_classifications(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1.0/servicePrincipals/{id}/delegatedPermissionClassifications")
            .route(web::get().to(graph::classifications))
            .route(web::post().to(graph::classify)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals/{id}/delegatedPermissionClassifications/{classification}")
            .route(web::delete().to(graph::unclassify)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals(appId='{app_id}')/delegatedPermissionClassifications")
            .route(web::get().to(graph::classifications))
            .route(web::post().to(graph::classify)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals(appId='{app_id}')/delegatedPermissionClassifications/{classification}")
            .route(web::delete().to(graph::unclassify)),
    );
}

/// The directory API's service principals and app role assignments.
fn directory_principals(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1.0/servicePrincipals")
            .route(web::get().to(graph::service_principals))
            .route(web::post().to(graph::create_service_principal)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals/{id}")
            .route(web::get().to(graph::service_principal))
            .route(web::patch().to(graph::update_service_principal))
            .route(web::delete().to(graph::delete_service_principal)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals/{id}/appRoleAssignedTo")
            .route(web::get().to(graph::app_role_assigned_to))
            .route(web::post().to(graph::assign_app_role)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignment}")
            .route(web::delete().to(graph::remove_app_role_assignment)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals/{id}/appRoleAssignments")
            .route(web::get().to(graph::sp_app_role_assignments)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals(appId='{app_id}')")
            .route(web::get().to(graph::service_principal))
            .route(web::patch().to(graph::update_service_principal))
            .route(web::delete().to(graph::delete_service_principal)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals(appId='{app_id}')/appRoleAssignedTo")
            .route(web::get().to(graph::app_role_assigned_to))
            .route(web::post().to(graph::assign_app_role)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals(appId='{app_id}')/appRoleAssignedTo/{assignment}")
            .route(web::delete().to(graph::remove_app_role_assignment)),
    );
    cfg.service(
        resource("/v1.0/servicePrincipals(appId='{app_id}')/appRoleAssignments")
            .route(web::get().to(graph::sp_app_role_assignments)),
    );
}

/// A resource whose other methods get a protocol-shaped 405.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn stylesheet() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "max-age=3600"))
        .body(include_str!("../../static/signet.css"))
}

/// The admin portal's one script: copy buttons. Every page works without it.
async fn portal_script() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(include_str!("../../static/portal.js"))
}

async fn not_found() -> Result<actix_web::HttpResponse, ProtocolError> {
    Err(ProtocolError::of(Aadsts::NotFound))
}

async fn method_not_allowed() -> Result<actix_web::HttpResponse, ProtocolError> {
    Err(ProtocolError::of(Aadsts::MethodNotAllowed))
}
