//! Tokens for a client acting for a signed-in user: the access token for one resource, the ID token
//! when `openid` was granted, and a rotated refresh token when `offline_access` was (protocol reference
//! §4, §5). The authorization code and refresh token grants both end here.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::client_auth::AuthenticatedClient;
use super::request::{TokenRequest, TokenResponse};
use crate::clock::UnixTime;
use crate::domain::app::ServicePrincipal;
use crate::domain::app::{AccessTokenVersion, Application};
use crate::domain::claims::{
    GroupClaims, IdTokenClaims, UserAccessTokenClaims, directory_roles, issuer, pairwise_subject,
};
use crate::domain::graph::{GRAPH_APP_ID, GRAPH_URI};
use crate::domain::group::GroupMembershipClaims;
use crate::domain::ids::ObjectId;
use crate::domain::refresh::{REFRESH_TOKEN_LIFETIME, RefreshToken};
use crate::domain::scope::{DelegatedScopes, is_oidc};
use crate::domain::tenant::Tenant;
use crate::error::{Aadsts, ProtocolError};
use crate::flows::roles::{assigned, check_assignment};
use crate::secrets::{random_refresh_token, refresh_token_key};
use crate::signing::Signer;
use crate::state::AppState;
use crate::store::{ResourceLookup, User};

/// What the tokens are for.
#[derive(Clone, Copy, Debug)]
pub struct UserGrant<'a> {
    pub tenant: &'a Tenant,
    pub user: &'a User,
    pub client: &'a AuthenticatedClient,
    /// The scopes that decide the ID token (`openid`, `profile`, `email`).
    pub oidc: &'a DelegatedScopes,
    pub nonce: Option<&'a str>,
    /// The family of the code or refresh token this grant comes from.
    pub family_id: Uuid,
    /// The scopes a new refresh token is bound to, when one is to be issued.
    pub refresh: Option<&'a DelegatedScopes>,
    /// For a single-page app: when its refresh tokens expire, whatever their rotation.
    pub spa_until: Option<UnixTime>,
    /// `client_info=1` was sent: Microsoft's clients (msal) identify the account by it.
    pub client_info: bool,
}

/// Refuses a grant of a user whose sign-in an administrator blocked after it was issued.
pub fn check_enabled(user: &User) -> Result<(), ProtocolError> {
    if user.account_enabled {
        Ok(())
    } else {
        Err(ProtocolError::new(Aadsts::UserDisabled, "The user account is disabled. Contact your administrator."))
    }
}

/// The scopes a token request asks for: its `scope` (Microsoft's extension: it may pick another
/// consented resource), or else `granted`, the scopes of the code or refresh token.
pub fn asked_scopes(request: &TokenRequest, granted: &DelegatedScopes) -> Result<DelegatedScopes, ProtocolError> {
    match request.get("scope") {
        Some(scope) => DelegatedScopes::parse(scope).map_err(|_| {
            ProtocolError::new(
                Aadsts::InvalidScope,
                format!("The provided value for the input parameter 'scope' is not valid: '{scope}'."),
            )
        }),
        None => Ok(granted.clone()),
    }
}

/// The access token's resource and the scopes it will carry, once the user is known to hold them.
#[derive(Debug)]
pub struct Consented {
    /// The resource as the request named it.
    resource_name: String,
    resource: Application,
    scp: Vec<String>,
    /// The resource's roles assigned to the user, for the access token.
    roles: Vec<String>,
    /// The client's own roles assigned to the user, for the ID token.
    client_roles: Vec<String>,
    /// The user's groups the ID token names (the client's setting) and the access token names (the
    /// resource's); looked up only when one of them names groups.
    id_groups: Vec<ObjectId>,
    access_groups: Vec<ObjectId>,
}

