//! Parsing the `scope` parameter.

/// The resource named by a client-credentials `scope`: `{identifier URI or appId}/.default`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultScope {
    /// The part before `/.default`: an identifier URI or an appId GUID.
    pub resource: String,
}

/// Why a client-credentials `scope` was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeError {
    /// No scope at all.
    Missing,
    /// A value that is not `{resource}/.default` (AADSTS70011).
    NotDefault(String),
    /// Several resources (AADSTS700022).
    SeveralResources,
}

/// Client credentials take exactly one resource's `/.default` scope (protocol reference §2.3). The same
/// resource named twice counts once.
pub fn parse_default_scope(scope: &str) -> Result<DefaultScope, ScopeError> {
    let mut resource: Option<&str> = None;
    for value in scope.split_whitespace() {
        let Some(this) = value.strip_suffix("/.default").filter(|r| !r.is_empty()) else {
            return Err(ScopeError::NotDefault(value.to_owned()));
        };
        match resource {
            Some(seen) if !seen.eq_ignore_ascii_case(this) => return Err(ScopeError::SeveralResources),
            _ => resource = Some(this),
        }
    }
    resource.map(|r| DefaultScope { resource: r.to_owned() }).ok_or(ScopeError::Missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_default_scope_names_its_resource() {
        assert_eq!(parse_default_scope("api://x/.default"), Ok(DefaultScope { resource: "api://x".into() }));
        assert_eq!(parse_default_scope("api://x/.default api://x/.default").map(|d| d.resource), Ok("api://x".into()));
    }

    #[test]
    fn named_scopes_and_several_resources_are_refused() {
        assert_eq!(parse_default_scope("api://x/read"), Err(ScopeError::NotDefault("api://x/read".into())));
        assert_eq!(parse_default_scope("/.default"), Err(ScopeError::NotDefault("/.default".into())));
        assert_eq!(parse_default_scope("api://x/.default api://y/.default"), Err(ScopeError::SeveralResources));
        assert_eq!(parse_default_scope("  "), Err(ScopeError::Missing));
    }
}
