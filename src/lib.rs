//! Signet: an OAuth 2.0 / OpenID Connect authorization server with the Microsoft identity platform's
//! endpoints, tenants and consent model.
//!
//! Data flows one way: `http` (parse, call one flow, render) → `flows` (decisions in spec order,
//! given `now`) → `domain` (pure types and rules), `store` (tenant-scoped queries) and `keys`.

pub mod admin;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod flows;
pub mod form_token;
pub mod graph_error;
pub mod http;
pub mod key_file;
pub mod pages;
pub mod password_pool;
pub mod request_ids;
pub mod seal;
pub mod secrets;
pub mod server;
pub mod signing;
pub mod state;
pub mod store;
pub mod throttle;
pub mod tls;

#[cfg(test)]
mod properties;
