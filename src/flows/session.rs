//! Password sign-in and the SSO session it starts.
//!
//! The session cookie holds a random value; the store keeps only its hash. Passwords are checked with
//! argon2id on the password pool's threads, and an unknown username costs the same verification as a
//! known one.

use std::sync::LazyLock;

use crate::clock::UnixTime;
use crate::domain::session::{SESSION_LIFETIME, Session};
use crate::domain::tenant::Tenant;
use crate::error::ProtocolError;
use crate::secrets::{hash_password, random_token, token_hash};
use crate::state::AppState;
use crate::store::User;

/// A hash to verify against when the username is unknown, so both cases take as long.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("signet-dummy-password").unwrap_or_default());

/// Why a sign-in did not succeed.
#[derive(Debug)]
pub enum SignInFailure {
    /// Wrong username or password; which of the two is not said.
    Invalid,
    /// Too many failures: try again after this many seconds.
    Wait(i64),
    /// Every password checker is busy: try again in a second.
    Busy,
    /// The password was right, but an administrator blocked the account's sign-in.
    Disabled,
    Internal(ProtocolError),
}

impl From<ProtocolError> for SignInFailure {
    fn from(err: ProtocolError) -> Self {
        Self::Internal(err)
    }
}

/// A started session: the cookie value to send, and what it stands for.
#[derive(Debug)]
pub struct StartedSession {
    pub cookie_value: String,
    pub session: Session,
}

/// Where a sign-in looks for the account: the tenant the path names, or for `common` and
/// `organizations` the tenant of `domain_hint` or of the username's domain.
#[derive(Clone, Copy, Debug)]
pub struct Directory<'a> {
    pub path_tenant: Option<&'a Tenant>,
    pub domain_hint: Option<&'a str>,
}

/// Checks `username` and `password` in `directory` from client `address`, and starts a session.
pub async fn sign_in(
    state: &AppState,
    directory: Directory<'_>,
    username: &str,
    password: &str,
    address: &str,
    now: UnixTime,
) -> Result<StartedSession, SignInFailure> {
    let user = verify_password(state, directory, (username, password), address, now).await?;
    let cookie_value = random_token().map_err(|_| ProtocolError::internal("no randomness"))?;
    let session =
        Session { tenant_id: user.tenant_id, user_id: user.id, auth_time: now, expires_at: now + SESSION_LIFETIME };
    state.store.insert_session(&token_hash(&cookie_value), &session).await.map_err(ProtocolError::from)?;
    tracing::info!(user = %user.id, tenant = %user.tenant_id, "signed in");
    Ok(StartedSession { cookie_value, session })
}

/// The enabled user `username` and `password` name in `directory`, under the sign-in throttle of
/// client `address`: the sign-in page and the password grant check passwords the same way.
pub async fn verify_password(
    state: &AppState,
    directory: Directory<'_>,
    (username, password): (&str, &str),
    address: &str,
    now: UnixTime,
) -> Result<User, SignInFailure> {
    let username = username.trim();
    // The attempt counts as a failure from here on, so simultaneous attempts cannot all pass the check
    // before any of them fails; a success takes it back.
    state.throttle.begin(username, address, now).map_err(SignInFailure::Wait)?;
    let checked = check_password(state, directory, username, password).await;
    let user = match checked {
        Ok(Some(user)) => user,
        Ok(None) => {
            tracing::info!("sign-in failed: wrong username or password");
            return Err(SignInFailure::Invalid);
        }
        Err(failure) => {
            // Not checked at all: the attempt does not count.
            state.throttle.withdrawn(username, address);
            return Err(failure);
        }
    };
    state.throttle.succeeded(username, address);
    if !user.account_enabled {
        tracing::info!(user = %user.id, "sign-in refused: the account is disabled");
        return Err(SignInFailure::Disabled);
    }
    Ok(user)
}

/// The user, when `password` is theirs. An unknown username costs the same verification.
async fn check_password(
    state: &AppState,
    directory: Directory<'_>,
    username: &str,
    password: &str,
) -> Result<Option<User>, SignInFailure> {
    let user = find_user(state, directory, username).await?;
    let hash = user.as_ref().map_or(DUMMY_HASH.as_str(), |u| u.password_hash.as_str());
    let matches = state.passwords.verify(password, hash).await.map_err(|_| SignInFailure::Busy)?;
    Ok(user.filter(|_| matches))
}

/// The account `username` names in `directory`.
async fn find_user(state: &AppState, directory: Directory<'_>, username: &str) -> Result<Option<User>, ProtocolError> {
    let tenant: Option<Tenant> = match (directory.path_tenant, directory.domain_hint) {
        (Some(tenant), _) => Some(tenant.clone()),
        (None, Some(hint)) => state.store.resolve_tenant(hint).await?,
        (None, None) => match username.rsplit_once('@') {
            Some((_, domain)) => state.store.resolve_tenant(domain).await?,
            None => None,
        },
    };
    match tenant {
        Some(tenant) => Ok(state.store.user_by_username(tenant.id, username).await?),
        None => Ok(None),
    }
}

/// The live session a cookie value stands for.
pub async fn current_session(
    state: &AppState,
    cookie_value: &str,
    now: UnixTime,
) -> Result<Option<Session>, ProtocolError> {
    Ok(state.store.session(&token_hash(cookie_value), now).await?)
}

/// Ends the session a cookie value stands for.
pub async fn sign_out(state: &AppState, cookie_value: &str) -> Result<(), ProtocolError> {
    state.store.delete_session(&token_hash(cookie_value)).await?;
    tracing::info!("signed out");
    Ok(())
}
