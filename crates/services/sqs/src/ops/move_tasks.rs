//! StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask:
//! moving a dead-letter queue's messages back to their source queues (or to
//! a given destination) in a background task, at an optional rate. Task
//! records live in the store, so a restart resumes running tasks.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::Shared;
use crate::error::{invalid, invalid_param, not_found};
use crate::keys::{Keys, parse_queue_key};
use crate::messages;
use crate::model::{Message, Queue, State, decode, encode};
use crate::ops::now_ms;
use crate::scope::{QueueRef, Scope};
use crate::{seq, url};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Task {
    id: String,
    source_arn: String,
    destination_arn: Option<String>,
    max_per_second: Option<i64>,
    started_ms: i64,
    status: String,
    moved: u64,
    to_move: u64,
    failure: Option<String>,
}

fn handle(task: &Task) -> String {
    let raw = json!({"taskId": task.id, "sourceArn": task.source_arn}).to_string();
    base64::engine::general_purpose::STANDARD.encode(raw)
}

fn queue_of(arn: &str) -> Option<QueueRef> {
    let (region, account, name) = url::parse_arn(arn)?;
    Some(QueueRef { keys: Keys::new(&account, &region), name })
}

fn missing_resource(param: &str) -> AwsError {
    not_found(format!("The resource that you specified for the {param} parameter doesn't exist."))
}

/// The source queue of `arn`, which must exist.
fn source(s: &Scope, arn: &str) -> Result<QueueRef, AwsError> {
    let q = queue_of(arn).ok_or_else(|| missing_resource("SourceArn"))?;
    q.load(s.store()).map_err(|_| missing_resource("SourceArn"))?;
    Ok(q)
}

fn tasks_of(s: &Scope, q: &QueueRef) -> Result<Vec<Task>, AwsError> {
    let rows = s.store().scan_prefix(q.keys.tasks(&q.name), false, None)?;
    rows.iter().map(|(_, v)| decode::<Task>("move task", v)).collect()
}

pub async fn start(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let source_arn = input.req_str("SourceArn")?.to_string();
    let src = source(s, &source_arn)?;
    let is_dlq = s
        .store()
        .scan_prefix(src.keys.queues(""), false, None)?
        .iter()
        .filter_map(|(_, v)| decode::<Queue>("queue", v).ok())
        .any(|queue| queue.redrive().is_some_and(|r| r.dead_letter_arn == source_arn));
    if !is_dlq {
        return Err(invalid("Source queue must be configured as a Dead Letter Queue."));
    }
    let destination_arn = input.str("DestinationArn").map(str::to_string);
    if let Some(d) = &destination_arn {
        let dq = queue_of(d).ok_or_else(|| missing_resource("DestinationArn"))?;
        dq.load(s.store()).map_err(|_| missing_resource("DestinationArn"))?;
    }
    let rate = input.i64("MaxNumberOfMessagesPerSecond");
    if let Some(r) = rate.filter(|r| !(1..=500).contains(r)) {
        return Err(invalid_param(
            r,
            "MaxNumberOfMessagesPerSecond",
            "You must enter a number that's between 1 and 500.",
        ));
    }
    if tasks_of(s, &src)?.iter().any(|t| t.status == "RUNNING") {
        return Err(invalid(
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
        ));
    }
    let queue = src.load(s.store())?;
    let now = now_ms();
    let to_move = messages::counts(s.store(), &src, queue.retention_seconds(), now)?.visible;
    let task = Task {
        id: uuid::Uuid::new_v4().to_string(),
        source_arn,
        destination_arn,
        max_per_second: rate,
        started_ms: now,
        status: "RUNNING".into(),
        moved: 0,
        to_move,
        failure: None,
    };
    s.store().put(src.keys.task(&src.name, &task.id), encode(&task)).await?;
    spawn(&s.shared, src.keys.task(&src.name, &task.id));
    Ok(json!({ "TaskHandle": handle(&task) }))
}

pub fn list(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let src = source(s, input.req_str("SourceArn")?)?;
    let max = input.i64("MaxResults").unwrap_or(1);
    if !(1..=10).contains(&max) {
        return Err(invalid_param(max, "MaxResults", "You must enter a number that's between 1 and 10."));
    }
    let mut tasks = tasks_of(s, &src)?;
    tasks.sort_by_key(|t| std::cmp::Reverse(t.started_ms));
    let results: Vec<Value> = tasks.iter().take(max as usize).map(render).collect();
    Ok(json!({ "Results": results }))
}

fn render(t: &Task) -> Value {
    let mut m = Map::new();
    m.insert("ApproximateNumberOfMessagesMoved".into(), json!(t.moved));
    m.insert("ApproximateNumberOfMessagesToMove".into(), json!(t.to_move));
    if let Some(d) = &t.destination_arn {
        m.insert("DestinationArn".into(), json!(d));
    }
    if let Some(r) = t.max_per_second {
        m.insert("MaxNumberOfMessagesPerSecond".into(), json!(r));
    }
    m.insert("SourceArn".into(), json!(t.source_arn));
    m.insert("StartedTimestamp".into(), json!(t.started_ms));
    m.insert("Status".into(), json!(t.status));
    if t.status == "RUNNING" {
        m.insert("TaskHandle".into(), json!(handle(t)));
    }
    if let Some(f) = &t.failure {
        m.insert("FailureReason".into(), json!(f));
    }
    Value::Object(m)
}

