//! Owns the writer's counters (`StoreStats`): how many commits it made and
//! how many writes those commits acknowledged, so tests and the health
//! endpoint can see group commit at work.

use std::sync::atomic::{AtomicU64, Ordering};

/// A point-in-time copy of the writer's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Durable commits made (one fsync each on the file engine).
    pub commits: u64,
    /// Batches and transactions acknowledged as committed.
    pub writes: u64,
    /// Transactions whose closure returned `Err` (or panicked); their writes
    /// were discarded.
    pub aborted: u64,
    /// Groups whose commit failed; every write in them got the error.
    pub failed_groups: u64,
    /// The most writes one commit acknowledged.
    pub largest_group: u64,
}

/// Live counters, updated by the writer thread.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    commits: AtomicU64,
    writes: AtomicU64,
    aborted: AtomicU64,
    failed_groups: AtomicU64,
    largest_group: AtomicU64,
    /// Bumped after every group the writer ran: see [`Counters::generation`].
    generation: AtomicU64,
}

impl Counters {
    pub(crate) fn committed(&self, writes: u64) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(writes, Ordering::Relaxed);
        self.largest_group.fetch_max(writes, Ordering::Relaxed);
    }

    /// Work that was serialized but needed no commit (read-only or aborted).
    pub(crate) fn acknowledged_without_commit(&self, writes: u64) {
        self.writes.fetch_add(writes, Ordering::Relaxed);
    }

    pub(crate) fn aborted(&self, n: u64) {
        self.aborted.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn failed_group(&self) {
        self.failed_groups.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks that a group ran (committed or not): reads may now see
    /// different values. Called after the commit is visible.
    pub(crate) fn advance(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Equal readings mean no group ran in between, so nothing a read
    /// returned since the first reading has changed.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(crate) fn snapshot(&self) -> StoreStats {
        StoreStats {
            commits: self.commits.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            aborted: self.aborted.load(Ordering::Relaxed),
            failed_groups: self.failed_groups.load(Ordering::Relaxed),
            largest_group: self.largest_group.load(Ordering::Relaxed),
        }
    }
}
