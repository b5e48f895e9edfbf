//! Plain directory types and pure protocol rules. No I/O, no actix, no sea-orm.

pub mod app;
pub mod audit;
pub mod claims;
pub mod code;
pub mod consent_request;
pub mod device_code;
pub mod graph;
pub mod group;
pub mod ids;
pub mod jws;
pub mod pkce;
pub mod policy;
pub mod query;
pub mod redirect_uri;
pub mod refresh;
pub mod scope;
pub mod session;
pub mod tenant;
pub mod user;