pub async fn cancel(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let raw = input.req_str("TaskHandle")?;
    let parsed: Option<(String, String)> = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| Some((v.get("taskId")?.as_str()?.to_string(), v.get("sourceArn")?.as_str()?.to_string())));
    let Some((id, source_arn)) = parsed else {
        return Err(invalid("Value for parameter TaskHandle is invalid."));
    };
    let src = source(s, &source_arn)?;
    let key = src.keys.task(&src.name, &id);
    let moved = s
        .store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(not_found("Task does not exist.")) };
            let mut task: Task = decode("move task", &bytes)?;
            if task.status != "RUNNING" {
                return Err(invalid("Only active tasks can be cancelled."));
            }
            task.status = "CANCELLED".into();
            txn.put(key.clone(), encode(&task));
            Ok(task.moved)
        })
        .await?;
    Ok(json!({ "ApproximateNumberOfMessagesMoved": moved }))
}

/// Restarts the tasks a previous run left running.
pub fn resume(shared: &Arc<Shared>) {
    let Ok(rows) = shared.store.scan_prefix("sqst/", false, None) else { return };
    for (k, v) in rows {
        if decode::<Task>("move task", &v).is_ok_and(|t| t.status == "RUNNING") {
            spawn(shared, k);
        }
    }
}

fn spawn(shared: &Arc<Shared>, task_key: Vec<u8>) {
    let handle = tokio::spawn(run(shared.clone(), task_key));
    if let Ok(mut tasks) = shared.tasks.lock() {
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }
}

/// The source queue of a task key (`sqst/{account}/{region}/{queue}\0{id}`).
fn task_queue(key: &[u8]) -> Option<QueueRef> {
    let cut = key.iter().position(|&b| b == 0)?;
    let mut qkey = b"sqsq/".to_vec();
    qkey.extend_from_slice(key.get(5..cut)?);
    let (account, region, name) = parse_queue_key(&qkey)?;
    Some(QueueRef { keys: Keys::new(&account, &region), name })
}

async fn run(shared: Arc<Shared>, task_key: Vec<u8>) {
    let Some(src) = task_queue(&task_key) else { return };
    loop {
        let Ok(Some(bytes)) = shared.store.get(&task_key) else { return };
        let Ok(task) = decode::<Task>("move task", &bytes) else { return };
        if task.status != "RUNNING" {
            return;
        }
        let (status, failure) = match move_one(&shared, &src, &task, &task_key).await {
            Ok(Some(dest)) => {
                shared.waiters.notify(&dest.key());
                if let Some(rate) = task.max_per_second.filter(|r| *r > 0) {
                    tokio::time::sleep(Duration::from_millis(1000 / rate as u64)).await;
                }
                continue;
            }
            Ok(None) => ("COMPLETED", None),
            Err(reason) => ("FAILED", Some(reason)),
        };
        let key = task_key.clone();
        let _ = shared
            .store
            .transact(move |txn| {
                let Some(bytes) = txn.get(&key)? else { return Ok::<_, AwsError>(()) };
                let mut t: Task = decode("move task", &bytes)?;
                if t.status == "RUNNING" {
                    t.status = status.into();
                    t.failure = failure.clone();
                }
                txn.put(key.clone(), encode(&t));
                Ok(())
            })
            .await;
        return;
    }
}

/// Moves the source's first visible message and counts it in the task, in
/// one transaction that first checks the task still runs (so nothing moves
/// once it is cancelled); None when there is none left, the task has moved
/// everything it counted at start, or it was cancelled.
async fn move_one(
    shared: &Arc<Shared>,
    src: &QueueRef,
    task: &Task,
    task_key: &[u8],
) -> Result<Option<QueueRef>, String> {
    if task.moved >= task.to_move {
        return Ok(None);
    }
    let now = now_ms();
    let mut found = None;
    messages::walk(&shared.store, src, |k, m: Message| {
        if m.state(now) == State::Visible {
            found = Some((k, m));
        }
        found.is_none()
    })
    .map_err(|e| e.message)?;
    let Some((key, m)) = found else { return Ok(None) };
    let dest_arn = task.destination_arn.clone().or(m.dlq_source.clone()).ok_or("Message has no source queue.")?;
    let dest = queue_of(&dest_arn).ok_or("Destination queue does not exist.")?;
    let dkey = dest.key();
    let target = dest.clone();
    let task_key = task_key.to_vec();
    let moved = shared
        .store
        .transact(move |txn| {
            if txn.get(&dkey)?.is_none() {
                return Ok::<_, AwsError>(Err("AWS.SimpleQueueService.NonExistentQueue".to_string()));
            }
            let Some(task_bytes) = txn.get(&task_key)? else { return Ok(Ok(false)) };
            let mut t: Task = decode("move task", &task_bytes)?;
            if t.status != "RUNNING" {
                return Ok(Ok(false));
            }
            let Some(bytes) = txn.get(&key)? else { return Ok(Ok(true)) };
            let mut msg: Message = decode("message", &bytes)?;
            if msg.state(now) != State::Visible {
                return Ok(Ok(true));
            }
            txn.delete(key.clone());
            msg.receive_count = 0;
            msg.first_receive_ms = None;
            msg.receipt = None;
            msg.visible_at_ms = now;
            msg.dlq_source = None;
            txn.put(target.keys.message(&target.name, seq::next()), encode(&msg));
            t.moved += 1;
            txn.put(task_key.clone(), encode(&t));
            Ok(Ok(true))
        })
        .await
        .map_err(|e| e.message)?;
    // A message another consumer took meanwhile is not counted; the next
    // step looks again.
    moved.map(|running| running.then_some(dest))
}
