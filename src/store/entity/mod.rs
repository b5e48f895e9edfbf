//! sea-orm entities, one per table. Only the store sees them; it hands out domain types.

pub mod app_role_assignment;
pub mod application;
pub mod audit_event;
pub mod authorization_code;
pub mod consent_request;
pub mod consent_request_user;
pub mod device_code;
pub mod directory_version;
pub mod group;
pub mod group_member;
pub mod identifier_uri;
pub mod key_credential;
pub mod password_credential;
pub mod permission_classification;
pub mod permission_grant;
pub mod refresh_token;
pub mod service_principal;
pub mod session;
pub mod signing_key;
pub mod tenant;
pub mod tenant_domain;
pub mod tenant_policy;
pub mod used_assertion;
pub mod used_form_token;
pub mod user;
