//! Administering app registrations through the directory API: list a tenant's apps by key, find one
//! by object id, delete one, remove a client secret.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::apps::{to_application, to_key_credential, to_password_credential};
use super::entity::{
    app_role_assignment, application, identifier_uri, key_credential, password_credential, service_principal,
};
use super::filter::{Stored, condition};
use super::scoped::InTenant;
use super::{Store, StoreError, StoreResult, can_match};
use crate::domain::app::{Application, KeyCredential, PasswordCredential};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{AppId, ObjectId, TenantId};
use crate::domain::query::{AppProperty, Filter};

/// A registration with its credentials, as the directory API lists it.
#[derive(Clone, Debug)]
pub struct RegisteredApp {
    pub app: Application,
    pub passwords: Vec<PasswordCredential>,
    pub keys: Vec<KeyCredential>,
}

impl Store {
    /// Up to `limit` apps registered in `tenant` that `filter` admits, in object id order, after the id
    /// `after`, each with its identifier URIs and credentials: four queries however many apps.
    pub async fn list_apps(
        &self,
        tenant: TenantId,
        filter: Option<&Filter<AppProperty>>,
        after: Option<ObjectId>,
        limit: u64,
    ) -> StoreResult<Vec<RegisteredApp>> {
        let mut query = application::Entity::find_in(tenant);
        if let Some(filter) = filter {
            query = query.filter(condition(filter, &stored));
        }
        if let Some(after) = after {
            query = query.filter(application::Column::Id.gt(after.to_string()));
        }
        let rows = query.order_by_asc(application::Column::Id).limit(limit).all(&self.db).await?;
        let app_ids: Vec<String> = rows.iter().map(|row| row.app_id.clone()).collect();
        let mut uris: HashMap<String, Vec<String>> = HashMap::new();
        let mut passwords: HashMap<String, Vec<PasswordCredential>> = HashMap::new();
        let mut keys: HashMap<String, Vec<KeyCredential>> = HashMap::new();
        if !app_ids.is_empty() {
            let found = identifier_uri::Entity::find_in(tenant)
                .filter(identifier_uri::Column::AppId.is_in(app_ids.clone()))
                .order_by_asc(identifier_uri::Column::Uri)
                .all(&self.db)
                .await?;
            for row in found {
                uris.entry(row.app_id).or_default().push(row.uri);
            }
            let found = password_credential::Entity::find_in(tenant)
                .filter(password_credential::Column::AppId.is_in(app_ids.clone()))
                .all(&self.db)
                .await?;
            for row in found {
                passwords.entry(row.app_id.clone()).or_default().push(to_password_credential(row)?);
            }
            let found = key_credential::Entity::find_in(tenant)
                .filter(key_credential::Column::AppId.is_in(app_ids))
                .all(&self.db)
                .await?;
            for row in found {
                keys.entry(row.app_id.clone()).or_default().push(to_key_credential(row)?);
            }
        }
        rows.into_iter()
            .map(|row| {
                let key = row.app_id.clone();
                let mut app = to_application(row)?;
                app.identifier_uris = uris.remove(&key).unwrap_or_default();
                let passwords = passwords.remove(&key).unwrap_or_default();
                Ok(RegisteredApp { app, passwords, keys: keys.remove(&key).unwrap_or_default() })
            })
            .collect()
    }

    /// The app registered in `tenant` with this object id.
    pub async fn app_by_object_id(&self, tenant: TenantId, id: ObjectId) -> StoreResult<Option<Application>> {
        let row = application::Entity::find_by_id_in(tenant, id.to_string()).one(&self.db).await?;
        match row {
            Some(row) => self.app_in_tenant(tenant, super::parse_id(&row.app_id, "app id")?).await,
            None => Ok(None),
        }
    }

    /// The app that owns the identifier URI `uri`, in any tenant: identifier URIs are unique across the
    /// directory.
    pub async fn app_with_identifier_uri(&self, uri: &str) -> StoreResult<Option<AppId>> {
        if !can_match(uri) {
            return Ok(None);
        }
        let row = identifier_uri::Entity::find_by_id(uri.to_owned()).one(&self.db).await?;
        row.map(|row| super::parse_id(&row.app_id, "app id")).transpose()
    }

    /// Deletes the app `app_id` registered in `tenant`, and records `event`, in one transaction. Its
    /// identifier URIs, credentials, service principals (in every tenant) and their grants and role
    /// assignments go with it.
    pub async fn delete_app(&self, tenant: TenantId, app_id: AppId, event: &AuditEvent) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            // Role assignments name their principal without a foreign key: those held by the app's
            // service principals go here; the rest go with the rows they reference.
            let principals: Vec<String> = service_principal::Entity::find()
                .filter(service_principal::Column::AppId.eq(app_id.to_string()))
                .all(txn)
                .await?
                .into_iter()
                .map(|sp| sp.id)
                .collect();
            app_role_assignment::Entity::delete_many()
                .filter(app_role_assignment::Column::PrincipalId.is_in(principals))
                .exec(txn)
                .await?;
            let removed = application::Entity::delete_in(tenant)
                .filter(application::Column::AppId.eq(app_id.to_string()))
                .exec(txn)
                .await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("application"));
            }
            Ok(())
        })
        .await
    }

    /// Removes the client secret `key_id` from the app `app_id` of `tenant`, and records `event`.
    pub async fn remove_password_credential(
        &self,
        tenant: TenantId,
        app_id: AppId,
        key_id: Uuid,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let removed = password_credential::Entity::delete_in(tenant)
                .filter(password_credential::Column::AppId.eq(app_id.to_string()))
                .filter(password_credential::Column::KeyId.eq(key_id.to_string()))
                .exec(txn)
                .await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("password credential"));
            }
            Ok(())
        })
        .await
    }
}

/// How each filterable application property is stored.
fn stored(property: AppProperty) -> Stored<application::Column> {
    match property {
        AppProperty::Id => Stored { column: application::Column::Id, lowercased: true },
        AppProperty::AppId => Stored { column: application::Column::AppId, lowercased: true },
        AppProperty::DisplayName => Stored { column: application::Column::DisplayName, lowercased: false },
    }
}
