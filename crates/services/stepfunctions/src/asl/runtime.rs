//! `Runtime`: what one execution's interpreter shares across its threads
//! (branches, iterations): the history, the context object's fixed parts,
//! the task integrations, the journal that makes Standard executions
//! durable, and the stop signal.

use super::calling::Calling;
use super::failure::Failure;
use super::history::History;
use super::threads::{Thread, Threads};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::watch;

/// One Task state's call of its resource.
pub struct TaskCall<'a> {
    pub resource: &'a str,
    pub parameters: Value,
    /// The task token, for `.waitForTaskToken` resources and activities.
    pub token: Option<String>,
    pub heartbeat_seconds: Option<u64>,
    /// The id of the task's last event: events the integration records
    /// while the task runs (TaskSubmitted, ActivityStarted) chain after it
    /// and move it.
    pub cursor: &'a std::sync::atomic::AtomicI64,
    /// The wait a restart interrupted: the resource is not called again,
    /// the same token is registered and waited on.
    pub resumed: Option<WaitingTask>,
    /// Where the journal puts the task's thread once the task waits (token
    /// tasks of Standard executions), its `task` filled in then.
    pub journal_at: Option<Position>,
    /// The journaled thread the task runs in.
    pub track: Option<Vec<usize>>,
}

/// The service integrations Task states call.
pub trait Tasks: Send + Sync {
    /// Checks a resource and its parameters before the task is scheduled
    /// (an activity must exist); the cause of a `States.Runtime` failure
    /// names the state.
    fn prepare<'a>(
        &'a self,
        _rt: &'a Runtime,
        _resource: &'a str,
        _params: &'a Value,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async { Ok(()) })
    }

    fn call<'a>(&'a self, rt: &'a Runtime, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Failure>>;

    /// Reads a distributed Map's item source: an object's text (as a
    /// string) or a listing (as an array).
    fn fetch<'a>(&'a self, rt: &'a Runtime, resource: &'a str, params: Value) -> BoxFuture<'a, Result<Value, Failure>>;

    /// Records a map run (its DescribeMapRun fields, merged into what was
    /// recorded before under the same `mapRunArn`).
    fn note_map_run<'a>(&'a self, _rt: &'a Runtime, _record: Value) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }

    /// Writes a distributed Map's result file: `params` names the S3
    /// `Bucket` and `Key`.
    fn put<'a>(&'a self, _rt: &'a Runtime, _params: Value, _body: Vec<u8>) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async { Err(Failure::new("States.ResultWriterFailed", "Results cannot be written here")) })
    }
}

/// Where a thread of an execution (the top level, a branch, an iteration)
/// stands, for resuming it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub state: String,
    pub input: Value,
    pub cursor: i64,
    /// Set while a Wait state waits: its entered event and its deadline.
    pub entered: Option<i64>,
    pub wait_until: Option<f64>,
    /// The variables assigned so far.
    #[serde(default)]
    pub vars: serde_json::Map<String, Value>,
    /// Set while a Task state waits for its token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<WaitingTask>,
    /// Set while a Parallel or Map state runs: its branches or iterations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<Threads>,
    /// Set while a Task in a branch or iteration calls its resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calling: Option<Calling>,
}

/// A top-level Task state waiting for its task token, journaled so that a
/// restarted server waits on the same token instead of calling the
/// resource again.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WaitingTask {
    pub token: String,
    /// When `TimeoutSeconds` runs out (epoch seconds).
    pub timeout_at: Option<f64>,
    /// Whether an activity worker already took the task.
    #[serde(default)]
    pub started: bool,
}

impl Position {
    /// The start of `state` with `input`, after event `cursor`.
    pub fn start(state: String, input: Value, cursor: i64) -> Position {
        Position {
            state,
            input,
            cursor,
            entered: None,
            wait_until: None,
            vars: serde_json::Map::new(),
            task: None,
            threads: None,
            calling: None,
        }
    }
}

/// Persists positions (Standard executions); Express runs without one.
///
/// Threads below the top level are named by their path of branch or item
/// indexes. A thread is busy while it records events; the journal is
/// written only when no other thread is busy, so what is stored never
/// holds events a thread's stored position does not account for.
pub trait Journal: Send + Sync {
    /// Where the top level stands (no branch runs then); always written.
    fn save<'a>(&'a self, rt: &'a Runtime, at: Position) -> BoxFuture<'a, ()>;
    /// Where the thread at `path` stands; `busy` when it goes on running,
    /// else it waits (or ended).
    fn commit<'a>(&'a self, rt: &'a Runtime, path: &'a [usize], thread: Thread, busy: bool) -> BoxFuture<'a, ()>;
    /// The thread at `path` is about to record events.
    fn busy<'a>(&'a self, path: &'a [usize]) -> BoxFuture<'a, ()>;
    /// The threads under `path` are over (ended or dropped); the thread at
    /// `path` goes on.
    fn rejoin<'a>(&'a self, path: &'a [usize]) -> BoxFuture<'a, ()>;
}

