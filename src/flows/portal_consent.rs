//! Consent and permissions in the admin portal (issue 18): the user consent setting, the
//! "integrated apps" switch, the admin consent request workflow (on or off, reviewers, expiry), and
//! the delegated permissions classified as low impact. Grants already made are never touched by a
//! setting. Changes go through [`crate::admin`] with the administrator as the audited actor.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Field, Refused, actor, refusal};
use crate::admin::{self, AdminError, PolicyChange};
use crate::clock::UnixTime;
use crate::domain::ids::AppId;
use crate::domain::policy::UserConsent;
use crate::error::ProtocolError;
use crate::state::AppState;

/// A delegated permission of an API present in the tenant: the API's name and appId, the value, and
/// its display name.
#[derive(Clone, Debug)]
pub struct DelegatedPermission {
    pub api: String,
    pub api_id: String,
    pub value: String,
    pub name: String,
}

/// The tenant's consent settings as the page shows them.
#[derive(Clone, Debug)]
pub struct ConsentSettings {
    /// `disabled`, `low` or `all`.
    pub user_consent: &'static str,
    pub integrated_apps: bool,
    pub consent_requests: bool,
    /// The reviewers' usernames, comma-separated.
    pub reviewers: String,
    pub request_days: u32,
    /// The permissions classified as low impact.
    pub classified: Vec<DelegatedPermission>,
    /// The permissions that could be.
    pub unclassified: Vec<DelegatedPermission>,
}

/// The settings of the administrator's tenant.
pub async fn settings(state: &AppState, admin: &Reviewer) -> Result<ConsentSettings, ProtocolError> {
    require_admin(admin)?;
    let tenant = admin.tenant.id;
    let policy = state.store.tenant_policy(tenant).await?;
    let mut reviewers = Vec::new();
    for id in &policy.reviewers {
        if let Some(user) = state.store.user(tenant, *id).await? {
            reviewers.push(user.username);
        }
    }
    let low = state.store.low_impact_permissions(tenant).await?;
    let principals = state.store.service_principals(tenant).await?;
    let ids: Vec<AppId> = principals.iter().map(|sp| sp.app_id).collect();
    let mut apps: Vec<_> = state.store.apps_by_app_id(&ids).await?.into_values().collect();
    apps.sort_by_key(|app| app.display_name.to_lowercase());
    let (mut classified, mut unclassified) = (Vec::new(), Vec::new());
    for app in &apps {
        for scope in app.scopes.iter().filter(|s| s.is_enabled) {
            let permission = DelegatedPermission {
                api: app.display_name.clone(),
                api_id: app.app_id.to_string(),
                value: scope.value.clone(),
                name: scope.admin_consent_display_name.clone(),
            };
            if low.contains(&(app.app_id, scope.id)) {
                classified.push(permission)
            } else {
                unclassified.push(permission)
            }
        }
    }
    Ok(ConsentSettings {
        user_consent: match policy.user_consent {
            UserConsent::Disabled => "disabled",
            UserConsent::LowImpact => "low",
            UserConsent::All => "all",
        },
        integrated_apps: policy.integrated_apps,
        consent_requests: policy.consent_requests,
        reviewers: reviewers.join(", "),
        request_days: policy.request_days,
        classified,
        unclassified,
    })
}

/// Sets who may consent (`disabled`, `low` or `all`) and the integrated-apps switch.
pub async fn set_user_consent(
    state: &AppState,
    admin: &Reviewer,
    (user_consent, integrated_apps): (&str, bool),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let user_consent = match user_consent {
        "disabled" => UserConsent::Disabled,
        "low" => UserConsent::LowImpact,
        "all" => UserConsent::All,
        _ => return Err(Refused::Failed(refusal(AdminError::Invalid("Choose a user consent setting.".into())))),
    };
    let change = PolicyChange {
        user_consent: Some(user_consent),
        integrated_apps: Some(integrated_apps),
        ..PolicyChange::default()
    };
    set(state, admin, change, Field::Requests, correlation_id, now).await
}

/// Sets the admin consent request workflow: on or off, the reviewers (usernames separated by commas
/// or spaces) and how many days a request stays open.
pub async fn set_requests(
    state: &AppState,
    admin: &Reviewer,
    (on, reviewers, days): (bool, &str, &str),
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let days: u32 = days.trim().parse().map_err(|_| {
        Refused::Field(Field::Requests, format!("'{}' is not a number of days (1 to 365).", days.trim()))
    })?;
    let reviewers: Vec<String> =
        reviewers.split([',', ' ', '\n']).map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned).collect();
    if on && reviewers.is_empty() {
        return Err(Refused::Field(Field::Requests, "Name at least one reviewer to turn requests on.".into()));
    }
    let change = PolicyChange {
        consent_requests: Some(on),
        reviewers: Some(reviewers),
        request_days: Some(days),
        ..PolicyChange::default()
    };
    set(state, admin, change, Field::Requests, correlation_id, now).await
}

async fn set(
    state: &AppState,
    admin: &Reviewer,
    change: PolicyChange,
    field: Field,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    admin::set_policy_by(&state.store, &admin.tenant, change, &actor(admin, correlation_id), now).await.map_err(
        |err| match err {
            AdminError::Invalid(message) | AdminError::NotFound(message) => Refused::Field(field, message),
            other => Refused::Failed(refusal(other)),
        },
    )?;
    Ok(())
}

/// Classifies the delegated permission `value` of the API `api_id` as low impact, or removes that.
pub async fn classify(
    state: &AppState,
    admin: &Reviewer,
    (api_id, value): (&str, &str),
    low_impact: bool,
    correlation_id: Uuid,
    now: UnixTime,
) -> Result<(), Refused> {
    require_admin(admin)?;
    let actor = actor(admin, correlation_id);
    admin::classify_permission_by(&state.store, &admin.tenant, (api_id, value), low_impact, &actor, now)
        .await
        .map_err(|err| match err {
            AdminError::Invalid(message) | AdminError::NotFound(message) => {
                Refused::Field(Field::Classification, message)
            }
            other => Refused::Failed(refusal(other)),
        })?;
    Ok(())
}
