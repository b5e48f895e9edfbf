//! A tenant's verified domains: its users' usernames and its apps' identifier URIs live on them.

use serde_json::json;

use super::common::{Actor, AdminError, Result};
use crate::clock::UnixTime;
use crate::domain::tenant::{Tenant, normalize_domain};
use crate::store::Store;

/// Adds a verified domain to `tenant`. Signet takes the administrator's word for it: there is no DNS
/// proof of ownership, so only administrators may add one, and no two tenants can have the same.
pub async fn add_domain(store: &Store, tenant: &Tenant, name: &str, actor: &Actor, now: UnixTime) -> Result<String> {
    let domain = normalize_domain(name).ok_or_else(|| AdminError::Invalid(format!("'{name}' is not a domain name")))?;
    let event = actor.event(now, "domain.add", format!("domain:{domain}"), json!({ "domain": domain }));
    store.add_domain(tenant.id, &domain, &event).await?;
    Ok(domain)
}

/// Removes a domain of `tenant` that no user's username and no app's identifier URI uses. The
/// tenant's initial domain stays.
pub async fn remove_domain(store: &Store, tenant: &Tenant, name: &str, actor: &Actor, now: UnixTime) -> Result<()> {
    let domain = name.trim().to_ascii_lowercase();
    let Some(position) = tenant.domains.iter().position(|d| *d == domain) else {
        return Err(AdminError::NotFound(format!("domain {name}")));
    };
    if position == 0 {
        return Err(AdminError::Invalid(format!("{domain} is the tenant's initial domain and cannot be removed")));
    }
    if store.domain_has_users(tenant.id, &domain).await? {
        return Err(AdminError::Conflict(format!("{domain} is used by users' names: rename or delete them first")));
    }
    let on_domain = |uri: &String| {
        url::Url::parse(uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|host| host == domain || host.ends_with(&format!(".{domain}")))
    };
    if let Some(uri) = store.tenant_identifier_uris(tenant.id).await?.iter().find(|uri| on_domain(uri)) {
        return Err(AdminError::Conflict(format!("{domain} is used by the identifier URI {uri}: change it first")));
    }
    let event = actor.event(now, "domain.remove", format!("domain:{domain}"), json!({ "domain": domain }));
    Ok(store.remove_domain(tenant.id, &domain, &event).await?)
}
