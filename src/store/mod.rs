//! The directory store: sea-orm over SQLite or PostgreSQL. Queries are tenant-scoped and return domain
//! types; entities never leave this module.

mod apps;
mod assertions;
mod cache;
mod codes;
pub mod entity;
mod grants;
mod refresh_tokens;
mod sessions;
mod signing_keys;
mod tenants;
mod users;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, TransactionTrait};

pub use apps::{NewApplication, ResourceLookup};
pub use grants::GrantTo;
pub use signing_keys::StoredKey;
pub use users::User;

/// Why a store call did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The directory store. Cheap to clone: the connection is a pool and the cache is shared.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    cache: Arc<cache::DirectoryCache>,
}

/// How long cached directory lookups live unless configured: the longest a change made by another
/// process takes to reach this one.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(1);

/// The PostgreSQL advisory lock id that serialises migrations ("signet" in ASCII).
const MIGRATION_LOCK: i64 = 0x7369_676e_6574;

impl Store {
    /// Connects to `url` with the default cache time-to-live.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with_cache(url, DEFAULT_CACHE_TTL).await
    }

    /// Connects to `url`, creating the SQLite file's folder when needed; cached lookups live `cache_ttl`.
    pub async fn connect_with_cache(url: &str, cache_ttl: Duration) -> StoreResult<Self> {
        let sqlite_dir =
            sqlite_path(url).and_then(|p| std::path::Path::new(p).parent()).filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = sqlite_dir {
            std::fs::create_dir_all(dir).map_err(|e| DbErr::Custom(format!("{}: {e}", dir.display())))?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options.sqlx_logging(false).max_connections(if sqlite_path(url).is_some() { 8 } else { 16 });
        let db = Database::connect(options).await?;
        if sqlite_path(url).is_some() {
            // WAL (a property of the database file) lets readers proceed while a writer commits. sqlx
            // already turns on foreign keys and a 5 s busy timeout on every pooled connection.
            db.execute_unprepared("PRAGMA journal_mode=WAL;").await?;
        }
        Ok(Self { db, cache: Arc::new(cache::DirectoryCache::new(cache_ttl)) })
    }

    /// Applies pending migrations. On PostgreSQL, replicas that start together take turns: each holds
    /// an advisory lock for the transaction that migrates, and the next finds nothing left to do.
    pub async fn migrate(&self) -> StoreResult<()> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            Migrator::up(&self.db, None).await?;
            return Ok(());
        }
        let txn = self.db.begin().await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")).await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        self.db.ping().await?;
        Ok(())
    }

    pub async fn close(self) -> StoreResult<()> {
        self.db.close().await?;
        Ok(())
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Parses a stored GUID column.
fn parse_id<T: FromStr>(value: &str, what: &'static str) -> StoreResult<T> {
    value.parse().map_err(|_| StoreError::Corrupt(format!("{what} '{value}'")))
}

/// Parses a stored JSON column.
fn parse_json<T: serde::de::DeserializeOwned>(value: &str, what: &'static str) -> StoreResult<T> {
    serde_json::from_str(value).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// Whether `err` is a unique-constraint violation (the same on SQLite and PostgreSQL through sqlx).
fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
