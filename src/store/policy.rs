//! Each tenant's consent policy, its low-impact permission classifications, and its audit log.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait, sea_query,
};
use uuid::Uuid;

use super::entity::{audit_event, permission_classification, tenant_policy};
use super::filter::{Stored, condition};
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult, begin_directory_change, parse_id, parse_json, to_json};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{AppId, TenantId};
use crate::domain::policy::{TenantPolicy, UserConsent};
use crate::domain::query::{AuditProperty, Filter};

impl Store {
    /// The tenant's consent policy; the default when it never set one.
    pub async fn tenant_policy(&self, tenant: TenantId) -> StoreResult<TenantPolicy> {
        let Some(row) = tenant_policy::Entity::find_by_id(tenant.to_string()).one(&self.db).await? else {
            return Ok(TenantPolicy::default());
        };
        Ok(TenantPolicy {
            user_consent: UserConsent::parse(&row.user_consent)
                .ok_or_else(|| StoreError::Corrupt(format!("user consent '{}'", row.user_consent)))?,
            integrated_apps: row.integrated_apps,
            consent_requests: row.consent_requests,
            reviewers: parse_json(&row.reviewers, "reviewers")?,
            request_days: u32::try_from(row.request_days).unwrap_or(crate::domain::policy::DEFAULT_REQUEST_DAYS),
            password_grant: row.password_grant,
        })
    }

    /// Replaces the tenant's consent policy and records who did it, in one transaction.
    pub async fn set_tenant_policy(
        &self,
        tenant: TenantId,
        policy: &TenantPolicy,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let row = tenant_policy::ActiveModel {
            tenant_id: Set(tenant.to_string()),
            user_consent: Set(policy.user_consent.as_str().to_owned()),
            integrated_apps: Set(policy.integrated_apps),
            consent_requests: Set(policy.consent_requests),
            reviewers: Set(to_json(&policy.reviewers)),
            request_days: Set(i32::try_from(policy.request_days).unwrap_or(i32::MAX)),
            updated_at: Set(event.at),
            password_grant: Set(policy.password_grant),
        };
        let upsert = tenant_policy::Entity::insert(row).on_conflict(
            sea_query::OnConflict::column(tenant_policy::Column::TenantId)
                .update_columns([
                    tenant_policy::Column::UserConsent,
                    tenant_policy::Column::IntegratedApps,
                    tenant_policy::Column::ConsentRequests,
                    tenant_policy::Column::Reviewers,
                    tenant_policy::Column::RequestDays,
                    tenant_policy::Column::UpdatedAt,
                    tenant_policy::Column::PasswordGrant,
                ])
                .to_owned(),
        );
        let db = self.writing().await;
        let txn = db.begin().await?;
        upsert.exec_without_returning(&txn).await?;
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The permissions the tenant's admins classified as low impact, as (resource appId, scope id).
    pub async fn low_impact_permissions(&self, tenant: TenantId) -> StoreResult<Vec<(AppId, Uuid)>> {
        permission_classification::Entity::find_in(tenant)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| Ok((parse_id(&row.resource_app_id, "resource app id")?, parse_id(&row.scope_id, "scope id")?)))
            .collect()
    }

