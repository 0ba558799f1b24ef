//! Owns the embedded engine: a redb database (a file, or redb's in-memory
//! backend for `--in-memory`) holding one table of byte keys and values.
//! Reads use redb read transactions (MVCC snapshots, never blocked by the
//! writer); writes go through the group-commit writer (`writer.rs`).

use std::cell::Cell;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::backends::InMemoryBackend;
use redb::{Database, ReadOnlyTable, ReadableDatabase, ReadableTable, Table, TableDefinition};

use crate::batch::Op;
use crate::engine::{Engine, KvIter, ReadView};
use crate::error::{Result, StoreError};
use crate::range::KeyRange;
use crate::stats::{Counters, StoreStats};
use crate::work::Work;
use crate::writer::Writer;

/// The one table: byte keys to byte values, ordered lexicographically.
pub(crate) const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("kv");

/// File name of the database inside the store directory.
pub const FILE_NAME: &str = "stratus.redb";

/// Page cache for the in-memory engine: its pages already live in memory,
/// so a big cache would only hold them twice.
const MEMORY_CACHE_BYTES: usize = 32 * 1024 * 1024;

type Bytes = &'static [u8];

pub(crate) struct RedbEngine {
    db: Arc<Database>,
    file: Option<PathBuf>,
    counters: Arc<Counters>,
    writer: Writer,
}

impl RedbEngine {
    /// Opens (or creates) `<dir>/stratus.redb`, creating `dir` if needed.
    /// A database left by a crash is repaired by redb while opening.
    pub(crate) fn open(dir: &Path) -> Result<RedbEngine> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::CreateDir { path: dir.to_path_buf(), source: Arc::new(e) })?;
        let file = dir.join(FILE_NAME);
        let announced = Cell::new(false);
        let db = Database::builder()
            .set_repair_callback(move |session| {
                if !announced.replace(true) {
                    tracing::warn!(progress = session.progress(), "store was not closed cleanly; repairing it");
                }
            })
            .create(&file)
            .map_err(|e| StoreError::Open { path: file.clone(), source: Arc::new(e) })?;
        RedbEngine::start(db, Some(file))
    }

    /// A database held in memory (nothing survives the process).
    pub(crate) fn in_memory() -> Result<RedbEngine> {
        let db = Database::builder()
            .set_cache_size(MEMORY_CACHE_BYTES)
            .create_with_backend(InMemoryBackend::new())
            .map_err(|e| StoreError::Open { path: PathBuf::from(":memory:"), source: Arc::new(e) })?;
        RedbEngine::start(db, None)
    }

    fn start(db: Database, file: Option<PathBuf>) -> Result<RedbEngine> {
        ensure_table(&db)?;
        let db = Arc::new(db);
        let counters = Arc::new(Counters::default());
        let writer = Writer::spawn(db.clone(), counters.clone())?;
        tracing::debug!(file = ?file, "store opened");
        Ok(RedbEngine { db, file, counters, writer })
    }
}

/// Creates the table so read transactions can always open it.
fn ensure_table(db: &Database) -> Result<()> {
    let wtxn = db.begin_write().map_err(StoreError::engine("begin write"))?;
    wtxn.open_table(TABLE).map_err(StoreError::engine("open table"))?;
    wtxn.commit().map_err(StoreError::engine("commit"))
}

impl Engine for RedbEngine {
    fn name(&self) -> &'static str {
        if self.file.is_some() { "redb" } else { "memory" }
    }

    fn path(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    fn snapshot(&self) -> Result<Box<dyn ReadView + Send + Sync>> {
        let rtxn = self.db.begin_read().map_err(StoreError::engine("begin read"))?;
        let table = rtxn.open_table(TABLE).map_err(StoreError::engine("open table"))?;
        Ok(Box::new(SnapshotView(table)))
    }

    fn submit(&self, work: Box<dyn Work>) -> Result<()> {
        self.writer.submit(work)
    }

    fn stats(&self) -> StoreStats {
        self.counters.snapshot()
    }

    fn generation(&self) -> u64 {
        self.counters.generation()
    }
}

/// A read-only table; it keeps its read transaction (and so its MVCC
/// snapshot) alive for as long as it lives.
struct SnapshotView(ReadOnlyTable<Bytes, Bytes>);

impl ReadView for SnapshotView {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        get_in(&self.0, key)
    }
    fn iter<'a>(&'a self, range: &KeyRange, reverse: bool) -> Result<KvIter<'a>> {
        iter_in(&self.0, range, reverse)
    }
}

/// The writer's table, inside the group's write transaction.
pub(crate) struct WriteView<'t, 'txn>(pub(crate) &'t Table<'txn, Bytes, Bytes>);

impl ReadView for WriteView<'_, '_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        get_in(self.0, key)
    }
    fn iter<'a>(&'a self, range: &KeyRange, reverse: bool) -> Result<KvIter<'a>> {
        iter_in(self.0, range, reverse)
    }
}

fn get_in<T: ReadableTable<Bytes, Bytes>>(table: &T, key: &[u8]) -> Result<Option<Vec<u8>>> {
    let found = table.get(key).map_err(StoreError::engine("get"))?;
    Ok(found.map(|guard| guard.value().to_vec()))
}

fn iter_in<'a, T: ReadableTable<Bytes, Bytes>>(table: &'a T, range: &KeyRange, reverse: bool) -> Result<KvIter<'a>> {
    let bounds: (Bound<&[u8]>, Bound<&[u8]>) = range.as_slices();
    let it = table.range::<&[u8]>(bounds).map_err(StoreError::engine("scan"))?;
    let map = |item: std::result::Result<_, redb::StorageError>| {
        let (k, v): (redb::AccessGuard<'_, Bytes>, redb::AccessGuard<'_, Bytes>) =
            item.map_err(StoreError::engine("scan"))?;
        Ok((k.value().to_vec(), v.value().to_vec()))
    };
    Ok(if reverse { Box::new(it.rev().map(map)) } else { Box::new(it.map(map)) })
}

/// Applies `ops` in order to the writer's table.
pub(crate) fn apply_ops(table: &mut Table<'_, Bytes, Bytes>, ops: &[Op]) -> Result<()> {
    for op in ops {
        match op {
            Op::Put { key, value } => {
                table.insert(key.as_slice(), value.as_slice()).map_err(StoreError::engine("put"))?;
            }
            Op::Delete { key } => {
                table.remove(key.as_slice()).map_err(StoreError::engine("delete"))?;
            }
            Op::DeleteRange { range } => {
                if range.is_empty() {
                    continue;
                }
                let bounds: (Bound<&[u8]>, Bound<&[u8]>) = range.as_slices();
                table.retain_in::<&[u8], _>(bounds, |_, _| false).map_err(StoreError::engine("delete range"))?;
            }
        }
    }
    Ok(())
}
