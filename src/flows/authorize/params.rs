//! The parameters of an authorization request, from a query string or a form body.

use std::collections::HashMap;

use crate::error::{Aadsts, ProtocolError};

/// The authorization request parameters Signet reads (protocol reference §2.1); others are ignored.
/// Empty values count as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub response_type: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub response_mode: Option<String>,
    pub state: Option<String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub domain_hint: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    /// The code a user typed at `/devicelogin`, carried through the sign-in pages of a device's request.
    pub user_code: Option<String>,
}

impl AuthorizeParams {
    /// Parses `application/x-www-form-urlencoded` pairs. Returns the authorization parameters and every
    /// other parameter (the fields of Signet's own forms). A parameter sent twice is refused.
    pub fn parse(encoded: &[u8]) -> Result<(Self, HashMap<String, String>), ProtocolError> {
        let mut params = Self::default();
        let mut others = HashMap::new();
        // Names seen, empty values included: `client_id=&client_id=x` is a parameter sent twice too.
        let mut seen = std::collections::HashSet::new();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            if !seen.insert(name.clone()) {
                return Err(ProtocolError::new(
                    Aadsts::MalformedRequest,
                    format!("The parameter '{name}' was sent more than once."),
                ));
            }
            match params.slot(&name) {
                Some(slot) => *slot = Some(value.into_owned()).filter(|v| !v.is_empty()),
                None => {
                    others.insert(name.into_owned(), value.into_owned());
                }
            }
        }
        Ok((params, others))
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "client_id" => &mut self.client_id,
            "response_type" => &mut self.response_type,
            "redirect_uri" => &mut self.redirect_uri,
            "scope" => &mut self.scope,
            "response_mode" => &mut self.response_mode,
            "state" => &mut self.state,
            "prompt" => &mut self.prompt,
            "login_hint" => &mut self.login_hint,
            "domain_hint" => &mut self.domain_hint,
            "code_challenge" => &mut self.code_challenge,
            "code_challenge_method" => &mut self.code_challenge_method,
            "nonce" => &mut self.nonce,
            "user_code" => &mut self.user_code,
            _ => return None,
        })
    }

    /// The parameters that are present, as name and value: the hidden fields of Signet's forms, which
    /// carry the request from page to page.
    pub fn present(&self) -> Vec<(&'static str, &str)> {
        [
            ("client_id", &self.client_id),
            ("response_type", &self.response_type),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
            ("response_mode", &self.response_mode),
            ("state", &self.state),
            ("prompt", &self.prompt),
            ("login_hint", &self.login_hint),
            ("domain_hint", &self.domain_hint),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("nonce", &self.nonce),
            ("user_code", &self.user_code),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_parameters_are_read_and_others_kept_apart() {
        let (params, others) =
            AuthorizeParams::parse(b"client_id=abc&scope=openid+profile&state=&csrf=t&unknown=1").unwrap();
        assert_eq!(params.client_id.as_deref(), Some("abc"));
        assert_eq!(params.scope.as_deref(), Some("openid profile"));
        assert_eq!(params.state, None);
        assert_eq!(others.get("csrf").map(String::as_str), Some("t"));
        assert_eq!(params.present(), vec![("client_id", "abc"), ("scope", "openid profile")]);
    }

    #[test]
    fn a_repeated_parameter_is_refused() {
        assert!(AuthorizeParams::parse(b"client_id=a&client_id=b").is_err());
        assert!(AuthorizeParams::parse(b"csrf=a&csrf=b").is_err());
    }
}
