//! Parsing the `scope` parameter.

use super::graph::GRAPH_URI;

/// The OpenID Connect scopes. They are delegated permissions of the built-in directory resource.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The scopes one resource is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceScopes {
    /// The resource as named: an identifier URI or an appId. Bare and OIDC scope names name
    /// [`GRAPH_URI`].
    pub resource: String,
    /// Scope values, without the resource prefix, in request order, each once.
    pub values: Vec<String>,
    /// `{resource}/.default`: every permission granted (or, without a grant, required).
    pub default: bool,
}

/// A delegated `scope` parameter (authorize, authorization code and refresh token requests), grouped
/// by resource in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelegatedScopes {
    pub resources: Vec<ResourceScopes>,
}

impl DelegatedScopes {
    /// Parses a space-separated `scope`. Bare names (`User.Read`) and the OIDC scopes belong to the
    /// directory resource; `{resource}/{value}` names another; `/.default` may not be mixed with named
    /// scopes of the same resource (protocol reference §2.1).
    pub fn parse(scope: &str) -> Result<Self, ScopeError> {
        let mut resources: Vec<ResourceScopes> = Vec::new();
        for item in scope.split_whitespace() {
            let (resource, value) = match item.rsplit_once('/') {
                Some((resource, value)) if !resource.is_empty() && !value.is_empty() => (resource, value),
                Some(_) => return Err(ScopeError::NotDefault(item.to_owned())),
                None => (GRAPH_URI, item),
            };
            let resource = if resource.eq_ignore_ascii_case(GRAPH_URI) { GRAPH_URI } else { resource };
            let index = match resources.iter().position(|r| r.resource.eq_ignore_ascii_case(resource)) {
                Some(index) => index,
                None => {
                    resources.push(ResourceScopes {
                        resource: resource.to_owned(),
                        values: Vec::new(),
                        default: false,
                    });
                    resources.len() - 1
                }
            };
            let Some(entry) = resources.get_mut(index) else { continue };
            if value == ".default" {
                entry.default = true;
            } else if !entry.values.iter().any(|v| v.eq_ignore_ascii_case(value)) {
                entry.values.push(value.to_owned());
            }
        }
        let mixed = resources.iter().find(|r| r.default && r.values.iter().any(|v| !is_oidc(v)));
        if let Some(mixed) = mixed {
            return Err(ScopeError::DefaultMixed(mixed.resource.clone()));
        }
        if resources.is_empty() { Err(ScopeError::Missing) } else { Ok(Self { resources }) }
    }

    /// Whether the OIDC scope `name` was asked for.
    pub fn has_oidc(&self, name: &str) -> bool {
        self.resources.iter().any(|r| r.resource == GRAPH_URI && r.values.iter().any(|v| v == name))
    }

    /// The resource tokens are issued for: the first one named other than through OIDC scopes alone,
    /// else the directory resource.
    pub fn token_resource(&self) -> Option<&ResourceScopes> {
        let named = |r: &&ResourceScopes| r.default || r.values.iter().any(|v| !is_oidc(v));
        self.resources.iter().find(named).or_else(|| self.resources.first())
    }

    /// The scope values as one space-separated string, in the form they were parsed from.
    pub fn to_scope_string(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        for r in &self.resources {
            let prefix = if r.resource == GRAPH_URI { String::new() } else { format!("{}/", r.resource) };
            out.extend(r.values.iter().map(|v| format!("{prefix}{v}")));
            if r.default {
                out.push(format!("{}/.default", r.resource));
            }
        }
        out.join(" ")
    }
}

/// Whether `value` is one of the OIDC scopes.
pub fn is_oidc(value: &str) -> bool {
    OIDC_SCOPES.contains(&value)
}

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
    /// `/.default` together with named scopes of the same resource (AADSTS70011).
    DefaultMixed(String),
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

    #[test]
    fn bare_and_oidc_scopes_belong_to_the_directory() {
        let parsed = DelegatedScopes::parse("openid profile User.Read api://x/Read api://x/Write").unwrap();
        assert_eq!(parsed.resources.len(), 2);
        assert_eq!(parsed.resources[0].resource, GRAPH_URI);
        assert_eq!(parsed.resources[0].values, ["openid", "profile", "User.Read"]);
        assert_eq!(parsed.token_resource().map(|r| r.resource.as_str()), Some(GRAPH_URI));
        assert!(parsed.has_oidc("openid"));
        assert!(!parsed.has_oidc("offline_access"));
        assert_eq!(parsed.to_scope_string(), "openid profile User.Read api://x/Read api://x/Write");
    }

    #[test]
    fn the_first_named_resource_gets_the_token() {
        let parsed = DelegatedScopes::parse("openid offline_access api://x/Read").unwrap();
        assert_eq!(parsed.token_resource().map(|r| r.resource.as_str()), Some("api://x"));
        let oidc_only = DelegatedScopes::parse("openid profile").unwrap();
        assert_eq!(oidc_only.token_resource().map(|r| r.resource.as_str()), Some(GRAPH_URI));
        let graph_alias = DelegatedScopes::parse("https://graph.microsoft.com/User.Read").unwrap();
        assert_eq!(graph_alias.resources[0].values, ["User.Read"]);
    }

    #[test]
    fn default_is_not_mixed_with_named_scopes() {
        assert_eq!(
            DelegatedScopes::parse("api://x/.default api://x/Read"),
            Err(ScopeError::DefaultMixed("api://x".into()))
        );
        assert!(DelegatedScopes::parse("openid api://x/.default").is_ok());
        assert_eq!(DelegatedScopes::parse(" "), Err(ScopeError::Missing));
        assert_eq!(DelegatedScopes::parse("api://x/"), Err(ScopeError::NotDefault("api://x/".into())));
    }
}
