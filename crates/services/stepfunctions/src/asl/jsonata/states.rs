//! The JSONata data flow of each state type: `Output` and `Assign` (after
//! a state's work, with `$states.result` or `$states.errorOutput` where
//! there is one), `Arguments`, `Items` and `ItemSelector`, Choice
//! `Condition`s, Wait `Seconds`/`Timestamp`, Fail `Error`/`Cause`, and the
//! numeric fields that may be expressions.

use super::{Query, QueryError};
use crate::asl::choice::timestamp;
use crate::asl::failure::Failure;
use crate::asl::history::Cursor;
use crate::asl::machine::{Assigned, StateRun, Step};
use crate::asl::runtime::Runtime;
use crate::asl::scope::Scope;
use serde_json::Value;

/// A state's `Assign` and `Output` (or `default` without one), evaluated
/// on the same `$states`: Assign's new values are not visible to Output.
pub fn outputs(q: &Query, def: &Value, default: &Value) -> Result<(Value, Assigned), QueryError> {
    let assigned = q.assign(def)?;
    let output = q.field_or(def, "Output", default)?;
    Ok((output, assigned))
}

/// Pass and Succeed: the output is `Output`, or the input.
pub fn pass(rt: &Runtime, run: &StateRun, input: Value, scope: &Scope, cursor: &mut Cursor) -> Result<Step, Failure> {
    let q = Query::new(scope, &input);
    outputs(&q, run.def, &input)
        .map(|(out, assigned)| run.step(out, assigned))
        .map_err(|e| e.raise(rt, run, cursor, run.prior))
}

/// Fail: `Error` and `Cause`, literal or evaluated.
pub fn fail(rt: &Runtime, run: &StateRun, input: &Value, scope: &Scope, cursor: &mut Cursor) -> Failure {
    let q = Query::new(scope, input);
    let text = |name: &str| -> Result<Option<String>, QueryError> {
        match run.def.get(name) {
            Some(v) => q.typed(v, name, "string", Value::is_string).map(|v| v.as_str().map(str::to_string)),
            None => Ok(None),
        }
    };
    match text("Error").and_then(|e| Ok((e, text("Cause")?))) {
        Ok((error, cause)) => Failure { error: error.unwrap_or_default(), cause },
        Err(e) => e.raise(rt, run, cursor, run.prior),
    }
}

/// Choice: the first rule whose `Condition` is true gives the next state
/// and its own `Assign`/`Output`; otherwise `Default` with the state's.
pub fn choose(rt: &Runtime, run: &StateRun, input: Value, scope: &Scope, cursor: &mut Cursor) -> Result<Step, Failure> {
    let q = Query::new(scope, &input);
    let choices = run.def.get("Choices").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let decide = || -> Result<Option<Step>, QueryError> {
        for rule in choices {
            let condition = rule.get("Condition").unwrap_or(&Value::Null);
            if q.typed(condition, "Condition", "boolean", Value::is_boolean)? == Value::Bool(true) {
                let (output, assigned) = outputs(&q, rule, &input)?;
                let next = rule.get("Next").and_then(Value::as_str).map(str::to_string);
                return Ok(Some(Step { next, output, assigned }));
            }
        }
        let Some(default) = run.def.get("Default").and_then(Value::as_str) else { return Ok(None) };
        let (output, assigned) = outputs(&q, run.def, &input)?;
        Ok(Some(Step { next: Some(default.to_string()), output, assigned }))
    };
    match decide() {
        Ok(Some(step)) => Ok(step),
        Ok(None) => Err(Failure::new("States.NoChoiceMatched", format!("No Matches! at state {}", run.name))),
        Err(e) => Err(e.raise(rt, run, cursor, run.prior)),
    }
}

/// Wait: the deadline from `Seconds` or `Timestamp` (epoch seconds).
pub fn deadline(run: &StateRun, input: &Value, scope: &Scope) -> Result<f64, QueryError> {
    let q = Query::new(scope, input);
    if let Some(s) = run.def.get("Seconds") {
        let secs = q.typed(s, "Seconds", "integer", |v| v.as_u64().is_some())?;
        return Ok(run.entered_time + secs.as_f64().unwrap_or(0.0));
    }
    if let Some(t) = run.def.get("Timestamp") {
        let v = q.typed(t, "Timestamp", "string", Value::is_string)?;
        let text = v.as_str().unwrap_or_default();
        let ts = timestamp(text).ok_or_else(|| {
            QueryError::new(
                Some("Timestamp"),
                format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"),
            )
        })?;
        return Ok(ts.unix_timestamp_nanos() as f64 / 1e9);
    }
    Ok(run.entered_time)
}

/// A positive whole number field that may be an expression
/// (`TimeoutSeconds`, `HeartbeatSeconds`, `MaxConcurrency`, …).
pub fn count(q: &Query, def: &Value, name: &str) -> Result<Option<u64>, QueryError> {
    match def.get(name) {
        Some(v) => Ok(q.typed(v, name, "integer", |v| v.as_u64().is_some())?.as_u64()),
        None => Ok(None),
    }
}

/// Task: its `Arguments` (default: the input), `TimeoutSeconds` and
/// `HeartbeatSeconds`.
pub fn task_call(q: &Query, def: &Value) -> Result<(Value, Option<u64>, Option<u64>), QueryError> {
    let arguments = q.field_or(def, "Arguments", q.input)?;
    Ok((arguments, count(q, def, "TimeoutSeconds")?, count(q, def, "HeartbeatSeconds")?))
}

/// A distributed Map's `ItemReader`: its `Arguments` and
/// `ReaderConfig.MaxItems`.
pub fn reader_args(q: &Query, reader: &Value) -> Result<(Value, Option<u64>), QueryError> {
    let arguments = q.field_or(reader, "Arguments", &Value::Object(Default::default()))?;
    let max = match reader.get("ReaderConfig") {
        Some(config) => count(q, config, "MaxItems")?,
        None => None,
    };
    Ok((arguments, max))
}

/// Map: the items (`Items`, else the input), which must be an array.
pub fn items(q: &Query, def: &Value) -> Result<Vec<Value>, QueryError> {
    match def.get("Items") {
        Some(v) => match q.typed(v, "Items", "array", Value::is_array)? {
            Value::Array(items) => Ok(items),
            _ => Ok(Vec::new()),
        },
        None => match q.input {
            Value::Array(items) => Ok(items.clone()),
            other => Err(QueryError::new(None, format!("Map state input must be an array but was: {other}"))),
        },
    }
}
