//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): whether a request may end the session
//! without asking the user, and where the browser goes afterwards.
//!
//! A request carrying a valid `id_token_hint` issued in the path's tenant comes from an app the user
//! signed in to: the session ends at once. Any other request, which any site can make the browser send,
//! ends it only after the user confirms on Signet's own page. The browser is sent on only to a URI
//! the named app registered, following the redirect URI rules, when that app is visible in the path's
//! tenant; otherwise Signet shows its signed-out page.

use crate::domain::app::{Application, SignInAudience};
use crate::domain::ids::AppId;
use crate::domain::tenant::{Tenant, TenantSegment};
use crate::flows::bearer::{IssuedClaims, verify_issued};
use crate::state::AppState;

/// A logout request's parameters.
#[derive(Clone, Debug, Default)]
pub struct LogoutRequest {
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
    pub client_id: Option<String>,
    pub id_token_hint: Option<String>,
}

/// What the request proves about itself.
#[derive(Debug)]
pub struct Checked {
    /// The verified `id_token_hint`, when it was issued in the path's tenant.
    pub hint: Option<IssuedClaims>,
    /// The tenant the path names; `None` for `common` and `organizations`, and for an unknown tenant
    /// (where nothing is followed).
    tenant: Option<Tenant>,
    known_tenant: bool,
}

/// Resolves the path's tenant and verifies the hint against it.
pub async fn check(state: &AppState, segment: &str, request: &LogoutRequest) -> Checked {
    let (tenant, known_tenant) = match TenantSegment::parse(segment) {
        TenantSegment::Named(name) => match state.store.resolve_tenant(&name).await {
            Ok(Some(tenant)) => (Some(tenant), true),
            _ => (None, false),
        },
        TenantSegment::Common | TenantSegment::Organizations => (None, true),
        TenantSegment::Consumers => (None, false),
    };
    let hint = request
        .id_token_hint
        .as_deref()
        .and_then(|hint| verify_issued(state, hint, state.clock.now(), true).ok())
        .filter(|claims| known_tenant && tenant.as_ref().is_none_or(|t| t.id == claims.tid));
    Checked { hint, tenant, known_tenant }
}

/// Where to send the browser once the session has ended: `post_logout_redirect_uri`, when the app the
/// request names registered it exactly and may sign in at the path's tenant.
pub async fn destination(state: &AppState, request: &LogoutRequest, checked: &Checked) -> Option<String> {
    let uri = request.post_logout_redirect_uri.as_deref()?;
    if !checked.known_tenant {
        return None;
    }
    let named: Option<AppId> = match request.client_id.as_deref() {
        Some(id) => Some(id.parse().ok()?),
        None => None,
    };
    let app_id = match (named, checked.hint.as_ref().map(|h| h.aud)) {
        (Some(named), Some(hinted)) if named != hinted => return None,
        (Some(app), _) | (None, Some(app)) => app,
        (None, None) => return None,
    };
    let app = state.store.app_by_app_id(app_id).await.ok()??;
    if !visible_in(state, &app, checked.tenant.as_ref()).await {
        return None;
    }
    let followed = app.followable_redirect(uri);
    if followed.is_none() {
        tracing::info!(client = %app.app_id, "post_logout_redirect_uri is not registered; not redirecting");
    }
    followed
}

/// An app is visible in its home tenant, and in another when it is multi-tenant and has a service
/// principal there; at `common` and `organizations`, everywhere.
async fn visible_in(state: &AppState, app: &Application, tenant: Option<&Tenant>) -> bool {
    let Some(tenant) = tenant else { return true };
    if app.home_tenant == tenant.id {
        return true;
    }
    app.sign_in_audience == SignInAudience::AzureADMultipleOrgs
        && matches!(state.store.service_principal(tenant.id, app.app_id).await, Ok(Some(_)))
}
