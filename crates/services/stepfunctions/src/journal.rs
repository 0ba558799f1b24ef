//! The journal of a Standard execution: its record and history events in
//! the store, written at every top-level state boundary, while a Wait or a
//! task token waits, and as the branches and iterations of a Parallel or
//! Map move (see `Journal`), so a restarted server resumes the execution
//! where it was.

use crate::asl::{Journal, Position, Runtime, Thread, threads};
use crate::model::{Execution, Keys, RUNNING, encode, running_key};
use crate::thread_store;
use futures::FutureExt;
use futures::future::BoxFuture;
use std::collections::BTreeSet;
use stratus_store::{Store, WriteBatch};
use tokio::sync::Mutex;

pub struct StoreJournal {
    store: Store,
    state: Mutex<State>,
    /// The threads below the top level that are recording events (their
    /// paths): while another is, a thread's commit is kept in memory only.
    busy: std::sync::Mutex<BTreeSet<Vec<usize>>>,
}

/// The record as it stands in memory, and what of its threads the store
/// has yet to see.
struct State {
    rec: Execution,
    /// Threads committed since the last write (the empty path: all).
    dirty: BTreeSet<Vec<usize>>,
    /// Whether the store may hold threads of the execution.
    stored: bool,
}

impl StoreJournal {
    pub fn new(store: Store, record: Execution) -> StoreJournal {
        let stored = record.position.as_ref().is_some_and(|p| p.threads.is_some());
        let state = State { rec: record, dirty: BTreeSet::new(), stored };
        StoreJournal { store, state: Mutex::new(state), busy: std::sync::Mutex::new(BTreeSet::new()) }
    }

    /// Writes the record (after `change`) and the events not yet stored.
    pub async fn write(&self, rt: &Runtime, change: impl FnOnce(&mut Execution)) {
        let mut st = self.state.lock().await;
        change(&mut st.rec);
        let batch = batch(rt, &mut st);
        self.flush(&st.rec.arn, batch).await;
    }

    async fn flush(&self, arn: &str, batch: WriteBatch) {
        if let Err(e) = self.store.write(batch).await {
            tracing::warn!("could not journal execution {arn}: {e}");
        }
    }

    fn busy_set(&self) -> std::sync::MutexGuard<'_, BTreeSet<Vec<usize>>> {
        self.busy.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The record, the threads that moved and the events not yet stored, as
/// one batch.
fn batch(rt: &Runtime, st: &mut State) -> WriteBatch {
    let rec = &mut st.rec;
    let keys = Keys::new(&rec.account, &rec.region);
    let mut batch = WriteBatch::new();
    let new = rt.history.since(rec.events);
    for (i, e) in new.iter().enumerate() {
        batch.put(keys.event(&rec.machine_name, &rec.name, rec.events + i + 1), encode(e));
    }
    rec.events += new.len();
    let prefix = thread_store::prefix(rec);
    let paths: Vec<Vec<usize>> = std::mem::take(&mut st.dirty).into_iter().collect();
    match rec.position.as_mut().filter(|_| rec.status == "RUNNING") {
        Some(root) if !paths.is_empty() => {
            // The empty path sorts first: the whole tree was replaced.
            let whole = paths[0].is_empty();
            let runs = root.threads.as_ref().is_some_and(|t| !t.runs.is_empty());
            if st.stored || !whole || runs {
                thread_store::put(&mut batch, &prefix, root, &paths);
                st.stored = !whole || runs;
            }
        }
        Some(_) => {}
        None if st.stored => {
            batch.delete_prefix(&prefix);
            st.stored = false;
        }
        None => {}
    }
    batch.put(keys.execution(&rec.machine_name, &rec.name), thread_store::encode_record(rec));
    if rec.status == "RUNNING" {
        batch.put(running_key(&rec.arn), rec.arn.as_bytes().to_vec());
    } else {
        batch.delete(running_key(&rec.arn));
    }
    batch
}

impl Journal for StoreJournal {
    fn save<'a>(&'a self, rt: &'a Runtime, at: Position) -> BoxFuture<'a, ()> {
        // The top level moves only while no branch runs.
        self.busy_set().clear();
        async move {
            let mut st = self.state.lock().await;
            st.rec.position = Some(at);
            st.dirty.insert(Vec::new());
            let batch = batch(rt, &mut st);
            self.flush(&st.rec.arn, batch).await;
        }
        .boxed()
    }

    fn commit<'a>(&'a self, rt: &'a Runtime, path: &'a [usize], thread: Thread, busy: bool) -> BoxFuture<'a, ()> {
        async move {
            let mut st = self.state.lock().await;
            if let Some(root) = st.rec.position.as_mut() {
                threads::set(root, path, thread);
                st.dirty.insert(path.to_vec());
            }
            let batch = {
                let mut set = self.busy_set();
                if busy {
                    set.insert(path.to_vec());
                } else {
                    set.remove(path);
                }
                // The events are taken while no other thread can start
                // recording: they are all accounted for by the positions.
                (set.is_empty() || (set.len() == 1 && set.contains(path))).then(|| batch(rt, &mut st))
            };
            if let Some(batch) = batch {
                self.flush(&st.rec.arn, batch).await;
            }
        }
        .boxed()
    }

    fn busy<'a>(&'a self, path: &'a [usize]) -> BoxFuture<'a, ()> {
        self.busy_set().insert(path.to_vec());
        async {}.boxed()
    }

    fn rejoin<'a>(&'a self, path: &'a [usize]) -> BoxFuture<'a, ()> {
        let mut set = self.busy_set();
        set.retain(|p| !(p.len() > path.len() && p.starts_with(path)));
        if !path.is_empty() {
            set.insert(path.to_vec());
        }
        async {}.boxed()
    }
}

/// The ARNs of executions that were running when the server stopped.
pub fn running(store: &Store) -> Vec<String> {
    store
        .scan_prefix(RUNNING, false, None)
        .map(|rows| rows.into_iter().filter_map(|(_, v)| String::from_utf8(v).ok()).collect())
        .unwrap_or_default()
}
