//! A read-through cache of the directory lookups on the token and silent sign-in hot paths.
//!
//! The database stays the source of truth. Every write through this process's store clears the cache
//! at once. Writes by other processes (the CLI, other replicas) are seen within the time-to-live: every
//! change to a cached row also increments the one-row directory version in its own transaction, and
//! once the cache's last confirmation of that version is half its time-to-live old, the first lookup
//! starts a task that reads it again. The same version confirms every entry for another time-to-live;
//! a different one empties the cache. Only found rows are cached, so a newly created app is never
//! hidden by an earlier "not found".
//!
//! One small read per half time-to-live keeps any number of entries fresh. Reloading each entry instead
//! cost a burst of a dozen queries every half second for one daemon's token requests, which stalled the
//! one worker for long enough to add 1.5 ms to the p99 at 32 connections; and it grew with the number
//! of clients. No request waits for a check, and nothing older than the time-to-live is ever returned:
//! when checks fail, entries expire and lookups read the database.
//!
//! Why a confirmed version may vouch for an entry: entries are kept only if no clear happened while
//! they were read, and the known version changes only together with a clear, so every entry was read
//! after the known version was. If the database still holds that version when a check starts reading,
//! nothing an entry depends on changed between its read and that moment.

use std::collections::HashMap;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use super::error::StoreResult;
use crate::clock::Clock;
use crate::domain::app::{
    AppRoleAssignment, Application, KeyCredential, PasswordCredential, PermissionGrant, ServicePrincipal,
};
use crate::domain::ids::{AppId, ObjectId, TenantId};
use crate::domain::session::Session;
use crate::domain::tenant::Tenant;
use crate::domain::user::User;

/// Entries per map before it is emptied; bounds memory whatever clients send.
const MAX_ENTRIES: usize = 10_000;

/// Reads the directory version from the database.
pub type VersionSource = Box<dyn Fn() -> Pin<Box<dyn Future<Output = StoreResult<i64>> + Send>> + Send + Sync>;

/// A cached value and when it was read (the clock's monotonic reading).
struct Entry<V> {
    read_at: Duration,
    value: V,
}

/// The directory's generation and the time when a value was about to be read.
#[derive(Clone, Copy)]
pub(super) struct Ticket {
    generation: u64,
    read_at: Duration,
}

/// What the cache knows of the directory version.
#[derive(Debug, Default)]
struct Verification {
    /// The version every entry was read at or after; `None` until the first check.
    version: Option<i64>,
    /// When a check last started that found `version` in the database.
    confirmed_at: Option<Duration>,
    /// Whether a check is under way.
    checking: bool,
}

impl Verification {
    /// Entries read at or before this instant are stale at `now`, or none when the directory version
    /// was confirmed less than a time-to-live ago: that confirmation vouches for every entry.
    fn stale_before(&self, now: Duration, ttl: Duration) -> Option<Duration> {
        let stale_before = now.checked_sub(ttl)?;
        match self.confirmed_at {
            Some(at) if at > stale_before => None,
            _ => Some(stale_before),
        }
    }

    /// Whether a check of the directory version is due at `now`, and then starts one: the last
    /// confirmation is half a time-to-live old, or there was none, and no check is under way.
    fn start_check_if_due(&mut self, now: Duration, ttl: Duration) -> Option<Duration> {
        let recent = self.confirmed_at.is_some_and(|at| now.saturating_sub(at) < ttl / 2);
        if self.checking || recent {
            return None;
        }
        self.checking = true;
        Some(now)
    }
}

/// One cached lookup: values by key, each with the time it was read.
pub struct TtlMap<K, V> {
    entries: RwLock<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash, V: Clone> TtlMap<K, V> {
    fn new() -> Self {
        Self { entries: RwLock::new(HashMap::new()) }
    }

    /// The value for `key`, unless it was read at or before `stale_before`.
    fn get(&self, key: &K, stale_before: Option<Duration>) -> Option<V> {
        let entries = self.entries.read().ok()?;
        let entry = entries.get(key)?;
        stale_before.is_none_or(|limit| entry.read_at > limit).then(|| entry.value.clone())
    }

    fn put(&self, key: K, value: V, read_at: Duration) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, Entry { read_at, value });
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}

