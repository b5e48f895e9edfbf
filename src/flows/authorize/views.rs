//! What the pages show: the consent prompt, "Need admin approval" and the admin consent page.

use super::approval::RequestView;
use super::consent::AdminReason;

/// What the user is shown about a consent.
#[derive(Clone, Debug)]
pub struct ConsentView {
    pub app_name: String,
    pub publisher: String,
    /// Whether the app is registered in the user's own tenant.
    pub publisher_is_own_tenant: bool,
    pub username: String,
    pub permissions: Vec<PermissionView>,
    /// The user is an admin: the page offers "Consent on behalf of your organization".
    pub offer_organization: bool,
    /// Why an admin is needed, when one is (AADSTS90094 or 90093).
    pub admin_reason: Option<AdminReason>,
    /// The admin consent request workflow, when the tenant has it on (AADSTS90095).
    pub request: Option<RequestView>,
}

/// What an administrator is shown about a tenant-wide consent.
#[derive(Clone, Debug)]
pub struct AdminConsentView {
    pub app_name: String,
    pub publisher: String,
    pub publisher_is_own_tenant: bool,
    pub verified_publisher: bool,
    pub username: String,
    pub tenant_name: String,
    pub resources: Vec<ResourcePermissionsView>,
}

/// The permissions of one resource on the admin consent page.
#[derive(Clone, Debug)]
pub struct ResourcePermissionsView {
    pub resource: String,
    /// Delegated permissions: display name and description.
    pub delegated: Vec<(String, String)>,
    /// Application permissions (app roles): display name and description.
    pub application: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct PermissionView {
    pub resource: String,
    pub name: String,
    pub description: String,
    pub admin_only: bool,
}