pub struct Runtime {
    pub history: History,
    /// The context object's `Execution` and `StateMachine` members.
    pub execution: Value,
    pub state_machine: Value,
    pub tasks: Arc<dyn Tasks>,
    pub journal: Option<Arc<dyn Journal>>,
    /// Account and region the execution runs in.
    pub account: String,
    pub region: String,
    stop: watch::Sender<Option<Failure>>,
    /// The execution input as the caller wrote it: AWS shows it verbatim
    /// in the first state's entered event.
    raw_input: std::sync::Mutex<Option<String>>,
    /// Where the top level stood when a state failed (RedriveExecution
    /// restarts there).
    failed_at: std::sync::Mutex<Option<Position>>,
}

impl Runtime {
    pub fn new(
        history: History,
        execution: Value,
        state_machine: Value,
        tasks: Arc<dyn Tasks>,
        journal: Option<Arc<dyn Journal>>,
        (account, region): (String, String),
    ) -> Runtime {
        Runtime {
            history,
            execution,
            state_machine,
            tasks,
            journal,
            account,
            region,
            stop: watch::channel(None).0,
            raw_input: std::sync::Mutex::new(None),
            failed_at: std::sync::Mutex::new(None),
        }
    }

    /// Keeps the input text for the first state's entered event.
    pub fn with_raw_input(self, text: String) -> Runtime {
        if let Ok(mut slot) = self.raw_input.lock() {
            *slot = Some(text);
        }
        self
    }

    /// Notes the top-level state that failed, with its input.
    pub fn note_failed(&self, at: Position) {
        if let Ok(mut slot) = self.failed_at.lock() {
            *slot = Some(at);
        }
    }

    /// The top-level state that failed, if one did.
    pub fn failed_at(&self) -> Option<Position> {
        self.failed_at.lock().ok().and_then(|s| s.clone())
    }

    /// The input text, the first time it is asked for.
    pub fn take_raw_input(&self) -> Option<String> {
        self.raw_input.lock().ok().and_then(|mut s| s.take())
    }

    /// A runtime for the child executions of a distributed Map: same
    /// execution, integrations and journal, its own (unkept) history.
    pub fn child(&self) -> Runtime {
        Runtime::new(
            History::new(false),
            self.execution.clone(),
            self.state_machine.clone(),
            self.tasks.clone(),
            self.journal.clone(),
            (self.account.clone(), self.region.clone()),
        )
    }

    /// The same runtime, journaled (Standard executions).
    pub fn with_journal(mut self, journal: Arc<dyn Journal>) -> Runtime {
        self.journal = Some(journal);
        self
    }

    /// Asks every thread of the execution to stop at its next wait.
    pub fn stop(&self, why: Failure) {
        self.stop.send_replace(Some(why));
    }

    pub fn is_stopped(&self) -> Option<Failure> {
        self.stop.borrow().clone()
    }

    /// Completes when the execution is stopped, with the reason.
    pub async fn stopped(&self) -> Failure {
        let mut rx = self.stop.subscribe();
        loop {
            if let Some(f) = rx.borrow_and_update().clone() {
                return f;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Sleeps until `deadline` (epoch seconds) unless stopped first.
    pub async fn sleep_until(&self, deadline: f64) -> Result<(), Failure> {
        let wait = (deadline - stratus_core::clock::now_epoch()).max(0.0);
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs_f64(wait)) => Ok(()),
            f = self.stopped() => Err(f),
        }
    }

    /// The context object for a state of a thread.
    /// `retry` is the state's retry count, for states with retriers.
    pub fn context(&self, state: &str, entered_time: f64, retry: Option<u32>, frame: &Frame) -> Value {
        let mut ctx = json!({
            "Execution": self.execution,
            "StateMachine": self.state_machine,
            "State": {
                "Name": state,
                "EnteredTime": stratus_core::clock::iso8601(entered_time),
            },
        });
        if let Some(r) = retry {
            ctx["State"]["RetryCount"] = json!(r);
        }
        if let Some((index, value)) = &frame.item {
            ctx["Map"] = json!({ "Item": { "Index": index, "Value": value } });
        }
        if let Some(token) = &frame.token {
            ctx["Task"] = json!({ "Token": token });
        }
        ctx
    }
}

/// What differs between threads of one execution.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// 0 at the top level; branches and iterations are deeper.
    pub depth: usize,
    /// The Map item an iteration works on.
    pub item: Option<(usize, Value)>,
    /// The task token of the Task state running.
    pub token: Option<String>,
    pub vars: serde_json::Map<String, Value>,
    /// Whether the thread's states use JSONata unless they say otherwise.
    pub jsonata: bool,
    /// The thread's path in the journal (empty at the top level); `None`
    /// when it is not journaled (Express executions, TestState).
    pub track: Option<Vec<usize>>,
}