/// The cached lookups. `generation` changes on every clear, so a value read from the database before a
/// write is not stored after it.
pub struct DirectoryCache {
    ttl: Duration,
    /// What entries' ages are measured with (its monotonic reading).
    clock: Clock,
    generation: AtomicU64,
    verification: Mutex<Verification>,
    read_version: VersionSource,
    pub tenants: TtlMap<String, Tenant>,
    pub apps: TtlMap<AppId, Application>,
    pub clients: TtlMap<(TenantId, AppId), (ServicePrincipal, Application)>,
    pub secrets: TtlMap<(TenantId, AppId), Vec<PasswordCredential>>,
    pub certificates: TtlMap<(TenantId, AppId), Vec<KeyCredential>>,
    pub resources: TtlMap<(TenantId, String), (ServicePrincipal, Application)>,
    pub role_assignments: TtlMap<(TenantId, ObjectId, ObjectId), Vec<AppRoleAssignment>>,
    /// The app roles of a resource service principal assigned to groups.
    pub group_assignments: TtlMap<(TenantId, ObjectId), Vec<AppRoleAssignment>>,
    pub users: TtlMap<(TenantId, ObjectId), User>,
    /// Delegated grants by (tenant, client service principal, user): the tenant-wide ones and the user's.
    pub delegated: TtlMap<(TenantId, ObjectId, ObjectId), Vec<PermissionGrant>>,
    /// Sign-in sessions by the hash of their cookie value.
    pub sessions: TtlMap<String, Session>,
}

impl std::fmt::Debug for DirectoryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl DirectoryCache {
    /// A cache whose entries live `ttl` past their read or the last confirmation of the directory
    /// version, which `read_version` reads, as `clock` measures time; a zero `ttl` caches nothing.
    pub fn new(ttl: Duration, read_version: VersionSource, clock: Clock) -> Self {
        Self {
            ttl,
            clock,
            generation: AtomicU64::new(0),
            verification: Mutex::default(),
            read_version,
            tenants: TtlMap::new(),
            apps: TtlMap::new(),
            clients: TtlMap::new(),
            secrets: TtlMap::new(),
            certificates: TtlMap::new(),
            resources: TtlMap::new(),
            role_assignments: TtlMap::new(),
            group_assignments: TtlMap::new(),
            users: TtlMap::new(),
            delegated: TtlMap::new(),
            sessions: TtlMap::new(),
        }
    }

    /// What [`keep`](Self::keep) needs to know about a value about to be read.
    fn ticket(&self) -> Ticket {
        Ticket { generation: self.generation.load(Ordering::Acquire), read_at: self.clock.monotonic() }
    }

    /// Keeps `value`, read under `ticket`, unless the directory changed since the ticket was taken.
    fn keep<K: Eq + Hash, V: Clone>(&self, map: &TtlMap<K, V>, key: K, value: V, ticket: Ticket) {
        if !self.ttl.is_zero() && self.generation.load(Ordering::Acquire) == ticket.generation {
            map.put(key, value, ticket.read_at);
        }
    }

    /// The cached value for `key`, or what `load` reads; see [`get_or_load_found`](Self::get_or_load_found).
    pub async fn get_or_load<K, V, F>(
        self: &Arc<Self>,
        map: &TtlMap<K, V>,
        key: K,
        load: impl FnOnce() -> F,
    ) -> StoreResult<V>
    where
        K: Eq + Hash,
        V: Clone + Default,
        F: Future<Output = StoreResult<V>>,
    {
        let found = self.get_or_load_found(map, key, || {
            let load = load();
            async move { load.await.map(Some) }
        });
        Ok(found.await?.unwrap_or_default())
    }

