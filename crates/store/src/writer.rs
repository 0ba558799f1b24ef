//! Owns the group-commit writer: one dedicated thread that drains the queue
//! of pending `Work`, runs every unit inside ONE redb write transaction,
//! commits once (one fsync, `Durability::Immediate`) and only then answers
//! every caller in the group.
//!
//! Within a group, units run in queue order against the write transaction's
//! table, so each sees the writes of the units before it. A transaction
//! closure writes into its own overlay (`txn.rs`); only when it returns `Ok`
//! are its ops applied to the table, so a failing closure leaves no trace
//! while the rest of the group still commits. Grouping needs no timer: while
//! one commit is syncing, new requests pile up in the queue and ride the
//! next commit together.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::{JoinHandle, ThreadId};

use redb::{Database, Durability};

use crate::error::{Result, StoreError};
use crate::redb_engine::{TABLE, WriteView, apply_ops};
use crate::stats::Counters;
use crate::work::Work;

/// Most units one commit carries; bounds the time callers wait behind a
/// large group.
const MAX_GROUP: usize = 1024;

/// Handle on the writer thread. Dropping it closes the queue and waits for
/// the thread to finish the group in flight.
pub(crate) struct Writer {
    tx: Option<Sender<Box<dyn Work>>>,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
}

impl Writer {
    pub(crate) fn spawn(db: Arc<Database>, counters: Arc<Counters>) -> Result<Writer> {
        let (tx, rx) = channel::<Box<dyn Work>>();
        let thread = std::thread::Builder::new()
            .name("stratus-store-writer".to_string())
            .spawn(move || writer_loop(&db, &rx, &counters))
            .map_err(|e| StoreError::Engine { op: "start writer thread", source: Arc::new(e) })?;
        let thread_id = thread.thread().id();
        Ok(Writer { tx: Some(tx), thread: Some(thread), thread_id })
    }

    pub(crate) fn submit(&self, work: Box<dyn Work>) -> Result<()> {
        let tx = self.tx.as_ref().ok_or(StoreError::WriterGone("store is closing"))?;
        tx.send(work).map_err(|_| StoreError::WriterGone("writer thread stopped"))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.tx.take());
        // The last handle can be dropped on the writer thread itself (a
        // closure that captured a Store); it exits on its own once the
        // queue is closed and empty.
        if std::thread::current().id() == self.thread_id {
            return;
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("store writer thread panicked");
        }
    }
}

fn writer_loop(db: &Database, rx: &Receiver<Box<dyn Work>>, counters: &Counters) {
    while let Ok(first) = rx.recv() {
        let mut group = Vec::with_capacity(16);
        group.push(first);
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(work) => group.push(work),
                Err(_) => break,
            }
        }
        commit_group(db, group, counters);
    }
    tracing::debug!("store writer stopped");
}

/// Runs, commits and answers one group.
fn commit_group(db: &Database, mut group: Vec<Box<dyn Work>>, counters: &Counters) {
    let mut kept = 0u64;
    let ran = catch_unwind(AssertUnwindSafe(|| apply_group(db, &mut group, &mut kept)));
    counters.advance();
    let outcome = match ran {
        Ok(Ok(committed)) => {
            let aborted = group.len() as u64 - kept;
            counters.aborted(aborted);
            if committed {
                counters.committed(kept);
            } else {
                counters.acknowledged_without_commit(kept);
            }
            Ok(())
        }
        Ok(Err(e)) => {
            counters.failed_group();
            tracing::error!(error = %e, units = group.len(), "store group commit failed");
            Err(e)
        }
        Err(_) => {
            counters.failed_group();
            tracing::error!(units = group.len(), "store engine panicked during group commit");
            Err(StoreError::Panicked("storage engine panicked during commit".to_string()))
        }
    };
    for work in group {
        work.finish(outcome.clone());
    }
}

/// Runs every unit inside one write transaction and commits it when any
/// unit wrote. Returns whether it committed; counts kept units in `kept`.
fn apply_group(db: &Database, group: &mut [Box<dyn Work>], kept: &mut u64) -> Result<bool> {
    let mut wtxn = db.begin_write().map_err(StoreError::engine("begin write"))?;
    wtxn.set_durability(Durability::Immediate).map_err(StoreError::engine("set durability"))?;
    let mut wrote = false;
    {
        let mut table = wtxn.open_table(TABLE).map_err(StoreError::engine("open table"))?;
        for work in group.iter_mut() {
            let ops = work.run(&WriteView(&table));
            if let Some(ops) = ops {
                *kept += 1;
                if !ops.is_empty() {
                    apply_ops(&mut table, ops)?;
                    wrote = true;
                }
            }
        }
    }
    if wrote {
        wtxn.commit().map_err(StoreError::engine("commit"))?;
    } else {
        // Read-only or all aborted: nothing to make durable.
        wtxn.abort().map_err(StoreError::engine("abort"))?;
    }
    Ok(wrote)
}
