#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

//! The one integration-test binary: each test starts a real Signet on a loopback port with its own
//! database and drives it over HTTP with real clients.

mod support;

mod architecture;
mod bad_input;
mod browser;
mod cli;
mod client_assertion;
mod client_credentials;
mod codes;
mod consent_governance;
mod consent_requests;
mod demo;
mod device_code;
mod directory_api;
mod directory_apps;
mod directory_audit;
mod directory_certificates;
mod directory_domains;
mod directory_grants;
mod directory_groups;
mod directory_keys;
mod directory_policies;
mod directory_principals;
mod directory_roles;
mod directory_users;
mod discovery_jwks;
mod graph;
mod groups;
mod hostile;
mod instance_discovery;
mod key_rotation;
mod msal;
mod on_behalf_of;
mod openapi;
mod password_grant;
mod portal_api;
mod portal_apps;
mod portal_audit;
mod portal_consent;
mod portal_enterprise;
mod portal_keys;
mod portal_users;
mod portal_walk;
mod probes;
mod refresh_tokens;
mod replicas;
mod restart;
mod serve;
mod sign_in;
mod spa;
mod spa_browser;
mod tenant_isolation;
mod upgrade;
mod v1_endpoint;
