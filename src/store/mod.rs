//! The directory store: sea-orm over SQLite or PostgreSQL. Queries are tenant-scoped and return domain
//! types; entities never leave this module.

mod apps;
mod assertions;
mod cache;
mod codes;
mod consent_requests;
mod device_codes;
pub mod entity;
mod error;
mod files;
mod filter;
mod grant_admin;
mod grants;
mod groups;
mod policy;
mod principals;
mod redemptions;
mod refresh_tokens;
mod registrations;
mod scoped;
mod sessions;
mod signing_keys;
mod tenants;
mod users;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, QueryFilter, Statement, TransactionTrait,
};

use entity::directory_version;

use crate::clock::Clock;
pub use crate::config::SqliteSync;
pub use apps::ResourceLookup;
pub use principals::{NewAssignment, ServicePrincipalChange};
pub use registrations::RegisteredApp;
pub use sea_orm::sqlx::sqlite::SqliteSynchronous;

/// What a SQLite checkpoint did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Pages in the write-ahead log.
    pub log_pages: i64,
    /// Of those, the pages now copied into the database file.
    pub copied_pages: i64,
}

pub use crate::domain::user::User;
pub use error::{StoreError, StoreResult};
pub use grants::{Consent, GrantTo, Revocation};
pub use groups::MemberKind;
pub use signing_keys::StoredKey;
pub use users::{NewUser, UserChange};

/// The directory store. Cheap to clone: the connection is a pool and the cache is shared.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    cache: Arc<cache::DirectoryCache>,
    /// SQLite has one writer at a time; a second one gets SQLITE_BUSY and sleeps in growing steps
    /// (1, 2, 5, 10 … 100 ms) before retrying. This process's hot-path writes therefore queue for one
    /// connection of their own, which keeps those sleeps out of the sign-in latency, and keeps that
    /// connection's page cache warm from one write to the next. The maintenance purges queue there too:
    /// a transaction that has read does not sleep and retry when another connection holds the write
    /// lock, it fails at once ("database is locked"), as a consent grant did beside a purge. `None` on
    /// PostgreSQL.
    sqlite_writer: Option<Arc<tokio::sync::Mutex<DatabaseConnection>>>,
    /// Code redemptions waiting to be group-committed (see [`codes`]).
    redemptions: Arc<redemptions::RedemptionQueue>,
}

/// How long cached directory lookups live unless configured: the longest a change made by another
/// process takes to reach this one.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(1);

/// How much of an SQLite database each connection reads through a memory map (256 MiB), rather than
/// with a `read` into its own page cache (2 MiB by default): a big directory's indexes are then shared
/// by the pool's connections through the OS page cache, and a random lookup copies no page
/// (`bench/directory.sh`, a random user of a million).
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// How many pages SQLite's write-ahead log may hold before the connection that commits copies them
/// into the database file itself, syncing both to disk while the commit waits. A running server copies
/// them every second in the background instead ([`Store::keep_checkpointing`]), so this only bounds
/// the log (at 40 MB) when nothing else does: the CLI alone, or a stalled server. SQLite's default is
/// 1,000 pages, which under sign-in load made every few hundredth commit wait for two disk syncs.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// How long a redeemed code or a refresh token is kept after it expires: until then a replay is still
/// recognised as one (afterwards its own expiry refuses it).
const KEEP_AFTER_EXPIRY: i64 = 86_400;

/// The PostgreSQL advisory lock id that serialises migrations ("signet" in ASCII).
const MIGRATION_LOCK: i64 = 0x7369_676e_6574;

