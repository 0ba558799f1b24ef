//! The Task state: Parameters, the call of its resource under
//! `TimeoutSeconds`, the events AWS records for each resource family
//! (Lambda function ARNs, service integrations `arn:aws:states:::…`,
//! activities), then ResultSelector, ResultPath and OutputPath.

use super::calling;
use super::durable;
use super::failure::Failure;
use super::flow;
use super::history::{self, Cursor};
use super::jsonata::{Query, states as ja};
use super::machine::{Assigned, StateRun, in_state};
use super::runtime::{Frame, Position, Runtime, TaskCall, WaitingTask};
use super::scope::Scope;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicI64, Ordering};

/// How a resource's events are named and detailed.
enum Family<'a> {
    /// A Lambda function ARN used directly.
    Lambda,
    /// `arn:aws:states:::<type>:<resource>`.
    Service { kind: &'a str, resource: &'a str },
    /// An activity ARN.
    Activity,
}

/// The `(resourceType, resource)` of a service integration's events:
/// `arn:aws:states:::sqs:sendMessage.waitForTaskToken` → `("sqs",
/// "sendMessage.waitForTaskToken")`.
pub fn service_names(resource: &str) -> Option<(&str, &str)> {
    match family(resource) {
        Family::Service { kind, resource } => Some((kind, resource)),
        _ => None,
    }
}

fn family(resource: &str) -> Family<'_> {
    if let Some(rest) = resource.split_once(":states:::").map(|(_, r)| r) {
        let (kind, res) = match rest.strip_prefix("aws-sdk:") {
            Some(sdk) => match sdk.split_once(':') {
                Some((svc, action)) => (&rest[..8 + svc.len()], action),
                None => (rest, ""),
            },
            None => rest.split_once(':').unwrap_or((rest, "")),
        };
        return Family::Service { kind, resource: res };
    }
    if resource.contains(":activity:") { Family::Activity } else { Family::Lambda }
}

fn seconds(def: &Value, field: &str, data: &Value, scope: &Scope, run: &StateRun) -> Result<Option<u64>, Failure> {
    if let Some(s) = def.get(field).and_then(Value::as_u64) {
        return Ok(Some(s));
    }
    let path_field = format!("{field}Path");
    match def.get(&path_field).and_then(Value::as_str) {
        Some(p) => {
            let v = scope.path(data, p).map_err(|c| run.runtime(c))?;
            v.as_u64().map(Some).ok_or_else(|| {
                run.runtime(format!("The {path_field} field refers to value {v} which is not a positive integer"))
            })
        }
        None => Ok(None),
    }
}