/// Checks that the user still holds every requested permission of the token's resource
/// (AADSTS65001 otherwise): grants can be revoked between sign-in and redemption.
pub async fn consented(
    state: &AppState,
    tenant: &Tenant,
    user: &User,
    client: &AuthenticatedClient,
    scopes: &DelegatedScopes,
) -> Result<Consented, ProtocolError> {
    let requested = scopes.token_resource().ok_or_else(|| ProtocolError::missing("scope"))?;
    let (resource_sp, resource) = match state.store.resource_in_tenant(tenant.id, &requested.resource).await? {
        ResourceLookup::Found(sp, app) => (sp, *app),
        _ => {
            return Err(ProtocolError::new(
                Aadsts::ResourceNotFound,
                format!(
                    "The resource principal named {} was not found in the tenant named {}.",
                    requested.resource, tenant.id
                ),
            ));
        }
    };
    let granted = state.store.delegated_scopes(tenant.id, client.sp.id, resource_sp.id, user.id).await?;
    let missing: Vec<&str> = requested.values.iter().filter(|v| !granted.contains(v)).map(String::as_str).collect();
    if !missing.is_empty() {
        return Err(ProtocolError::new(
            Aadsts::ConsentRequired,
            format!(
                "The user or administrator has not consented to use the application with ID '{}' named '{}' for {}. Send an interactive authorization request for this user and resource.",
                client.app.app_id,
                client.app.display_name,
                missing.join(" ")
            ),
        ));
    }
    let scp = if requested.default { granted } else { requested.values.clone() };
    let on_client = assigned(state, tenant, user, &client.sp, &client.app).await?;
    check_assignment(&client.sp, &on_client)?;
    let roles = if resource_sp.id == client.sp.id {
        on_client.roles.clone()
    } else {
        assigned(state, tenant, user, &resource_sp, &resource).await?.roles
    };
    let wants_groups = [client.app.group_membership_claims, resource.group_membership_claims]
        .iter()
        .any(|c| *c != GroupMembershipClaims::None);
    let groups = if wants_groups { state.store.transitive_groups(tenant.id, user.id).await? } else { Vec::new() };
    let id_groups = app_groups(state, tenant, (&client.sp, client.app.group_membership_claims), &groups).await?;
    let access_groups = app_groups(state, tenant, (&resource_sp, resource.group_membership_claims), &groups).await?;
    let client_roles = on_client.roles;
    Ok(Consented {
        resource_name: requested.resource.clone(),
        resource,
        scp,
        roles,
        client_roles,
        id_groups,
        access_groups,
    })
}

/// The user's `groups` an app's tokens name: all of them, or with `ApplicationGroup` those assigned
/// to the app (given one of its roles, or default access).
async fn app_groups(
    state: &AppState,
    tenant: &Tenant,
    (sp, setting): (&ServicePrincipal, GroupMembershipClaims),
    groups: &[ObjectId],
) -> Result<Vec<ObjectId>, ProtocolError> {
    Ok(match setting {
        GroupMembershipClaims::None => Vec::new(),
        GroupMembershipClaims::ApplicationGroup => {
            let assigned = state.store.group_role_assignments(tenant.id, sp.id).await?;
            groups.iter().filter(|g| assigned.iter().any(|a| a.principal_id == **g)).copied().collect()
        }
        GroupMembershipClaims::SecurityGroup | GroupMembershipClaims::All => groups.to_vec(),
    })
}

/// Tokens signed for a grant, and the refresh token the caller stores before it hands them out: the
/// code grant writes it in the same transaction as the code's redemption.
#[derive(Debug)]
pub struct Issued {
    pub response: TokenResponse,
    /// The new refresh token's key and bindings (the response carries its value).
    pub refresh: Option<(String, RefreshToken)>,
}

/// Signs the tokens of `grant` for what [`consented`] allowed. Writes nothing.
pub fn issue(
    state: &AppState,
    grant: UserGrant<'_>,
    consented: Consented,
    now: UnixTime,
) -> Result<Issued, ProtocolError> {
    let UserGrant { tenant, user, client, oidc, nonce: _, family_id, refresh, spa_until, client_info } = grant;
    let Consented { resource_name, resource, scp, roles, client_roles, id_groups, access_groups } = consented;
    let overage = || format!("{}/v1.0/users/{}/getMemberObjects", state.base_url, user.id);
    let access_groups = GroupClaims::of(&access_groups, overage);
    let signer = active_signer(state, now)?;
    let iss = issuer(&state.base_url, tenant.id);
    let sub = pairwise_subject(state.kek.pairwise_key(), tenant.id, user.id, client.app.app_id);
    let lifetime = state.config.access_token_lifetime.as_i64();
    let access = UserAccessTokenClaims {
        aud: resource.app_id,
        iss: iss.clone(),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        azp: client.app.app_id,
        azpacr: client.method,
        idtyp: "user",
        name: user.display_name.clone(),
        oid: user.id,
        preferred_username: user.username.clone(),
        roles,
        scp: scp.join(" "),
        sub: sub.clone(),
        tid: tenant.id,
        uti: unique_token_id(),
        ver: "2.0",
        wids: directory_roles(user.is_admin),
        groups: access_groups,
    };
    let access_token = match resource.access_token_version {
        AccessTokenVersion::V2 => signer.sign_jwt(&access),
        AccessTokenVersion::V1 => signer.sign_jwt(&access.into_v1(&state.base_url, &resource_name)),
    }
    .map_err(ProtocolError::internal)?;
    let id_token = match oidc.has_oidc("openid") {
        true => {
            let id_groups = GroupClaims::of(&id_groups, overage);
            let claims = id_token_claims(state, &grant, (iss, sub), (client_roles, id_groups), now);
            Some(signer.sign_jwt(&claims).map_err(ProtocolError::internal)?)
        }
        false => None,
    };
    let refresh = match refresh {
        Some(bound) => Some(new_refresh_token((tenant, user, client), bound, (family_id, spa_until), now)?),
        None => None,
    };
    let scope = response_scope(&resource_name, resource.app_id == GRAPH_APP_ID, &scp, oidc);
    let client_info = client_info.then(|| {
        let info = serde_json::json!({ "uid": user.id, "utid": tenant.id });
        URL_SAFE_NO_PAD.encode(info.to_string())
    });
    let (refresh_token, refresh) = match refresh {
        Some((value, hash, bound)) => (Some(value), Some((hash, bound))),
        None => (None, None),
    };
    let response = TokenResponse {
        token_type: "Bearer",
        scope: Some(scope),
        client_info,
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token,
        refresh_token,
        id_token,
    };
    Ok(Issued { response, refresh })
}

