//! Stratus's store: the ordered key-value engine every service keeps its
//! state in. This file owns the public API (`Store`); the engine behind it
//! is embedded redb (a file, or in memory) with a group-commit writer.
//!
//! The API is engine-neutral so a networked engine (PostgreSQL) can sit
//! behind it later:
//! - reads: [`Store::get`], [`Store::scan`], [`Store::snapshot`] (MVCC,
//!   never wait for writers);
//! - blind writes: [`Store::write`] with a [`WriteBatch`] (atomic, durable
//!   when the future resolves);
//! - read-modify-write: [`Store::transact`] with a closure over a [`Txn`].
//!   The closure may be run more than once (engines retry on conflict), so
//!   it must only act through the `Txn`. Its error type is the caller's own
//!   (any `E: From<StoreError>`), handed back unchanged.
//!
//! Keys and values are bytes; keys sort lexicographically.
//!
//! ```no_run
//! use stratus_store::{Store, StoreError, WriteBatch};
//!
//! #[derive(Debug)]
//! enum ApiError { Conflict, Store(StoreError) }
//! impl From<StoreError> for ApiError {
//!     fn from(e: StoreError) -> Self { ApiError::Store(e) }
//! }
//!
//! async fn demo(store: &Store) -> Result<(), ApiError> {
//!     let mut batch = WriteBatch::new();
//!     batch.put("t/users/1", "alice").put("t/users/2", "bob");
//!     store.write(batch).await?;
//!     let users = store.scan_prefix("t/users/", false, Some(100))?;
//!     assert_eq!(users.len(), 2);
//!
//!     // Conditional put: fails with the caller's own error, writes nothing.
//!     store
//!         .transact(|txn| {
//!             if txn.get("t/users/1")?.is_some() {
//!                 return Err(ApiError::Conflict);
//!             }
//!             txn.put("t/users/1", "carol");
//!             Ok(())
//!         })
//!         .await
//! }
//! ```

mod batch;
mod engine;
mod error;
mod range;
mod redb_engine;
mod snapshot;
mod stats;
mod txn;
mod work;
mod writer;

use std::path::Path;
use std::sync::Arc;

pub use batch::{Op, WriteBatch};
pub use engine::KvPair;
pub use error::{EngineSource, Result, StoreError};
pub use range::{KeyRange, prefix_successor};
pub use redb_engine::FILE_NAME;
pub use snapshot::Snapshot;
pub use stats::StoreStats;
pub use txn::Txn;

use engine::{Engine, scan_view};
use redb_engine::RedbEngine;
use work::{BatchWork, TxnWork};

/// Handle on the store. Cheap to clone; all clones share one engine. The
/// engine (and its writer thread) closes when the last clone is dropped.
#[derive(Clone)]
pub struct Store {
    engine: Arc<dyn Engine>,
}

impl Store {
    /// Opens (or creates) the durable store in directory `dir`, as
    /// `<dir>/stratus.redb`. A store left by a crash is repaired on open.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store> {
        let engine = RedbEngine::open(dir.as_ref())?;
        Ok(Store { engine: Arc::new(engine) })
    }

    /// A store held in memory (`--in-memory`): same semantics, no files,
    /// nothing survives the process.
    pub fn in_memory() -> Result<Store> {
        let engine = RedbEngine::in_memory()?;
        Ok(Store { engine: Arc::new(engine) })
    }

    /// "redb" for the file engine, "memory" for the in-memory one.
    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }

    /// The database file, when there is one.
    pub fn path(&self) -> Option<&Path> {
        self.engine.path()
    }

    /// Writer counters (commits versus acknowledged writes, aborts).
    pub fn stats(&self) -> StoreStats {
        self.engine.stats()
    }

    /// A number that changes whenever a write may have committed. Read it
    /// before reading the store: while it stays the same, what those reads
    /// returned is still current (caches of decoded records rely on this).
    pub fn generation(&self) -> u64 {
        self.engine.generation()
    }

    /// The latest committed value of `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.engine.snapshot()?.get(key.as_ref())
    }

    /// At most `limit` committed pairs in `range` (e.g. `a..b`, `a..`, `..`,
    /// or a [`KeyRange`]), ascending, or descending when `reverse`.
    pub fn scan(&self, range: impl Into<KeyRange>, reverse: bool, limit: Option<usize>) -> Result<Vec<KvPair>> {
        let view = self.engine.snapshot()?;
        scan_view(view.as_ref(), &range.into(), reverse, limit)
    }

    /// [`Store::scan`] over every key starting with `prefix`.
    pub fn scan_prefix(&self, prefix: impl AsRef<[u8]>, reverse: bool, limit: Option<usize>) -> Result<Vec<KvPair>> {
        self.scan(KeyRange::prefix(prefix), reverse, limit)
    }

    /// A consistent read view that does not see later commits.
    pub fn snapshot(&self) -> Result<Snapshot> {
        Ok(Snapshot::new(self.engine.snapshot()?))
    }

    /// Applies `batch` atomically; resolves once it is durable. An empty
    /// batch resolves at once. Dropping the future does not cancel the
    /// write.
    pub async fn write(&self, batch: WriteBatch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let (work, rx) = BatchWork::new(batch);
        self.engine.submit(Box::new(work))?;
        rx.await.map_err(|_| StoreError::WriterGone("writer dropped the request"))?
    }

    /// Sets one key (a one-op [`Store::write`]).
    pub async fn put(&self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(key, value);
        self.write(batch).await
    }

    /// Removes one key (a one-op [`Store::write`]).
    pub async fn delete(&self, key: impl Into<Vec<u8>>) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(key);
        self.write(batch).await
    }

    /// Runs `f` as a serializable read-modify-write transaction.
    ///
    /// `f` reads and writes through the [`Txn`] (it sees its own writes).
    /// When it returns `Ok(v)`, its writes commit atomically and `Ok(v)` is
    /// returned once they are durable; when it returns `Err(e)`, its writes
    /// are discarded and `Err(e)` is returned. Store failures reach the
    /// caller as `E::from(StoreError)`. `f` may run more than once on
    /// engines that retry conflicts, so it must have no other side effects.
    /// It runs on the writer, so keep it short and never block in it.
    pub async fn transact<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnMut(&mut Txn<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (work, rx) = TxnWork::new(f);
        self.engine.submit(Box::new(work)).map_err(E::from)?;
        match rx.await {
            Ok(result) => result,
            Err(_) => Err(E::from(StoreError::WriterGone("writer dropped the transaction"))),
        }
    }

    /// Deletes every key (used by the reset endpoint); durable on return.
    pub async fn clear(&self) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete_range(KeyRange::all());
        self.write(batch).await
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("engine", &self.engine.name()).field("path", &self.engine.path()).finish()
    }
}
