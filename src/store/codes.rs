//! Redeemed authorization codes, keyed by issue time and hash. A code carries its own bindings (sealed into its
//! value), so issuing one writes nothing; redeeming one inserts its row with the refresh token it
//! issues, in one transaction, and the primary key makes sure that of several concurrent redemptions
//! (on any replica) exactly one commits.
//!
//! Redemptions are group-committed: each joins a queue, and whoever next holds the write lock commits
//! everything queued in one transaction. Under load one commit then serves several sign-ins, which on
//! SQLite is most of what a redemption costs (begin, two inserts and commit, each a round trip to the
//! connection's thread); with a single sign-in in flight the batch is that one redemption.

use std::collections::HashSet;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryTrait,
    TransactionTrait,
};
use tokio::sync::oneshot;

use super::entity::{authorization_code, refresh_token};
use super::redemptions::{Pending, Redemption};
use super::refresh_tokens::refresh_row;
use super::{KEEP_AFTER_EXPIRY, Store, StoreResult};
use crate::clock::UnixTime;
use crate::domain::code::AuthorizationCode;
use crate::domain::refresh::RefreshToken;

impl Store {
    /// Records the redemption of `code` (stored under `code_hash`, see [`crate::secrets::token_hash`])
    /// at `now`, with the refresh token it issues (key and bindings), in one transaction. `true` for
    /// the first redemption; `false`, writing nothing, when it was redeemed before.
    pub async fn redeem_code(
        &self,
        code_hash: &str,
        code: &AuthorizationCode,
        now: UnixTime,
        refresh: Option<&(String, RefreshToken)>,
    ) -> StoreResult<bool> {
        let redemption = Redemption {
            code_hash: code_hash.to_owned(),
            code: code_row(code_hash, code, now),
            refresh: refresh.map(|(key, token)| refresh_row(key, token)),
        };
        let (done, outcome) = oneshot::channel();
        self.redemptions.push(Pending { redemption, done });
        // The commit runs as its own task: should this request go away mid-commit, the others in its
        // batch still get their outcomes.
        let store = self.clone();
        tokio::spawn(async move { store.commit_queued().await });
        outcome.await.unwrap_or_else(|_| Err(DbErr::Custom("a redemption's commit was interrupted".to_owned()).into()))
    }

    /// Takes the write connection and commits what is queued. Every redemption queued is followed by
    /// one of these, so none is left behind; often an earlier one has committed it already, and this
    /// one finds the queue empty.
    async fn commit_queued(&self) {
        let db = self.writing().await;
        let batch = self.redemptions.take();
        if !batch.is_empty() {
            commit_redemptions(&db, batch).await;
        }
    }

    /// Whether the code stored under `code_hash`, issued at `issued_at` (as sealed in it), was redeemed.
    pub async fn code_redeemed(&self, code_hash: &str, issued_at: UnixTime) -> StoreResult<bool> {
        let row = authorization_code::Entity::find_by_id((issued_at, code_hash.to_owned())).one(&self.db).await?;
        Ok(row.is_some())
    }

    /// Deletes redeemed codes that expired more than a day ago. A code expires after it is issued, so
    /// the condition on the issue time, the key's prefix, finds them without reading the others.
    pub async fn purge_codes(&self, now: UnixTime) -> StoreResult<u64> {
        let db = self.writing().await;
        let cutoff = now - KEEP_AFTER_EXPIRY;
        let result = authorization_code::Entity::delete_many()
            .filter(authorization_code::Column::IssuedAt.lt(cutoff))
            .filter(authorization_code::Column::ExpiresAt.lt(cutoff))
            .exec(&*db)
            .await?;
        Ok(result.rows_affected)
    }
}

/// Writes `batch` with `db` and tells each waiter its outcome. When the batch fails as a whole, each
/// redemption is written again on its own: one that cannot be written must not fail the others.
async fn commit_redemptions(db: &DatabaseConnection, batch: Vec<Pending>) {
    let (redemptions, waiters): (Vec<_>, Vec<_>) = batch.into_iter().map(|p| (p.redemption, p.done)).unzip();
    match write_redemptions(db, &redemptions).await {
        Ok(firsts) => {
            for (done, first) in waiters.into_iter().zip(firsts) {
                let _ = done.send(Ok(first));
            }
        }
        Err(err) if redemptions.len() == 1 => {
            if let Some(done) = waiters.into_iter().next() {
                let _ = done.send(Err(err));
            }
        }
        Err(_) => {
            for (redemption, done) in redemptions.iter().zip(waiters) {
                let outcome = write_redemptions(db, std::slice::from_ref(redemption)).await;
                let _ = done.send(outcome.map(|firsts| firsts.first() == Some(&true)));
            }
        }
    }
}

/// Writes `redemptions` in one transaction: each code's row where none is stored yet, and the refresh
/// tokens of those. Whether each was its code's first redemption, in order; of equal codes in one
/// batch the earliest is.
async fn write_redemptions(db: &DatabaseConnection, redemptions: &[Redemption]) -> StoreResult<Vec<bool>> {
    let txn = db.begin().await?;
    let mut distinct = HashSet::new();
    let rows = redemptions.iter().filter(|r| distinct.insert(r.code_hash.as_str())).map(|r| r.code.clone());
    let mut insert = authorization_code::Entity::insert_many(rows).on_conflict_do_nothing().into_query();
    insert.returning_col(authorization_code::Column::CodeHash);
    let inserted = txn
        .query_all(&insert)
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "code_hash"))
        .collect::<Result<HashSet<_>, _>>()?;
    let mut claimed = HashSet::new();
    let firsts: Vec<bool> =
        redemptions.iter().map(|r| inserted.contains(&r.code_hash) && claimed.insert(r.code_hash.as_str())).collect();
    let tokens: Vec<_> =
        redemptions.iter().zip(&firsts).filter(|(_, first)| **first).filter_map(|(r, _)| r.refresh.clone()).collect();
    if !tokens.is_empty() {
        refresh_token::Entity::insert_many(tokens).exec_without_returning(&txn).await?;
    }
    // Dropping the transaction on an error above rolls it back.
    txn.commit().await?;
    Ok(firsts)
}

