//! The `signet` command line: `serve`, and directory and key administration. Every command takes
//! `--json`. Bad input gets a one-line error and exit code 2, and changes nothing.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::admin::{self, AdminError, AppSpec};
use crate::clock::{Clock, UnixTime};
use crate::config::Config;
use crate::domain::policy::{TenantPolicy, UserConsent};
use crate::domain::tenant::Tenant;
use crate::signing::ring::key_state;
use crate::signing::rotation::{RotationPolicy, rotate};
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

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with a verified domain.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        domain: String,
    },
    /// List tenants.
    List,
    /// Set the tenant's consent policy; what is not given stays as it is. Grants already made stay.
    Set {
        #[arg(long)]
        tenant: String,
        /// Which permissions users may grant by themselves.
        #[arg(long, value_enum)]
        user_consent: Option<UserConsentArg>,
        /// The "integrated apps" switch: off, users consent to nothing new.
        #[arg(long, value_enum)]
        integrated_apps: Option<Switch>,
        /// The admin consent request workflow.
        #[arg(long, value_enum)]
        consent_requests: Option<Switch>,
        /// A user who reviews consent requests (repeat for several; replaces the list).
        #[arg(long = "reviewer")]
        reviewers: Vec<String>,
        /// How many days a consent request stays open.
        #[arg(long)]
        request_days: Option<u32>,
    },
    /// Show the tenant's consent policy.
    Show {
        #[arg(long)]
        tenant: String,
    },
    /// Add a verified domain to the tenant.
    AddDomain {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        domain: String,
    },
    /// Remove a domain no user's name and no app's identifier URI uses.
    RemoveDomain {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        domain: String,
    },
}

/// A setting that is on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    fn is_on(self) -> bool {
        self == Self::On
    }
}

/// `--user-consent`: which permissions users may grant by themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UserConsentArg {
    /// Users consent to nothing; an admin grants every app.
    Disabled,
    /// Only permissions classified as low impact, of apps from verified publishers or this tenant.
    LowImpact,
    /// Any permission that does not need an admin.
    All,
}

