//! Running executions: Standard ones in the background with their journal
//! (and resumed from it after a restart), Express ones in memory; both end
//! with the execution's closing event (succeeded, failed, timed out,
//! aborted).

use crate::aliases::Target;
use crate::asl::machine;
use crate::asl::{Failure, Frame, History, Position, Runtime};
use crate::integrations::Integrations;
use crate::journal::StoreJournal;
use crate::logging;
use crate::model::{Execution, Keys, StateMachine, decode};
use crate::shared::Shared;
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::AwsError;

/// How an execution ended.
pub struct Outcome {
    pub status: &'static str,
    pub output: Option<Value>,
    pub failure: Option<Failure>,
    pub stop: f64,
}

/// The error Stop gives an execution when the caller names none.
fn aborted(f: &Failure) -> bool {
    f.error == ABORT
}

/// The internal error name StopExecution stops threads with.
pub const ABORT: &str = "Stratus.ExecutionAborted";

pub fn runtime(
    s: &Arc<Shared>,
    sm: &StateMachine,
    exec_arn: &str,
    name: &str,
    input: &Value,
    start: f64,
    keep: bool,
) -> Runtime {
    let execution = json!({
        "Id": exec_arn,
        "Input": input,
        "Name": name,
        "RoleArn": sm.role_arn,
        "StartTime": stratus_core::clock::iso8601(start),
        "RedriveCount": 0,
    });
    let machine = json!({ "Id": sm.arn, "Name": sm.name });
    Runtime::new(
        History::new(keep),
        execution,
        machine,
        Arc::new(Integrations::new(s.clone())),
        None,
        (sm.account.clone(), sm.region.clone()),
    )
}

/// Runs the whole machine on `rt` from `at`, under the machine's timeout.
async fn drive(rt: &Runtime, def: &Value, at: Position) -> Outcome {
    let mut cursor = at.cursor;
    // Standard executions journal their threads, from the top level down.
    let frame = Frame { track: rt.journal.as_ref().map(|_| Vec::new()), ..Frame::default() };
    let run = machine::run_from(rt, def, at, &mut cursor, &frame);
    let result = match def.get("TimeoutSeconds").and_then(Value::as_u64) {
        Some(t) => tokio::select! {
            r = run => r,
            _ = tokio::time::sleep(std::time::Duration::from_secs(t)) => Err(Failure { error: "States.Timeout".into(), cause: None }),
        },
        None => run.await,
    };
    let stop = stratus_core::clock::now_epoch();
    match result {
        Ok(out) => {
            rt.history.emit(&mut cursor, "ExecutionSucceeded", || {
                Some((
                    "executionSucceededEventDetails",
                    json!({ "output": out.to_string(), "outputDetails": {"truncated": false} }),
                ))
            });
            Outcome { status: "SUCCEEDED", output: Some(out), failure: None, stop }
        }
        Err(f) => {
            let f = rt.is_stopped().unwrap_or(f);
            let (status, kind, member) = if aborted(&f) {
                ("ABORTED", "ExecutionAborted", "executionAbortedEventDetails")
            } else if f.error == "States.Timeout" {
                ("TIMED_OUT", "ExecutionTimedOut", "executionTimedOutEventDetails")
            } else {
                ("FAILED", "ExecutionFailed", "executionFailedEventDetails")
            };
            let shown = if aborted(&f) { stop_reason(&f) } else { Some(f.clone()) };
            // AWS chains an abort to no event (previousEventId 0).
            if aborted(&f) {
                cursor = 0;
            }
            rt.history.emit(&mut cursor, kind, || match &shown {
                Some(s) if !s.error.is_empty() || s.cause.is_some() => {
                    let mut d = serde_json::Map::new();
                    if !s.error.is_empty() {
                        d.insert("error".into(), json!(s.error));
                    }
                    if let Some(c) = &s.cause {
                        d.insert("cause".into(), json!(c));
                    }
                    Some((member, Value::Object(d)))
                }
                _ => Some((member, json!({}))),
            });
            Outcome { status, output: None, failure: shown, stop }
        }
    }
}

/// The caller's error and cause of a StopExecution, kept in the abort.
fn stop_reason(f: &Failure) -> Option<Failure> {
    let (error, cause) = f.cause.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()).map(|v| {
        (
            v.get("error").and_then(Value::as_str).map(str::to_string),
            v.get("cause").and_then(Value::as_str).map(str::to_string),
        )
    })?;
    Some(Failure { error: error.unwrap_or_default(), cause })
}

/// The failure StopExecution puts into a running execution.
pub fn abort(error: Option<&str>, cause: Option<&str>) -> Failure {
    Failure { error: ABORT.into(), cause: Some(json!({ "error": error, "cause": cause }).to_string()) }
}