/// The ID token's claims (OpenID Connect Core §2), with `profile` and `email` as the scopes ask.
fn id_token_claims(
    state: &AppState,
    grant: &UserGrant<'_>,
    (iss, sub): (String, String),
    (roles, groups): (Vec<String>, GroupClaims),
    now: UnixTime,
) -> IdTokenClaims {
    let (user, oidc) = (grant.user, grant.oidc);
    let profile = oidc.has_oidc("profile");
    IdTokenClaims {
        aud: grant.client.app.app_id,
        iss,
        iat: now,
        nbf: now,
        exp: now + state.config.id_token_lifetime.as_i64(),
        email: oidc.has_oidc("email").then(|| user.username.clone()),
        name: profile.then(|| user.display_name.clone()),
        nonce: grant.nonce.map(str::to_owned),
        oid: user.id,
        preferred_username: profile.then(|| user.username.clone()),
        roles,
        sub,
        tid: grant.tenant.id,
        uti: unique_token_id(),
        ver: "2.0",
        wids: directory_roles(user.is_admin),
        groups,
    }
}

/// The key that signs now, or AADSTS90105: without one no token can be issued.
pub(super) fn active_signer(state: &AppState, now: UnixTime) -> Result<Arc<Signer>, ProtocolError> {
    state.keys.signer(now).ok_or_else(|| {
        tracing::error!("no active signing key");
        ProtocolError::of(Aadsts::NoSigningKey)
    })
}

/// The `scope` of the response: the access token's scopes, Graph's short-named, others prefixed with the
/// resource as it was asked for; plus the OIDC scopes asked for alongside another resource.
fn response_scope(resource: &str, is_graph: bool, scp: &[String], asked: &DelegatedScopes) -> String {
    let mut out: Vec<String> =
        if is_graph { scp.to_vec() } else { scp.iter().map(|v| format!("{resource}/{v}")).collect() };
    if !is_graph {
        let oidc = asked.resources.iter().filter(|r| r.resource == GRAPH_URI).flat_map(|r| &r.values);
        out.extend(oidc.filter(|v| is_oidc(v)).cloned());
    }
    out.join(" ")
}

/// A new refresh token: its value, its key (what the store keeps) and its bindings.
fn new_refresh_token(
    (tenant, user, client): (&Tenant, &User, &AuthenticatedClient),
    scopes: &DelegatedScopes,
    (family_id, spa_until): (Uuid, Option<UnixTime>),
    now: UnixTime,
) -> Result<(String, String, RefreshToken), ProtocolError> {
    let value = random_refresh_token().map_err(|_| ProtocolError::internal("no randomness"))?;
    let bound = RefreshToken {
        tenant_id: tenant.id,
        client_id: client.app.app_id,
        user_id: user.id,
        scopes: scopes.to_scope_string().split_whitespace().map(str::to_owned).collect(),
        family_id,
        issued_at: now,
        expires_at: spa_until.unwrap_or(now + REFRESH_TOKEN_LIFETIME),
        spa: spa_until.is_some(),
    };
    let key = refresh_token_key(&value);
    Ok((value, key, bound))
}

/// `uti`: a random UUID's 16 bytes, base64url (22 characters, as Microsoft's).
pub fn unique_token_id() -> String {
    URL_SAFE_NO_PAD.encode(Uuid::new_v4().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ids_are_22_base64url_characters_and_differ() {
        let first = unique_token_id();
        let second = unique_token_id();
        assert_eq!(first.len(), 22);
        assert!(first.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{first}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&first).map(|bytes| bytes.len()), Ok(16));
        assert_ne!(first, second);
    }
}
