//! Application registrations, their identifier URIs and credentials, and service principals.
//!
//! A registration belongs to its home tenant: changing it or its credentials takes that tenant's id.
//! Other tenants see an app only through their own service principal of it.

use crate::domain::group::GroupMembershipClaims;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::entity::{application, identifier_uri, key_credential, password_credential, service_principal};
use super::policy::insert_audit;
use super::scoped::InTenant;
use super::{
    Store, StoreError, StoreResult, begin_directory_change, can_match, is_unique_violation, parse_id, parse_json,
    to_json,
};
use crate::clock::UnixTime;
use crate::domain::app::{
    AccessTokenVersion, Application, KeyCredential, PasswordCredential, ServicePrincipal, SignInAudience,
};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{AppId, ObjectId, TenantId};
use uuid::Uuid;

/// How a resource named in a scope resolves in a tenant.
#[derive(Clone, Debug)]
pub enum ResourceLookup {
    /// No app has that identifier URI or appId.
    NotRegistered,
    /// The app exists but has no service principal in the tenant.
    NotInTenant(Box<Application>),
    /// The resource's service principal in the tenant, and its registration.
    Found(ServicePrincipal, Box<Application>),
}

impl Store {
    /// Registers `app` (with the ids it carries) in its home tenant `tenant` with its identifier URIs,
    /// and its service principal there when `with_principal`, and records `event`, in one transaction.
    pub async fn create_app(
        &self,
        tenant: TenantId,
        app: &Application,
        with_principal: bool,
        now: UnixTime,
        event: Option<&AuditEvent>,
    ) -> StoreResult<()> {
        if app.home_tenant != tenant {
            return Err(StoreError::NotFound("tenant"));
        }
        self.insert_app(app, with_principal, now, event).await
    }

    async fn insert_app(
        &self,
        app: &Application,
        with_principal: bool,
        now: UnixTime,
        event: Option<&AuditEvent>,
    ) -> StoreResult<()> {
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        application::ActiveModel {
            id: Set(app.id.to_string()),
            app_id: Set(app.app_id.to_string()),
            tenant_id: Set(app.home_tenant.to_string()),
            created_at: Set(now),
            ..app_columns(app)
        }
        .insert(&txn)
        .await?;
        insert_identifier_uris(&txn, app).await?;
        if with_principal {
            insert_service_principal(&txn, app.home_tenant, app, now).await?;
        }
        if let Some(event) = event {
            insert_audit(&txn, app.home_tenant, event).await?;
        }
        txn.commit().await?;
        self.cache.clear();
        Ok(())
    }

    /// Registers a first-party app with its fixed ids, or brings an existing registration up to date
    /// (identifier URIs follow the configured public URL).
    pub async fn upsert_builtin_app(&self, app: &Application, now: UnixTime) -> StoreResult<()> {
        match self.app_in_tenant(app.home_tenant, app.app_id).await? {
            Some(stored) if stored == *app => Ok(()),
            Some(_) => self.save_app(app.home_tenant, app, None).await,
            None => match self.insert_app(app, true, now, None).await {
                // Another replica registered it at the same moment.
                Err(StoreError::Db(err)) if is_unique_violation(&err) => Ok(()),
                other => other,
            },
        }
    }

    /// An app registered in `tenant` (its home tenant), for changing it.
    pub async fn app_in_tenant(&self, tenant: TenantId, app_id: AppId) -> StoreResult<Option<Application>> {
        self.find_app(
            Condition::all()
                .add(application::Column::AppId.eq(app_id.to_string()))
                .add(application::Entity::of_tenant(tenant)),
        )
        .await
    }

