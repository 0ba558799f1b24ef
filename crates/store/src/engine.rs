//! Owns the seam between the public `Store` API and a storage engine: the
//! `Engine` trait (what an engine must provide), `ReadView` (a consistent
//! ordered read view) and the scan helper every view shares.
//!
//! The embedded redb engine implements these today; a PostgreSQL engine can
//! implement the same traits later: `ReadView` over a SQL transaction,
//! `Engine::submit` running `Work` inside `SERIALIZABLE` transactions and
//! calling `Work::run` again when the server reports a conflict.

use std::path::Path;

use crate::error::Result;
use crate::range::KeyRange;
use crate::stats::StoreStats;
use crate::work::Work;

/// A key/value pair as returned by scans.
pub type KvPair = (Vec<u8>, Vec<u8>);

/// An iterator over key/value pairs in scan order.
pub(crate) type KvIter<'a> = Box<dyn Iterator<Item = Result<KvPair>> + 'a>;

/// A consistent, ordered read view of the keyspace.
pub(crate) trait ReadView {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Pairs in `range`, ascending (or descending when `reverse`). The range
    /// is never empty (callers check `KeyRange::is_empty` first).
    fn iter<'a>(&'a self, range: &KeyRange, reverse: bool) -> Result<KvIter<'a>>;
}

/// Collects at most `limit` pairs of `range` from `view`.
pub(crate) fn scan_view(
    view: &dyn ReadView,
    range: &KeyRange,
    reverse: bool,
    limit: Option<usize>,
) -> Result<Vec<KvPair>> {
    let limit = limit.unwrap_or(usize::MAX);
    if limit == 0 || range.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for pair in view.iter(range, reverse)? {
        out.push(pair?);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// What an engine provides to `Store`.
pub(crate) trait Engine: Send + Sync {
    /// Short engine name for the health endpoint ("redb", "memory").
    fn name(&self) -> &'static str;

    /// Where the data lives, when it lives in a file.
    fn path(&self) -> Option<&Path>;

    /// A read view of the latest committed state, unaffected by later commits.
    fn snapshot(&self) -> Result<Box<dyn ReadView + Send + Sync>>;

    /// Queues `work`; the engine runs it serializably and calls
    /// `Work::finish` exactly once, after its writes are durable (or failed).
    fn submit(&self, work: Box<dyn Work>) -> Result<()>;

    fn stats(&self) -> StoreStats;

    /// Changes whenever a write may have committed (see [`crate::Store::generation`]).
    fn generation(&self) -> u64;
}
