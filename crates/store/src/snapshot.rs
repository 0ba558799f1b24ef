//! Owns `Snapshot`: a consistent read view of the store as of the moment it
//! was taken; commits made after that are invisible to it.

use crate::engine::{KvPair, ReadView, scan_view};
use crate::error::Result;
use crate::range::KeyRange;

/// A consistent read view (MVCC). Holding one keeps the engine from
/// reclaiming the pages it reads, so keep it short-lived.
pub struct Snapshot {
    view: Box<dyn ReadView + Send + Sync>,
}

impl Snapshot {
    pub(crate) fn new(view: Box<dyn ReadView + Send + Sync>) -> Snapshot {
        Snapshot { view }
    }

    /// The value of `key` in this snapshot.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.view.get(key.as_ref())
    }

    /// At most `limit` pairs in `range`, ascending (descending when `reverse`).
    pub fn scan(&self, range: impl Into<KeyRange>, reverse: bool, limit: Option<usize>) -> Result<Vec<KvPair>> {
        scan_view(self.view.as_ref(), &range.into(), reverse, limit)
    }

    /// [`Snapshot::scan`] over every key starting with `prefix`.
    pub fn scan_prefix(&self, prefix: impl AsRef<[u8]>, reverse: bool, limit: Option<usize>) -> Result<Vec<KvPair>> {
        self.scan(KeyRange::prefix(prefix), reverse, limit)
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").finish_non_exhaustive()
    }
}