    /// The cached value for `key`, or what `load` reads, kept unless the directory changed meanwhile.
    /// Only found values are kept; `load` is called only on a miss.
    ///
    /// The load's future is built only when it runs, and on the heap: a database read's future is
    /// kilobytes, and held inline it would make every caller's future as large, to be copied on every
    /// request even when the cache answers.
    pub async fn get_or_load_found<K, V, F>(
        self: &Arc<Self>,
        map: &TtlMap<K, V>,
        key: K,
        load: impl FnOnce() -> F,
    ) -> StoreResult<Option<V>>
    where
        K: Eq + Hash,
        V: Clone,
        F: Future<Output = StoreResult<Option<V>>>,
    {
        if let Some(value) = self.cached(map, &key) {
            return Ok(Some(value));
        }
        let ticket = self.ticket();
        let found = Box::pin(load()).await?;
        if let Some(value) = &found {
            self.keep(map, key, value.clone(), ticket);
        }
        Ok(found)
    }

    /// The value held for `key`, if it is fresh; starts a check of the directory version when one is due.
    fn cached<K: Eq + Hash, V: Clone>(self: &Arc<Self>, map: &TtlMap<K, V>, key: &K) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let now = self.clock.monotonic();
        let (check, stale_before) = {
            let mut verification = self.verification();
            (verification.start_check_if_due(now, self.ttl), verification.stale_before(now, self.ttl))
        };
        if let Some(started) = check {
            self.spawn_check(started);
        }
        map.get(key, stale_before)
    }

    fn verification(&self) -> std::sync::MutexGuard<'_, Verification> {
        self.verification.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the directory version in a task of its own; see [`checked`](Self::checked).
    fn spawn_check(self: &Arc<Self>, started: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // Nowhere to run it: leave the check to the next caller.
            self.checked(started, None);
            return;
        };
        let (cache, read) = (Arc::clone(self), (self.read_version)());
        runtime.spawn(async move {
            let version = read.await.inspect_err(|err| {
                tracing::warn!(error = %err, "reading the directory version failed; cached entries expire meanwhile");
            });
            cache.checked(started, version.ok());
        });
    }

    /// Takes in the version that a check `started` then found, `None` when it failed. The version the
    /// entries were read at confirms them all as of the check's start; any other empties the cache.
    fn checked(&self, started: Duration, found: Option<i64>) {
        let mut verification = self.verification();
        verification.checking = false;
        let Some(found) = found else { return };
        if verification.version != Some(found) {
            self.clear();
            verification.version = Some(found);
        }
        verification.confirmed_at = verification.confirmed_at.max(Some(started));
    }

    /// Forgets everything: called on every directory write of this process.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.tenants.clear();
        self.apps.clear();
        self.clients.clear();
        self.secrets.clear();
        self.certificates.clear();
        self.resources.clear();
        self.role_assignments.clear();
        self.group_assignments.clear();
        self.users.clear();
        self.delegated.clear();
        self.sessions.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicI64;

    use super::*;
    use crate::store::StoreError;

    const TTL: Duration = Duration::from_secs(60);

    /// A directory version that a test sets, and how many times the cache read it.
    #[derive(Default)]
    struct Directory {
        version: AtomicI64,
        reads: AtomicU64,
    }

    fn cache_of(directory: &Arc<Directory>, ttl: Duration) -> Arc<DirectoryCache> {
        let directory = Arc::clone(directory);
        let read_version: VersionSource = Box::new(move || {
            directory.reads.fetch_add(1, Ordering::Relaxed);
            let version = directory.version.load(Ordering::Relaxed);
            Box::pin(async move { Ok(version) })
        });
        Arc::new(DirectoryCache::new(ttl, read_version, Clock::manual(1_000_000)))
    }

    fn cache() -> Arc<DirectoryCache> {
        cache_of(&Arc::default(), TTL)
    }

    /// A cache and its clock's reading now.
    fn started(cache: Arc<DirectoryCache>) -> (Arc<DirectoryCache>, Duration) {
        let start = cache.clock.monotonic();
        (cache, start)
    }

    /// `secs` seconds after `start`.
    fn at(start: Duration, secs: u64) -> Duration {
        start + Duration::from_secs(secs)
    }

    /// Holds the tenant "contoso", named `name` and read at `read_at`.
    fn hold(cache: &DirectoryCache, name: &str, read_at: Duration) {
        cache.tenants.put("contoso".into(), Tenant { display_name: name.into(), ..tenant() }, read_at);
    }

    /// The name of the tenant "contoso" a lookup finds at `now`.
    fn lookup(cache: &DirectoryCache, now: Duration) -> Option<String> {
        cache
            .tenants
            .get(&"contoso".into(), cache.verification().stale_before(now, cache.ttl))
            .map(|tenant| tenant.display_name)
    }

    /// Runs a check at `now` that finds `version`, as the task a lookup starts would.
    fn check(cache: &DirectoryCache, now: Duration, version: Option<i64>) {
        let started = check_due(cache, now).expect("a check is due");
        cache.checked(started, version);
    }

    /// Starts a check at `now` if one is due, as a lookup would.
    fn check_due(cache: &DirectoryCache, now: Duration) -> Option<Duration> {
        cache.verification().start_check_if_due(now, cache.ttl)
    }

    /// Lets the tasks started so far run to their end.
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[test]
    fn an_entry_lives_its_ttl_from_its_read() {
        let (cache, start) = started(cache());
        hold(&cache, "read", start);
        assert_eq!(lookup(&cache, at(start, 59)).as_deref(), Some("read"));
        assert_eq!(lookup(&cache, at(start, 60)), None);
    }

    #[test]
    fn a_check_is_due_at_half_the_ttl_and_one_runs_at_a_time() {
        let (cache, start) = started(cache());
        let first = check_due(&cache, start).expect("no version was ever confirmed");
        assert!(check_due(&cache, at(start, 1)).is_none(), "a second check while the first runs");
        cache.checked(first, Some(1));
        assert!(check_due(&cache, at(start, 29)).is_none());
        assert!(check_due(&cache, at(start, 30)).is_some());
    }

    #[test]
    fn a_confirmed_version_vouches_for_every_entry_for_another_ttl() {
        let (cache, start) = started(cache());
        check(&cache, start, Some(7));
        hold(&cache, "read", at(start, 1));
        check(&cache, at(start, 50), Some(7));
        assert_eq!(lookup(&cache, at(start, 109)).as_deref(), Some("read"));
        assert_eq!(lookup(&cache, at(start, 110)), None);
    }

    #[test]
    fn a_new_version_empties_the_cache_and_what_was_being_read_is_not_kept() {
        let (cache, start) = started(cache());
        check(&cache, start, Some(7));
        hold(&cache, "read at 7", at(start, 1));
        let reading = cache.ticket();
        check(&cache, at(start, 30), Some(8));
        assert_eq!(lookup(&cache, at(start, 31)), None);
        let value = Tenant { display_name: "read before the check".into(), ..tenant() };
        cache.keep(&cache.tenants, "contoso".into(), value, reading);
        assert_eq!(lookup(&cache, at(start, 31)), None);
        // The new version is the one later checks compare with.
        hold(&cache, "read at 8", at(start, 31));
        check(&cache, at(start, 60), Some(8));
        assert_eq!(lookup(&cache, at(start, 100)).as_deref(), Some("read at 8"));
    }

    #[test]
    fn the_first_check_empties_what_was_read_before_any_version_was_known() {
        let (cache, start) = started(cache());
        hold(&cache, "read", start);
        check(&cache, at(start, 1), Some(3));
        assert_eq!(lookup(&cache, at(start, 2)), None);
    }

    #[test]
    fn after_a_failed_check_entries_expire_and_the_next_lookup_checks_again() {
        let (cache, start) = started(cache());
        check(&cache, start, Some(7));
        hold(&cache, "read", at(start, 1));
        check(&cache, at(start, 30), None);
        assert!(check_due(&cache, at(start, 30)).is_some());
        assert_eq!(lookup(&cache, at(start, 60)).as_deref(), Some("read"));
        assert_eq!(lookup(&cache, at(start, 61)), None);
    }

    #[test]
    fn a_value_read_before_a_write_of_this_process_is_not_kept() {
        let (cache, start) = started(cache());
        let reading = cache.ticket();
        cache.clear();
        let value = Tenant { display_name: "read before the write".into(), ..tenant() };
        cache.keep(&cache.tenants, "contoso".into(), value, reading);
        assert_eq!(lookup(&cache, start), None);
    }

    /// The display name of the tenant the cache holds for "contoso", or of the one it loads: `loaded`.
    async fn name_of(cache: &Arc<DirectoryCache>, loaded: &'static str) -> String {
        let load = || async move { Ok(Some(Tenant { display_name: loaded.into(), ..tenant() })) };
        let found = cache.get_or_load_found(&cache.tenants, "contoso".into(), load).await.unwrap();
        found.unwrap().display_name
    }

    #[tokio::test]
    async fn lookups_check_the_version_in_a_task_once_per_half_ttl_whatever_the_number_of_entries() {
        let directory = Arc::new(Directory::default());
        let cache = cache_of(&directory, TTL);
        // The first lookup starts the first check, which empties what was read before it.
        name_of(&cache, "first").await;
        settle().await;
        for key in 0..100 {
            let value = cache.get_or_load_found(&cache.tenants, key.to_string(), || async { Ok(Some(tenant())) });
            assert!(value.await.unwrap().is_some());
        }
        settle().await;
        for key in 0..100 {
            let value = cache.get_or_load_found(&cache.tenants, key.to_string(), not_loaded);
            assert!(value.await.unwrap().is_some());
        }
        assert_eq!(directory.reads.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_change_seen_by_a_check_makes_the_next_lookup_read_the_database() {
        let directory = Arc::new(Directory::default());
        let cache = cache_of(&directory, Duration::from_secs(2));
        assert_eq!(name_of(&cache, "first").await, "first");
        settle().await;
        assert_eq!(name_of(&cache, "second").await, "second");
        assert_eq!(name_of(&cache, "not read").await, "second");
        directory.version.store(1, Ordering::Relaxed);
        cache.clock.advance_by(Duration::from_millis(1_100));
        // Past half the time-to-live this lookup starts a check, and gets the entry meanwhile.
        assert_eq!(name_of(&cache, "not read").await, "second");
        settle().await;
        assert_eq!(name_of(&cache, "third").await, "third");
        assert_eq!(directory.reads.load(Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn a_failed_load_is_an_error_and_a_zero_ttl_caches_nothing() {
        let cache = cache_of(&Arc::default(), Duration::ZERO);
        let failing = || async { Err(StoreError::Corrupt("unreachable database".into())) };
        let err = cache.get_or_load_found(&cache.tenants, "contoso".into(), failing).await.unwrap_err();
        assert_eq!(err.to_string(), "stored data is unreadable: unreachable database");
        assert_eq!(name_of(&cache, "first").await, "first");
        assert_eq!(name_of(&cache, "second").await, "second");
    }

    fn tenant() -> Tenant {
        Tenant { id: TenantId::new_random(), display_name: "Contoso".into(), domains: vec![] }
    }

    /// The loader of an entry the cache must answer: calling it fails the test.
    fn not_loaded() -> std::future::Ready<StoreResult<Option<Tenant>>> {
        panic!("a cached entry was loaded again")
    }
}