    /// Saves a changed registration of `tenant` (scopes, roles, permissions, redirect and identifier
    /// URIs) and records `event`, in one transaction.
    pub async fn save_app(&self, tenant: TenantId, app: &Application, event: Option<&AuditEvent>) -> StoreResult<()> {
        if app.home_tenant != tenant {
            return Err(StoreError::NotFound("application"));
        }
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        let updated = application::Entity::update_in(tenant)
            .set(app_columns(app))
            .filter(application::Column::AppId.eq(app.app_id.to_string()))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::NotFound("application"));
        }
        identifier_uri::Entity::delete_in(tenant)
            .filter(identifier_uri::Column::AppId.eq(app.app_id.to_string()))
            .exec(&txn)
            .await?;
        insert_identifier_uris(&txn, app).await?;
        if let Some(event) = event {
            insert_audit(&txn, tenant, event).await?;
        }
        txn.commit().await?;
        self.cache.clear();
        Ok(())
    }

    /// The registration with this appId, in whichever tenant it lives: how the authorization endpoint
    /// finds a client before it knows the user's tenant.
    pub async fn app_by_app_id(&self, app_id: AppId) -> StoreResult<Option<Application>> {
        let load = || self.find_app(Condition::all().add(application::Column::AppId.eq(app_id.to_string())));
        self.cache.get_or_load_found(&self.cache.apps, app_id, load).await
    }

    /// The app's service principal in `tenant` with its registration: how a tenant sees a client.
    pub async fn sp_with_app(
        &self,
        tenant: TenantId,
        app_id: AppId,
    ) -> StoreResult<Option<(ServicePrincipal, Application)>> {
        self.cache
            .get_or_load_found(&self.cache.clients, (tenant, app_id), || self.sp_with_app_uncached(tenant, app_id))
            .await
    }

    async fn sp_with_app_uncached(
        &self,
        tenant: TenantId,
        app_id: AppId,
    ) -> StoreResult<Option<(ServicePrincipal, Application)>> {
        let Some(sp) = self.service_principal(tenant, app_id).await? else { return Ok(None) };
        let app = self.find_app(Condition::all().add(application::Column::AppId.eq(app_id.to_string()))).await?;
        Ok(app.map(|app| (sp, app)))
    }

    /// Resolves a resource named by identifier URI or appId, as `tenant` sees it.
    pub async fn resource_in_tenant(&self, tenant: TenantId, resource: &str) -> StoreResult<ResourceLookup> {
        if !can_match(resource) {
            return Ok(ResourceLookup::NotRegistered);
        }
        // Only a found resource is cached; why one was not found comes from the database read.
        let mut missing = None;
        let missing_reason = &mut missing;
        let load = move || async move {
            match self.resource_in_tenant_uncached(tenant, resource).await? {
                ResourceLookup::Found(sp, app) => Ok(Some((sp, *app))),
                other => {
                    *missing_reason = Some(other);
                    Ok(None)
                }
            }
        };
        let found = self.cache.get_or_load_found(&self.cache.resources, (tenant, resource.to_owned()), load).await?;
        Ok(match found {
            Some((sp, app)) => ResourceLookup::Found(sp, Box::new(app)),
            None => missing.unwrap_or(ResourceLookup::NotRegistered),
        })
    }

    async fn resource_in_tenant_uncached(&self, tenant: TenantId, resource: &str) -> StoreResult<ResourceLookup> {
        let by_app_id = resource.parse::<AppId>().ok();
        let app_id = match by_app_id {
            Some(id) => Some(id.to_string()),
            None => identifier_uri::Entity::find_by_id(resource.to_owned()).one(&self.db).await?.map(|r| r.app_id),
        };
        let Some(app_id) = app_id else { return Ok(ResourceLookup::NotRegistered) };
        let Some(app) = self.find_app(Condition::all().add(application::Column::AppId.eq(app_id))).await? else {
            return Ok(ResourceLookup::NotRegistered);
        };
        Ok(match self.service_principal(tenant, app.app_id).await? {
            Some(sp) => ResourceLookup::Found(sp, Box::new(app)),
            None => ResourceLookup::NotInTenant(Box::new(app)),
        })
    }

    /// The one app matching `condition`, with its identifier URIs.
    async fn find_app(&self, condition: Condition) -> StoreResult<Option<Application>> {
        let Some(row) = application::Entity::find().filter(condition).one(&self.db).await? else { return Ok(None) };
        let uris = identifier_uri::Entity::find()
            .filter(identifier_uri::Column::AppId.eq(row.app_id.clone()))
            .order_by_asc(identifier_uri::Column::Uri)
            .all(&self.db)
            .await?;
        let mut app = to_application(row)?;
        app.identifier_uris = uris.into_iter().map(|u| u.uri).collect();
        Ok(Some(app))
    }

    /// The app's service principal in `tenant`.
    pub async fn service_principal(&self, tenant: TenantId, app_id: AppId) -> StoreResult<Option<ServicePrincipal>> {
        find_service_principal(&self.db, tenant, app_id).await
    }

    /// The service principals of `tenant`.
    pub async fn service_principals(&self, tenant: TenantId) -> StoreResult<Vec<ServicePrincipal>> {
        service_principal::Entity::find_in(tenant)
            .order_by_asc(service_principal::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_service_principal)
            .collect()
    }

    /// The app's service principal in `tenant`, created when it is not there yet.
    pub async fn ensure_service_principal(
        &self,
        tenant: TenantId,
        app: &Application,
        now: UnixTime,
    ) -> StoreResult<ServicePrincipal> {
        if let Some(sp) = self.service_principal(tenant, app.app_id).await? {
            return Ok(sp);
        }
        let inserted = async {
            let txn = begin_directory_change(&self.db).await?;
            let sp = insert_service_principal(&txn, tenant, app, now).await?;
            txn.commit().await?;
            Ok(sp)
        };
        let inserted = inserted.await;
        self.cache.clear();
        match inserted {
            Ok(sp) => Ok(sp),
            // Another request created it in between: use that one.
            Err(StoreError::Db(err)) if is_unique_violation(&err) => {
                self.service_principal(tenant, app.app_id).await?.ok_or(StoreError::NotFound("service principal"))
            }
            Err(err) => Err(err),
        }
    }

    /// Adds a client secret (already hashed) to an app of `tenant` and records `event`.
    pub async fn add_password_credential(
        &self,
        tenant: TenantId,
        app_id: AppId,
        credential: &PasswordCredential,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.app_in_tenant(tenant, app_id).await?.ok_or(StoreError::NotFound("application"))?;
        let row = password_credential::ActiveModel {
            key_id: Set(credential.key_id.to_string()),
            tenant_id: Set(tenant.to_string()),
            app_id: Set(app_id.to_string()),
            hint: Set(credential.hint.clone()),
            display_name: Set(credential.display_name.clone()),
            hash: Set(credential.hash.clone()),
            start_at: Set(credential.start),
            end_at: Set(credential.end),
        };
        let db = self.writing().await;
        let txn = begin_directory_change(&db).await?;
        row.insert(&txn).await?;
        insert_audit(&txn, tenant, event).await?;
        txn.commit().await?;
        self.cache.clear();
        Ok(())
    }

    /// The client secrets of an app of `tenant` (its home tenant).
    pub async fn password_credentials(&self, tenant: TenantId, app_id: AppId) -> StoreResult<Vec<PasswordCredential>> {
        self.cache
            .get_or_load(&self.cache.secrets, (tenant, app_id), || self.password_credentials_uncached(tenant, app_id))
            .await
    }

    async fn password_credentials_uncached(
        &self,
        tenant: TenantId,
        app_id: AppId,
    ) -> StoreResult<Vec<PasswordCredential>> {
        password_credential::Entity::find_in(tenant)
            .filter(password_credential::Column::AppId.eq(app_id.to_string()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_password_credential)
            .collect()
    }

    /// Adds a certificate to an app of `tenant`, unless the app already has it.
    pub async fn add_key_credential(
        &self,
        tenant: TenantId,
        app_id: AppId,
        credential: &KeyCredential,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.app_in_tenant(tenant, app_id).await?.ok_or(StoreError::NotFound("application"))?;
        let row = key_row(tenant, app_id, credential);
        self.audited_change(tenant, event, async |txn| {
            let same = key_credential::Entity::find_in(tenant)
                .filter(key_credential::Column::AppId.eq(app_id.to_string()))
                .filter(key_credential::Column::ThumbprintSha1.eq(credential.thumbprint_sha1.clone()))
                .one(txn)
                .await?;
            if same.is_some() {
                return Err(StoreError::Conflict("this certificate is already registered on the app".into()));
            }
            row.insert(txn).await?;
            Ok(())
        })
        .await
    }

    /// Leaves an app of `tenant` with the certificates `keep` names and `add`: the others are removed.
    /// Its certificates afterwards.
    pub async fn replace_key_credentials(
        &self,
        tenant: TenantId,
        app_id: AppId,
        keep: &[Uuid],
        add: &[KeyCredential],
        event: &AuditEvent,
    ) -> StoreResult<Vec<KeyCredential>> {
        self.app_in_tenant(tenant, app_id).await?.ok_or(StoreError::NotFound("application"))?;
        let keep: Vec<String> = keep.iter().map(Uuid::to_string).collect();
        self.audited_change(tenant, event, async |txn| {
            key_credential::Entity::delete_in(tenant)
                .filter(key_credential::Column::AppId.eq(app_id.to_string()))
                .filter(key_credential::Column::KeyId.is_not_in(keep))
                .exec(txn)
                .await?;
            let kept = key_credential::Entity::find_in(tenant)
                .filter(key_credential::Column::AppId.eq(app_id.to_string()))
                .all(txn)
                .await?;
            if add.iter().any(|new| kept.iter().any(|old| old.thumbprint_sha1 == new.thumbprint_sha1)) {
                return Err(StoreError::Conflict("a certificate is already registered on the app".into()));
            }
            for credential in add {
                key_row(tenant, app_id, credential).insert(txn).await?;
            }
            let mut credentials = kept.into_iter().map(to_key_credential).collect::<StoreResult<Vec<_>>>()?;
            credentials.extend(add.iter().cloned());
            Ok(credentials)
        })
        .await
    }

    /// Removes the certificate `key_id` from an app of `tenant`.
    pub async fn remove_key_credential(
        &self,
        tenant: TenantId,
        app_id: AppId,
        key_id: Uuid,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.audited_change(tenant, event, async |txn| {
            let removed = key_credential::Entity::delete_in(tenant)
                .filter(key_credential::Column::AppId.eq(app_id.to_string()))
                .filter(key_credential::Column::KeyId.eq(key_id.to_string()))
                .exec(txn)
                .await?;
            if removed.rows_affected == 0 {
                return Err(StoreError::NotFound("key credential"));
            }
            Ok(())
        })
        .await
    }

    /// The certificates of an app of `tenant` (its home tenant).
    pub async fn key_credentials(&self, tenant: TenantId, app_id: AppId) -> StoreResult<Vec<KeyCredential>> {
        self.cache
            .get_or_load(&self.cache.certificates, (tenant, app_id), || self.key_credentials_uncached(tenant, app_id))
            .await
    }

    async fn key_credentials_uncached(&self, tenant: TenantId, app_id: AppId) -> StoreResult<Vec<KeyCredential>> {
        key_credential::Entity::find_in(tenant)
            .filter(key_credential::Column::AppId.eq(app_id.to_string()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_key_credential)
            .collect()
    }
}

/// The columns of an app that its owner may change.
fn app_columns(app: &Application) -> application::ActiveModel {
    application::ActiveModel {
        display_name: Set(app.display_name.clone()),
        sign_in_audience: Set(app.sign_in_audience.as_str().to_owned()),
        web_redirect_uris: Set(to_json(&app.web_redirect_uris)),
        public_client_redirect_uris: Set(to_json(&app.public_client_redirect_uris)),
        spa_redirect_uris: Set(to_json(&app.spa_redirect_uris)),
        group_membership_claims: Set(app.group_membership_claims.as_str().to_owned()),
        access_token_version: Set(i32::from(app.access_token_version.number())),
        is_public_client: Set(app.is_public_client),
        scopes: Set(to_json(&app.scopes)),
        app_roles: Set(to_json(&app.app_roles)),
        required_resource_access: Set(to_json(&app.required_resource_access)),
        verified_publisher: Set(app.verified_publisher),
        ..Default::default()
    }
}

async fn insert_identifier_uris(db: &impl ConnectionTrait, app: &Application) -> StoreResult<()> {
    for uri in &app.identifier_uris {
        let row = identifier_uri::ActiveModel {
            uri: Set(uri.clone()),
            tenant_id: Set(app.home_tenant.to_string()),
            app_id: Set(app.app_id.to_string()),
        };
        if let Err(err) = identifier_uri::Entity::insert(row).exec_without_returning(db).await {
            return Err(if is_unique_violation(&err) {
                StoreError::Conflict(format!("identifier URI {uri} is already used by another app"))
            } else {
                err.into()
            });
        }
    }
    Ok(())
}

pub(super) async fn find_service_principal(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    app_id: AppId,
) -> StoreResult<Option<ServicePrincipal>> {
    service_principal::Entity::find_in(tenant)
        .filter(service_principal::Column::AppId.eq(app_id.to_string()))
        .one(db)
        .await?
        .map(to_service_principal)
        .transpose()
}

pub(super) async fn insert_service_principal(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    app: &Application,
    now: UnixTime,
) -> StoreResult<ServicePrincipal> {
    let sp = ServicePrincipal {
        id: ObjectId::new_random(),
        tenant_id: tenant,
        app_id: app.app_id,
        display_name: app.display_name.clone(),
        account_enabled: true,
        app_role_assignment_required: false,
    };
    service_principal::ActiveModel {
        id: Set(sp.id.to_string()),
        tenant_id: Set(tenant.to_string()),
        app_id: Set(app.app_id.to_string()),
        display_name: Set(sp.display_name.clone()),
        account_enabled: Set(true),
        created_at: Set(now),
        app_role_assignment_required: Set(false),
    }
    .insert(db)
    .await?;
    Ok(sp)
}

pub(super) fn to_password_credential(row: password_credential::Model) -> StoreResult<PasswordCredential> {
    Ok(PasswordCredential {
        key_id: parse_id(&row.key_id, "key id")?,
        hint: row.hint,
        display_name: row.display_name,
        start: row.start_at,
        end: row.end_at,
        hash: row.hash,
    })
}

fn key_row(tenant: TenantId, app_id: AppId, credential: &KeyCredential) -> key_credential::ActiveModel {
    key_credential::ActiveModel {
        key_id: Set(credential.key_id.to_string()),
        tenant_id: Set(tenant.to_string()),
        app_id: Set(app_id.to_string()),
        thumbprint_sha1: Set(credential.thumbprint_sha1.clone()),
        thumbprint_sha256: Set(credential.thumbprint_sha256.clone()),
        certificate_der: Set(credential.certificate_der.clone()),
        start_at: Set(credential.start),
        end_at: Set(credential.end),
        display_name: Set(credential.display_name.clone()),
    }
}

pub(super) fn to_key_credential(row: key_credential::Model) -> StoreResult<KeyCredential> {
    Ok(KeyCredential {
        key_id: parse_id(&row.key_id, "key id")?,
        thumbprint_sha1: row.thumbprint_sha1,
        thumbprint_sha256: row.thumbprint_sha256,
        display_name: row.display_name,
        start: row.start_at,
        end: row.end_at,
        certificate_der: row.certificate_der,
    })
}

pub(super) fn to_service_principal(row: service_principal::Model) -> StoreResult<ServicePrincipal> {
    Ok(ServicePrincipal {
        id: parse_id(&row.id, "service principal id")?,
        tenant_id: parse_id(&row.tenant_id, "tenant id")?,
        app_id: parse_id(&row.app_id, "app id")?,
        display_name: row.display_name,
        account_enabled: row.account_enabled,
        app_role_assignment_required: row.app_role_assignment_required,
    })
}

pub(super) fn to_application(row: application::Model) -> StoreResult<Application> {
    Ok(Application {
        id: parse_id(&row.id, "application id")?,
        app_id: parse_id(&row.app_id, "app id")?,
        home_tenant: parse_id(&row.tenant_id, "tenant id")?,
        display_name: row.display_name,
        sign_in_audience: SignInAudience::parse(&row.sign_in_audience)
            .ok_or_else(|| StoreError::Corrupt(format!("sign-in audience '{}'", row.sign_in_audience)))?,
        identifier_uris: Vec::new(),
        web_redirect_uris: parse_json(&row.web_redirect_uris, "web redirect URIs")?,
        public_client_redirect_uris: parse_json(&row.public_client_redirect_uris, "public client redirect URIs")?,
        spa_redirect_uris: parse_json(&row.spa_redirect_uris, "single-page app redirect URIs")?,
        group_membership_claims: GroupMembershipClaims::parse(&row.group_membership_claims)
            .ok_or_else(|| StoreError::Corrupt(format!("groupMembershipClaims '{}'", row.group_membership_claims)))?,
        access_token_version: AccessTokenVersion::from_number(i64::from(row.access_token_version))
            .ok_or_else(|| StoreError::Corrupt(format!("requestedAccessTokenVersion {}", row.access_token_version)))?,
        is_public_client: row.is_public_client,
        scopes: parse_json(&row.scopes, "scopes")?,
        app_roles: parse_json(&row.app_roles, "app roles")?,
        required_resource_access: parse_json(&row.required_resource_access, "required resource access")?,
        verified_publisher: row.verified_publisher,
    })
}
