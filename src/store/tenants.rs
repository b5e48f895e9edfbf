//! Tenants and their verified domains.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entity::{application, identifier_uri, service_principal, tenant, tenant_domain, user};
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult, begin_directory_change, can_match, is_unique_violation, parse_id};
use crate::clock::UnixTime;
use crate::domain::audit::AuditEvent;
use crate::domain::graph::SYSTEM_TENANT;
use crate::domain::ids::TenantId;
use crate::domain::tenant::Tenant;

impl Store {
    /// How many users, app registrations and service principals `tenant` has (the portal's overview).
    pub async fn directory_counts(&self, tenant: TenantId) -> StoreResult<(u64, u64, u64)> {
        let users = user::Entity::find_in(tenant).count(&self.db).await?;
        let apps = application::Entity::find_in(tenant).count(&self.db).await?;
        let principals = service_principal::Entity::find_in(tenant).count(&self.db).await?;
        Ok((users, apps, principals))
    }

    /// Creates a tenant with its first verified domain (already normalised).
    pub async fn create_tenant(&self, display_name: &str, domain: &str, now: UnixTime) -> StoreResult<Tenant> {
        let id = TenantId::new_random();
        let txn = begin_directory_change(&self.db).await?;
        tenant::ActiveModel {
            id: Set(id.to_string()),
            display_name: Set(display_name.to_owned()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let domain_row = tenant_domain::ActiveModel {
            domain: Set(domain.to_owned()),
            tenant_id: Set(id.to_string()),
            is_initial: Set(true),
        };
        if let Err(err) = domain_row.insert(&txn).await {
            return Err(if is_unique_violation(&err) {
                StoreError::Conflict(format!("domain {domain} is already verified by another tenant"))
            } else {
                err.into()
            });
        }
        txn.commit().await?;
        self.cache.clear();
        Ok(Tenant { id, display_name: display_name.to_owned(), domains: vec![domain.to_owned()] })
    }

    /// The system tenant that owns first-party apps, created when missing. It has no domain and no users.
    pub async fn ensure_system_tenant(&self, now: UnixTime) -> StoreResult<()> {
        if tenant::Entity::find_by_id(SYSTEM_TENANT.to_string()).one(&self.db).await?.is_some() {
            return Ok(());
        }
        let row = tenant::ActiveModel {
            id: Set(SYSTEM_TENANT.to_string()),
            display_name: Set("Signet first-party apps".to_owned()),
            created_at: Set(now),
        };
        match tenant::Entity::insert(row).exec_without_returning(&self.db).await {
            Ok(_) => Ok(()),
            Err(err) if is_unique_violation(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Every customer tenant, oldest first (an operator's listing, not a tenant's).
    pub async fn list_tenants(&self) -> StoreResult<Vec<Tenant>> {
        let rows = tenant::Entity::find()
            .filter(tenant::Column::Id.ne(SYSTEM_TENANT.to_string()))
            .order_by_asc(tenant::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let domains = tenant_domain::Entity::find().order_by_asc(tenant_domain::Column::Domain).all(&self.db).await?;
        rows.into_iter()
            .map(|row| {
                let mine = domains.iter().filter(|d| d.tenant_id == row.id).map(|d| d.domain.clone()).collect();
                Ok(Tenant { id: parse_id(&row.id, "tenant id")?, display_name: row.display_name, domains: mine })
            })
            .collect()
    }

    /// The tenant a GUID or verified domain names.
    pub async fn resolve_tenant(&self, name: &str) -> StoreResult<Option<Tenant>> {
        if !can_match(name) {
            return Ok(None);
        }
        let key = name.to_ascii_lowercase();
        self.cache.get_or_load_found(&self.cache.tenants, key, || self.resolve_tenant_uncached(name)).await
    }

    async fn resolve_tenant_uncached(&self, name: &str) -> StoreResult<Option<Tenant>> {
        if let Ok(id) = name.parse::<TenantId>() {
            // The system tenant owns first-party apps; nobody signs in to it or gets tokens in it.
            return if id == SYSTEM_TENANT { Ok(None) } else { self.tenant(id).await };
        }
        let domain = name.trim_end_matches('.').to_ascii_lowercase();
        match tenant_domain::Entity::find_by_id(domain).one(&self.db).await? {
            Some(row) => self.tenant(parse_id(&row.tenant_id, "tenant id")?).await,
            None => Ok(None),
        }
    }

    /// The tenant with this id.
    pub async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        let Some(row) = tenant::Entity::find_by_id(id.to_string()).one(&self.db).await? else {
            return Ok(None);
        };
        let domains = tenant_domain::Entity::find_in(id)
            .order_by_desc(tenant_domain::Column::IsInitial)
            .order_by_asc(tenant_domain::Column::Domain)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| d.domain)
            .collect();
        Ok(Some(Tenant { id, display_name: row.display_name, domains }))
    }
}

impl Store {
    /// Adds the verified domain `domain` (already normalised) to `tenant`, and records `event`; a
    /// conflict when any tenant has it.
    pub async fn add_domain(&self, tenant: TenantId, domain: &str, event: &AuditEvent) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let row = tenant_domain::ActiveModel {
                domain: Set(domain.to_owned()),
                tenant_id: Set(tenant.to_string()),
                is_initial: Set(false),
            };
            row.insert(txn).await.map_err(|err| {
                if is_unique_violation(&err) {
                    StoreError::Conflict(format!("domain {domain} is already verified by a tenant"))
                } else {
                    err.into()
                }
            })?;
            Ok(())
        })
        .await
    }

    /// Removes the domain `domain` from `tenant`, and records `event`. The initial domain stays.
    pub async fn remove_domain(&self, tenant: TenantId, domain: &str, event: &AuditEvent) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let removed = tenant_domain::Entity::delete_in(tenant)
                .filter(tenant_domain::Column::Domain.eq(domain))
                .filter(tenant_domain::Column::IsInitial.eq(false))
                .exec(txn)
                .await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("domain"));
            }
            Ok(())
        })
        .await
    }

    /// Whether a user of `tenant` has a username at `domain` (normalised: letters, digits, `-`, `.`,
    /// so nothing in it is a wildcard).
    pub async fn domain_has_users(&self, tenant: TenantId, domain: &str) -> StoreResult<bool> {
        let suffix = format!("%@{domain}");
        let found = user::Entity::find_in(tenant).filter(user::Column::Username.like(suffix)).one(&self.db).await?;
        Ok(found.is_some())
    }

    /// The identifier URIs of `tenant`'s apps.
    pub async fn tenant_identifier_uris(&self, tenant: TenantId) -> StoreResult<Vec<String>> {
        let rows = identifier_uri::Entity::find_in(tenant).all(&self.db).await?;
        Ok(rows.into_iter().map(|row| row.uri).collect())
    }
}
