//! The `signet` command line: `serve`, and directory and key administration. Every command takes
//! `--json`. Bad input gets a one-line error and exit code 2, and changes nothing.

mod apps;
mod common;
mod governance;
mod groups;
mod keys;
mod principals;
mod tenant;
mod users;

pub use apps::AppCommand;
pub use common::{Failure, Output};
pub use governance::{AuditCommand, ConsentCommand, ConsentRequestCommand, PermissionCommand};
pub use groups::GroupCommand;
pub use keys::KeysCommand;
pub use principals::SpCommand;
pub use tenant::{Switch, TenantCommand, UserConsentArg};
pub use users::UserCommand;

use apps::app_command;
use common::internal;
use governance::{audit_command, consent_command, consent_request_command, permission_command};
use groups::group_command;
use keys::keys_command;
use principals::sp_command;
use std::path::PathBuf;
use tenant::tenant_command;
use users::user_command;

use clap::{Args, Parser, Subcommand};

use crate::admin::{self};
use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "An OAuth 2.0 / OpenID Connect server with the Microsoft identity platform's endpoints"
)]
pub struct Cli {
    /// Configuration file (default: ./signet.toml when it exists).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations, load the key ring and serve.
    Serve(ServeArgs),
    #[command(subcommand)]
    Tenant(TenantCommand),
    #[command(subcommand)]
    User(UserCommand),
    #[command(subcommand)]
    App(AppCommand),
    /// Security groups and their members.
    #[command(subcommand)]
    Group(GroupCommand),
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Admin consent requests of users the policy stops.
    #[command(subcommand)]
    ConsentRequest(ConsentRequestCommand),
    #[command(subcommand)]
    Permission(PermissionCommand),
    #[command(subcommand)]
    Sp(SpCommand),
    #[command(subcommand)]
    Audit(AuditCommand),
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Seed the demo tenant `contoso` first (idempotent) and print how to sign in and get a token.
    #[arg(long)]
    pub demo: bool,
    /// Serve HTTPS with a freshly generated self-signed certificate.
    #[arg(long)]
    pub tls_self_signed: bool,
    /// Where to write that certificate (default: `tls_cert_out`, `data/tls-cert.pem`).
    #[arg(long)]
    pub tls_cert_out: Option<PathBuf>,
    /// Listen address (overrides SIGNET_LISTEN).
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
}

/// Runs an administrative command (everything but `serve`).
pub async fn run_admin(command: Command, config: &Config) -> Result<Output, Failure> {
    let cache_ttl = std::time::Duration::from_secs(config.directory_cache_ttl.0);
    let clock = Clock::System;
    let store = Store::connect_with(&config.database_url, cache_ttl, config.sqlite_synchronous, clock.clone())
        .await
        .map_err(internal)?;
    store.migrate().await.map_err(internal)?;
    let now = clock.now();
    // The built-in directory API exists before any command needs it (`app require --resource
    // https://graph.microsoft.com`), as it does once the server has started.
    let base_url = config.base_url(config.tls_cert.is_some());
    admin::ensure_builtin_resources(&store, &base_url, now).await?;
    let output = match command {
        Command::Serve(_) => return Err(internal("serve is not an administrative command")),
        Command::Tenant(command) => tenant_command(&store, command, now).await?,
        Command::User(command) => user_command(&store, command, now).await?,
        Command::App(command) => app_command(&store, config, command, now).await?,
        Command::Group(command) => group_command(&store, command, now).await?,
        Command::Consent(command) => consent_command(&store, command, now).await?,
        Command::ConsentRequest(command) => consent_request_command(&store, command, now).await?,
        Command::Permission(command) => permission_command(&store, command, now).await?,
        Command::Sp(command) => sp_command(&store, command, now).await?,
        Command::Audit(command) => audit_command(&store, command).await?,
        Command::Keys(command) => keys_command(&store, config, command, now).await?,
    };
    store.close().await.map_err(internal)?;
    Ok(output)
}
