//! Time as a parameter: flows take `now` from a [`Clock`], so tests drive expiry and key rotation
//! without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds.
pub type UnixTime = i64;

/// The source of `now`: the system clock, or a manual one that tests set and advance.
#[derive(Clone, Debug)]
pub enum Clock {
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock starting at `start`.
    pub fn manual(start: UnixTime) -> Self {
        Self::Manual(Arc::new(AtomicI64::new(start)))
    }

    pub fn now(&self) -> UnixTime {
        match self {
            Self::System => system_now(),
            Self::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward; the system clock ignores it.
    pub fn advance(&self, seconds: i64) {
        if let Self::Manual(t) = self {
            t.fetch_add(seconds, Ordering::SeqCst);
        }
    }
}

/// The system clock's unix seconds.
pub fn system_now() -> UnixTime {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
