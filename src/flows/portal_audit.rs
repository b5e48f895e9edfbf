//! The admin portal's audit log (issue 18): the tenant's entries, newest first, filtered by activity,
//! by who made the change and by day, a page at a time, each page starting before the last entry of
//! the one before it. Administrators only.

use uuid::Uuid;

use super::portal::{Reviewer, require_admin};
use super::portal_apps::{Field, Refused};
use crate::admin::CLI_ACTOR;
use crate::domain::audit::{AuditEvent, actions_named, user_actor};
use crate::domain::query::{AuditProperty, Bound, Filter};
use crate::state::AppState;

/// How many entries a page shows.
pub const AUDIT_PAGE: u64 = 50;

/// What the page asks for, as typed: an activity name, an actor (a username, `cli`, or an actor as the
/// log writes it), the first and last day (`YYYY-MM-DD`, UTC), and the entry the page starts before.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub activity: String,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub before: String,
}

/// One page of entries, and the entry the next (older) page starts before when there is one.
#[derive(Debug)]
pub struct AuditSlice {
    pub events: Vec<AuditEvent>,
    pub older: Option<Uuid>,
}

/// The page of the audit log `query` asks for; a value it cannot use is refused (`Field::Audit`).
pub async fn audit_slice(state: &AppState, reviewer: &Reviewer, query: &AuditQuery) -> Result<AuditSlice, Refused> {
    require_admin(reviewer)?;
    let mut all = Vec::new();
    let activity = query.activity.trim();
    if !activity.is_empty() {
        let actions = actions_named(activity);
        if actions.is_empty() {
            return Err(Refused::Field(Field::Audit, format!("'{activity}' is not an activity of the audit log.")));
        }
        all.push(Filter::Any(actions.into_iter().map(|a| Filter::Eq(AuditProperty::Action, a.to_owned())).collect()));
    }
    if !query.actor.trim().is_empty() {
        all.push(Filter::Eq(AuditProperty::Actor, actor_named(state, reviewer, query.actor.trim()).await?));
    }
    if let Some(from) = midnight(&query.from)? {
        all.push(Filter::Range(AuditProperty::ActivityDateTime, Bound::AtLeast, from.to_string()));
    }
    if let Some(to) = midnight(&query.to)? {
        all.push(Filter::Range(AuditProperty::ActivityDateTime, Bound::Before, (to + 86_400).to_string()));
    }
    let before = match query.before.trim() {
        "" => None,
        key => Some(key.parse().map_err(|_| Refused::Field(Field::Audit, format!("'{key}' is not a page key.")))?),
    };
    let filter = (!all.is_empty()).then_some(Filter::All(all));
    let mut rows = state.store.list_audit(reviewer.tenant.id, filter.as_ref(), before, AUDIT_PAGE + 1).await?;
    let older = if rows.len() as u64 > AUDIT_PAGE {
        rows.truncate(AUDIT_PAGE as usize);
        rows.last().map(|(id, _)| *id)
    } else {
        None
    };
    Ok(AuditSlice { events: rows.into_iter().map(|(_, event)| event).collect(), older })
}

/// The actor as the log records it: `cli`, a user of the tenant named by username, or an actor
/// written as the log writes it (`user:…`, `app:…`).
async fn actor_named(state: &AppState, reviewer: &Reviewer, actor: &str) -> Result<String, Refused> {
    if actor == CLI_ACTOR || actor.contains(':') {
        return Ok(actor.to_owned());
    }
    match state.store.user_by_username(reviewer.tenant.id, &actor.to_ascii_lowercase()).await? {
        Some(user) => Ok(user_actor(user.id, &user.username)),
        None => Err(Refused::Field(Field::Audit, format!("No user {actor} in this organization."))),
    }
}

/// The unix time of a day's start (UTC), from `YYYY-MM-DD`; `None` when no day is given.
fn midnight(day: &str) -> Result<Option<i64>, Refused> {
    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]");
    let day = day.trim();
    if day.is_empty() {
        return Ok(None);
    }
    let date = time::Date::parse(day, FORMAT)
        .map_err(|_| Refused::Field(Field::Audit, format!("'{day}' is not a day (YYYY-MM-DD).")))?;
    Ok(Some(date.midnight().assume_utc().unix_timestamp()))
}