/// The row that records `code`'s redemption at `now`.
fn code_row(code_hash: &str, code: &AuthorizationCode, now: UnixTime) -> authorization_code::ActiveModel {
    authorization_code::ActiveModel {
        issued_at: Set(code.issued_at),
        code_hash: Set(code_hash.to_owned()),
        tenant_id: Set(code.tenant_id.to_string()),
        client_app_id: Set(code.client_id.to_string()),
        user_id: Set(code.user_id.to_string()),
        family_id: Set(code.family_id.to_string()),
        expires_at: Set(code.expires_at),
        redeemed_at: Set(Some(now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::AppId;
    use crate::store::NewUser;
    use crate::store::StoreError;
    use crate::store::tests::sqlite_store;

    /// A store on a fresh SQLite file with one tenant and user, and a redemption maker for them.
    async fn store() -> (tempfile::TempDir, Store, impl Fn(&str, Option<&str>) -> Redemption) {
        let (dir, store) = sqlite_store().await;
        let tenant = store.create_tenant("Contoso", "contoso.example", 1_000).await.unwrap();
        let user = store
            .create_user(tenant.id, NewUser::member("alice@contoso.example", "Alice", "-"), 1_000, None)
            .await
            .unwrap();
        let client_id = AppId::new_random();
        let redemption = move |code_hash: &str, refresh: Option<&str>| {
            let code = AuthorizationCode {
                tenant_id: tenant.id,
                client_id,
                user_id: user.id,
                redirect_uri: "https://app.contoso.example/cb".into(),
                scopes: vec!["openid".into()],
                challenge: None,
                nonce: None,
                family_id: uuid::Uuid::new_v4(),
                issued_at: 1_000,
                expires_at: 1_600,
            };
            let token = RefreshToken {
                tenant_id: tenant.id,
                client_id,
                user_id: user.id,
                scopes: code.scopes.clone(),
                family_id: code.family_id,
                issued_at: 1_010,
                expires_at: 9_000,
                spa: false,
            };
            Redemption {
                code_hash: code_hash.to_owned(),
                code: code_row(code_hash, &code, 1_010),
                refresh: refresh.map(|key| refresh_row(key, &token)),
            }
        };
        (dir, store, redemption)
    }

    /// Commits `redemptions` as one batch and returns each one's outcome.
    async fn commit(store: &Store, redemptions: Vec<Redemption>) -> Vec<StoreResult<bool>> {
        let (batch, outcomes): (Vec<_>, Vec<_>) = redemptions
            .into_iter()
            .map(|redemption| {
                let (done, outcome) = oneshot::channel();
                (Pending { redemption, done }, outcome)
            })
            .unzip();
        commit_redemptions(&*store.writing().await, batch).await;
        let mut results = Vec::new();
        for outcome in outcomes {
            results.push(outcome.await.unwrap());
        }
        results
    }

    async fn stored(store: &Store, refresh_key: &str) -> bool {
        refresh_token::Entity::find_by_id(refresh_key.to_owned()).one(&store.db).await.unwrap().is_some()
    }

    #[tokio::test]
    async fn a_batch_redeems_each_code_once_and_stores_only_the_winners_refresh_tokens() {
        let (_dir, store, redemption) = store().await;
        let earlier = commit(&store, vec![redemption("code-c", None)]).await;
        assert!(matches!(earlier.as_slice(), [Ok(true)]));

        let outcomes = commit(
            &store,
            vec![
                redemption("code-a", Some("rt-a1")),
                redemption("code-b", Some("rt-b")),
                redemption("code-a", Some("rt-a2")),
                redemption("code-c", Some("rt-c")),
            ],
        )
        .await;
        let firsts: Vec<bool> = outcomes.into_iter().map(Result::unwrap).collect();
        assert_eq!(firsts, [true, true, false, false]);
        assert!(stored(&store, "rt-a1").await);
        assert!(stored(&store, "rt-b").await);
        assert!(!stored(&store, "rt-a2").await);
        assert!(!stored(&store, "rt-c").await);
    }

    #[tokio::test]
    async fn a_redemption_that_cannot_be_written_fails_alone() {
        let (_dir, store, redemption) = store().await;
        // rt-taken is stored already, so the batch's insert of the refresh tokens fails as a whole.
        assert!(matches!(commit(&store, vec![redemption("code-x", Some("rt-taken"))]).await.as_slice(), [Ok(true)]));

        let outcomes = commit(
            &store,
            vec![
                redemption("code-a", Some("rt-a")),
                redemption("code-b", Some("rt-taken")),
                redemption("code-c", None),
            ],
        )
        .await;
        assert!(matches!(outcomes.as_slice(), [Ok(true), Err(StoreError::Db(_)), Ok(true)]), "{outcomes:?}");
        assert!(stored(&store, "rt-a").await);
        // The failed redemption wrote nothing: its code is not spent.
        assert!(!store.code_redeemed("code-b", 1_000).await.unwrap());
        assert!(matches!(commit(&store, vec![redemption("code-b", Some("rt-b"))]).await.as_slice(), [Ok(true)]));
    }
}
