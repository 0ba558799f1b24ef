//! Retry and Catch around the states that have them (Task, Parallel, Map):
//! retriers matched by error name with their interval, backoff, maximum
//! delay and jitter, then catchers with their own ResultPath, and the
//! state's failed and exited events.

use super::failure::Failure;
use super::flow;
use super::history::{self, Cursor};
use super::jsonata::{Query, states as ja};
use super::machine::{Assigned, StateRun, Step};
use super::runtime::{Frame, Runtime};
use super::scope::Scope;
use futures::future::BoxFuture;
use rand::Rng;
use serde_json::Value;

/// One attempt of a state: its output after ResultPath and OutputPath.
pub type Attempt = for<'a> fn(
    &'a Runtime,
    &'a StateRun<'a>,
    &'a Value,
    &'a mut Cursor,
    &'a Frame,
    u32,
) -> BoxFuture<'a, Result<(Value, Assigned), Failure>>;

/// Runs `attempt` under the state's Retry and Catch.
pub async fn run(
    rt: &Runtime,
    run: &StateRun<'_>,
    input: Value,
    cursor: &mut Cursor,
    frame: &Frame,
    attempt: Attempt,
) -> Result<Step, Failure> {
    let kind = run.def.get("Type").and_then(Value::as_str).unwrap_or_default();
    let retriers = run.def.get("Retry").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let mut counts = vec![0u32; retriers.len()];
    let mut retry = 0u32;
    let failure = loop {
        match attempt(rt, run, &input, cursor, frame, retry).await {
            Ok((out, assigned)) => {
                rt.history
                    .emit(cursor, &format!("{kind}StateExited"), || history::exited(run.name, &out, assigned.as_ref()));
                return Ok(run.step(out, assigned));
            }
            Err(f) => {
                if rt.is_stopped().is_some() || f.is_terminal() {
                    return Err(f);
                }
                let Some(i) = retriers.iter().position(|r| handles(r, &f)) else { break f };
                let r = &retriers[i];
                let max = r.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3) as u32;
                if counts[i] >= max {
                    break f;
                }
                rt.sleep_until(stratus_core::clock::now_epoch() + delay(r, counts[i])).await?;
                counts[i] += 1;
                retry += 1;
            }
        }
    };
    if kind != "Task" {
        rt.history.emit(cursor, &format!("{kind}StateFailed"), || None);
    }
    let catchers = run.def.get("Catch").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let Some(catcher) = catchers.iter().find(|c| handles(c, &failure)) else { return Err(failure) };
    let error_output = failure.to_output();
    let ctx = || rt.context(run.name, run.entered_time, run.def.get("Retry").map(|_| retry), frame);
    let scope = Scope::new(&ctx, &frame.vars);
    let (out, assigned) = if run.jsonata {
        let q = Query { error_output: Some(&error_output), ..Query::new(&scope, &input) };
        let prev = *cursor;
        ja::outputs(&q, catcher, &error_output).map_err(|e| e.raise(rt, run, cursor, prev))?
    } else {
        let assigned =
            flow::assign(catcher, &error_output, &scope).map_err(|f| run.runtime(f.cause.unwrap_or_default()))?;
        let out = flow::apply_result_path(catcher.get("ResultPath"), &input, error_output)
            .map_err(|f| run.runtime(f.cause.unwrap_or_default()))?;
        (out, assigned)
    };
    rt.history.emit(cursor, &format!("{kind}StateExited"), || history::exited(run.name, &out, assigned.as_ref()));
    let next = catcher.get("Next").and_then(Value::as_str).map(str::to_string);
    Ok(Step { next, output: out, assigned })
}

/// Whether a retrier or catcher's `ErrorEquals` names the failure.
fn handles(rule: &Value, f: &Failure) -> bool {
    rule.get("ErrorEquals").and_then(Value::as_array).is_some_and(|names| {
        names
            .iter()
            .filter_map(Value::as_str)
            .any(|n| n == f.error || n == "States.ALL" || (n == "States.TaskFailed" && f.error != "States.Timeout"))
    })
}

/// The wait before retry number `n` (0-based) of a retrier.
fn delay(r: &Value, n: u32) -> f64 {
    let interval = r.get("IntervalSeconds").and_then(Value::as_f64).unwrap_or(1.0);
    let backoff = r.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0);
    let mut d = interval * backoff.powi(n as i32);
    if let Some(max) = r.get("MaxDelaySeconds").and_then(Value::as_f64) {
        d = d.min(max);
    }
    if r.get("JitterStrategy").and_then(Value::as_str) == Some("FULL") {
        d = rand::rng().random_range(0.0..=d);
    }
    d
}
