//! Owns `StoreError`, the one error type of the store, and the helpers that
//! wrap engine errors with the operation that failed.
//!
//! Every variant is `Clone` (sources are shared behind `Arc`) because one
//! failed group commit has to be reported to every caller in the group.

use std::path::PathBuf;
use std::sync::Arc;

/// A boxed, shareable engine error (redb today, PostgreSQL later).
pub type EngineSource = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias for store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Errors returned by the store.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The directory that should hold the store could not be created.
    #[error("cannot create store directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },

    /// The database file could not be opened (or created, or repaired).
    #[error("cannot open store at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: EngineSource,
    },

    /// An engine operation failed (read, write, commit).
    #[error("store {op} failed: {source}")]
    Engine {
        op: &'static str,
        #[source]
        source: EngineSource,
    },

    /// The writer thread is gone (the store is shutting down or the thread
    /// could not be started).
    #[error("store writer is not running: {0}")]
    WriterGone(&'static str),

    /// A transaction closure panicked; its writes were discarded.
    #[error("transaction closure panicked: {0}")]
    Panicked(String),

    /// The engine gave up retrying a transaction that kept conflicting with
    /// others. The embedded engine never returns it (it has one writer);
    /// networked engines retry serialization failures and return this when
    /// they run out of attempts.
    #[error("transaction conflict: gave up after {attempts} attempts")]
    Conflict { attempts: u32 },
}

impl StoreError {
    /// Wraps an engine error with the operation it broke.
    pub(crate) fn engine<E>(op: &'static str) -> impl FnOnce(E) -> StoreError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        move |e| StoreError::Engine { op, source: Arc::new(e) }
    }

    /// True when retrying the same operation later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}