impl From<UserConsentArg> for UserConsent {
    fn from(arg: UserConsentArg) -> Self {
        match arg {
            UserConsentArg::Disabled => Self::Disabled,
            UserConsentArg::LowImpact => Self::LowImpact,
            UserConsentArg::All => Self::All,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        admin: bool,
    },
    /// List the tenant's users.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Change a user (by object id or username): rename, block or unblock sign-in, reset the password,
    /// make an admin or a member. Blocking or a reset ends the user's sessions and refresh tokens.
    Set {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        display_name: Option<String>,
        /// `true` or `false`: whether the user may sign in.
        #[arg(long)]
        enabled: Option<bool>,
        /// `true` or `false`: whether the user administers the tenant.
        #[arg(long)]
        admin: Option<bool>,
        /// A new password.
        #[arg(long)]
        password: Option<String>,
    },
    /// Delete a user (by object id or username) with its sessions, tokens, consents and role
    /// assignments.
    Delete {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
    },
}

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

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Tenant-wide consent to everything the app requires.
    Grant {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
    },
    /// Revoke the app's consents in the tenant: every delegated grant and app role assignment, or one
    /// user's grants (--user), or what is on one resource (--resource), or one app role of it (--role).
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        user: Option<String>,
        /// The resource's identifier URI or appId.
        #[arg(long)]
        resource: Option<String>,
        /// An app role value of --resource: only that assignment goes.
        #[arg(long, requires = "resource", conflicts_with = "user")]
        role: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PermissionCommand {
    /// Classify a delegated permission as low impact (users may consent to it under `low-impact`).
    Classify {
        #[arg(long)]
        tenant: String,
        /// The resource's appId or identifier URI.
        #[arg(long)]
        resource: String,
        #[arg(long)]
        scope: String,
        /// Classify as low impact.
        #[arg(long, conflicts_with = "unclassified", required_unless_present = "unclassified")]
        low_impact: bool,
        /// Remove the classification.
        #[arg(long)]
        unclassified: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SpCommand {
    /// Remove the app's service principal from the tenant, with its grants and assignments.
    Remove {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
    },
    /// Add an app (a multi-tenant app of another tenant, by its appId) to the tenant.
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
    },
    /// Block or unblock the app in the tenant, or require assignment to sign in to it.
    Set {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        app: String,
        /// `true` or `false`: whether the app may sign users in and get tokens (unblocks an app blocked
        /// from the consent request review).
        #[arg(long)]
        enabled: Option<bool>,
        /// `true` or `false`: whether only assigned users may sign in.
        #[arg(long)]
        assignment_required: Option<bool>,
    },
    /// Assign one of the app's roles (by value) to a user of the tenant.
    AssignRole {
        #[arg(long)]
        tenant: String,
        /// The app that defines the role (appId).
        #[arg(long)]
        app: String,
        #[arg(long)]
        role: String,
        /// The user (object id or username).
        #[arg(long)]
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsentRequestCommand {
    /// The tenant's admin consent requests, newest first, with who asked and what was decided.
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The tenant's audit log of consents, grants, revocations and policy changes, oldest first.
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Show signing keys and their states.
    List,
    /// Add a new signing key; it signs after the publish lead, or at once with --now.
    Rotate {
        #[arg(long)]
        now: bool,
    },
}

/// A command's failure: the message, and the exit code (2 for bad input, 1 for our own failures).
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl From<AdminError> for Failure {
    fn from(err: AdminError) -> Self {
        let code = if matches!(err, AdminError::Internal(_)) { 1 } else { 2 };
        Self { message: err.to_string(), code }
    }
}

fn internal(err: impl std::fmt::Display) -> Failure {
    Failure { message: err.to_string(), code: 1 }
}

/// Output of a command: JSON for `--json`, lines of text otherwise.
pub struct Output {
    pub json: Value,
    pub text: String,
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

async fn tenant_command(store: &Store, command: TenantCommand, now: UnixTime) -> Result<Output, Failure> {
    Ok(match command {
        TenantCommand::Create { name, domain } => {
            let t = admin::create_tenant(store, &name, &domain, now).await?;
            Output { text: format!("tenant {} {} ({})", t.id, t.display_name, t.domains.join(", ")), json: json!(t) }
        }
        TenantCommand::AddDomain { tenant, domain } => {
            let t = admin::tenant(store, &tenant).await?;
            let added = admin::add_domain(store, &t, &domain, &admin::Actor::cli(), now).await?;
            Output { text: format!("domain {added} added to tenant {}", t.id), json: json!({ "domain": added }) }
        }
        TenantCommand::RemoveDomain { tenant, domain } => {
            let t = admin::tenant(store, &tenant).await?;
            admin::remove_domain(store, &t, &domain, &admin::Actor::cli(), now).await?;
            Output { text: format!("domain {domain} removed from tenant {}", t.id), json: json!({ "removed": domain }) }
        }
        TenantCommand::List => {
            let tenants = store.list_tenants().await.map_err(internal)?;
            let text = lines(&tenants, |t| format!("{} {} ({})", t.id, t.display_name, t.domains.join(", ")));
            Output { text, json: json!(tenants) }
        }
        TenantCommand::Set { tenant, user_consent, integrated_apps, consent_requests, reviewers, request_days } => {
            let t = admin::tenant(store, &tenant).await?;
            let change = admin::PolicyChange {
                user_consent: user_consent.map(UserConsent::from),
                integrated_apps: integrated_apps.map(Switch::is_on),
                consent_requests: consent_requests.map(Switch::is_on),
                reviewers: (!reviewers.is_empty()).then_some(reviewers),
                request_days,
            };
            policy_output(&t, &admin::set_policy(store, &t, change, now).await?)
        }
        TenantCommand::Show { tenant } => {
            let t = admin::tenant(store, &tenant).await?;
            policy_output(&t, &store.tenant_policy(t.id).await.map_err(internal)?)
        }
    })
}

async fn user_command(store: &Store, command: UserCommand, now: UnixTime) -> Result<Output, Failure> {
    let actor = admin::Actor::cli();
    Ok(match command {
        UserCommand::Create { tenant, username, password, display_name, admin: is_admin } => {
            let t = admin::tenant(store, &tenant).await?;
            let spec = admin::UserSpec {
                display_name: display_name.as_deref(),
                is_admin,
                ..admin::UserSpec::new(&username, &password)
            };
            let u = admin::create_user(store, &t, spec, &actor, now).await?;
            Output { text: user_line(&u), json: json!(u) }
        }
        UserCommand::List { tenant } => {
            let t = admin::tenant(store, &tenant).await?;
            let mut users = Vec::new();
            let mut after = None;
            loop {
                let page = store.list_users(t.id, None, after, 500).await.map_err(internal)?;
                after = page.last().map(|u| u.id);
                let last_page = page.len() < 500;
                users.extend(page);
                if last_page {
                    break;
                }
            }
            let text = users.iter().map(user_line).collect::<Vec<_>>().join("\n");
            Output { text, json: json!(users) }
        }
        UserCommand::Set { tenant, user, display_name, enabled, admin: is_admin, password } => {
            let t = admin::tenant(store, &tenant).await?;
            let found = admin::find_user(store, &t, &user).await?;
            let edit = admin::UserEdit { display_name, account_enabled: enabled, is_admin, password };
            let u = admin::update_user(store, &t, &found, edit, &actor, now).await?;
            Output { text: user_line(&u), json: json!(u) }
        }
        UserCommand::Delete { tenant, user } => {
            let t = admin::tenant(store, &tenant).await?;
            let found = admin::find_user(store, &t, &user).await?;
            admin::delete_user(store, &t, &found, &actor, now).await?;
            Output {
                text: format!("deleted user {} {}", found.id, found.username),
                json: json!({ "deleted": found.id }),
            }
        }
    })
}

fn user_line(user: &crate::store::User) -> String {
    let admin = if user.is_admin { " (admin)" } else { "" };
    let blocked = if user.account_enabled { "" } else { " (sign-in blocked)" };
    format!("user {} {}{admin}{blocked}", user.id, user.username)
}

async fn consent_command(store: &Store, command: ConsentCommand, now: UnixTime) -> Result<Output, Failure> {
    Ok(match command {
        ConsentCommand::Grant { tenant, app } => {
            let t = admin::tenant(store, &tenant).await?;
            let granted = admin::grant_consent(store, &t, &app, now).await?;
            let text = lines(&granted, |g| {
                format!("granted {}: scopes [{}] roles [{}]", g.resource_app_id, g.scopes.join(" "), g.roles.join(" "))
            });
            Output { text, json: json!({ "tenantId": t.id, "appId": app, "granted": granted }) }
        }
        ConsentCommand::Revoke { tenant, app, user, resource, role } => {
            let t = admin::tenant(store, &tenant).await?;
            let what =
                admin::RevokeWhat { user: user.as_deref(), resource: resource.as_deref(), role: role.as_deref() };
            let removed = admin::revoke_consent(store, &t, &app, what, now).await?;
            Output {
                text: format!("revoked {removed} grant(s) and assignment(s) of app {app}"),
                json: json!({ "tenantId": t.id, "appId": app, "removed": removed }),
            }
        }
    })
}

async fn consent_request_command(
    store: &Store,
    command: ConsentRequestCommand,
    now: UnixTime,
) -> Result<Output, Failure> {
    let ConsentRequestCommand::List { tenant } = command;
    let t = admin::tenant(store, &tenant).await?;
    let mut requests = store.consent_requests(t.id).await.map_err(internal)?;
    for request in &mut requests {
        request.status = request.status_at(now);
    }
    let text = lines(&requests, |r| {
        let by = r.decided_by.as_deref().map_or_else(String::new, |by| format!(" by {by}"));
        let status = r.status.as_str();
        format!("{} {status} app {} {} requester(s) [{}]{by}", r.id, r.app_id, r.requesters.len(), r.scopes.join(" "))
    });
    Ok(Output { text, json: json!(requests) })
}

async fn permission_command(store: &Store, command: PermissionCommand, now: UnixTime) -> Result<Output, Failure> {
    let PermissionCommand::Classify { tenant, resource, scope, low_impact, unclassified: _ } = command;
    let t = admin::tenant(store, &tenant).await?;
    let (resource_app_id, p) = admin::classify_permission(store, &t, &resource, &scope, low_impact, now).await?;
    let class = if low_impact { "low impact" } else { "unclassified" };
    Ok(Output {
        text: format!("permission {} of {resource_app_id} is {class} in tenant {}", p.value, t.id),
        json: json!({ "tenantId": t.id, "resourceAppId": resource_app_id, "scope": p.value, "scopeId": p.id, "lowImpact": low_impact }),
    })
}

async fn sp_command(store: &Store, command: SpCommand, now: UnixTime) -> Result<Output, Failure> {
    let actor = admin::Actor::cli();
    Ok(match command {
        SpCommand::Remove { tenant, app } => {
            let t = admin::tenant(store, &tenant).await?;
            admin::remove_service_principal(store, &t, &app, now).await?;
            Output {
                text: format!("removed the service principal of app {app} from tenant {}", t.id),
                json: json!({ "tenantId": t.id, "appId": app, "removed": true }),
            }
        }
        SpCommand::Add { tenant, app } => {
            let t = admin::tenant(store, &tenant).await?;
            let sp = admin::add_service_principal(store, &t, app_id(&app)?, &actor, now).await?;
            Output { text: format!("service principal {} of app {} added", sp.id, sp.app_id), json: json!(sp) }
        }
        SpCommand::Set { tenant, app, enabled, assignment_required } => {
            let t = admin::tenant(store, &tenant).await?;
            let sp = tenant_sp(store, &t, &app).await?;
            let edit = admin::ServicePrincipalEdit {
                account_enabled: enabled,
                app_role_assignment_required: assignment_required,
            };
            let sp = admin::update_service_principal(store, &t, &sp, edit, &actor, now).await?;
            let text = format!(
                "service principal of app {}: enabled {}, assignment required {}",
                sp.app_id, sp.account_enabled, sp.app_role_assignment_required
            );
            Output { text, json: json!(sp) }
        }
        SpCommand::AssignRole { tenant, app, role, user } => {
            let t = admin::tenant(store, &tenant).await?;
            let sp = tenant_sp(store, &t, &app).await?;
            let registration = admin::app_registration(store, sp.app_id).await?;
            let role_id = registration
                .app_role(&role)
                .map(|r| r.id)
                .ok_or_else(|| Failure { message: format!("app {app} defines no role {role}"), code: 2 })?;
            let user = admin::find_user(store, &t, &user).await?;
            let a = admin::assign_app_role(store, &t, &sp, user.id, role_id, &actor, now).await?;
            Output { text: format!("assigned {role} of app {app} to {} ({})", user.username, a.id), json: json!(a) }
        }
    })
}

fn app_id(text: &str) -> Result<crate::domain::ids::AppId, Failure> {
    text.parse().map_err(|_| Failure { message: format!("'{text}' is not an appId GUID"), code: 2 })
}

/// The service principal of the app `app` (appId) in `tenant`.
async fn tenant_sp(store: &Store, tenant: &Tenant, app: &str) -> Result<crate::domain::app::ServicePrincipal, Failure> {
    let id = app_id(app)?;
    store.service_principal(tenant.id, id).await.map_err(internal)?.ok_or_else(|| Failure {
        message: format!("app {app} has no service principal in tenant {}", tenant.id),
        code: 2,
    })
}

async fn audit_command(store: &Store, command: AuditCommand) -> Result<Output, Failure> {
    let AuditCommand::List { tenant } = command;
    let t = admin::tenant(store, &tenant).await?;
    let events = store.audit_events(t.id).await.map_err(internal)?;
    let text = lines(&events, |e| format!("{} {} {} {} {}", e.at, e.actor, e.action, e.target, e.details));
    Ok(Output { text, json: json!(events) })
}

/// One line of text per item.
fn lines<T>(items: &[T], line: impl Fn(&T) -> String) -> String {
    items.iter().map(line).collect::<Vec<_>>().join("\n")
}

fn policy_output(tenant: &Tenant, policy: &TenantPolicy) -> Output {
    let on = |b: bool| if b { "on" } else { "off" };
    Output {
        text: format!(
            "tenant {}: user consent {}, integrated apps {}, consent requests {} ({} reviewer(s), {} days)",
            tenant.id,
            policy.user_consent.as_str(),
            on(policy.integrated_apps),
            on(policy.consent_requests),
            policy.reviewers.len(),
            policy.request_days
        ),
        json: json!({ "tenantId": tenant.id, "policy": policy }),
    }
}

async fn app_command(store: &Store, config: &Config, command: AppCommand, now: UnixTime) -> Result<Output, Failure> {
    Ok(match command {
        AppCommand::Create { tenant, name, multi_tenant, redirect_uris, public_client, identifier_uris } => {
            let t = admin::tenant(store, &tenant).await?;
            let spec = AppSpec { name, multi_tenant, redirect_uris, public_client, identifier_uris };
            let app = admin::create_app(store, &t, spec, now).await?;
            Output {
                text: format!("app {} {} ({})", app.app_id, app.display_name, app.sign_in_audience.as_str()),
                json: json!(app),
            }
        }
        AppCommand::AddScope { tenant, app, value, admin_consent_only, display_name, description } => {
            let t = admin::tenant(store, &tenant).await?;
            let s = admin::add_scope(
                store,
                &t,
                &app,
                admin::NewScope {
                    value: &value,
                    admin_consent_only,
                    display_name: display_name.as_deref(),
                    description: description.as_deref(),
                },
                now,
            )
            .await?;
            Output { text: format!("scope {} {} ({:?} consent)", s.id, s.value, s.consent_type), json: json!(s) }
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
        AppCommand::AddCert { tenant, app, cert } => {
            let t = admin::tenant(store, &tenant).await?;
            let pem = std::fs::read_to_string(&cert)
                .map_err(|e| Failure { message: format!("{}: {e}", cert.display()), code: 2 })?;
            let k = admin::add_cert(store, &t, &app, &pem, now).await?;
            Output { text: format!("certificate {} x5t {}", k.key_id, k.thumbprint_sha1), json: json!(k) }
        }
    })
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
    let web = without(&registration.web_redirect_uris);
    let public = without(&registration.public_client_redirect_uris);
    if web.len() + public.len() == registration.web_redirect_uris.len() + registration.public_client_redirect_uris.len()
    {
        return Err(Failure { message: format!("app {app} has no redirect URI {uri}"), code: 2 });
    }
    let edit = admin::AppEdit {
        web_redirect_uris: Some(web),
        public_client_redirect_uris: Some(public),
        ..Default::default()
    };
    let changed = admin::update_app(store, &t, &registration, edit, &admin::Actor::cli(), now).await?;
    Ok(Output { text: format!("removed redirect URI {uri} of app {app}"), json: json!(changed) })
}

async fn keys_command(store: &Store, config: &Config, command: KeysCommand, now: UnixTime) -> Result<Output, Failure> {
    if let KeysCommand::Rotate { now: immediate } = command {
        let kek = crate::key_file::load_or_create(&config.key_file).map_err(internal)?;
        let kid = rotate(store, &kek, RotationPolicy::from_config(config), now, immediate).await.map_err(internal)?;
        let kid = kid.ok_or_else(|| internal("another process rotated at the same moment; run keys list"))?;
        return Ok(Output { text: format!("added signing key {kid}"), json: json!({ "kid": kid }) });
    }
    let keys = store.signing_keys().await.map_err(internal)?;
    let rows: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({ "kid": k.kid, "generation": k.generation, "state": key_state(k, now), "activateAt": k.activate_at, "retireAt": k.retire_at, "removeAt": k.remove_at })
        })
        .collect();
    let text = keys
        .iter()
        .map(|k| format!("{:<44} gen {:<3} {:?}", k.kid, k.generation, key_state(k, now)))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Output { text, json: Value::Array(rows) })
}
