//! Time as a parameter: flows take `now` from a [`Clock`], and the directory cache measures its
//! lifetimes with the same clock, so tests drive expiry, key rotation and cache refreshes without
//! sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Unix seconds.
pub type UnixTime = i64;

/// The source of time: the system clock, or a manual one that tests set and advance.
#[derive(Clone, Debug)]
pub enum Clock {
    System,
    /// Milliseconds since the Unix epoch; they move only when a test advances them.
    Manual(Arc<AtomicU64>),
}

/// The origin of the system clock's monotonic readings.
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

impl Clock {
    /// A manual clock starting at `start`.
    pub fn manual(start: UnixTime) -> Self {
        Self::Manual(Arc::new(AtomicU64::new(u64::try_from(start).unwrap_or(0).saturating_mul(1000))))
    }

    /// Unix seconds, for timestamps and expiry.
    pub fn now(&self) -> UnixTime {
        match self {
            Self::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Self::Manual(ms) => i64::try_from(ms.load(Ordering::SeqCst) / 1000).unwrap_or(i64::MAX),
        }
    }

    /// A reading that never goes back, from an arbitrary origin: for measuring how long ago something
    /// happened (cache lifetimes), which the wall clock's steps must not disturb.
    pub fn monotonic(&self) -> Duration {
        match self {
            Self::System => STARTED.elapsed(),
            Self::Manual(ms) => Duration::from_millis(ms.load(Ordering::SeqCst)),
        }
    }

    /// Moves a manual clock forward by whole seconds; the system clock ignores it.
    pub fn advance(&self, seconds: i64) {
        self.advance_by(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)));
    }

    /// Moves a manual clock forward; the system clock ignores it.
    pub fn advance_by(&self, elapsed: Duration) {
        if let Self::Manual(ms) = self {
            ms.fetch_add(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_its_seconds_and_its_monotonic_reading_together() {
        let clock = Clock::manual(1_000);
        let start = clock.monotonic();
        clock.advance_by(Duration::from_millis(1_500));
        assert_eq!((clock.now(), clock.monotonic() - start), (1_001, Duration::from_millis(1_500)));
        clock.advance(2);
        assert_eq!((clock.now(), clock.monotonic() - start), (1_003, Duration::from_millis(3_500)));
    }
}
