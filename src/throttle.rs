//! Throttling of failed password sign-ins: bounded in memory, per replica.
//!
//! Failures are counted per (account, client address), per client address and per account. After a
//! few free failures each further attempt must wait, twice as long each time, up to a cap. Nothing
//! locks an account: the per-account limit, which anyone can run into for someone else, has the
//! shortest cap, so the most a stranger can impose on a user is a short wait.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::clock::UnixTime;

/// Failures of one key.
#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: UnixTime,
}

/// Counts failures per key and says how long the next attempt must wait.
#[derive(Debug)]
struct Limiter {
    failures: Mutex<HashMap<String, Failures>>,
    /// Failures allowed before any waiting.
    free: u32,
    /// The longest wait, in seconds.
    max_wait: i64,
    /// A key's failures are forgotten this long after its last one.
    window: i64,
    /// The most keys kept; beyond it the oldest are forgotten.
    capacity: usize,
}

impl Limiter {
    fn new(free: u32, max_wait: i64) -> Self {
        Self { failures: Mutex::new(HashMap::new()), free, max_wait, window: 900, capacity: 10_000 }
    }

    /// The failures counted so far. A panic while the lock was held cannot leave the map half-written
    /// (each update is one insert or remove), so a poisoned lock still holds the counts: the throttle
    /// goes on counting and waiting rather than letting every attempt through.
    fn failures(&self) -> MutexGuard<'_, HashMap<String, Failures>> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Seconds until `key` may try again, if it must wait.
    fn wait(&self, key: &str, now: UnixTime) -> Option<i64> {
        let failures = self.failures();
        let f = failures.get(key).filter(|f| now - f.last < self.window)?;
        let over = f.count.checked_sub(self.free)?;
        let delay = 1_i64.checked_shl(over.min(30)).unwrap_or(i64::MAX).min(self.max_wait);
        let remaining = f.last + delay - now;
        (remaining > 0).then_some(remaining)
    }

    fn record_failure(&self, key: &str, now: UnixTime) {
        let mut failures = self.failures();
        if !failures.contains_key(key) && failures.len() >= self.capacity {
            failures.retain(|_, f| now - f.last < self.window);
            if failures.len() >= self.capacity {
                let oldest = failures.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    failures.remove(&oldest);
                }
            }
        }
        let entry = failures.entry(key.to_owned()).or_insert(Failures { count: 0, last: now });
        if now - entry.last >= self.window {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
    }

    fn clear(&self, key: &str) {
        self.failures().remove(key);
    }

    /// Takes one failure back.
    fn forgive(&self, key: &str) {
        if let Some(f) = self.failures().get_mut(key) {
            f.count = f.count.saturating_sub(1);
        }
    }
}

/// The sign-in throttle of one replica.
#[derive(Debug)]
pub struct SignInThrottle {
    by_account_and_address: Limiter,
    by_address: Limiter,
    by_account: Limiter,
    /// Wrong user codes typed at `/devicelogin`, per client address: a guesser's attempts slow down
    /// while someone who mistyped one still gets in.
    user_codes_by_address: Limiter,
    /// Held while an attempt checks and takes its place, so simultaneous attempts are counted one by one.
    admission: Mutex<()>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self {
            by_account_and_address: Limiter::new(5, 300),
            by_address: Limiter::new(30, 300),
            by_account: Limiter::new(20, 60),
            user_codes_by_address: Limiter::new(5, 300),
            admission: Mutex::new(()),
        }
    }
}

impl SignInThrottle {
    /// Seconds the sign-in of `account` from `address` must wait, if any.
    pub fn wait(&self, account: &str, address: &str, now: UnixTime) -> Option<i64> {
        let pair = pair_key(account, address);
        [
            self.by_account_and_address.wait(&pair, now),
            self.by_address.wait(address, now),
            self.by_account.wait(&account.to_ascii_lowercase(), now),
        ]
        .into_iter()
        .flatten()
        .max()
    }

    pub fn record_failure(&self, account: &str, address: &str, now: UnixTime) {
        self.by_account_and_address.record_failure(&pair_key(account, address), now);
        self.by_address.record_failure(address, now);
        self.by_account.record_failure(&account.to_ascii_lowercase(), now);
    }

    /// Lets an attempt of `account` from `address` go ahead, counted as a failure until it
    /// [`succeeded`](Self::succeeded); or the seconds it must wait. Checking and counting are one step:
    /// of simultaneous attempts, only as many as the free failures allow go ahead.
    pub fn begin(&self, account: &str, address: &str, now: UnixTime) -> Result<(), i64> {
        let _admission = self.admission.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(wait) = self.wait(account, address, now) {
            return Err(wait);
        }
        self.record_failure(account, address, now);
        Ok(())
    }

    /// An attempt [`begin`](Self::begin) counted did not fail: the pair's failures are forgotten, and
    /// the address and the account get back the failure counted for it.
    pub fn succeeded(&self, account: &str, address: &str) {
        self.by_account_and_address.clear(&pair_key(account, address));
        self.by_address.forgive(address);
        self.by_account.forgive(&account.to_ascii_lowercase());
    }

    /// Lets a user code typed from `address` be looked up, counted as a wrong one until it is
    /// [`found`](Self::user_code_found); or the seconds it must wait.
    pub fn begin_user_code(&self, address: &str, now: UnixTime) -> Result<(), i64> {
        let _admission = self.admission.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(wait) = self.user_codes_by_address.wait(address, now) {
            return Err(wait);
        }
        self.user_codes_by_address.record_failure(address, now);
        Ok(())
    }

    /// A user code [`begin_user_code`](Self::begin_user_code) counted named a request: it is not
    /// counted as a wrong one.
    pub fn user_code_found(&self, address: &str) {
        self.user_codes_by_address.forgive(address);
    }