/// The first event, with the input as the caller wrote it.
fn started_event(rt: &Runtime, input_text: &str, role_arn: &str) {
    rt.history.record(0, "ExecutionStarted", || {
        Some((
            "executionStartedEventDetails",
            json!({ "input": input_text, "inputDetails": {"truncated": false}, "roleArn": role_arn }),
        ))
    });
}

/// Starts a Standard execution in the background; returns its record.
pub async fn start_standard(
    s: &Arc<Shared>,
    target: &Target,
    name: &str,
    (input, input_text): (Value, String),
) -> Result<Execution, AwsError> {
    let sm = &target.machine;
    let def: Value = serde_json::from_str(&sm.definition).map_err(|e| AwsError::internal(e.to_string()))?;
    let start = stratus_core::clock::now_epoch();
    let arn = crate::names::arn(
        &sm.region,
        &sm.account,
        &format!("execution:{}:{name}", sm.name.split(':').next().unwrap_or_default()),
    );
    let record = Execution {
        arn: arn.clone(),
        name: name.to_string(),
        machine_arn: target.machine_arn.clone(),
        machine_name: sm.name.clone(),
        account: sm.account.clone(),
        region: sm.region.clone(),
        status: "RUNNING".into(),
        input: input_text.clone(),
        output: None,
        error: None,
        cause: None,
        start,
        stop: None,
        definition: sm.definition.clone(),
        role_arn: sm.role_arn.clone(),
        position: None,
        events: 0,
        version_arn: target.version_arn.clone(),
        alias_arn: target.alias_arn.clone(),
        redrive_count: 0,
        redrive_date: None,
        redrive_from: None,
    };
    let rt = runtime(s, sm, &arn, name, &input, start, true);
    started_event(&rt, &input_text, &sm.role_arn);
    let journal = Arc::new(StoreJournal::new(s.store.clone(), record.clone()));
    let rt = Arc::new(rt.with_journal(journal.clone()).with_raw_input(input_text));
    journal.write(&rt, |_| {}).await;
    let start_at = def.get("StartAt").and_then(Value::as_str).unwrap_or_default().to_string();
    let at = Position::start(start_at, input, 0);
    launch(s, rt, journal, def, at);
    Ok(record)
}

/// Runs a Standard execution to its end in the background.
pub fn launch(s: &Arc<Shared>, rt: Arc<Runtime>, journal: Arc<StoreJournal>, def: Value, at: Position) {
    let arn = rt.execution["Id"].as_str().unwrap_or_default().to_string();
    if let Ok(mut running) = s.running.lock() {
        running.insert(arn.clone(), rt.clone());
    }
    let shared = s.clone();
    s.spawn(async move {
        let out = drive(&rt, &def, at).await;
        journal
            .write(&rt, |rec| {
                rec.status = out.status.to_string();
                rec.output = out.output.as_ref().map(Value::to_string);
                rec.error = out.failure.as_ref().map(|f| f.error.clone()).filter(|e| !e.is_empty());
                rec.cause = out.failure.as_ref().and_then(|f| f.cause.clone());
                rec.stop = Some(out.stop);
                let last = rec.position.take();
                rec.redrive_from = if out.status == "SUCCEEDED" { None } else { redrive_point(rt.failed_at(), last) };
            })
            .await;
        if let Ok(mut running) = shared.running.lock() {
            running.remove(&arn);
        }
        shared.ended.notify_waiters();
        log_events(&shared, &rt, None).await;
    });
}

/// Where a redrive of an execution that did not succeed starts: the
/// top-level state that failed, with the threads it had started (a redrive
/// re-runs only those that did not succeed), else where it last stood.
fn redrive_point(failed: Option<Position>, last: Option<Position>) -> Option<Position> {
    match (failed, last) {
        (Some(f), Some(l)) if l.state == f.state && l.threads.is_some() => Some(Position { threads: l.threads, ..f }),
        (Some(f), _) => Some(f),
        (None, last) => last,
    }
}

/// Resumes the Standard executions the store says were running; the
/// tokens they wait on are reserved before this returns (before requests
/// are served).
pub fn resume_all(s: &Arc<Shared>) {
    let mut records = Vec::new();
    for arn in crate::journal::running(&s.store) {
        match stored(s, &arn) {
            Ok(Some(rec)) => records.push(rec),
            Ok(None) => {}
            Err(e) => tracing::warn!("could not resume execution {arn}: {e}"),
        }
    }
    for rec in &records {
        crate::durable_tokens::reserve(s, rec);
    }
    let shared = s.clone();
    s.spawn(async move {
        for rec in records {
            let arn = rec.arn.clone();
            if let Err(e) = relaunch(&shared, rec, None).await {
                tracing::warn!("could not resume execution {arn}: {e}");
            }
        }
    });
}

