//! The one error type of store calls.

use sea_orm::DbErr;

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
