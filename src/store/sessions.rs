//! Browser sign-in sessions, stored by the hash of their cookie value: the database never holds a
//! value that could be replayed as a cookie.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::entity::session;
use super::{Store, StoreResult, begin_directory_change, parse_id};
use crate::clock::UnixTime;
use crate::domain::session::Session;

impl Store {
    /// Stores a session under `session_hash` (see [`crate::secrets::token_hash`]).
    pub async fn insert_session(&self, session_hash: &str, session: &Session) -> StoreResult<()> {
        let db = self.writing().await;
        let row = session::ActiveModel {
            session_hash: Set(session_hash.to_owned()),
            tenant_id: Set(session.tenant_id.to_string()),
            user_id: Set(session.user_id.to_string()),
            auth_time: Set(session.auth_time),
            expires_at: Set(session.expires_at),
        };
        session::Entity::insert(row).exec_without_returning(&*db).await?;
        Ok(())
    }

    /// The live session with this hash, if any. Read through the directory cache: every silent sign-in
    /// reads it. A sign-out here is seen at once; one on another replica within the cache's lifetime.
    pub async fn session(&self, session_hash: &str, now: UnixTime) -> StoreResult<Option<Session>> {
        let load = || self.session_uncached(session_hash);
        let found = self.cache.get_or_load_found(&self.cache.sessions, session_hash.to_owned(), load).await?;
        Ok(found.filter(|s| s.expires_at > now))
    }

    async fn session_uncached(&self, session_hash: &str) -> StoreResult<Option<Session>> {
        let row = session::Entity::find_by_id(session_hash.to_owned()).one(&self.db).await?;
        row.map(|row| {
            Ok(Session {
                tenant_id: parse_id(&row.tenant_id, "tenant id")?,
                user_id: parse_id(&row.user_id, "user id")?,
                auth_time: row.auth_time,
                expires_at: row.expires_at,
            })
        })
        .transpose()
    }

    /// Ends the session with this hash (sign-out). Ending an unknown session is not an error.
    pub async fn delete_session(&self, session_hash: &str) -> StoreResult<()> {
        let db = self.writing().await;
        let deleted = async {
            let txn = begin_directory_change(&db).await?;
            session::Entity::delete_by_id(session_hash.to_owned()).exec(&txn).await?;
            txn.commit().await?;
            Ok(())
        };
        let deleted = deleted.await;
        self.cache.clear();
        deleted
    }

    /// Deletes expired sessions.
    pub async fn purge_sessions(&self, now: UnixTime) -> StoreResult<u64> {
        let db = self.writing().await;
        let result = session::Entity::delete_many().filter(session::Column::ExpiresAt.lte(now)).exec(&*db).await?;
        Ok(result.rows_affected)
    }
}