    /// Classifies a delegated permission of `resource` as low impact in `tenant`, or removes that
    /// classification, and records who did it.
    pub async fn classify_permission(
        &self,
        tenant: TenantId,
        resource: AppId,
        scope: Uuid,
        low_impact: bool,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let key = (tenant.to_string(), resource.to_string(), scope.to_string());
        let db = self.writing().await;
        let txn = db.begin().await?;
        if low_impact {
            let row = permission_classification::ActiveModel {
                tenant_id: Set(key.0),
                resource_app_id: Set(key.1),
                scope_id: Set(key.2),
                created_at: Set(event.at),
            };
            permission_classification::Entity::insert(row)
                .on_conflict(
                    sea_query::OnConflict::columns([
                        permission_classification::Column::TenantId,
                        permission_classification::Column::ResourceAppId,
                        permission_classification::Column::ScopeId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        } else {
            permission_classification::Entity::delete_by_id(key).exec(&txn).await?;
        }
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records an audit event on its own.
    pub async fn record_audit(&self, tenant: TenantId, event: &AuditEvent) -> StoreResult<()> {
        insert_audit(&self.db, tenant, event).await
    }

    /// The tenant's audit log, oldest first.
    pub async fn audit_events(&self, tenant: TenantId) -> StoreResult<Vec<AuditEvent>> {
        audit_event::Entity::find_in(tenant)
            .order_by_asc(audit_event::Column::At)
            .order_by_asc(audit_event::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| Ok(to_event(row)?.1))
            .collect()
    }

    /// Up to `limit` entries of the tenant's audit log that `filter` admits, newest first, older than
    /// the entry `before`; each with its id (time-ordered).
    pub async fn list_audit(
        &self,
        tenant: TenantId,
        filter: Option<&Filter<AuditProperty>>,
        before: Option<Uuid>,
        limit: u64,
    ) -> StoreResult<Vec<(Uuid, AuditEvent)>> {
        let mut query = audit_event::Entity::find_in(tenant);
        if let Some(filter) = filter {
            query = query.filter(condition(filter, &stored));
        }
        if let Some(before) = before {
            query = query.filter(audit_event::Column::Id.lt(before.to_string()));
        }
        let rows = query.order_by_desc(audit_event::Column::Id).limit(limit).all(&self.db).await?;
        rows.into_iter().map(to_event).collect()
    }
}

fn to_event(row: audit_event::Model) -> StoreResult<(Uuid, AuditEvent)> {
    let event = AuditEvent {
        at: row.at,
        actor: row.actor,
        action: row.action,
        target: row.target,
        details: parse_json(&row.details, "audit details")?,
        correlation_id: parse_id(&row.correlation_id, "correlation id")?,
    };
    Ok((parse_id(&row.id, "audit event id")?, event))
}

/// How each filterable audit property is stored.
fn stored(property: AuditProperty) -> Stored<audit_event::Column> {
    let column = match property {
        AuditProperty::ActivityDateTime => audit_event::Column::At,
        // The API's activity names are rewritten into Signet's action names before they get here.
        AuditProperty::ActivityDisplayName | AuditProperty::Action => audit_event::Column::Action,
        AuditProperty::CorrelationId => audit_event::Column::CorrelationId,
        AuditProperty::Actor => audit_event::Column::Actor,
    };
    Stored { column, lowercased: false }
}

impl Store {
    /// Runs `change` in a transaction that counts as a directory change (see [`begin_directory_change`]),
    /// records `event` in `tenant`'s audit log in the same transaction, and drops what this process's
    /// directory cache holds, whatever the outcome: every administrative change goes this way.
    pub(super) async fn audited_change<T>(
        &self,
        tenant: TenantId,
        event: &AuditEvent,
        change: impl AsyncFnOnce(&DatabaseTransaction) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let db = self.writing().await;
        let done = async {
            let txn = begin_directory_change(&db).await?;
            let value = change(&txn).await?;
            insert_audit(&txn, tenant, event).await?;
            txn.commit().await?;
            Ok(value)
        }
        .await;
        self.cache.clear();
        done
    }
}

/// Writes an audit event with whatever connection or transaction the change itself uses.
pub(super) async fn insert_audit(db: &impl ConnectionTrait, tenant: TenantId, event: &AuditEvent) -> StoreResult<()> {
    let row = audit_event::ActiveModel {
        // Time-ordered ids keep events of the same second in the order they happened.
        id: Set(Uuid::now_v7().to_string()),
        tenant_id: Set(tenant.to_string()),
        at: Set(event.at),
        actor: Set(event.actor.clone()),
        action: Set(event.action.clone()),
        target: Set(event.target.clone()),
        details: Set(to_json(&event.details)),
        correlation_id: Set(event.correlation_id.to_string()),
    };
    audit_event::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}
