//! Admin consent requests: one open request per app and tenant, with the users who asked.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use uuid::Uuid;

use super::apps::{find_service_principal, insert_service_principal};
use super::entity::{consent_request, consent_request_user, service_principal};
use super::grants::apply_consent;
use super::policy::insert_audit;
use super::scoped::InTenant;
use super::{
    Consent, Store, StoreError, StoreResult, begin_directory_change, once_more_if_raced, parse_id, parse_json, to_json,
};
use crate::clock::UnixTime;
use crate::domain::app::Application;
use crate::domain::audit::AuditEvent;
use crate::domain::consent_request::{ConsentRequest, Refusal, RequestStatus, Requester};
use crate::domain::ids::{AppId, ObjectId, TenantId};

impl Store {
    /// Adds `requester`'s request for `app` to the app's open request in `tenant`, opening one that stays
    /// open `lifetime` seconds when there is none, and records `event`. A user who already asked keeps
    /// their first justification; new permissions join the request. Returns the request as it stands.
    pub async fn file_consent_request(
        &self,
        tenant: TenantId,
        app: AppId,
        requester: &Requester,
        lifetime: i64,
        event: &AuditEvent,
    ) -> StoreResult<ConsentRequest> {
        let filed = once_more_if_raced(|| self.file_once(tenant, app, requester, lifetime, event)).await?;
        self.consent_request(tenant, filed).await?.ok_or(StoreError::NotFound("consent request"))
    }

