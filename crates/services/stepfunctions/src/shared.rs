//! `Shared`: what every operation and running execution works with: the
//! store, the settings (peers for task integrations), the executions
//! running in this process, and the task tokens awaiting a callback.

use crate::asl::Runtime;
use crate::errors;
use crate::mapruns::MapRuns;
use crate::model::{Keys, StateMachine, decode};
use crate::names;
use crate::tokens::Tokens;
use crate::workers::Queues;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use stratus_core::{AwsError, Settings};
use stratus_store::Store;
use tokio::task::JoinSet;

pub struct Shared {
    pub store: Store,
    pub settings: Settings,
    /// Running executions by ARN (for StopExecution and live histories).
    pub running: Mutex<HashMap<String, Arc<Runtime>>>,
    /// Task tokens awaiting SendTaskSuccess/Failure.
    pub tokens: Tokens,
    /// Activity tasks awaiting a worker.
    pub workers: Queues,
    /// Signalled whenever an execution ends (parents of `.sync` children).
    pub ended: tokio::sync::Notify,
    /// Distributed Map runs (DescribeMapRun, ListMapRuns), in the store.
    pub map_runs: MapRuns,
    tasks: Mutex<JoinSet<()>>,
}

impl Shared {
    pub fn new(store: Store, settings: &Settings) -> Shared {
        Shared {
            store: store.clone(),
            settings: settings.clone(),
            running: Mutex::new(HashMap::new()),
            tokens: Tokens::default(),
            workers: Queues::default(),
            ended: tokio::sync::Notify::new(),
            map_runs: MapRuns::new(store.clone()),
            tasks: Mutex::new(JoinSet::new()),
        }
    }

    /// Runs `work` in the background; `stop` aborts it.
    pub fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Ok(mut tasks) = self.tasks.lock() {
            while tasks.try_join_next().is_some() {}
            tasks.spawn(work);
        }
    }

    /// Aborts every running execution task and waits for them to end.
    pub async fn stop(&self) {
        let mut tasks = match self.tasks.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(_) => return,
        };
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }

    /// Forgets every running execution and waiting token (the store was
    /// wiped): their tasks are aborted before they write again.
    pub fn forget_running(&self) {
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.abort_all();
        }
        if let Ok(mut running) = self.running.lock() {
            running.clear();
        }
        self.tokens.clear();
        self.workers.clear();
    }

    pub fn runtime(&self, arn: &str) -> Option<Arc<Runtime>> {
        self.running.lock().ok().and_then(|r| r.get(arn).cloned())
    }

    /// The state machine (or version, `name:N`) an ARN names.
    pub fn machine(&self, arn: &str) -> Result<StateMachine, AwsError> {
        let a = names::parse(arn)?;
        if a.kind != "stateMachine" || a.parts.is_empty() || a.parts.len() > 2 {
            return Err(errors::invalid_arn(arn));
        }
        let keys = Keys::new(a.account, a.region);
        let key = match a.parts.get(1) {
            Some(v) => keys.version(a.parts[0], v.parse().map_err(|_| errors::machine_not_found(arn))?),
            None => keys.machine(a.parts[0]),
        };
        match self.store.get(key)? {
            Some(b) => decode(&b),
            None => Err(errors::machine_not_found(arn)),
        }
    }
}
