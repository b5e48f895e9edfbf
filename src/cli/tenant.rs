//! `signet tenant`: tenants, their domains, and their consent settings.

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use super::common::{Failure, Output, internal, lines};
use crate::admin::{self};
use crate::clock::UnixTime;
use crate::domain::policy::{TenantPolicy, UserConsent};
use crate::domain::tenant::Tenant;
use crate::store::Store;

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
        /// The resource owner password credentials grant (`grant_type=password`); off by default.
        #[arg(long, value_enum)]
        password_grant: Option<Switch>,
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

pub(super) async fn tenant_command(store: &Store, command: TenantCommand, now: UnixTime) -> Result<Output, Failure> {
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
        TenantCommand::Set {
            tenant,
            user_consent,
            integrated_apps,
            consent_requests,
            reviewers,
            request_days,
            password_grant,
        } => {
            let t = admin::tenant(store, &tenant).await?;
            let change = admin::PolicyChange {
                user_consent: user_consent.map(UserConsent::from),
                integrated_apps: integrated_apps.map(Switch::is_on),
                consent_requests: consent_requests.map(Switch::is_on),
                reviewers: (!reviewers.is_empty()).then_some(reviewers),
                request_days,
                password_grant: password_grant.map(Switch::is_on),
            };
            policy_output(&t, &admin::set_policy(store, &t, change, now).await?)
        }
        TenantCommand::Show { tenant } => {
            let t = admin::tenant(store, &tenant).await?;
            policy_output(&t, &store.tenant_policy(t.id).await.map_err(internal)?)
        }
    })
}

fn policy_output(tenant: &Tenant, policy: &TenantPolicy) -> Output {
    let on = |b: bool| if b { "on" } else { "off" };
    Output {
        text: format!(
            "tenant {}: user consent {}, integrated apps {}, consent requests {} ({} reviewer(s), {} days), password grant {}",
            tenant.id,
            policy.user_consent.as_str(),
            on(policy.integrated_apps),
            on(policy.consent_requests),
            policy.reviewers.len(),
            policy.request_days,
            on(policy.password_grant)
        ),
        json: json!({ "tenantId": tenant.id, "policy": policy }),
    }
}
