//! Protocol flows: pure decisions in spec order, given `now`. They never see an HTTP request.

pub mod authorize;
pub mod bearer;
pub mod graph;
pub mod logout;
pub mod portal;
pub mod portal_api;
pub mod portal_apps;
pub mod portal_audit;
pub mod portal_consent;
pub mod portal_credentials;
pub mod portal_enterprise;
pub mod portal_keys;
pub mod portal_permissions;
pub mod portal_users;
pub mod roles;
pub mod session;
pub mod tenant;
pub mod token;
