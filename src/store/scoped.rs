//! Tenant scoping. Every query on rows that belong to one tenant starts with [`InTenant`], so a query
//! that reads, changes or deletes such rows without naming the tenant stands out in review: it is the
//! one that starts with `find()`, `update_many()` or `delete_many()`.

use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ColumnTrait, DeleteMany, EntityTrait, PrimaryKeyTrait, QueryFilter, Select, UpdateMany};

use super::entity::{
    app_role_assignment, application, audit_event, consent_request, consent_request_user, group, group_member,
    identifier_uri, key_credential, password_credential, permission_classification, permission_grant, refresh_token,
    service_principal, session, tenant_domain, user,
};
use crate::domain::ids::TenantId;

/// An entity whose rows each belong to one tenant.
pub(super) trait InTenant: EntityTrait {
    /// The column that names the row's tenant.
    const TENANT: Self::Column;

    /// The condition "the row belongs to `tenant`".
    fn of_tenant(tenant: TenantId) -> SimpleExpr {
        Self::TENANT.eq(tenant.to_string())
    }

    /// The rows of `tenant`.
    fn find_in(tenant: TenantId) -> Select<Self> {
        Self::find().filter(Self::of_tenant(tenant))
    }

    /// The row of `tenant` with this primary key.
    fn find_by_id_in<K>(tenant: TenantId, id: K) -> Select<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::find_by_id(id).filter(Self::of_tenant(tenant))
    }

    /// An update of rows of `tenant`.
    fn update_in(tenant: TenantId) -> UpdateMany<Self> {
        Self::update_many().filter(Self::of_tenant(tenant))
    }

    /// A deletion of rows of `tenant`.
    fn delete_in(tenant: TenantId) -> DeleteMany<Self> {
        Self::delete_many().filter(Self::of_tenant(tenant))
    }
}

macro_rules! in_tenant {
    ($($entity:ident),* $(,)?) => {
        $(impl InTenant for $entity::Entity {
            const TENANT: $entity::Column = $entity::Column::TenantId;
        })*
    };
}

in_tenant!(
    app_role_assignment,
    application,
    audit_event,
    group,
    group_member,
    consent_request,
    consent_request_user,
    identifier_uri,
    key_credential,
    password_credential,
    permission_classification,
    permission_grant,
    refresh_token,
    service_principal,
    session,
    tenant_domain,
    user,
);
