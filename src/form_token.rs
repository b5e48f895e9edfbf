//! Form tokens against cross-site request forgery, bound to what the form decides.
//!
//! A token is `{issued_at}.{nonce}.{mac}`: the unix time it was made, a random nonce (UUIDv4, hex) and
//! the base64url HMAC-SHA256, under the server's CSRF key, of the form's purpose, the cookie value it is
//! bound to (the browser cookie before sign-in, the session after), what the form decides (for the
//! sign-in pages the authorization request they carry, for a review the consent request's id), the
//! time and the nonce, each length-prefixed. So a token is good only for the browser it was served to,
//! for the form it was served in, with the request that form showed, for [`FORM_LIFETIME`]; and its
//! nonce lets the forms that must act once (sign-in, consent) refuse a second post.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::clock::UnixTime;
use crate::secrets::ct_eq;

/// How long a form may be posted after it was shown.
pub const FORM_LIFETIME: i64 = 3600;

/// How far in the future a token's time may be (another replica's clock).
const CLOCK_SKEW: i64 = 60;

/// What a token is bound to.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'a> {
    /// Which form: sign-in, consent, a review decision.
    pub purpose: &'a str,
    /// The cookie value the form is bound to.
    pub cookie: &'a str,
    /// What the form decides, as the server writes it down.
    pub decides: &'a str,
}

/// A token that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Its nonce: recorded to make a form single-use.
    pub nonce: String,
    /// When it stops being accepted.
    pub expires_at: UnixTime,
}

/// A new token for `binding`, made at `now`.
pub fn issue(key: &ring::hmac::Key, binding: Binding<'_>, now: UnixTime) -> String {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let mac = mac(key, binding, now, &nonce);
    format!("{now}.{nonce}.{mac}")
}

/// The token's nonce and expiry, when `presented` is a token for `binding` that is still valid at `now`.
pub fn verify(key: &ring::hmac::Key, binding: Binding<'_>, presented: &str, now: UnixTime) -> Option<Verified> {
    let (issued_at, nonce, presented_mac) = parse(presented)?;
    let expected = mac(key, binding, issued_at, nonce);
    if !ct_eq(expected.as_bytes(), presented_mac.as_bytes()) {
        return None;
    }
    let expires_at = issued_at.checked_add(FORM_LIFETIME)?;
    (issued_at <= now.saturating_add(CLOCK_SKEW) && now < expires_at)
        .then(|| Verified { nonce: nonce.to_owned(), expires_at })
}

/// Splits a token into its time, nonce and MAC, checking each one's shape.
pub fn parse(token: &str) -> Option<(UnixTime, &str, &str)> {
    let mut parts = token.split('.');
    let (time, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let well_formed = parts.next().is_none()
        && (1..=12).contains(&time.len())
        && time.bytes().all(|b| b.is_ascii_digit())
        && nonce.len() == 32
        && nonce.bytes().all(|b| b.is_ascii_hexdigit())
        && mac.len() == 43
        && mac.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return None;
    }
    Some((time.parse().ok()?, nonce, mac))
}

fn mac(key: &ring::hmac::Key, binding: Binding<'_>, issued_at: UnixTime, nonce: &str) -> String {
    let mut context = ring::hmac::Context::with_key(key);
    let time = issued_at.to_string();
    for part in [binding.purpose, binding.cookie, binding.decides, &time, nonce] {
        context.update(&(part.len() as u64).to_be_bytes());
        context.update(part.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(context.sign())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ring::hmac::Key {
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"form token test key")
    }

    const SIGN_IN: Binding<'static> =
        Binding { purpose: "sign-in", cookie: "browser-1", decides: "client_id=a&scope=openid" };

    #[test]
    fn a_token_is_good_for_its_form_browser_request_and_lifetime_only() {
        let token = issue(&key(), SIGN_IN, 1_000);
        let verified = verify(&key(), SIGN_IN, &token, 1_000).unwrap();
        assert_eq!(verified.expires_at, 1_000 + FORM_LIFETIME);
        assert_eq!(verify(&key(), SIGN_IN, &token, 1_000 + FORM_LIFETIME - 1), Some(verified));
        assert_eq!(verify(&key(), SIGN_IN, &token, 1_000 + FORM_LIFETIME), None, "expired");
        assert_eq!(verify(&key(), SIGN_IN, &token, 1_000 - CLOCK_SKEW - 1), None, "from the future");
        for other in [
            Binding { purpose: "consent", ..SIGN_IN },
            Binding { cookie: "browser-2", ..SIGN_IN },
            Binding { decides: "client_id=b&scope=openid", ..SIGN_IN },
        ] {
            assert_eq!(verify(&key(), other, &token, 1_000), None, "{other:?}");
        }
        let other_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"another key");
        assert_eq!(verify(&other_key, SIGN_IN, &token, 1_000), None);
    }

    #[test]
    fn each_token_has_its_own_nonce() {
        let (a, b) = (issue(&key(), SIGN_IN, 1_000), issue(&key(), SIGN_IN, 1_000));
        assert_ne!(
            verify(&key(), SIGN_IN, &a, 1_000).unwrap().nonce,
            verify(&key(), SIGN_IN, &b, 1_000).unwrap().nonce
        );
    }

    #[test]
    fn a_changed_time_or_nonce_breaks_the_mac() {
        let token = issue(&key(), SIGN_IN, 1_000);
        let (_, nonce, mac) = parse(&token).unwrap();
        assert_eq!(verify(&key(), SIGN_IN, &format!("1001.{nonce}.{mac}"), 1_001), None);
        let other_nonce = "0".repeat(32);
        assert_eq!(verify(&key(), SIGN_IN, &format!("1000.{other_nonce}.{mac}"), 1_000), None);
    }
}