/// The stored record of the execution `arn` names.
fn stored(s: &Shared, arn: &str) -> Result<Option<Execution>, AwsError> {
    let a = crate::names::parse(arn)?;
    let (machine_name, name) =
        (a.parts.first().copied().unwrap_or_default(), a.parts.get(1).copied().unwrap_or_default());
    let keys = Keys::new(a.account, a.region);
    let Some(bytes) = s.store.get(keys.execution(machine_name, name))? else { return Ok(None) };
    let mut rec: Execution = decode(&bytes)?;
    crate::thread_store::load(&s.store, &mut rec)?;
    Ok(Some(rec))
}

/// Runs a stored execution again from `at` (a redrive, which first records
/// ExecutionRedriven), or from its journaled position (a resume).
pub async fn relaunch(s: &Arc<Shared>, record: Execution, at: Option<Position>) -> Result<(), AwsError> {
    let keys = Keys::new(&record.account, &record.region);
    let events: Vec<Value> = s
        .store
        .scan_prefix(keys.events(&record.machine_name, &record.name), false, None)?
        .iter()
        .map(|(_, v)| decode(v))
        .collect::<Result<_, _>>()?;
    let def: Value = serde_json::from_str(&record.definition).map_err(|e| AwsError::internal(e.to_string()))?;
    let input: Value = serde_json::from_str(&record.input).unwrap_or(Value::Null);
    let sm = StateMachine::unstored(
        &record.machine_name,
        &record.machine_arn,
        (&record.account, &record.region),
        &record.definition,
        &record.role_arn,
        "STANDARD",
        record.start,
    );
    let mut rt = runtime(s, &sm, &record.arn, &record.name, &input, record.start, true);
    rt.execution["RedriveCount"] = json!(record.redrive_count);
    rt.history = History::resume(events);
    let start_at = def.get("StartAt").and_then(Value::as_str).unwrap_or_default().to_string();
    let at = match at {
        Some(mut at) => {
            let last = record.events as i64;
            at.cursor = rt.history.record(last, "ExecutionRedriven", || {
                Some(("executionRedrivenEventDetails", json!({ "redriveCount": record.redrive_count })))
            });
            at
        }
        None => record.position.clone().unwrap_or_else(|| Position::start(start_at, input, 0)),
    };
    let journal = Arc::new(StoreJournal::new(s.store.clone(), record));
    let rt = Arc::new(rt.with_journal(journal.clone()));
    journal.write(&rt, |_| {}).await;
    launch(s, rt, journal, def, at);
    Ok(())
}

/// Runs an Express execution; `keep` keeps its history (for logging).
pub async fn run_express(
    s: &Arc<Shared>,
    sm: &StateMachine,
    arn: &str,
    name: &str,
    input: Value,
) -> Result<Outcome, AwsError> {
    let def: Value = serde_json::from_str(&sm.definition).map_err(|e| AwsError::internal(e.to_string()))?;
    let start = stratus_core::clock::now_epoch();
    let logged = logging::enabled(&sm.logging);
    let rt = Arc::new(runtime(s, sm, arn, name, &input, start, logged));
    if let Ok(mut running) = s.running.lock() {
        running.insert(arn.to_string(), rt.clone());
    }
    let start_at = def.get("StartAt").and_then(Value::as_str).unwrap_or_default().to_string();
    if logged {
        started_event(&rt, &input.to_string(), &sm.role_arn);
    }
    let out = drive(&rt, &def, Position::start(start_at, input, 0)).await;
    if let Ok(mut running) = s.running.lock() {
        running.remove(arn);
    }
    if logged {
        log_events(s, &rt, Some(sm)).await;
    }
    Ok(out)
}

/// Writes an ended execution's events to its machine's log group, if it
/// has one (`sm` when known, else the machine is read).
async fn log_events(s: &Arc<Shared>, rt: &Runtime, sm: Option<&StateMachine>) {
    let read;
    let sm = match sm {
        Some(sm) => sm,
        None => match rt.state_machine["Id"].as_str().map(|arn| s.machine(arn)) {
            Some(Ok(found)) => {
                read = found;
                &read
            }
            _ => return,
        },
    };
    if !logging::enabled(&sm.logging) {
        return;
    }
    let arn = rt.execution["Id"].as_str().unwrap_or_default();
    let redrives = rt.execution["RedriveCount"].as_u64().unwrap_or(0);
    logging::deliver(s, &sm.logging, &sm.name, arn, redrives, &rt.history.all()).await;
}

/// The events of an execution: live while it runs here, else stored.
pub fn events(s: &Shared, rec: &Execution) -> Result<Vec<Value>, AwsError> {
    if let Some(rt) = s.runtime(&rec.arn) {
        return Ok(rt.history.all());
    }
    let keys = Keys::new(&rec.account, &rec.region);
    s.store
        .scan_prefix(keys.events(&rec.machine_name, &rec.name), false, None)?
        .iter()
        .map(|(_, v)| decode(v))
        .collect()
}