    async fn file_once(
        &self,
        tenant: TenantId,
        app: AppId,
        requester: &Requester,
        lifetime: i64,
        event: &AuditEvent,
    ) -> StoreResult<Uuid> {
        let now = requester.requested_at;
        let db = self.writing().await;
        let txn = db.begin().await?;
        close_expired(&txn, tenant, app, now).await?;
        let open = consent_request::Entity::find_in(tenant)
            .filter(consent_request::Column::AppId.eq(app.to_string()))
            .filter(consent_request::Column::Status.eq(RequestStatus::Pending.as_str()))
            .one(&txn)
            .await?;
        let id = match open {
            Some(row) => {
                let mut scopes: Vec<String> = parse_json(&row.scopes, "requested scopes")?;
                let new: Vec<&String> = requester.scopes.iter().filter(|s| !scopes.contains(s)).collect();
                if !new.is_empty() {
                    scopes.extend(new.into_iter().cloned());
                    consent_request::Entity::update_many()
                        .col_expr(consent_request::Column::Scopes, Expr::value(to_json(&scopes)))
                        .filter(consent_request::Column::Id.eq(&row.id))
                        .exec(&txn)
                        .await?;
                }
                parse_id(&row.id, "consent request id")?
            }
            None => {
                let id = Uuid::now_v7();
                let row = consent_request::ActiveModel {
                    id: Set(id.to_string()),
                    tenant_id: Set(tenant.to_string()),
                    app_id: Set(app.to_string()),
                    status: Set(RequestStatus::Pending.as_str().to_owned()),
                    scopes: Set(to_json(&requester.scopes)),
                    created_at: Set(now),
                    expires_at: Set(now.saturating_add(lifetime)),
                    decided_at: Set(None),
                    decided_by: Set(None),
                    decision_reason: Set(None),
                };
                consent_request::Entity::insert(row).exec_without_returning(&txn).await?;
                id
            }
        };
        let user = consent_request_user::ActiveModel {
            request_id: Set(id.to_string()),
            user_id: Set(requester.user_id.to_string()),
            tenant_id: Set(tenant.to_string()),
            justification: Set(requester.justification.clone()),
            scopes: Set(to_json(&requester.scopes)),
            requested_at: Set(now),
        };
        consent_request_user::Entity::insert(user)
            .on_conflict(
                OnConflict::columns([consent_request_user::Column::RequestId, consent_request_user::Column::UserId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Every request of `tenant`, newest first, with its requesters.
    pub async fn consent_requests(&self, tenant: TenantId) -> StoreResult<Vec<ConsentRequest>> {
        let rows = consent_request::Entity::find_in(tenant)
            .order_by_desc(consent_request::Column::CreatedAt)
            .order_by_desc(consent_request::Column::Id)
            .all(&self.db)
            .await?;
        self.with_requesters(tenant, rows).await
    }

    /// The request `id` of `tenant`.
    pub async fn consent_request(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<ConsentRequest>> {
        let row = consent_request::Entity::find_by_id_in(tenant, id.to_string()).one(&self.db).await?;
        Ok(self.with_requesters(tenant, row.into_iter().collect()).await?.pop())
    }

    /// The newest request for `app` in `tenant` that `user` took part in.
    pub async fn latest_consent_request(
        &self,
        tenant: TenantId,
        app: AppId,
        user: ObjectId,
    ) -> StoreResult<Option<ConsentRequest>> {
        let asked: Vec<String> = consent_request_user::Entity::find_in(tenant)
            .filter(consent_request_user::Column::UserId.eq(user.to_string()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| row.request_id)
            .collect();
        if asked.is_empty() {
            return Ok(None);
        }
        let row = consent_request::Entity::find_in(tenant)
            .filter(consent_request::Column::AppId.eq(app.to_string()))
            .filter(consent_request::Column::Id.is_in(asked))
            .order_by_desc(consent_request::Column::CreatedAt)
            .order_by_desc(consent_request::Column::Id)
            .one(&self.db)
            .await?;
        Ok(self.with_requesters(tenant, row.into_iter().collect()).await?.pop())
    }

    /// Approves the open request `id`: applies `consent` (the tenant-wide grant of exactly what was
    /// asked) and records `event`, in one transaction. [`StoreError::Conflict`] when the request is no
    /// longer open.
    pub async fn approve_consent_request(
        &self,
        tenant: TenantId,
        id: Uuid,
        client: &Application,
        consent: &Consent,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let approved = once_more_if_raced(|| self.approve_once(tenant, id, client, consent, event)).await;
        self.cache.clear();
        approved
    }

    async fn approve_once(
        &self,
        tenant: TenantId,
        id: Uuid,
        client: &Application,
        consent: &Consent,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        decide(&txn, tenant, id, RequestStatus::Approved, None, event).await?;
        apply_consent(&txn, tenant, client, consent, event.at).await?;
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Denies or blocks the open request `id` with the reviewer's `reason`, and records `event`. A block
    /// also disables `client`'s service principal in the tenant (creating it disabled when there is
    /// none), which stops its sign-ins, tokens and further requests there. [`StoreError::Conflict`] when
    /// the request is no longer open.
    pub async fn refuse_consent_request(
        &self,
        tenant: TenantId,
        id: Uuid,
        client: &Application,
        refusal: Refusal,
        reason: &str,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        decide(&txn, tenant, id, refusal.status(), Some(reason), event).await?;
        if refusal == Refusal::Block {
            if find_service_principal(&txn, tenant, client.app_id).await?.is_none() {
                insert_service_principal(&txn, tenant, client, event.at).await?;
            }
            service_principal::Entity::update_in(tenant)
                .col_expr(service_principal::Column::AccountEnabled, Expr::value(false))
                .filter(service_principal::Column::AppId.eq(client.app_id.to_string()))
                .exec(&txn)
                .await?;
        }
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        self.cache.clear();
        Ok(())
    }

    async fn with_requesters(
        &self,
        tenant: TenantId,
        rows: Vec<consent_request::Model>,
    ) -> StoreResult<Vec<ConsentRequest>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut requesters: HashMap<String, Vec<Requester>> = HashMap::new();
        let users = consent_request_user::Entity::find_in(tenant)
            .filter(consent_request_user::Column::RequestId.is_in(rows.iter().map(|r| r.id.clone())))
            .order_by_asc(consent_request_user::Column::RequestedAt)
            .order_by_asc(consent_request_user::Column::UserId)
            .all(&self.db)
            .await?;
        for row in users {
            let requester = Requester {
                user_id: parse_id(&row.user_id, "requester id")?,
                justification: row.justification,
                scopes: parse_json(&row.scopes, "requested scopes")?,
                requested_at: row.requested_at,
            };
            requesters.entry(row.request_id).or_default().push(requester);
        }
        rows.into_iter()
            .map(|row| {
                Ok(ConsentRequest {
                    id: parse_id(&row.id, "consent request id")?,
                    tenant_id: parse_id(&row.tenant_id, "tenant id")?,
                    app_id: parse_id(&row.app_id, "app id")?,
                    status: RequestStatus::parse(&row.status)
                        .ok_or_else(|| StoreError::Corrupt(format!("request status '{}'", row.status)))?,
                    scopes: parse_json(&row.scopes, "requested scopes")?,
                    created_at: row.created_at,
                    expires_at: row.expires_at,
                    decided_at: row.decided_at,
                    decided_by: row.decided_by,
                    reason: row.decision_reason,
                    requesters: requesters.remove(&row.id).unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// Marks the app's open request in `tenant` expired when its lifetime has passed, so a new one can open.
async fn close_expired(db: &impl ConnectionTrait, tenant: TenantId, app: AppId, now: UnixTime) -> StoreResult<()> {
    consent_request::Entity::update_in(tenant)
        .col_expr(consent_request::Column::Status, Expr::value(RequestStatus::Expired.as_str()))
        .filter(consent_request::Column::AppId.eq(app.to_string()))
        .filter(consent_request::Column::Status.eq(RequestStatus::Pending.as_str()))
        .filter(consent_request::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(())
}

/// Records the decision on the request `id` if it is still open at `event.at`; otherwise
/// [`StoreError::Conflict`], and the caller's transaction rolls back.
async fn decide(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    id: Uuid,
    status: RequestStatus,
    reason: Option<&str>,
    event: &AuditEvent,
) -> StoreResult<()> {
    let decided = consent_request::Entity::update_in(tenant)
        .col_expr(consent_request::Column::Status, Expr::value(status.as_str()))
        .col_expr(consent_request::Column::DecidedAt, Expr::value(event.at))
        .col_expr(consent_request::Column::DecidedBy, Expr::value(event.actor.clone()))
        .col_expr(consent_request::Column::DecisionReason, Expr::value(reason.map(str::to_owned)))
        .filter(consent_request::Column::Id.eq(id.to_string()))
        .filter(consent_request::Column::Status.eq(RequestStatus::Pending.as_str()))
        .filter(consent_request::Column::ExpiresAt.gt(event.at))
        .exec(txn)
        .await?
        .rows_affected;
    if decided == 0 {
        return Err(StoreError::Conflict("the consent request is no longer open".to_owned()));
    }
    Ok(())
}
