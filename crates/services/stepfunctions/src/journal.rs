//! The journal of a Standard execution: its record and history events in
//! the store, written at every top-level state boundary and while a Wait
//! state waits, so a restarted server resumes the execution where it was.

use crate::asl::{Journal, Position, Runtime};
use crate::model::{Execution, Keys, RUNNING, encode, running_key};
use futures::FutureExt;
use futures::future::BoxFuture;
use stratus_store::{Store, WriteBatch};
use tokio::sync::Mutex;

pub struct StoreJournal {
    store: Store,
    record: Mutex<Execution>,
}

impl StoreJournal {
    pub fn new(store: Store, record: Execution) -> StoreJournal {
        StoreJournal { store, record: Mutex::new(record) }
    }

    /// Writes the record (after `change`) and the events not yet stored.
    pub async fn write(&self, rt: &Runtime, change: impl FnOnce(&mut Execution)) {
        let mut rec = self.record.lock().await;
        change(&mut rec);
        let keys = Keys::new(&rec.account, &rec.region);
        let mut batch = WriteBatch::new();
        let new = rt.history.since(rec.events);
        for (i, e) in new.iter().enumerate() {
            batch.put(keys.event(&rec.machine_name, &rec.name, rec.events + i + 1), encode(e));
        }
        rec.events += new.len();
        batch.put(keys.execution(&rec.machine_name, &rec.name), encode(&*rec));
        if rec.status == "RUNNING" {
            batch.put(running_key(&rec.arn), rec.arn.as_bytes().to_vec());
        } else {
            batch.delete(running_key(&rec.arn));
        }
        if let Err(e) = self.store.write(batch).await {
            tracing::warn!("could not journal execution {}: {e}", rec.arn);
        }
    }
}

impl Journal for StoreJournal {
    fn save<'a>(&'a self, rt: &'a Runtime, at: Position) -> BoxFuture<'a, ()> {
        self.write(rt, move |rec| rec.position = Some(at)).boxed()
    }
}

/// The ARNs of executions that were running when the server stopped.
pub fn running(store: &Store) -> Vec<String> {
    store
        .scan_prefix(RUNNING, false, None)
        .map(|rows| rows.into_iter().filter_map(|(_, v)| String::from_utf8(v).ok()).collect())
        .unwrap_or_default()
}
