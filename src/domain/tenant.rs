//! Tenants and the `{tenant}` path segment.

use serde::Serialize;

use super::ids::TenantId;

/// A tenant: a GUID and the domains it has verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub display_name: String,
    pub domains: Vec<String>,
}

/// What the `{tenant}` segment of a URL names (protocol reference §1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TenantSegment {
    /// `common`: any tenant, found at sign-in.
    Common,
    /// `organizations`: any tenant, found at sign-in.
    Organizations,
    /// `consumers`: personal accounts, which Signet does not have.
    Consumers,
    /// A GUID or a domain, still to be looked up.
    Named(String),
}

impl TenantSegment {
    pub fn parse(segment: &str) -> Self {
        match segment.to_ascii_lowercase().as_str() {
            "common" => Self::Common,
            "organizations" => Self::Organizations,
            "consumers" => Self::Consumers,
            other => Self::Named(other.to_owned()),
        }
    }
}

/// Normalises a domain name for storage and lookup: lower case, no trailing dot, DNS characters only.
pub fn normalize_domain(domain: &str) -> Option<String> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    (d.len() <= 253 && d.contains('.') && d.split('.').all(valid_label)).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_case_insensitive() {
        assert_eq!(TenantSegment::parse("Common"), TenantSegment::Common);
        assert_eq!(TenantSegment::parse("contoso.com"), TenantSegment::Named("contoso.com".into()));
    }

    #[test]
    fn domains_are_normalised_and_checked() {
        assert_eq!(normalize_domain("Contoso.OnMicrosoft.com."), Some("contoso.onmicrosoft.com".into()));
        assert_eq!(normalize_domain("localhost"), None);
        assert_eq!(normalize_domain("bad_domain.com"), None);
    }
}
