//! A browser's cookies: the SSO session and the per-browser value that forms' CSRF tokens are bound to
//! before a session exists.

use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse};

use crate::domain::session::Session;
use crate::error::ProtocolError;
use crate::flows::session::current_session;
use crate::form_token::{self, Binding, Verified};
use crate::secrets::random_token;
use crate::state::AppState;

/// The SSO session cookie: a random value whose hash the store keeps.
pub const SESSION_COOKIE: &str = "signet_session";
/// A random per-browser value the sign-in form's CSRF token is bound to, before any session exists.
pub const BROWSER_COOKIE: &str = "signet_browser";

/// The cookies of this browser, and the ones to set.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub session: Option<String>,
    /// Set the session cookie: it was just created.
    pub new_session: bool,
    pub browser: Option<String>,
    /// Set the browser cookie: it was just created.
    pub new_browser: bool,
    pub secure: bool,
}

impl Browser {
    pub fn of(state: &AppState, req: &HttpRequest) -> Self {
        let value = |name| req.cookie(name).map(|c| c.value().to_owned()).filter(|v| !v.is_empty());
        Self {
            session: value(SESSION_COOKIE),
            browser: value(BROWSER_COOKIE),
            secure: state.base_url.starts_with("https://"),
            ..Self::default()
        }
    }

    pub async fn session(&self, state: &AppState) -> Result<Option<Session>, ProtocolError> {
        match &self.session {
            Some(value) => current_session(state, value, state.clock.now()).await,
            None => Ok(None),
        }
    }

    /// The token for the form `purpose` deciding `decides`, bound to the browser cookie (a form shown
    /// before any session exists), creating that cookie when this browser has none yet. Without
    /// randomness there is no cookie to bind to, and no form: an internal error.
    pub fn browser_token(&mut self, state: &AppState, purpose: &str, decides: &str) -> Result<String, ProtocolError> {
        let value = match &self.browser {
            Some(value) => value.clone(),
            None => {
                let value =
                    random_token().map_err(|_| ProtocolError::internal("no randomness for a browser cookie"))?;
                self.browser = Some(value.clone());
                self.new_browser = true;
                value
            }
        };
        let binding = Binding { purpose, cookie: &value, decides };
        Ok(form_token::issue(state.kek.csrf_key(), binding, state.clock.now()))
    }

    /// The verified token, when the form's `csrf` field is a live token for the form `purpose` deciding
    /// `decides`, bound to the cookie `cookie` of this browser.
    pub fn vouches(
        &self,
        state: &AppState,
        (purpose, cookie): (&str, &str),
        fields: &HashMap<String, String>,
        decides: &str,
    ) -> Option<Verified> {
        let bound = if cookie == SESSION_COOKIE { &self.session } else { &self.browser };
        let (value, token) = (bound.as_deref()?, fields.get("csrf")?);
        form_token::verify(state.kek.csrf_key(), Binding { purpose, cookie: value, decides }, token, state.clock.now())
    }

    /// The token for the form `purpose` deciding `decides`, bound to the session cookie.
    pub fn token(&self, state: &AppState, purpose: &str, decides: &str) -> String {
        let cookie = self.session.as_deref().unwrap_or_default();
        form_token::issue(state.kek.csrf_key(), Binding { purpose, cookie, decides }, state.clock.now())
    }

    pub fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build(name, value).path("/").http_only(true).same_site(SameSite::Lax).secure(self.secure).finish()
    }
}

/// Sets the cookies `browser` created on `response`.
pub fn set_cookies(response: &mut HttpResponse, browser: &Browser) {
    let mut add = |cookie: Cookie<'static>| {
        if let Err(err) = response.add_cookie(&cookie) {
            tracing::error!(cause = %err, "cookie not set");
        }
    };
    if browser.new_session {
        add(browser.cookie(SESSION_COOKIE, browser.session.clone().unwrap_or_default()));
    }
    if browser.new_browser {
        add(browser.cookie(BROWSER_COOKIE, browser.browser.clone().unwrap_or_default()));
    }
}
