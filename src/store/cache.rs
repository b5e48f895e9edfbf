//! A read-through cache of the directory lookups on the token and silent sign-in hot paths.
//!
//! The database stays the source of truth. Every write through this process's store clears the cache
//! at once; writes by other processes (the CLI, other replicas) are seen within the time-to-live.
//! Only found rows are cached, so a newly created app is never hidden by an earlier "not found".

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// One cached lookup: values by key, each with the time it was read.
pub struct TtlMap<K, V> {
    entries: RwLock<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlMap<K, V> {
    fn new() -> Self {
        Self { entries: RwLock::new(HashMap::new()) }
    }

    fn get(&self, key: &K, ttl: Duration) -> Option<V> {
        let entries = self.entries.read().ok()?;
        entries.get(key).filter(|(at, _)| at.elapsed() < ttl).map(|(_, v)| v.clone())
    }

    fn put(&self, key: K, value: V) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (Instant::now(), value));
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

    fn lookup<K: Eq + Hash, V: Clone>(&self, map: &TtlMap<K, V>, key: &K) -> Option<V> {
        if self.ttl.is_zero() { None } else { map.get(key, self.ttl) }
    }

    /// Keeps `value`, unless the directory changed since `generation` was taken.
    fn store<K: Eq + Hash, V: Clone>(&self, map: &TtlMap<K, V>, key: K, value: V, generation: u64) {
        if !self.ttl.is_zero() && self.generation() == generation {
            map.put(key, value);
        }
    }

    /// The cached value for `key`, or what `load` reads, kept unless the directory changed meanwhile.
    /// `load` is not polled on a hit.
    pub async fn get_or_load<K, V>(
        &self,
        map: &TtlMap<K, V>,
        key: K,
        load: impl Future<Output = StoreResult<V>>,
    ) -> StoreResult<V>
    where
        K: Eq + Hash,
        V: Clone,
    {
        if let Some(value) = self.lookup(map, &key) {
            return Ok(value);
        }
        let generation = self.generation();
        let value = load.await?;
        self.store(map, key, value.clone(), generation);
        Ok(value)
    }

    /// [`get_or_load`](Self::get_or_load) for lookups that may find nothing: only found values are kept.
    pub async fn get_or_load_found<K, V>(
        &self,
        map: &TtlMap<K, V>,
        key: K,
        load: impl Future<Output = StoreResult<Option<V>>>,
    ) -> StoreResult<Option<V>>
    where
        K: Eq + Hash,
        V: Clone,
    {
        if let Some(value) = self.lookup(map, &key) {
            return Ok(Some(value));
        }
        let generation = self.generation();
        let found = load.await?;
        if let Some(value) = &found {
            self.store(map, key, value.clone(), generation);
        }
        Ok(found)
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