impl Store {
    /// Connects to `url` with the default cache time-to-live and SQLite durability, by the system clock.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, DEFAULT_CACHE_TTL, SqliteSync::default(), Clock::System).await
    }

    /// Connects to `url`, creating the SQLite file's folder when needed; cached lookups live `cache_ttl`;
    /// on SQLite, commits are synced to disk as `sync` says; `clock` measures the cache's lifetimes.
    pub async fn connect_with(url: &str, cache_ttl: Duration, sync: SqliteSync, clock: Clock) -> StoreResult<Self> {
        let sqlite_file = sqlite_path(url).map(std::path::Path::new);
        let file_error = |path: &std::path::Path, e: std::io::Error| DbErr::Custom(format!("{}: {e}", path.display()));
        if let Some(path) = sqlite_file {
            files::prepare(path, url.contains("mode=rwc")).map_err(|e| file_error(path, e))?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        // sqlx pings a pooled connection before every query unless told otherwise: one more round trip
        // to SQLite's connection thread, or to PostgreSQL, per query. Only a connection idle long enough
        // for a server, proxy or firewall to have dropped it is worth checking.
        options
            .sqlx_logging(false)
            .max_connections(if sqlite_path(url).is_some() { 8 } else { 16 })
            .test_before_acquire_if_idle_for(Duration::from_secs(30));
        let synchronous = if sync == SqliteSync::Full { SqliteSynchronous::Full } else { SqliteSynchronous::Normal };
        options.map_sqlx_sqlite_opts(move |o| {
            o.synchronous(synchronous)
                .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
        });
        let db = Database::connect(options.clone()).await?;
        let mut sqlite_writer = None;
        if sqlite_path(url).is_some() {
            // WAL (a property of the database file) lets readers proceed while a writer commits. sqlx
            // already turns on foreign keys and a 5 s busy timeout on every pooled connection.
            // `synchronous` is set per connection above.
            db.execute_unprepared("PRAGMA journal_mode=WAL;").await?;
            if let Some(path) = sqlite_file {
                files::narrow(path).map_err(|e| file_error(path, e))?;
            }
            options.max_connections(1).min_connections(1);
            let writer = Database::connect(options).await?;
            sqlite_writer = Some(Arc::new(tokio::sync::Mutex::new(writer)));
        }
        let versions = db.clone();
        let read_version: cache::VersionSource = Box::new(move || {
            let db = versions.clone();
            Box::pin(async move { directory_version(&db).await })
        });
        Ok(Self {
            db,
            cache: Arc::new(cache::DirectoryCache::new(cache_ttl, read_version, clock)),
            sqlite_writer,
            redemptions: Arc::default(),
        })
    }

    /// The connection to write with: on SQLite this process's writer connection, held until the
    /// returned guard is dropped (see `sqlite_writer`); on PostgreSQL the pool.
    async fn writing(&self) -> Writer<'_> {
        match &self.sqlite_writer {
            Some(writer) => Writer::Held(writer.lock().await),
            None => Writer::Pool(&self.db),
        }
    }

    /// On SQLite, copies the pages committed to the write-ahead log into the database file every
    /// `period`, so that no commit on the sign-in path runs a checkpoint and waits for its disk syncs.
    /// A passive checkpoint neither waits for writers nor blocks them. Returns at once on PostgreSQL.
    pub async fn keep_checkpointing(self, period: Duration) {
        if self.sqlite_writer.is_none() {
            return;
        }
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = self.checkpoint().await {
                tracing::warn!(error = %err, "SQLite checkpoint failed; retrying at the next interval");
            }
        }
    }

    /// Runs one passive checkpoint on SQLite: how many pages the write-ahead log holds, and how many of
    /// them are now in the database file. `None` on PostgreSQL.
    pub async fn checkpoint(&self) -> StoreResult<Option<Checkpoint>> {
        if self.sqlite_writer.is_none() {
            return Ok(None);
        }
        let row = self.db.query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(PASSIVE)"));
        let Some(row) = row.await? else { return Ok(None) };
        Ok(Some(Checkpoint { log_pages: row.try_get_by_index(1)?, copied_pages: row.try_get_by_index(2)? }))
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

    /// Closes the pool, and on SQLite the writer connection after any write in progress.
    pub async fn close(self) -> StoreResult<()> {
        if let Some(writer) = &self.sqlite_writer {
            writer.lock().await.clone().close().await?;
        }
        self.db.close().await?;
        Ok(())
    }
}

/// The connection a write goes through (see [`Store::writing`]).
enum Writer<'a> {
    /// SQLite: this process's one writer connection, held until the write is done.
    Held(tokio::sync::MutexGuard<'a, DatabaseConnection>),
    /// PostgreSQL: the pool, which writers share.
    Pool(&'a DatabaseConnection),
}

impl std::ops::Deref for Writer<'_> {
    type Target = DatabaseConnection;

    fn deref(&self) -> &DatabaseConnection {
        match self {
            Self::Held(connection) => connection,
            Self::Pool(pool) => pool,
        }
    }
}

