//! A read-through cache of the directory lookups on the token and silent sign-in hot paths.
//!
//! The database stays the source of truth. Every write through this process's store clears the cache
//! at once; writes by other processes (the CLI, other replicas) are seen within the time-to-live.
//! Only found rows are cached, so a newly created app is never hidden by an earlier "not found".
//!
//! Entries are refreshed ahead of their expiry: once an entry is half its time-to-live old, the first
//! caller to see it starts a task that reloads it, and that caller, like every other, goes on using the
//! entry meanwhile. A busy entry therefore never expires, the requests in flight when it would have do
//! not all miss together and queue on the database for the same row (at 32 connections those bursts
//! were most of the token endpoint's slowest tenth of a percent), and no request waits for a refresh.
//! (A request that did went to the back of the worker's queue: at 32 connections the slowest took 13 to
//! 29 ms inside the server; with refreshes in tasks of their own, 4.4 ms, as with no refresh at all.)
//! Nothing older than the time-to-live is ever returned, so a refresh that never finishes costs nothing
//! but itself: the entry expires and the next caller loads it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::domain::app::{
    AppRoleAssignment, Application, KeyCredential, PasswordCredential, PermissionGrant, ServicePrincipal,
};
use crate::domain::ids::{AppId, ObjectId, TenantId};
use crate::domain::session::Session;
use crate::domain::tenant::Tenant;
use crate::store::{StoreResult, User};

/// Entries per map before it is emptied; bounds memory whatever clients send.
const MAX_ENTRIES: usize = 10_000;

/// A cached value, when it was read, and whether a caller has taken on reloading it.
struct Entry<V> {
    read_at: Instant,
    refreshing: AtomicBool,
    value: V,
}

/// What a lookup found.
enum Cached<V> {
    /// Nothing, or nothing younger than the time-to-live.
    Missing,
    /// A value to use as it is.
    Fresh(V),
    /// A value past half its time-to-live, which this caller is the one to reload.
    Due(V),
}

/// The directory's generation and the time when a value was about to be read.
#[derive(Clone, Copy)]
pub(super) struct Ticket {
    generation: u64,
    read_at: Instant,
}

/// One cached lookup: values by key, each with the time it was read.
pub struct TtlMap<K, V> {
    entries: RwLock<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash, V: Clone> TtlMap<K, V> {
    fn new() -> Self {
        Self { entries: RwLock::new(HashMap::new()) }
    }

    fn get(&self, key: &K, ttl: Duration, now: Instant) -> Cached<V> {
        let Ok(entries) = self.entries.read() else { return Cached::Missing };
        let Some(entry) = entries.get(key) else { return Cached::Missing };
        let age = now.saturating_duration_since(entry.read_at);
        if age >= ttl {
            Cached::Missing
        } else if age >= ttl / 2
            && entry.refreshing.compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed).is_ok()
        {
            Cached::Due(entry.value.clone())
        } else {
            Cached::Fresh(entry.value.clone())
        }
    }

    fn put(&self, key: K, value: V, read_at: Instant) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, Entry { read_at, refreshing: AtomicBool::new(false), value });
        }
    }

    /// Lets another caller reload `key`, after this one could not.
    fn release(&self, key: &K) {
        if let Ok(entries) = self.entries.read()
            && let Some(entry) = entries.get(key)
        {
            entry.refreshing.store(false, Ordering::Release);
        }
    }

    fn remove(&self, key: &K) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(key);
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
    generation: AtomicU64,
    pub tenants: Arc<TtlMap<String, Tenant>>,
    pub apps: Arc<TtlMap<AppId, Application>>,
    pub clients: Arc<TtlMap<(TenantId, AppId), (ServicePrincipal, Application)>>,
    pub secrets: Arc<TtlMap<(TenantId, AppId), Vec<PasswordCredential>>>,
    pub certificates: Arc<TtlMap<(TenantId, AppId), Vec<KeyCredential>>>,
    pub resources: Arc<TtlMap<(TenantId, String), (ServicePrincipal, Application)>>,
    pub role_assignments: Arc<TtlMap<(TenantId, ObjectId, ObjectId), Vec<AppRoleAssignment>>>,
    pub users: Arc<TtlMap<(TenantId, ObjectId), User>>,
    /// Delegated grants by (tenant, client service principal, user): the tenant-wide ones and the user's.
    pub delegated: Arc<TtlMap<(TenantId, ObjectId, ObjectId), Vec<PermissionGrant>>>,
    /// Sign-in sessions by the hash of their cookie value.
    pub sessions: Arc<TtlMap<String, Session>>,
}

