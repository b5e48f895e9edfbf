//! Proof Key for Code Exchange (RFC 7636).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::secrets::ct_eq;

/// How the client derived its `code_challenge` (RFC 7636 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeMethod {
    Plain,
    S256,
}

impl ChallengeMethod {
    /// `code_challenge_method`; when absent with a challenge, `plain` (RFC 7636 §4.3).
    pub fn parse(method: Option<&str>) -> Option<Self> {
        match method {
            None | Some("plain") => Some(Self::Plain),
            Some("S256") => Some(Self::S256),
            Some(_) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::S256 => "S256",
        }
    }
}

/// Whether a verifier or challenge has RFC 7636's form: 43 to 128 characters of
/// `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"` (§4.1, §4.2).
pub fn well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `verifier` answers `challenge` (RFC 7636 §4.6), compared in constant time.
pub fn verify(verifier: &str, challenge: &str, method: ChallengeMethod) -> bool {
    if !well_formed(verifier) {
        return false;
    }
    match method {
        ChallengeMethod::Plain => ct_eq(verifier.as_bytes(), challenge.as_bytes()),
        ChallengeMethod::S256 => {
            let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
            ct_eq(URL_SAFE_NO_PAD.encode(digest).as_bytes(), challenge.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_the_rfc_example() {
        assert!(verify(VERIFIER, CHALLENGE, ChallengeMethod::S256));
        assert!(!verify(VERIFIER, CHALLENGE, ChallengeMethod::Plain));
        let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX";
        assert!(!verify(other, CHALLENGE, ChallengeMethod::S256));
    }

    #[test]
    fn plain_compares_the_verifier_itself() {
        assert!(verify(VERIFIER, VERIFIER, ChallengeMethod::Plain));
    }

    #[test]
    fn malformed_verifiers_never_match() {
        let short = &VERIFIER[..42];
        assert!(!verify(short, short, ChallengeMethod::Plain));
        let bad = format!("{}!", &VERIFIER[..42]);
        assert!(!verify(&bad, &bad, ChallengeMethod::Plain));
        assert!(!well_formed(&"a".repeat(129)));
    }

    #[test]
    fn method_defaults_to_plain_and_rejects_others() {
        assert_eq!(ChallengeMethod::parse(None), Some(ChallengeMethod::Plain));
        assert_eq!(ChallengeMethod::parse(Some("S256")), Some(ChallengeMethod::S256));
        assert_eq!(ChallengeMethod::parse(Some("s256")), None);
    }
}
