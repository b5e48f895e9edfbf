//! Conditions on a directory collection, as a directory API `$filter` states them, and the properties
//! each collection can be filtered on. The store turns a [`Filter`] into SQL; the API parses one.

/// A condition on the properties `P` of a collection's objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter<P> {
    /// The property equals the value.
    Eq(P, String),
    /// The property starts with the value.
    StartsWith(P, String),
    /// The property compares with the value as `bound` says (times only).
    Range(P, Bound, String),
    /// Every condition holds.
    All(Vec<Filter<P>>),
    /// At least one condition holds.
    Any(Vec<Filter<P>>),
}

/// An ordering comparison: `ge`, `gt`, `le`, `lt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    AtLeast,
    After,
    AtMost,
    Before,
}

/// How a property's values compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// A GUID: the value must be one, and is compared in its lowercase hyphenated form.
    Guid,
    /// Text compared without regard to ASCII case, as Entra compares names.
    CaseInsensitive,
    /// A time (`2026-12-06T08:00:00Z`), compared as unix seconds; also with `ge`, `gt`, `le`, `lt`.
    Time,
}

/// A collection's filterable properties.
pub trait Property: Copy + Sized + 'static {
    /// Every filterable property.
    const ALL: &'static [Self];

    /// Its name in the API (`userPrincipalName`).
    fn name(self) -> &'static str;

    fn comparison(self) -> Comparison;

    /// The property the API name stands for. Names are matched without regard to case, as OData does.
    fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

/// The filterable properties of an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppProperty {
    Id,
    AppId,
    DisplayName,
}

impl Property for AppProperty {
    const ALL: &'static [Self] = &[Self::Id, Self::AppId, Self::DisplayName];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::AppId => "appId",
            Self::DisplayName => "displayName",
        }
    }

    fn comparison(self) -> Comparison {
        match self {
            Self::Id | Self::AppId => Comparison::Guid,
            Self::DisplayName => Comparison::CaseInsensitive,
        }
    }
}

/// The filterable properties of a service principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServicePrincipalProperty {
    Id,
    AppId,
    DisplayName,
}

impl Property for ServicePrincipalProperty {
    const ALL: &'static [Self] = &[Self::Id, Self::AppId, Self::DisplayName];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::AppId => "appId",
            Self::DisplayName => "displayName",
        }
    }

    fn comparison(self) -> Comparison {
        match self {
            Self::Id | Self::AppId => Comparison::Guid,
            Self::DisplayName => Comparison::CaseInsensitive,
        }
    }
}

/// The filterable properties of a delegated permission grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantProperty {
    Id,
    ClientId,
    ResourceId,
    PrincipalId,
    ConsentType,
}

impl Property for GrantProperty {
    const ALL: &'static [Self] = &[Self::Id, Self::ClientId, Self::ResourceId, Self::PrincipalId, Self::ConsentType];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::ClientId => "clientId",
            Self::ResourceId => "resourceId",
            Self::PrincipalId => "principalId",
            Self::ConsentType => "consentType",
        }
    }

    fn comparison(self) -> Comparison {
        match self {
            Self::ConsentType => Comparison::CaseInsensitive,
            _ => Comparison::Guid,
        }
    }
}

/// The filterable properties of an audit log entry. `Action` is Signet's own name of an activity:
/// the API filters by `activityDisplayName`, which stands for one or more actions. `Actor` (who made
/// the change, as the log records it) is the portal's filter; the API does not offer it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditProperty {
    ActivityDateTime,
    ActivityDisplayName,
    CorrelationId,
    Action,
    Actor,
}

impl Property for AuditProperty {
    const ALL: &'static [Self] = &[Self::ActivityDateTime, Self::ActivityDisplayName, Self::CorrelationId];

    fn name(self) -> &'static str {
        match self {
            Self::ActivityDateTime => "activityDateTime",
            Self::ActivityDisplayName => "activityDisplayName",
            Self::CorrelationId => "correlationId",
            Self::Action => "action",
            Self::Actor => "actor",
        }
    }

    fn comparison(self) -> Comparison {
        match self {
            Self::ActivityDateTime => Comparison::Time,
            Self::CorrelationId => Comparison::Guid,
            Self::ActivityDisplayName | Self::Action | Self::Actor => Comparison::CaseInsensitive,
        }
    }
}

/// The filterable properties of a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserProperty {
    Id,
    UserPrincipalName,
    DisplayName,
    Mail,
}

impl Property for UserProperty {
    const ALL: &'static [Self] = &[Self::Id, Self::UserPrincipalName, Self::DisplayName, Self::Mail];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::UserPrincipalName => "userPrincipalName",
            Self::DisplayName => "displayName",
            Self::Mail => "mail",
        }
    }

    fn comparison(self) -> Comparison {
        match self {
            Self::Id => Comparison::Guid,
            Self::UserPrincipalName | Self::DisplayName | Self::Mail => Comparison::CaseInsensitive,
        }
    }
}