/// The directory version: how many changes to cached directory rows there have been (see [`cache`]).
async fn directory_version(db: &impl ConnectionTrait) -> StoreResult<i64> {
    let row = directory_version::Entity::find_by_id(1).one(db).await?;
    row.map(|row| row.version).ok_or_else(|| StoreError::Corrupt("the directory version row is missing".into()))
}

/// Begins a transaction on `db` that changes cached directory rows, counting the change as its first
/// write, so that every process's cache drops what it holds within its time-to-live (see [`cache`]).
///
/// Writing first also takes SQLite's write lock before the transaction reads anything: a transaction
/// that has read cannot wait for the lock, and fails at once when another connection holds it.
async fn begin_directory_change(db: &DatabaseConnection) -> StoreResult<DatabaseTransaction> {
    let txn = db.begin().await?;
    directory_version::Entity::update_many()
        .col_expr(directory_version::Column::Version, Expr::col(directory_version::Column::Version).add(1))
        .filter(directory_version::Column::Id.eq(1))
        .exec(&txn)
        .await?;
    Ok(txn)
}

/// Whether a lookup by `text`, which a client sent, can find anything. PostgreSQL's `text` holds no NUL
/// character, and a query comparing with one fails there instead of matching nothing; no stored name
/// has one, so such a lookup finds nothing, on either backend, without asking the database.
fn can_match(text: &str) -> bool {
    !text.contains('\0')
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

/// Runs `attempt`, and once more when it failed on a unique constraint: a concurrent writer created the
/// row it was about to create (a service principal on first consent, an app's open consent request),
/// and the second attempt finds that row and uses it.
async fn once_more_if_raced<T, F, Fut>(mut attempt: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = StoreResult<T>>,
{
    match attempt().await {
        Err(StoreError::Db(err)) if is_unique_violation(&err) => attempt().await,
        other => other,
    }
}

/// Whether `err` is a unique-constraint violation (the same on SQLite and PostgreSQL through sqlx).
fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A migrated store on a fresh SQLite file, which lives as long as the returned folder.
    pub(crate) async fn sqlite_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}/t.db?mode=rwc", dir.path().display())).await.unwrap();
        store.migrate().await.unwrap();
        (dir, store)
    }

    /// What the sign-in path writes lives in B-trees clustered on their keys: one B-tree per table and
    /// the refresh tokens' family index, nothing more to update per row.
    #[tokio::test]
    async fn redeemed_codes_and_refresh_tokens_are_clustered_on_their_keys() {
        let (_dir, store) = sqlite_store().await;
        let schema = Statement::from_string(
            DbBackend::Sqlite,
            "SELECT type, name, tbl_name, sql LIKE '%WITHOUT ROWID' FROM sqlite_schema \
             WHERE tbl_name IN ('authorization_codes', 'refresh_tokens') ORDER BY name",
        );
        let rows: Vec<(String, String, String, bool)> = store
            .db
            .query_all_raw(schema)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let text = |i| r.try_get_by_index::<String>(i).unwrap();
                (text(0), text(1), text(2), r.try_get_by_index::<bool>(3).unwrap())
            })
            .collect();
        let row = |kind: &str, name: &str, table: &str, clustered| (kind.into(), name.into(), table.into(), clustered);
        assert_eq!(
            rows,
            [
                row("table", "authorization_codes", "authorization_codes", true),
                row("index", "ix_refresh_tokens_family", "refresh_tokens", false),
                row("table", "refresh_tokens", "refresh_tokens", true),
            ]
        );
    }

    /// Each write that changes what the cache may hold counts once in the directory version, which other
    /// processes watch; writes of rows nothing cached (users, sessions) leave it alone.
    #[tokio::test]
    async fn changes_to_cached_rows_count_in_the_directory_version_and_new_users_and_sessions_do_not() {
        use crate::domain::app::{Application, PasswordCredential, SignInAudience};
        use crate::domain::audit::AuditEvent;
        use crate::domain::ids::{AppId, ObjectId};
        use crate::domain::session::Session;
        use serde_json::json;

        let (_dir, store) = sqlite_store().await;
        let version = async || directory_version(&store.db).await.unwrap();
        assert_eq!(version().await, 0);
        let tenant = store.create_tenant("Contoso", "contoso.example", 1_000).await.unwrap();
        assert_eq!(version().await, 1);
        let app = Application {
            id: ObjectId::new_random(),
            app_id: AppId::new_random(),
            home_tenant: tenant.id,
            display_name: "Daemon".into(),
            sign_in_audience: SignInAudience::AzureADMyOrg,
            identifier_uris: vec![],
            web_redirect_uris: vec![],
            public_client_redirect_uris: vec![],
            spa_redirect_uris: vec![],
            group_membership_claims: crate::domain::group::GroupMembershipClaims::None,
            access_token_version: crate::domain::app::AccessTokenVersion::V2,
            is_public_client: false,
            scopes: vec![],
            app_roles: vec![],
            required_resource_access: vec![],
            verified_publisher: false,
        };
        store.create_app(tenant.id, &app, true, 1_000, None).await.unwrap();
        assert_eq!(version().await, 2);
        let secret = PasswordCredential {
            key_id: uuid::Uuid::new_v4(),
            hint: "abc".into(),
            display_name: None,
            start: 0,
            end: 9,
            hash: vec![],
        };
        let event =
            AuditEvent::new(1_000, uuid::Uuid::new_v4(), "cli".into(), "app.addPassword", "app".into(), json!({}));
        store.add_password_credential(tenant.id, app.app_id, &secret, &event).await.unwrap();
        assert_eq!(version().await, 3);
        let user =
            store.create_user(tenant.id, NewUser::member("a@contoso.example", "A", "hash"), 1_000, None).await.unwrap();
        let session = Session { tenant_id: tenant.id, user_id: user.id, auth_time: 1_000, expires_at: 2_000 };
        store.insert_session("session-hash", &session).await.unwrap();
        assert_eq!(version().await, 3);
        store.delete_session("session-hash").await.unwrap();
        assert_eq!(version().await, 4);
        // A write that fails changes nothing, the version included.
        assert!(store.create_tenant("Other", "contoso.example", 1_000).await.is_err());
        assert_eq!(version().await, 4);
    }

    #[tokio::test]
    async fn commits_leave_the_log_to_the_checkpoint_which_copies_all_of_it() {
        let (_dir, store) = sqlite_store().await;
        store.create_tenant("Contoso", "contoso.example", 1_000).await.unwrap();
        let pragma = Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_autocheckpoint");
        let threshold: i64 = store.db.query_one_raw(pragma).await.unwrap().unwrap().try_get_by_index(0).unwrap();
        assert_eq!(threshold, i64::from(WAL_AUTOCHECKPOINT_PAGES));

        let first = store.checkpoint().await.unwrap().unwrap();
        assert!(first.log_pages > 0, "{first:?}");
        assert_eq!(first.copied_pages, first.log_pages);
        // Nothing new was committed: the log is already in the database file.
        assert_eq!(store.checkpoint().await.unwrap(), Some(first));
    }

    #[cfg(unix)]
    fn mode(path: &std::path::Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map_or(0, |meta| meta.permissions().mode() & 0o777)
    }

    /// A new data directory is 0700; the database and its write-ahead files are 0600 (issue 16, item 7).
    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_database_is_readable_by_its_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let db = root.path().join("data/signet.db");
        let store = Store::connect(&format!("sqlite://{}?mode=rwc", db.display())).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(mode(&root.path().join("data")), 0o700);
        for file in ["signet.db", "signet.db-wal", "signet.db-shm"] {
            assert_eq!(mode(&root.path().join("data").join(file)), 0o600, "{file}");
        }
    }

    /// An older database that others could read is narrowed when the server opens it.
    #[cfg(unix)]
    #[tokio::test]
    async fn an_existing_world_readable_database_is_narrowed() {
        let root = tempfile::tempdir().unwrap();
        let db = root.path().join("signet.db");
        let url = format!("sqlite://{}?mode=rwc", db.display());
        // The first store stays open, so its write-ahead files stay too.
        let first = Store::connect(&url).await.unwrap();
        first.migrate().await.unwrap();
        for file in ["signet.db", "signet.db-wal", "signet.db-shm"] {
            let path = root.path().join(file);
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        }
        let _second = Store::connect(&url).await.unwrap();
        for file in ["signet.db", "signet.db-wal", "signet.db-shm"] {
            assert_eq!(mode(&root.path().join(file)), 0o600, "{file}");
        }
    }
}
