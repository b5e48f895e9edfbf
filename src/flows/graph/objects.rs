//! Directory objects as Microsoft Graph v1.0 writes them: property names and `null`s included, so SDK
//! models fill in.

use serde::Serialize;

use crate::domain::ids::{ObjectId, TenantId};
use crate::domain::tenant::Tenant;
use crate::domain::user::User;

/// A `user`. Graph returns [`GraphUser::DEFAULT`] unless `$select` names others.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    pub id: ObjectId,
    pub account_enabled: bool,
    pub business_phones: Vec<String>,
    pub display_name: String,
    pub given_name: Option<String>,
    pub job_title: Option<String>,
    pub mail: Option<String>,
    pub mobile_phone: Option<String>,
    pub office_location: Option<String>,
    pub preferred_language: Option<String>,
    pub surname: Option<String>,
    pub user_principal_name: String,
}

impl GraphUser {
    /// Every property, as `$select` names them.
    pub const PROPERTIES: &'static [&'static str] = &[
        "id",
        "accountEnabled",
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
    ];

    /// The properties returned when `$select` names none (Graph v1.0's default set).
    pub const DEFAULT: &'static [&'static str] = &[
        "id",
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
    ];

    pub fn of(user: &User) -> Self {
        Self {
            id: user.id,
            account_enabled: user.account_enabled,
            business_phones: Vec::new(),
            display_name: user.display_name.clone(),
            given_name: None,
            job_title: None,
            mail: Some(user.username.clone()),
            mobile_phone: None,
            office_location: None,
            preferred_language: None,
            surname: None,
            user_principal_name: user.username.clone(),
        }
    }
}

/// An `organization`: the tenant.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: TenantId,
    pub display_name: String,
    pub tenant_type: &'static str,
    pub verified_domains: Vec<VerifiedDomain>,
}

/// One of the organization's `verifiedDomains`.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    pub capabilities: &'static str,
    pub is_default: bool,
    pub is_initial: bool,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl Organization {
    /// The tenant, its first domain being the initial one (the store lists it first) and the default.
    pub fn of(tenant: &Tenant) -> Self {
        let verified_domains = tenant
            .domains
            .iter()
            .enumerate()
            .map(|(i, name)| VerifiedDomain {
                capabilities: "None",
                is_default: i == 0,
                is_initial: i == 0,
                name: name.clone(),
                kind: "Managed",
            })
            .collect();
        Self { id: tenant.id, display_name: tenant.display_name.clone(), tenant_type: "AAD", verified_domains }
    }
}