impl std::fmt::Debug for DirectoryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl DirectoryCache {
    /// A cache whose entries live `ttl`; a zero `ttl` caches nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            tenants: Arc::new(TtlMap::new()),
            apps: Arc::new(TtlMap::new()),
            clients: Arc::new(TtlMap::new()),
            secrets: Arc::new(TtlMap::new()),
            certificates: Arc::new(TtlMap::new()),
            resources: Arc::new(TtlMap::new()),
            role_assignments: Arc::new(TtlMap::new()),
            users: Arc::new(TtlMap::new()),
            delegated: Arc::new(TtlMap::new()),
            sessions: Arc::new(TtlMap::new()),
        }
    }

    /// What [`keep`](Self::keep) needs to know about a value about to be read.
    pub(super) fn ticket(&self) -> Ticket {
        Ticket { generation: self.generation.load(Ordering::Acquire), read_at: Instant::now() }
    }

    /// Keeps `value`, read under `ticket`, unless the directory changed since the ticket was taken.
    pub(super) fn keep<K: Eq + Hash, V: Clone>(&self, map: &TtlMap<K, V>, key: K, value: V, ticket: Ticket) {
        if !self.ttl.is_zero() && self.generation.load(Ordering::Acquire) == ticket.generation {
            map.put(key, value, ticket.read_at);
        }
    }

    /// The cached value for `key`, or what `load` reads; see [`get_or_load_found`](Self::get_or_load_found).
    pub async fn get_or_load<K, V, F>(
        self: &Arc<Self>,
        map: &Arc<TtlMap<K, V>>,
        key: K,
        load: impl Fn() -> F,
    ) -> StoreResult<V>
    where
        K: Eq + Hash + Clone + Send + Sync + 'static,
        V: Clone + Default + Send + Sync + 'static,
        F: Future<Output = StoreResult<V>> + Send + 'static,
    {
        let found = self.get_or_load_found(map, key, || {
            let load = load();
            async move { load.await.map(Some) }
        });
        Ok(found.await?.unwrap_or_default())
    }

    /// The cached value for `key`, or what `load` reads, kept unless the directory changed meanwhile.
    /// Only found values are kept. `load` is called on a miss, and by the one caller that finds an entry
    /// past half its time-to-live; see [`cached`](Self::cached).
    ///
    /// The load's future is built only when it runs, and on the heap: a database read's future is
    /// kilobytes, and held inline it would make every caller's future as large, to be copied on every
    /// request even when the cache answers.
    pub async fn get_or_load_found<K, V, F>(
        self: &Arc<Self>,
        map: &Arc<TtlMap<K, V>>,
        key: K,
        load: impl Fn() -> F,
    ) -> StoreResult<Option<V>>
    where
        K: Eq + Hash + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Future<Output = StoreResult<Option<V>>> + Send + 'static,
    {
        if let Some(value) = self.cached(map, &key, &load) {
            return Ok(Some(value));
        }
        let ticket = self.ticket();
        let found = Box::pin(load()).await?;
        if let Some(value) = &found {
            self.keep(map, key, value.clone(), ticket);
        }
        Ok(found)
    }

    /// The value held for `key`, if any. The first caller to find it past half its time-to-live starts
    /// `load` in a task of its own, and gets the value as it is: a refresh that finds the entry keeps
    /// the new value, one that finds nothing forgets the entry, and one that fails leaves the entry, still
    /// valid, for the next caller to refresh.
    pub fn cached<K, V, F>(self: &Arc<Self>, map: &Arc<TtlMap<K, V>>, key: &K, load: impl FnOnce() -> F) -> Option<V>
    where
        K: Eq + Hash + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Future<Output = StoreResult<Option<V>>> + Send + 'static,
    {
        if self.ttl.is_zero() {
            return None;
        }
        match map.get(key, self.ttl, Instant::now()) {
            Cached::Missing => None,
            Cached::Fresh(value) => Some(value),
            Cached::Due(value) => {
                self.refresh(map, key.clone(), load());
                Some(value)
            }
        }
    }

    /// Runs `load` in a task of its own and keeps what it finds under `key`.
    fn refresh<K, V>(
        self: &Arc<Self>,
        map: &Arc<TtlMap<K, V>>,
        key: K,
        load: impl Future<Output = StoreResult<Option<V>>> + Send + 'static,
    ) where
        K: Eq + Hash + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // Nowhere to run it: leave the refresh to the next caller.
            map.release(&key);
            return;
        };
        let (cache, map, ticket) = (Arc::clone(self), Arc::clone(map), self.ticket());
        runtime.spawn(async move {
            match load.await {
                Ok(Some(value)) => cache.keep(&map, key, value, ticket),
                Ok(None) => map.remove(&key),
                Err(err) => {
                    tracing::warn!(error = %err, "refreshing a cached directory entry failed; using it until it expires");
                    map.release(&key);
                }
            }
        });
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
        self.users.clear();
        self.delegated.clear();
        self.sessions.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    const TTL: Duration = Duration::from_secs(60);

    fn cache() -> Arc<DirectoryCache> {
        Arc::new(DirectoryCache::new(TTL))
    }

    /// A map holding `value` for key 1, read `age` ago.
    fn map_with(value: &str, age: Duration) -> Arc<TtlMap<u32, String>> {
        let map = TtlMap::new();
        map.put(1, value.to_owned(), Instant::now().checked_sub(age).unwrap());
        Arc::new(map)
    }

    /// The loader of an entry the cache must answer: calling it fails the test.
    fn not_loaded() -> std::future::Ready<StoreResult<Option<String>>> {
        panic!("a fresh entry was loaded again")
    }

    async fn loads(value: &'static str) -> StoreResult<Option<String>> {
        Ok(Some(value.to_owned()))
    }

    async fn fails() -> StoreResult<Option<String>> {
        Err(StoreError::Corrupt("unreachable database".into()))
    }

    /// Lets the refresh tasks started so far run to their end.
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn an_entry_younger_than_half_its_ttl_is_used_as_it_is() {
        let (cache, map) = (cache(), map_with("cached", Duration::from_secs(29)));
        assert_eq!(cache.get_or_load_found(&map, 1, not_loaded).await.unwrap().as_deref(), Some("cached"));
    }

    #[tokio::test]
    async fn past_half_its_ttl_an_entry_is_refreshed_in_the_background_while_every_caller_uses_it() {
        let (cache, map) = (cache(), map_with("old", Duration::from_secs(31)));
        // The first caller starts the refresh and, like the next one, gets the entry as it is.
        assert_eq!(cache.get_or_load_found(&map, 1, || loads("new")).await.unwrap().as_deref(), Some("old"));
        assert_eq!(cache.get_or_load_found(&map, 1, not_loaded).await.unwrap().as_deref(), Some("old"));
        settle().await;
        assert_eq!(cache.get_or_load_found(&map, 1, not_loaded).await.unwrap().as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn an_entry_as_old_as_its_ttl_is_never_returned() {
        let (cache, map) = (cache(), map_with("expired", TTL));
        assert_eq!(cache.get_or_load_found(&map, 1, || loads("reread")).await.unwrap().as_deref(), Some("reread"));
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_entry_and_leaves_the_refresh_to_the_next_caller() {
        let (cache, map) = (cache(), map_with("old", Duration::from_secs(31)));
        assert_eq!(cache.get_or_load_found(&map, 1, fails).await.unwrap().as_deref(), Some("old"));
        settle().await;
        assert_eq!(cache.get_or_load_found(&map, 1, || loads("new")).await.unwrap().as_deref(), Some("old"));
        settle().await;
        assert_eq!(cache.get_or_load_found(&map, 1, not_loaded).await.unwrap().as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn a_failed_load_of_a_missing_entry_is_an_error() {
        let (cache, map) = (cache(), map_with("expired", TTL));
        let err = cache.get_or_load_found(&map, 1, fails).await.unwrap_err();
        assert_eq!(err.to_string(), "stored data is unreadable: unreachable database");
    }

    #[tokio::test]
    async fn a_refresh_that_finds_nothing_forgets_the_entry() {
        let (cache, map) = (cache(), map_with("deleted elsewhere", Duration::from_secs(31)));
        let nothing = || async { Ok(None) };
        assert_eq!(cache.get_or_load_found(&map, 1, nothing).await.unwrap().as_deref(), Some("deleted elsewhere"));
        settle().await;
        assert_eq!(cache.get_or_load_found(&map, 1, nothing).await.unwrap(), None);
        assert_eq!(
            cache.get_or_load_found(&map, 1, || loads("created again")).await.unwrap().as_deref(),
            Some("created again")
        );
    }

    #[tokio::test]
    async fn a_value_read_before_a_write_of_this_process_is_not_kept() {
        fn tenant(name: &str) -> Tenant {
            Tenant { id: TenantId::new_random(), display_name: name.into(), domains: vec![] }
        }
        let cache = cache();
        let read_at = Instant::now().checked_sub(Duration::from_secs(31)).unwrap();
        cache.tenants.put("contoso".into(), tenant("old"), read_at);
        let writer = Arc::clone(&cache);
        let refresh_overtaken_by_a_write = move || {
            let writer = Arc::clone(&writer);
            async move {
                writer.clear();
                Ok(Some(tenant("read before the write")))
            }
        };
        let value = cache.get_or_load_found(&cache.tenants, "contoso".into(), refresh_overtaken_by_a_write).await;
        assert_eq!(value.unwrap().unwrap().display_name, "old");
        settle().await;
        let after = cache.get_or_load_found(&cache.tenants, "contoso".into(), || async { Ok(Some(tenant("after"))) });
        assert_eq!(after.await.unwrap().unwrap().display_name, "after");
    }
}
