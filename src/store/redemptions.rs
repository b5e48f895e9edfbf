//! The queue of code redemptions waiting to be group-committed (see the codes module).

use std::sync::{Mutex, PoisonError};

use tokio::sync::oneshot;

use super::entity::{authorization_code, refresh_token};
use super::error::StoreResult;

/// The most redemptions one transaction commits (13 bound values each, far below either database's
/// limit on the values of one statement).
const MAX_BATCH: usize = 64;

/// A redemption to write: the code's row and the row of the refresh token it issues, if any.
pub(super) struct Redemption {
    pub code_hash: String,
    pub code: authorization_code::ActiveModel,
    pub refresh: Option<refresh_token::ActiveModel>,
}

/// A queued redemption and who waits for its outcome: `true` when it was the code's first.
pub(super) struct Pending {
    pub redemption: Redemption,
    pub done: oneshot::Sender<StoreResult<bool>>,
}

/// Redemptions waiting for the next group commit.
#[derive(Default)]
pub(super) struct RedemptionQueue(Mutex<Vec<Pending>>);

impl RedemptionQueue {
    pub(super) fn push(&self, pending: Pending) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(pending);
    }

    /// The oldest queued redemptions, at most [`MAX_BATCH`].
    pub(super) fn take(&self) -> Vec<Pending> {
        let mut queue = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = queue.len().min(MAX_BATCH);
        queue.drain(..n).collect()
    }
}

impl std::fmt::Debug for RedemptionQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let queued = self.0.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("RedemptionQueue").field("queued", &queued).finish()
    }
}
