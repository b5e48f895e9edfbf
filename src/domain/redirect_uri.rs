//! The rules a redirect URI must follow, as Entra ID applies them at registration: an absolute URI of
//! at most 256 characters, with no wildcard, fragment or user information; `https`, or `http` only
//! for a loopback host; a custom scheme only on a public client (a native app, RFC 8252 §7.1), and
//! never a scheme a browser runs or reads locally. Signet checks them when an app registers a URI, and
//! again before it sends a browser to a stored one.

/// The longest redirect URI Entra ID accepts.
pub const MAX_LEN: usize = 256;

/// Schemes that make a browser run script, render inline content or read local files.
const FORBIDDEN_SCHEMES: [&str; 8] =
    ["javascript", "vbscript", "data", "file", "blob", "about", "filesystem", "view-source"];

/// Which list of the app the URI is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// A confidential web app's URI.
    Web,
    /// A public client's (native, mobile, desktop) URI.
    PublicClient,
    /// A single-page app's URI: the rules of the web, and the code is redeemed from its origin.
    Spa,
}

/// Why a redirect URI is refused, in a sentence that names it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("redirect URI '{uri}' {reason}")]
pub struct RedirectUriError {
    pub uri: String,
    pub reason: &'static str,
}

/// Checks `uri` against the rules for `platform`.
pub fn check(uri: &str, platform: Platform) -> Result<(), RedirectUriError> {
    let refuse = |reason| Err(RedirectUriError { uri: uri.chars().take(MAX_LEN).collect(), reason });
    if uri.len() > MAX_LEN {
        return refuse("is longer than 256 characters");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("must not contain spaces or control characters");
    }
    if uri.contains('*') {
        return refuse("must not contain a wildcard");
    }
    if uri.contains('#') {
        return refuse("must not have a fragment");
    }
    let Ok(parsed) = url::Url::parse(uri) else {
        return refuse("is not an absolute URI");
    };
    if FORBIDDEN_SCHEMES.contains(&parsed.scheme()) {
        return refuse("uses a scheme a browser must not be sent to");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return refuse("must not contain user information");
    }
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(()),
        "https" => refuse("must name a host"),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => refuse("must use https (http is for localhost only)"),
        _ if platform == Platform::PublicClient => Ok(()),
        _ => refuse("uses a custom scheme, which only a public client may register"),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Platform, check};

    #[test]
    fn what_a_web_app_may_register() {
        for ok in [
            "https://app.contoso.example/signin-oidc",
            "https://app.contoso.example:8443/cb?tenant=x",
            "http://localhost:8400/callback",
            "http://127.0.0.1/cb",
            "http://[::1]:3000/",
        ] {
            assert_eq!(check(ok, Platform::Web), Ok(()), "{ok}");
        }
        for (bad, reason) in [
            ("javascript:alert(1)", "uses a scheme a browser must not be sent to"),
            ("JavaScript:alert(1)//", "uses a scheme a browser must not be sent to"),
            ("data:text/html,<script>alert(1)</script>", "uses a scheme a browser must not be sent to"),
            ("vbscript:msgbox(1)", "uses a scheme a browser must not be sent to"),
            ("file:///etc/passwd", "uses a scheme a browser must not be sent to"),
            ("https://*.contoso.example/cb", "must not contain a wildcard"),
            ("https://app.contoso.example/cb#x", "must not have a fragment"),
            ("https://user:pw@app.contoso.example/cb", "must not contain user information"),
            ("http://localhost:8400@evil.example/cb", "must not contain user information"),
            ("http://app.contoso.example/cb", "must use https (http is for localhost only)"),
            ("http://localhost.evil.example/cb", "must use https (http is for localhost only)"),
            ("myapp://auth", "uses a custom scheme, which only a public client may register"),
            ("/relative/cb", "is not an absolute URI"),
            ("https://app.contoso.example/c b", "must not contain spaces or control characters"),
            ("https://app.contoso.example/\0", "must not contain spaces or control characters"),
        ] {
            assert_eq!(check(bad, Platform::Web).map_err(|e| e.reason), Err(reason), "{bad}");
        }
        let long = format!("https://app.contoso.example/{}", "a".repeat(230));
        assert_eq!(check(&long, Platform::Web).map_err(|e| e.reason), Err("is longer than 256 characters"));
    }

    #[test]
    fn a_public_client_may_also_register_a_custom_scheme() {
        assert_eq!(check("msal00000000-0000-0000-0000-000000000001://auth", Platform::PublicClient), Ok(()));
        assert_eq!(check("com.contoso.app:/oauth2redirect", Platform::PublicClient), Ok(()));
        assert!(check("javascript:alert(1)", Platform::PublicClient).is_err());
        assert!(check("data:text/html,x", Platform::PublicClient).is_err());
    }
}
