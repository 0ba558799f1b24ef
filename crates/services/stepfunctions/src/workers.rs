//! Activity workers: the tasks that activity Task states have scheduled,
//! queued per activity until a worker takes one with GetActivityTask (a
//! long poll of up to 60 seconds that answers without a token when nothing
//! arrives), and the worker's name reported back to the waiting state.

use crate::activities;
use crate::asl::{Failure, Runtime, TaskCall};
use crate::errors;
use crate::shared::Shared;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stratus_core::AwsError;
use stratus_core::input::Input;
use tokio::sync::{Notify, oneshot};

/// How long GetActivityTask waits for a task.
const POLL: Duration = Duration::from_secs(60);

/// A task an activity state scheduled, waiting for a worker.
pub struct Scheduled {
    pub token: String,
    pub input: String,
    /// Told the worker's name when one takes the task.
    pub started: oneshot::Sender<String>,
}

#[derive(Default)]
struct Queue {
    tasks: VecDeque<Scheduled>,
    arrived: Arc<Notify>,
}

/// The scheduled tasks of every activity, by activity ARN.
#[derive(Default)]
pub struct Queues {
    by_activity: Mutex<HashMap<String, Queue>>,
}

impl Queues {
    /// Queues a task for the workers of `activity`.
    pub fn schedule(&self, activity: &str, task: Scheduled) {
        if let Ok(mut map) = self.by_activity.lock() {
            let q = map.entry(activity.to_string()).or_default();
            q.tasks.push_back(task);
            q.arrived.notify_one();
        }
    }

    /// The next task still waited for, or the signal of the next arrival.
    fn take(&self, activity: &str) -> Result<Scheduled, Arc<Notify>> {
        let Ok(mut map) = self.by_activity.lock() else { return Err(Arc::new(Notify::new())) };
        let q = map.entry(activity.to_string()).or_default();
        while let Some(t) = q.tasks.pop_front() {
            if !t.started.is_closed() {
                return Ok(t);
            }
        }
        Err(q.arrived.clone())
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.by_activity.lock() {
            map.clear();
        }
    }
}

/// GetActivityTask: a scheduled task's token and input, or `{}` (no token)
/// when none arrives within the poll.
pub async fn get_task(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("activityArn")?;
    if !arn.starts_with("arn:") {
        return Err(errors::invalid_arn(&format!("Invalid ARN prefix: {arn}")));
    }
    let act = activities::get(s, arn)?;
    let worker = input.str("workerName").unwrap_or_default().to_string();
    let deadline = tokio::time::Instant::now() + POLL;
    loop {
        match s.workers.take(&act.arn) {
            Ok(task) => {
                let _ = task.started.send(worker.clone());
                return Ok(json!({ "taskToken": task.token, "input": task.input }));
            }
            Err(arrived) => {
                if tokio::time::timeout_at(deadline, arrived.notified()).await.is_err() {
                    return Ok(json!({}));
                }
            }
        }
    }
}

/// Runs an activity task: queues it for the activity's workers, records
/// ActivityStarted with the worker's name when one takes it, then waits
/// for its answer under the state's `HeartbeatSeconds` (counted from the
/// start). After a restart, a task a worker had already taken may be
/// answered before a worker takes it again: that answer ends it.
pub async fn perform(s: &Shared, rt: &Runtime, call: &TaskCall<'_>) -> Result<Value, Failure> {
    let token = call.token.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut pending = s.tokens.register(&token);
    // A worker took the task just before a stop that journaled its
    // ActivityStarted but not yet that the task was taken: it was taken.
    let recorded = call
        .resumed
        .as_ref()
        .filter(|w| !w.started)
        .and_then(|_| started_event(rt, call.cursor.load(Ordering::SeqCst)));
    if let Some(id) = recorded {
        call.cursor.store(id, Ordering::SeqCst);
        crate::durable_tokens::persist(rt, call, true).await;
    }
    // After a restart, a task a worker already took only waits for its answer.
    if recorded.is_none() && !call.resumed.as_ref().is_some_and(|w| w.started) {
        let (tx, rx) = oneshot::channel();
        s.workers.schedule(call.resource, Scheduled { token, input: call.parameters.to_string(), started: tx });
        if call.resumed.is_none() {
            crate::durable_tokens::persist(rt, call, false).await;
        }
        let (worker, early) = tokio::select! {
            taken = rx => (taken.map_err(|_| Failure::runtime("The activity task was dropped"))?, None),
            out = pending.early() => (String::new(), Some(out)),
        };
        crate::durable_tokens::wake(rt, call).await;
        let mut at = call.cursor.load(Ordering::SeqCst);
        rt.history.emit(&mut at, "ActivityStarted", || {
            Some(("activityStartedEventDetails", json!({ "workerName": worker })))
        });
        call.cursor.store(at, Ordering::SeqCst);
        if let Some(out) = early {
            return out;
        }
        crate::durable_tokens::persist(rt, call, true).await;
    }
    pending.answer(call.heartbeat_seconds).await
}

/// The id of an ActivityStarted event already in the history right after
/// `cursor` (the task's ActivityScheduled), if a worker's taking of the task
/// was journaled.
fn started_event(rt: &Runtime, cursor: i64) -> Option<i64> {
    rt.history
        .all()
        .iter()
        .find(|e| e["type"] == "ActivityStarted" && e["previousEventId"].as_i64() == Some(cursor))
        .and_then(|e| e["id"].as_i64())
}