pub fn attempt<'a>(
    rt: &'a Runtime,
    run: &'a StateRun<'a>,
    input: &'a Value,
    cursor: &'a mut Cursor,
    frame: &'a Frame,
    retry: u32,
) -> BoxFuture<'a, Result<(Value, Assigned), Failure>> {
    async move {
        let def = run.def;
        let resource = def.get("Resource").and_then(Value::as_str).unwrap_or_default();
        let wait_token = resource.ends_with(".waitForTaskToken") || matches!(family(resource), Family::Activity);
        let resumed = run.waiting.lock().ok().and_then(|mut w| w.take());
        let recalled = run.calling.lock().ok().and_then(|mut c| c.take());
        let token = match &resumed {
            Some(w) => Some(w.token.clone()),
            None => wait_token.then(|| uuid::Uuid::new_v4().to_string()),
        };
        let task_frame = Frame { token: token.clone(), ..frame.clone() };
        let ctx = || rt.context(run.name, run.entered_time, run.def.get("Retry").map(|_| retry), &task_frame);
        let scope = Scope::new(&ctx, &frame.vars);
        let (params, timeout, heartbeat) = if run.jsonata {
            ja::task_call(&Query::new(&scope, input), def).map_err(|e| e.raise(rt, run, cursor, run.prior))?
        } else {
            let effective = flow::input_path(def, input, &scope).map_err(|f| in_state(run, f))?;
            let params =
                flow::template(def, "Parameters", effective.clone(), &scope).map_err(|f| in_state(run, f))?;
            let timeout = seconds(def, "TimeoutSeconds", &effective, &scope, run)?;
            (params, timeout, seconds(def, "HeartbeatSeconds", &effective, &scope, run)?)
        };
        let fam = family(resource);
        let now = stratus_core::clock::now_epoch();
        // After a restart the task's events are in the history already and
        // the timeout runs on from its journaled deadline.
        let limit = match (&resumed, &recalled) {
            (Some(w), _) => w.timeout_at.map(|at| (at - now).max(0.0)),
            (None, Some(c)) => c.timeout_at.map(|at| (at - now).max(0.0)),
            (None, None) => {
                rt.tasks.prepare(rt, resource, &params).await.map_err(|f| in_state(run, f))?;
                scheduled(rt, cursor, &fam, resource, &params, timeout, heartbeat);
                timeout.map(|t| t as f64)
            }
        };
        let journal_at = waiting_position(rt, run, input, frame, token.as_deref(), limit.map(|l| now + l));
        if let (Some(w), Some(at)) = (&resumed, &journal_at) {
            // Waiting again after a restart: the thread is idle once more.
            let mut at = Position { cursor: *cursor, ..at.clone() };
            if let Some(task) = &mut at.task {
                task.started = w.started;
            }
            durable::park(rt, frame.track.as_deref(), at).await;
        }
        let calling_at = calling::position(run, input, frame, *cursor, limit.map(|l| now + l));
        if let Some(at) = &calling_at {
            durable::park(rt, frame.track.as_deref(), at.clone()).await;
        }
        let task_cursor = AtomicI64::new(*cursor);
        let call = TaskCall {
            resource,
            parameters: params,
            token,
            heartbeat_seconds: heartbeat,
            cursor: &task_cursor,
            resumed,
            journal_at: journal_at.clone(),
            track: frame.track.clone(),
        };
        let outcome = match limit {
            Some(t) => tokio::select! {
                r = rt.tasks.call(rt, call) => r,
                _ = tokio::time::sleep(std::time::Duration::from_secs_f64(t)) => Err(Failure { error: "States.Timeout".into(), cause: None }),
                f = rt.stopped() => Err(f),
            },
            None => tokio::select! {
                r = rt.tasks.call(rt, call) => r,
                f = rt.stopped() => Err(f),
            },
        };
        if calling_at.is_some() {
            durable::unpark(rt, frame.track.as_deref()).await;
        }
        if let Some(at) = journal_at {
            // The wait is over: a restart from here runs the state again.
            durable::unpark(rt, frame.track.as_deref()).await;
            let at = Position { cursor: run.prior, entered: None, task: None, ..at };
            durable::checkpoint(rt, frame.track.as_deref(), at).await;
        }
        *cursor = task_cursor.load(Ordering::SeqCst);
        let result = match outcome {
            Ok(v) => v,
            Err(f) => {
                ended(rt, cursor, &fam, Err(&f));
                return Err(f);
            }
        };
        ended(rt, cursor, &fam, Ok(&result));
        if run.jsonata {
            let q = Query { result: Some(&result), ..Query::new(&scope, input) };
            let prev = *cursor;
            return ja::outputs(&q, def, &result).map_err(|e| e.raise(rt, run, cursor, prev));
        }
        let result = flow::template(def, "ResultSelector", result, &scope).map_err(|f| in_state(run, f))?;
        let assigned = flow::assign(def, &result, &scope).map_err(|f| in_state(run, f))?;
        let out = flow::result_path(def, input, result).map_err(|f| in_state(run, f))?;
        Ok((flow::output_path(def, &out, &scope).map_err(|f| in_state(run, f))?, assigned))
    }
    .boxed()
}

/// Where the journal puts a token task's thread in a Standard execution
/// while it waits (its `cursor` set when the task starts waiting).
fn waiting_position(
    rt: &Runtime,
    run: &StateRun,
    input: &Value,
    frame: &Frame,
    token: Option<&str>,
    timeout_at: Option<f64>,
) -> Option<Position> {
    let token = token.filter(|_| frame.track.is_some() && rt.journal.is_some())?;
    Some(Position {
        entered: Some(run.entered),
        vars: frame.vars.clone(),
        task: Some(WaitingTask { token: token.to_string(), timeout_at, started: false }),
        ..Position::start(run.name.to_string(), input.clone(), run.entered)
    })
}

