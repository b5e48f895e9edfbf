//! Property tests for every parser that reads what a client sends: the authorize query, the token form,
//! the HTTP Basic header, client-assertion JWTs, redirect URIs, scope strings and form tokens (the
//! cookies' values are only hashed or compared, through the same form-token code). Each parser takes any
//! input without panicking, and the round trips and refusals its callers rely on hold.
//!
//! `PROPTEST_CASES` sets the number of cases per property (256 by default, as CI runs them):
//! `PROPTEST_CASES=100000 cargo test --lib properties`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

use crate::domain::jws::UnverifiedJws;
use crate::domain::redirect_uri::{self, Platform};
use crate::domain::scope::DelegatedScopes;
use crate::error::Aadsts;
use crate::flows::authorize::AuthorizeParams;
use crate::flows::token::{TokenRequest, parse_basic};
use crate::form_token::{self, Binding};

const AUTHORIZE_NAMES: [&str; 12] = [
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "response_mode",
    "state",
    "prompt",
    "login_hint",
    "domain_hint",
    "code_challenge",
    "code_challenge_method",
    "nonce",
];

fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// Any text, including controls, NUL and characters outside ASCII.
fn text() -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..40).prop_map(|chars| chars.into_iter().collect())
}

/// Any text of at least one character.
fn some_text() -> impl Strategy<Value = String> {
    vec(any::<char>(), 1..40).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn the_authorize_query_takes_any_bytes(bytes in vec(any::<u8>(), 0..300)) {
        let _ = AuthorizeParams::parse(&bytes);
    }

    #[test]
    fn the_authorize_query_gives_back_what_was_sent(
        sent in btree_map(0..AUTHORIZE_NAMES.len(), some_text(), 0..12),
    ) {
        let pairs: Vec<(&str, &str)> = sent.iter().map(|(i, v)| (AUTHORIZE_NAMES[*i], v.as_str())).collect();
        let (params, others) = AuthorizeParams::parse(encode(pairs.iter().copied()).as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(others.is_empty());
        let mut got = params.present();
        let mut want = pairs.clone();
        got.sort_unstable();
        want.sort_unstable();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn an_authorize_parameter_sent_twice_is_refused(index in 0..AUTHORIZE_NAMES.len(), a in text(), b in text()) {
        let name = AUTHORIZE_NAMES[index];
        let refused = AuthorizeParams::parse(encode([(name, a.as_str()), (name, b.as_str())]).as_bytes());
        prop_assert_eq!(refused.err().map(|e| e.aadsts()), Some(Aadsts::MalformedRequest));
    }

    #[test]
    fn the_token_form_takes_any_bytes_and_refuses_a_repeated_parameter(
        bytes in vec(any::<u8>(), 0..300),
        name in "[a-z_]{1,12}",
        a in text(),
        b in text(),
    ) {
        let _ = TokenRequest::from_form(&bytes, None);
        let once = TokenRequest::from_form(encode([(name.as_str(), a.as_str())]).as_bytes(), None);
        prop_assert_eq!(once.map(|r| r.get(&name).map(str::to_owned)).ok(), Some(Some(a.clone()).filter(|v| !v.is_empty())));
        let twice = TokenRequest::from_form(encode([(name.as_str(), a.as_str()), (name.as_str(), b.as_str())]).as_bytes(), None);
        prop_assert_eq!(twice.err().map(|e| e.aadsts()), Some(Aadsts::MalformedRequest));
    }

    #[test]
    fn the_basic_header_takes_any_bytes_and_decodes_what_a_client_encodes(
        bytes in vec(any::<u8>(), 0..200),
        id in text(),
        secret in text(),
    ) {
        let _ = parse_basic(&bytes);
        // RFC 6749 §2.3.1: each part form-encoded, joined by a colon, base64.
        let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let header = format!("Basic {}", STANDARD.encode(format!("{}:{}", form(&id), form(&secret))));
        let parsed = parse_basic(header.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed, (id, secret));
    }

    #[test]
    fn a_client_assertion_takes_any_text(compact in "[A-Za-z0-9_.=-]{0,200}", raw in text()) {
        for input in [compact.as_str(), raw.as_str()] {
            if let Ok(jws) = UnverifiedJws::parse(input) {
                // A random key never verifies what it did not sign.
                let _ = jws.algorithm();
                prop_assert!(jws.verify(crate::domain::jws::Algorithm::RS256, &[1; 256], &[1, 0, 1]).is_err());
            }
        }
    }

    #[test]
    fn an_accepted_redirect_uri_follows_every_rule(uri in "(https?|javascript|data|myapp|file)://?[a-zA-Z0-9.:@#*/?=%_-]{0,60}", raw in text()) {
        for (input, platform) in [(uri.as_str(), Platform::Web), (uri.as_str(), Platform::PublicClient), (raw.as_str(), Platform::Web)] {
            if redirect_uri::check(input, platform).is_ok() {
                let parsed = url::Url::parse(input).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(input.len() <= redirect_uri::MAX_LEN && !input.contains('#') && !input.contains('*'));
                prop_assert!(parsed.username().is_empty() && parsed.password().is_none());
                prop_assert!(!["javascript", "data", "file", "vbscript"].contains(&parsed.scheme()));
                if platform == Platform::Web {
                    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
                    prop_assert!(parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback), "{}", input);
                }
            }
        }
    }

    #[test]
    fn a_scope_string_takes_any_text(raw in text(), names in vec("[A-Za-z][A-Za-z.]{0,15}", 1..5)) {
        let _ = DelegatedScopes::parse(&raw);
        let scope = names.iter().map(|n| format!("api://contoso/{n}")).collect::<Vec<_>>().join(" ");
        prop_assert!(DelegatedScopes::parse(&scope).is_ok() || names.iter().any(|n| n == ".default"));
    }

    #[test]
    fn a_form_token_is_never_accepted_unless_made_for_its_form(presented in text(), decides in text(), other in text()) {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"property key");
        let binding = Binding { purpose: "sign-in", cookie: "cookie", decides: &decides };
        prop_assert_eq!(form_token::verify(&key, binding, &presented, 1_000), None);
        let token = form_token::issue(&key, binding, 1_000);
        prop_assert!(form_token::verify(&key, binding, &token, 1_000).is_some());
        let moved = Binding { decides: &other, ..binding };
        prop_assert_eq!(form_token::verify(&key, moved, &token, 1_000).is_some(), other == decides);
    }
}
