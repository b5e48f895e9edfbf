//! Secrets: argon2id for user passwords; server-generated client secrets with a keyed fast hash; and
//! constant-time comparison.
//!
//! A client secret carries 256 bits of randomness, so a keyed SHA-256 (HMAC) is as strong as a slow
//! hash against guessing and keeps the token endpoint fast; argon2 is for passwords people choose.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt::Write;

use ring::rand::{SecureRandom, SystemRandom};
use subtle::ConstantTimeEq;

use crate::clock::UnixTime;
use crate::domain::device_code::{USER_CODE_ALPHABET, USER_CODE_LENGTH};

/// A client secret's value, shown once. `Debug` never shows it.
pub struct ClientSecret(String);

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(REDACTED)")
    }
}

impl ClientSecret {
    /// 32 random bytes, base64url: 43 characters.
    pub fn generate() -> Result<Self, ring::error::Unspecified> {
        random_token().map(Self)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first three characters, kept to tell secrets apart.
    pub fn hint(&self) -> String {
        self.0.chars().take(3).collect()
    }
}

/// `N` random bytes, base64url without padding.
pub fn random_urlsafe<const N: usize>() -> Result<String, ring::error::Unspecified> {
    let mut bytes = [0u8; N];
    SystemRandom::new().fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// 32 random bytes, base64url (43 characters): client secrets, authorization codes, refresh tokens.
pub fn random_token() -> Result<String, ring::error::Unspecified> {
    random_urlsafe::<32>()
}

/// A device flow's user code: [`USER_CODE_LENGTH`] letters drawn uniformly from
/// [`USER_CODE_ALPHABET`] (bytes of 240 and above are drawn again, so no letter is likelier).
pub fn random_user_code() -> Result<String, ring::error::Unspecified> {
    let rng = SystemRandom::new();
    let mut code = String::with_capacity(USER_CODE_LENGTH);
    while code.len() < USER_CODE_LENGTH {
        let mut bytes = [0u8; 16];
        rng.fill(&mut bytes)?;
        let letters =
            bytes.into_iter().filter(|b| *b < 240).filter_map(|b| USER_CODE_ALPHABET.get(usize::from(b % 20)));
        for letter in letters.take(USER_CODE_LENGTH - code.len()) {
            code.push(char::from(*letter));
        }
    }
    Ok(code)
}

/// Hex SHA-256 of a server-generated token: how codes and sessions are stored and looked up.
/// A 256-bit random token needs no salt or slow hash; the database alone never yields a usable token.
pub fn token_hash(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut hex = String::with_capacity(2 * digest.as_ref().len());
    for byte in digest.as_ref() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Whether `s` is lowercase hex, as [`token_hash`] and a UUID's simple form write it.
fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new refresh token: `{selector}.{secret}`, a time-ordered UUIDv7 in hex (32 characters) and
/// [`random_token`]'s 256 random bits. The selector only orders the stored rows (see
/// [`refresh_token_key`]); the secret is what makes the token unguessable.
pub fn random_refresh_token() -> Result<String, ring::error::Unspecified> {
    Ok(format!("{}.{}", uuid::Uuid::now_v7().simple(), random_token()?))
}

/// The smallest selector of a refresh token issued at `time` or later: the key of every token issued
/// earlier sorts below it, as the selector's first 12 hex digits are its issue time in milliseconds.
pub fn refresh_selector_floor(time: UnixTime) -> String {
    let millis = u64::try_from(time).unwrap_or(0).saturating_mul(1000);
    format!("{millis:012x}")
}

/// The key a refresh token is stored and looked up under: its selector and the hash of the whole
/// token, `{selector}.{token_hash}`. Keys then grow in the order tokens are issued, so storing one
/// writes to the last page of the table's B-tree instead of a random one; the database still never
/// yields a usable token. A token without a selector (issued before selectors were) is stored under
/// its plain [`token_hash`].
pub fn refresh_token_key(token: &str) -> String {
    match token.split_once('.') {
        Some((selector, _)) if selector.len() == 32 && is_lower_hex(selector) => {
            format!("{selector}.{}", token_hash(token))
        }
        _ => token_hash(token),
    }
}

/// HMAC-SHA256 of a client secret under the server's secret-hash key.
pub fn hash_client_secret(key: &ring::hmac::Key, secret: &str) -> Vec<u8> {
    ring::hmac::sign(key, secret.as_bytes()).as_ref().to_vec()
}

/// Compares two byte strings in time independent of where they differ.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// An argon2id PHC string for `password` (OWASP parameters: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_nine_letters_of_the_alphabet_and_use_all_of_it() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let code = random_user_code().unwrap();
            assert_eq!(crate::domain::device_code::normalize_user_code(&code).as_deref(), Some(code.as_str()));
            seen.extend(code.bytes());
        }
        assert_eq!(seen.len(), USER_CODE_ALPHABET.len(), "1,800 letters draw every one of the 20");
    }