fn scheduled(
    rt: &Runtime,
    cursor: &mut Cursor,
    fam: &Family,
    resource: &str,
    params: &Value,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
) {
    let keep = rt.history.keeps();
    match fam {
        Family::Lambda => {
            rt.history.emit(cursor, "LambdaFunctionScheduled", || {
                keep.then(|| ("lambdaFunctionScheduledEventDetails", with_times(json!({ "input": params.to_string(), "inputDetails": {"truncated": false}, "resource": resource }), timeout, None)))
            });
            rt.history.emit(cursor, "LambdaFunctionStarted", || None);
        }
        Family::Activity => {
            rt.history.emit(cursor, "ActivityScheduled", || {
                Some(("activityScheduledEventDetails", with_times(json!({ "input": params.to_string(), "inputDetails": {"truncated": false}, "resource": resource }), timeout, heartbeat)))
            });
        }
        Family::Service { kind, resource: res } => {
            rt.history.emit(cursor, "TaskScheduled", || {
                let d = json!({ "parameters": params.to_string(), "region": rt.region, "resource": res, "resourceType": kind });
                Some(("taskScheduledEventDetails", with_times(d, timeout, heartbeat)))
            });
            rt.history.emit(cursor, "TaskStarted", || {
                Some(("taskStartedEventDetails", json!({ "resource": res, "resourceType": kind })))
            });
        }
    }
}

fn with_times(mut d: Value, timeout: Option<u64>, heartbeat: Option<u64>) -> Value {
    if let Some(t) = timeout {
        d["timeoutInSeconds"] = json!(t);
    }
    if let Some(h) = heartbeat {
        d["heartbeatInSeconds"] = json!(h);
    }
    d
}

fn ended(rt: &Runtime, cursor: &mut Cursor, fam: &Family, outcome: Result<&Value, &Failure>) {
    let (prefix, member_prefix, base) = match fam {
        Family::Lambda => ("LambdaFunction", "lambdaFunction", Map::new()),
        Family::Activity => ("Activity", "activity", Map::new()),
        Family::Service { kind, resource } => {
            let mut m = Map::new();
            m.insert("resource".into(), json!(resource));
            m.insert("resourceType".into(), json!(kind));
            ("Task", "task", m)
        }
    };
    match outcome {
        Ok(v) => {
            let kind = format!("{prefix}Succeeded");
            let member: &'static str = member_name(member_prefix, "SucceededEventDetails");
            rt.history.emit(cursor, &kind, || {
                let mut d = base.clone();
                d.insert("output".into(), json!(v.to_string()));
                d.insert("outputDetails".into(), json!({"truncated": false}));
                Some((member, Value::Object(d)))
            });
        }
        Err(f) => {
            let timed_out = f.error == "States.Timeout" || f.error == "States.HeartbeatTimeout";
            let kind = format!("{prefix}{}", if timed_out { "TimedOut" } else { "Failed" });
            let member =
                member_name(member_prefix, if timed_out { "TimedOutEventDetails" } else { "FailedEventDetails" });
            rt.history.emit(cursor, &kind, || {
                let (_, mut d) = history::failed(member, &f.error, f.cause.as_deref())?;
                if let Value::Object(m) = &mut d {
                    m.extend(base.clone());
                }
                Some((member, d))
            });
        }
    }
}

/// The details member of an event, e.g. `taskSucceededEventDetails`.
fn member_name(prefix: &str, suffix: &str) -> &'static str {
    match (prefix, suffix) {
        ("lambdaFunction", "SucceededEventDetails") => "lambdaFunctionSucceededEventDetails",
        ("lambdaFunction", "FailedEventDetails") => "lambdaFunctionFailedEventDetails",
        ("lambdaFunction", _) => "lambdaFunctionTimedOutEventDetails",
        ("activity", "SucceededEventDetails") => "activitySucceededEventDetails",
        ("activity", "FailedEventDetails") => "activityFailedEventDetails",
        ("activity", _) => "activityTimedOutEventDetails",
        (_, "SucceededEventDetails") => "taskSucceededEventDetails",
        (_, "FailedEventDetails") => "taskFailedEventDetails",
        _ => "taskTimedOutEventDetails",
    }
}