    /// An attempt [`begin`](Self::begin) counted was never checked (no password thread was free): each
    /// limiter gets back the failure counted for it, and nothing else is forgotten.
    pub fn withdrawn(&self, account: &str, address: &str) {
        self.by_account_and_address.forgive(&pair_key(account, address));
        self.by_address.forgive(address);
        self.by_account.forgive(&account.to_ascii_lowercase());
    }
}

fn pair_key(account: &str, address: &str) -> String {
    format!("{}\u{0}{address}", account.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_failures_and_reset_on_success() {
        let t = SignInThrottle::default();
        for _ in 0..4 {
            t.record_failure("alice@contoso.com", "10.0.0.1", 1000);
        }
        assert_eq!(t.wait("alice@contoso.com", "10.0.0.1", 1000), None);
        t.record_failure("alice@contoso.com", "10.0.0.1", 1000);
        assert_eq!(t.wait("ALICE@contoso.com", "10.0.0.1", 1000), Some(1));
        t.record_failure("alice@contoso.com", "10.0.0.1", 1001);
        assert_eq!(t.wait("alice@contoso.com", "10.0.0.1", 1001), Some(2));
        assert_eq!(t.wait("alice@contoso.com", "10.0.0.1", 1003), None);
        // Another address is not held up by this pair.
        assert_eq!(t.wait("alice@contoso.com", "10.0.0.2", 1001), None);
        t.succeeded("alice@contoso.com", "10.0.0.1");
        assert_eq!(t.wait("alice@contoso.com", "10.0.0.1", 1001), None);
    }

    /// Twenty attempts at once: each takes its place before its password is checked, so only the five
    /// free ones go ahead (issue 16, item 1).
    #[test]
    fn simultaneous_attempts_are_admitted_one_by_one() {
        let t = std::sync::Arc::new(SignInThrottle::default());
        let admitted: usize = std::thread::scope(|scope| {
            let attempts: Vec<_> =
                (0..20).map(|_| scope.spawn(|| t.begin("carol@contoso.com", "10.0.0.9", 1000).is_ok())).collect();
            attempts.into_iter().map(|a| usize::from(a.join().unwrap_or(false))).sum()
        });
        assert_eq!(admitted, 5);
        assert_eq!(t.begin("carol@contoso.com", "10.0.0.9", 1000), Err(1));
        // An attempt never checked gives back its count, and only that.
        t.withdrawn("carol@contoso.com", "10.0.0.9");
        let pair = pair_key("carol@contoso.com", "10.0.0.9");
        assert_eq!(t.by_account_and_address.failures().get(&pair).map(|f| f.count), Some(4));
        assert_eq!(t.by_address.failures().get("10.0.0.9").map(|f| f.count), Some(4));
        // A success gives back what it was counted and forgets the pair.
        t.succeeded("carol@contoso.com", "10.0.0.9");
        assert_eq!(t.by_account_and_address.failures().get(&pair).map(|f| f.count), None);
        assert_eq!(t.by_address.failures().get("10.0.0.9").map(|f| f.count), Some(3));
    }

    #[test]
    fn wrong_user_codes_slow_their_address_down_and_found_ones_do_not() {
        let t = SignInThrottle::default();
        for _ in 0..10 {
            assert_eq!(t.begin_user_code("10.0.0.1", 1000), Ok(()));
            t.user_code_found("10.0.0.1");
        }
        for _ in 0..5 {
            assert_eq!(t.begin_user_code("10.0.0.1", 1000), Ok(()));
        }
        assert_eq!(t.begin_user_code("10.0.0.1", 1000), Err(1));
        assert_eq!(t.begin_user_code("10.0.0.2", 1000), Ok(()), "another address is not held up");
        // Waits double with each wrong code after the free ones.
        assert_eq!(t.begin_user_code("10.0.0.1", 1001), Ok(()));
        assert_eq!(t.begin_user_code("10.0.0.1", 1002), Err(1));
    }

    #[test]
    fn a_poisoned_lock_still_throttles() {
        let limiter = Limiter::new(0, 300);
        limiter.record_failure("a", 0);
        let poisoned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _held = limiter.failures.lock().unwrap();
            panic!("a panic while the lock is held");
        }));
        assert!(poisoned.is_err() && limiter.failures.is_poisoned());
        assert_eq!(limiter.wait("a", 0), Some(2), "one failure over none free: 2^1 s");
        limiter.record_failure("a", 0);
        assert_eq!(limiter.wait("a", 0), Some(4));
    }

    #[test]
    fn a_stranger_can_only_impose_a_short_wait_on_an_account() {
        let t = SignInThrottle::default();
        for i in 0..40 {
            t.record_failure("bob@contoso.com", &format!("192.0.2.{i}"), 1000);
        }
        assert_eq!(t.wait("bob@contoso.com", "198.51.100.7", 1000), Some(60));
        assert_eq!(t.wait("bob@contoso.com", "198.51.100.7", 1060), None);
    }

    #[test]
    fn failures_are_forgotten_after_the_window_and_memory_is_bounded() {
        let limiter = Limiter { capacity: 3, ..Limiter::new(0, 300) };
        limiter.record_failure("a", 0);
        limiter.record_failure("a", 1);
        assert_eq!(limiter.wait("a", 1), Some(4), "two failures over none free: 2^2 s");
        limiter.record_failure("a", 2000);
        assert_eq!(limiter.wait("a", 2000), Some(2), "counting starts again after the window");
        for (i, key) in ["b", "c", "d"].iter().enumerate() {
            limiter.record_failure(key, 2001 + i as i64);
        }
        assert_eq!(limiter.failures.lock().unwrap().len(), 3);
        assert!(!limiter.failures.lock().unwrap().contains_key("a"));
    }
}
