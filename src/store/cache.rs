//! A read-through cache of the directory lookups on the token and silent sign-in hot paths.
//!
//! The database stays the source of truth. Every write through this process's store clears the cache
//! at once; writes by other processes (the CLI, other replicas) are seen within the time-to-live.
//! Only found rows are cached, so a newly created app is never hidden by an earlier "not found".
//!
//! Entries are refreshed ahead of their expiry: once an entry is half its time-to-live old, the first
//! caller to see it reloads it while every other caller goes on using it. A busy entry therefore never
//! expires, and the requests in flight when it would have do not all miss together and queue on the
//! database for the same row (at 32 connections those bursts were most of the token endpoint's slowest
//! tenth of a percent). Nothing older than the time-to-live is ever returned, so a caller that claims
//! a refresh and is cancelled before finishing it costs nothing but that refresh: the entry expires
//! and the next caller loads it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    pub tenants: TtlMap<String, Tenant>,
    pub apps: TtlMap<AppId, Application>,
    pub clients: TtlMap<(TenantId, AppId), (ServicePrincipal, Application)>,
    pub secrets: TtlMap<(TenantId, AppId), Vec<PasswordCredential>>,
    pub certificates: TtlMap<(TenantId, AppId), Vec<KeyCredential>>,
    pub resources: TtlMap<(TenantId, String), (ServicePrincipal, Application)>,
    pub role_assignments: TtlMap<(TenantId, ObjectId, ObjectId), Vec<AppRoleAssignment>>,
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
    /// A cache whose entries live `ttl`; a zero `ttl` caches nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            tenants: TtlMap::new(),
            apps: TtlMap::new(),
            clients: TtlMap::new(),
            secrets: TtlMap::new(),
            certificates: TtlMap::new(),
            resources: TtlMap::new(),
            role_assignments: TtlMap::new(),
            users: TtlMap::new(),
            delegated: TtlMap::new(),
            sessions: TtlMap::new(),
        }
    }

    /// The generation to pass to `store` for a value about to be read.
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn lookup<K: Eq + Hash, V: Clone>(&self, map: &TtlMap<K, V>, key: &K) -> Cached<V> {
        if self.ttl.is_zero() { Cached::Missing } else { map.get(key, self.ttl, Instant::now()) }
    }

    /// Keeps `value`, read at `read_at`, unless the directory changed since `generation` was taken.
    fn store<K: Eq + Hash, V: Clone>(&self, map: &TtlMap<K, V>, key: K, value: V, generation: u64, read_at: Instant) {
        if !self.ttl.is_zero() && self.generation() == generation {
            map.put(key, value, read_at);
        }
    }

    /// The cached value for `key`, or what `load` reads; see [`get_or_load_found`](Self::get_or_load_found).
    pub async fn get_or_load<K, V, F>(&self, map: &TtlMap<K, V>, key: K, load: impl FnOnce() -> F) -> StoreResult<V>
    where
        K: Eq + Hash,
        V: Clone + Default,
        F: Future<Output = StoreResult<V>>,
    {
        let found = self.get_or_load_found(map, key, || async { load().await.map(Some) }).await?;
        Ok(found.unwrap_or_default())
    }

    /// The cached value for `key`, or what `load` reads, kept unless the directory changed meanwhile.
    /// Only found values are kept. `load` is called only on a miss, and by the one caller that refreshes
    /// an entry past half its time-to-live: a refresh that finds nothing forgets the entry, and one that
    /// fails returns the entry, still valid, and leaves it for another caller to refresh.
    ///
    /// The load's future is built only when it runs, and on the heap: a database read's future is
    /// kilobytes, and held inline it would make every caller's future as large, to be copied on every
    /// request even when the cache answers.
    pub async fn get_or_load_found<K, V, F>(
        &self,
        map: &TtlMap<K, V>,
        key: K,
        load: impl FnOnce() -> F,
    ) -> StoreResult<Option<V>>
    where
        K: Eq + Hash,
        V: Clone,
        F: Future<Output = StoreResult<Option<V>>>,
    {
        let cached = match self.lookup(map, &key) {
            Cached::Fresh(value) => return Ok(Some(value)),
            Cached::Due(value) => Some(value),
            Cached::Missing => None,
        };
        let generation = self.generation();
        let read_at = Instant::now();
        match (Box::pin(load()).await, cached) {
            (Ok(Some(value)), _) => {
                self.store(map, key, value.clone(), generation, read_at);
                Ok(Some(value))
            }
            (Ok(None), refreshed) => {
                if refreshed.is_some() {
                    map.remove(&key);
                }
                Ok(None)
            }
            (Err(err), Some(value)) => {
                tracing::warn!(error = %err, "refreshing a cached directory entry failed; using it until it expires");
                map.release(&key);
                Ok(Some(value))
            }
            (Err(err), None) => Err(err),
        }
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

    /// A map holding `value` for key 1, read `age` ago.
    fn map_with(value: &str, age: Duration) -> TtlMap<u32, String> {
        let map = TtlMap::new();
        map.put(1, value.to_owned(), Instant::now().checked_sub(age).unwrap());
        map
    }

    /// The loader of an entry the cache must answer: calling it fails the test.
    fn not_loaded() -> std::future::Ready<StoreResult<Option<String>>> {
        panic!("a fresh entry was loaded again")
    }

    async fn loads(value: &str) -> StoreResult<Option<String>> {
        Ok(Some(value.to_owned()))
    }

    #[tokio::test]
    async fn an_entry_younger_than_half_its_ttl_is_used_as_it_is() {
        let cache = DirectoryCache::new(TTL);
        let map = map_with("cached", Duration::from_secs(29));
        assert_eq!(cache.get_or_load_found(&map, 1, not_loaded).await.unwrap().as_deref(), Some("cached"));
    }

    #[tokio::test]
    async fn past_half_its_ttl_one_caller_reloads_an_entry_while_the_others_use_it() {
        let cache = DirectoryCache::new(TTL);
        let map = map_with("old", Duration::from_secs(31));
        let refresh = async {
            // Another request, arriving while this one reloads, is served the entry it holds.
            let meanwhile = cache.get_or_load_found(&map, 1, not_loaded).await.unwrap();
            assert_eq!(meanwhile.as_deref(), Some("old"));
            loads("new").await
        };
        assert_eq!(cache.get_or_load_found(&map, 1, || refresh).await.unwrap().as_deref(), Some("new"));
        assert_eq!(cache.get_or_load_found(&map, 1, not_loaded).await.unwrap().as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn an_entry_as_old_as_its_ttl_is_never_returned() {
        let cache = DirectoryCache::new(TTL);
        let map = map_with("expired", TTL);
        assert_eq!(cache.get_or_load_found(&map, 1, || loads("reread")).await.unwrap().as_deref(), Some("reread"));
    }

    #[tokio::test]
    async fn a_failed_refresh_returns_the_entry_and_leaves_the_refresh_to_the_next_caller() {
        let cache = DirectoryCache::new(TTL);
        let map = map_with("old", Duration::from_secs(31));
        let failing = async { Err(StoreError::Corrupt("unreachable database".into())) };
        assert_eq!(cache.get_or_load_found(&map, 1, || failing).await.unwrap().as_deref(), Some("old"));
        assert_eq!(cache.get_or_load_found(&map, 1, || loads("new")).await.unwrap().as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn a_failed_load_of_a_missing_entry_is_an_error() {
        let cache = DirectoryCache::new(TTL);
        let map = map_with("expired", TTL);
        let failing = async { Err(StoreError::Corrupt("unreachable database".into())) };
        let err = cache.get_or_load_found(&map, 1, || failing).await.unwrap_err();
        assert_eq!(err.to_string(), "stored data is unreadable: unreachable database");
    }

    #[tokio::test]
    async fn a_refresh_that_finds_nothing_forgets_the_entry() {
        let cache = DirectoryCache::new(TTL);
        let map = map_with("deleted elsewhere", Duration::from_secs(31));
        assert_eq!(cache.get_or_load_found(&map, 1, || async { Ok(None) }).await.unwrap(), None);
        assert_eq!(cache.get_or_load_found(&map, 1, || async { Ok(None) }).await.unwrap(), None);
        assert_eq!(
            cache.get_or_load_found(&map, 1, || loads("created again")).await.unwrap().as_deref(),
            Some("created again")
        );
    }

    #[tokio::test]
    async fn a_value_read_before_a_write_of_this_process_is_returned_but_not_kept() {
        let cache = DirectoryCache::new(TTL);
        let tenant = |name: &str| Tenant { id: TenantId::new_random(), display_name: name.into(), domains: vec![] };
        let read_at = Instant::now().checked_sub(Duration::from_secs(31)).unwrap();
        cache.tenants.put("contoso".into(), tenant("old"), read_at);
        let refresh_overtaken_by_a_write = async {
            cache.clear();
            Ok(Some(tenant("read before the write")))
        };
        let value = cache.get_or_load_found(&cache.tenants, "contoso".into(), || refresh_overtaken_by_a_write).await;
        assert_eq!(value.unwrap().unwrap().display_name, "read before the write");
        let after = cache.get_or_load_found(&cache.tenants, "contoso".into(), || async { Ok(Some(tenant("after"))) });
        assert_eq!(after.await.unwrap().unwrap().display_name, "after");
    }
}