    #[test]
    fn a_token_hash_is_the_lowercase_hex_sha256_of_the_token() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn refresh_tokens_are_stored_under_keys_that_grow_in_issue_order() -> Result<(), ring::error::Unspecified> {
        let tokens: Vec<String> = (0..100).map(|_| random_refresh_token()).collect::<Result<_, _>>()?;
        for token in &tokens {
            let (selector, secret) = token.split_once('.').unwrap();
            assert_eq!((selector.len(), secret.len()), (32, 43), "{token}");
            assert_eq!(refresh_token_key(token), format!("{selector}.{}", token_hash(token)));
        }
        let keys: Vec<String> = tokens.iter().map(|t| refresh_token_key(t)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        Ok(())
    }

    #[test]
    fn the_selector_floor_of_a_time_separates_tokens_issued_before_it_from_those_after()
    -> Result<(), ring::error::Unspecified> {
        let before = crate::clock::Clock::System.now();
        let key = refresh_token_key(&random_refresh_token()?);
        let after = crate::clock::Clock::System.now();
        assert!(refresh_selector_floor(before).as_str() <= key.as_str(), "{key}");
        assert!(key.as_str() < refresh_selector_floor(after + 1).as_str(), "{key}");
        assert_eq!(refresh_selector_floor(1_700_000_000), "018bcfe56800");
        assert_eq!(refresh_selector_floor(-5), "000000000000");
        Ok(())
    }

    #[test]
    fn a_refresh_token_without_a_selector_is_stored_under_its_plain_hash() -> Result<(), ring::error::Unspecified> {
        let earlier = random_token()?;
        assert_eq!(refresh_token_key(&earlier), token_hash(&earlier));
        // Whatever else is presented is only hashed: its key matches no stored token.
        for odd in ["0123456789abcdef0123456789ABCDEF.x", "0123.x", "not hex at all, 32 characters!!.x", ".", ""] {
            assert_eq!(refresh_token_key(odd), token_hash(odd), "{odd}");
        }
        Ok(())
    }

    #[test]
    fn client_secrets_are_long_random_and_redacted() -> Result<(), ring::error::Unspecified> {
        let a = ClientSecret::generate()?;
        let b = ClientSecret::generate()?;
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(format!("{a:?}"), "ClientSecret(REDACTED)");
        Ok(())
    }

    #[test]
    fn secret_hash_depends_on_the_key() {
        let k1 = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"one");
        let k2 = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"two");
        assert!(ct_eq(&hash_client_secret(&k1, "s"), &hash_client_secret(&k1, "s")));
        assert!(!ct_eq(&hash_client_secret(&k1, "s"), &hash_client_secret(&k2, "s")));
    }

    #[test]
    fn passwords_verify_only_themselves() -> Result<(), argon2::password_hash::Error> {
        let hash = hash_password("correct horse")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        Ok(())
    }
}
