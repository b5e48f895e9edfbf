//! `signet app`: app registrations, their permissions and their credentials.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;

use super::common::{Failure, Output, internal, lines};
use crate::admin::{self, AppSpec};
use crate::clock::UnixTime;
use crate::config::Config;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register an app (and its service principal in the tenant).
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        multi_tenant: bool,
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        #[arg(long)]
        public_client: bool,
        #[arg(long = "identifier-uri")]
        identifier_uris: Vec<String>,
        /// A single-page app's redirect URI: its codes are redeemed cross-origin, with PKCE.
        #[arg(long = "spa-redirect-uri")]
        spa_redirect_uris: Vec<String>,
    },
    /// Expose a delegated permission.
    AddScope {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        value: String,
        #[arg(long)]
        admin_consent_only: bool,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Define an app role.
    AddRole {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        value: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Require permissions of a resource.
    Require {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        resource: String,
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Add a client secret; it is printed once.
    AddSecret {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// Mark the app's publisher as verified (or, with --unverified, not): under the low-impact policy,
    /// users of other tenants may consent only to apps of verified publishers.
    SetPublisher {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long, conflicts_with = "unverified", required_unless_present = "unverified")]
        verified: bool,
        #[arg(long)]
        unverified: bool,
    },
    /// Register a certificate for client assertions.
    AddCert {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        cert: PathBuf,
    },
    /// List the apps registered in the tenant.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Delete an app with its credentials and its service principals (in every tenant).
    Delete {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
    },
    /// Remove a client secret (by its key id).
    RemoveSecret {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        key_id: uuid::Uuid,
    },
    /// Remove a certificate.
    RemoveCert {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        key_id: uuid::Uuid,
    },
    /// Remove a redirect URI, of whichever platform has it.
    RemoveRedirectUri {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        uri: String,
    },
}

pub(super) async fn app_command(
    store: &Store,
    config: &Config,
    command: AppCommand,
    now: UnixTime,
) -> Result<Output, Failure> {
    Ok(match command {
        AppCommand::Create {
            tenant,
            name,
            multi_tenant,
            redirect_uris,
            public_client,
            identifier_uris,
            spa_redirect_uris,
        } => {
            let t = admin::tenant(store, &tenant).await?;
            let spec = AppSpec { name, multi_tenant, redirect_uris, public_client, identifier_uris, spa_redirect_uris };
            let app = admin::create_app(store, &t, spec, now).await?;
            Output {
                text: format!("app {} {} ({})", app.app_id, app.display_name, app.sign_in_audience.as_str()),
                json: json!(app),
            }
        }
        AppCommand::AddScope { tenant, app, value, admin_consent_only, display_name, description } => {
            let scope = admin::NewScope {
                value: &value,
                admin_consent_only,
                display_name: display_name.as_deref(),
                description: description.as_deref(),
            };
            add_scope(store, (&tenant, &app), scope, now).await?
        }
        AppCommand::AddRole { tenant, app, value, display_name } => {
            let t = admin::tenant(store, &tenant).await?;
            let r = admin::add_role(store, &t, &app, &value, display_name.as_deref(), now).await?;
            Output { text: format!("role {} {}", r.id, r.value), json: json!(r) }
        }
        AppCommand::Require { tenant, app, resource, scopes, roles } => {
            let t = admin::tenant(store, &tenant).await?;
            let r = admin::require(store, &t, &app, &resource, &scopes, &roles, now).await?;
            Output {
                text: format!("app {app} requires {} permission(s) of {}", r.resource_access.len(), r.resource_app_id),
                json: json!(r),
            }
        }
        AppCommand::AddSecret { tenant, app, days } => {
            let t = admin::tenant(store, &tenant).await?;
            let kek = crate::key_file::load_or_create(&config.key_file).map_err(internal)?;
            let (credential, secret) = admin::add_secret(store, &kek, &t, &app, days, now).await?;
            Output {
                text: format!("secret {} (shown once): {}", credential.key_id, secret.expose()),
                json: json!({ "keyId": credential.key_id, "hint": credential.hint, "secretText": secret.expose(), "startDateTime": credential.start, "endDateTime": credential.end }),
            }
        }
        AppCommand::SetPublisher { tenant, app, verified, unverified: _ } => {
            let t = admin::tenant(store, &tenant).await?;
            let a = admin::set_verified_publisher(store, &t, &app, verified, now).await?;
            let what = if a.verified_publisher { "verified" } else { "not verified" };
            Output {
                text: format!("app {} publisher {what}", a.app_id),
                json: json!({ "appId": a.app_id, "verifiedPublisher": a.verified_publisher }),
            }
        }
        AppCommand::List { tenant } => list_apps(store, &tenant).await?,
        AppCommand::Delete { tenant, app } => delete_app(store, &tenant, &app, now).await?,
        AppCommand::RemoveSecret { tenant, app, key_id } => {
            remove_credential(store, &tenant, &app, Credential::Secret(key_id), now).await?
        }
        AppCommand::RemoveCert { tenant, app, key_id } => {
            remove_credential(store, &tenant, &app, Credential::Certificate(key_id), now).await?
        }
        AppCommand::RemoveRedirectUri { tenant, app, uri } => {
            remove_redirect_uri(store, &tenant, &app, &uri, now).await?
        }
        AppCommand::AddCert { tenant, app, cert } => add_cert(store, &tenant, &app, &cert, now).await?,
    })
}

async fn add_scope(
    store: &Store,
    (tenant, app): (&str, &str),
    scope: admin::NewScope<'_>,
    now: UnixTime,
) -> Result<Output, Failure> {
    let t = admin::tenant(store, tenant).await?;
    let s = admin::add_scope(store, &t, app, scope, now).await?;
    Ok(Output { text: format!("scope {} {} ({:?} consent)", s.id, s.value, s.consent_type), json: json!(s) })
}

async fn add_cert(store: &Store, tenant: &str, app: &str, cert: &Path, now: UnixTime) -> Result<Output, Failure> {
    let t = admin::tenant(store, tenant).await?;
    let pem =
        std::fs::read_to_string(cert).map_err(|e| Failure { message: format!("{}: {e}", cert.display()), code: 2 })?;
    let k = admin::add_cert(store, &t, app, &pem, now).await?;
    Ok(Output { text: format!("certificate {} x5t {}", k.key_id, k.thumbprint_sha1), json: json!(k) })
}

/// A credential of an app, by its key id.
enum Credential {
    Secret(uuid::Uuid),
    Certificate(uuid::Uuid),
}

async fn remove_credential(
    store: &Store,
    tenant: &str,
    app: &str,
    credential: Credential,
    now: UnixTime,
) -> Result<Output, Failure> {
    let t = admin::tenant(store, tenant).await?;
    let registration = admin::owned_app(store, &t, app).await?;
    let actor = admin::Actor::cli();
    let (key_id, what) = match credential {
        Credential::Secret(key_id) => {
            admin::remove_password(store, &t, &registration, key_id, &actor, now).await?;
            (key_id, "secret")
        }
        Credential::Certificate(key_id) => {
            admin::remove_key(store, &t, &registration, key_id, &actor, now).await?;
            (key_id, "certificate")
        }
    };
    Ok(Output { text: format!("removed {what} {key_id} of app {app}"), json: json!({ "removed": key_id }) })
}

async fn delete_app(store: &Store, tenant: &str, app: &str, now: UnixTime) -> Result<Output, Failure> {
    let t = admin::tenant(store, tenant).await?;
    let registration = admin::owned_app(store, &t, app).await?;
    admin::delete_app(store, &t, &registration, &admin::Actor::cli(), now).await?;
    Ok(Output { text: format!("deleted app {app}"), json: json!({ "deleted": registration.app_id }) })
}

async fn list_apps(store: &Store, tenant: &str) -> Result<Output, Failure> {
    let t = admin::tenant(store, tenant).await?;
    let mut apps = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_apps(t.id, None, after, 500).await.map_err(internal)?;
        after = page.last().map(|r| r.app.id);
        let last_page = page.len() < 500;
        apps.extend(page.into_iter().map(|r| r.app));
        if last_page {
            break;
        }
    }
    let text = lines(&apps, |a| format!("{} {}", a.app_id, a.display_name));
    Ok(Output { text, json: json!(apps) })
}

async fn remove_redirect_uri(
    store: &Store,
    tenant: &str,
    app: &str,
    uri: &str,
    now: UnixTime,
) -> Result<Output, Failure> {
    let t = admin::tenant(store, tenant).await?;
    let registration = admin::owned_app(store, &t, app).await?;
    let without = |uris: &[String]| uris.iter().filter(|u| *u != uri).cloned().collect::<Vec<_>>();
    if registration.redirect_platform(uri).is_none() {
        return Err(Failure { message: format!("app {app} has no redirect URI {uri}"), code: 2 });
    }
    let edit = admin::AppEdit {
        web_redirect_uris: Some(without(&registration.web_redirect_uris)),
        public_client_redirect_uris: Some(without(&registration.public_client_redirect_uris)),
        spa_redirect_uris: Some(without(&registration.spa_redirect_uris)),
        ..Default::default()
    };
    let changed = admin::update_app(store, &t, &registration, edit, &admin::Actor::cli(), now).await?;
    Ok(Output { text: format!("removed redirect URI {uri} of app {app}"), json: json!(changed) })
}
