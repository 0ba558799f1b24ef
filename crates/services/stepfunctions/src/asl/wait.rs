//! The Wait state: `Seconds`, `SecondsPath`, `Timestamp`, `TimestampPath`.
//! In a Standard execution (at the top level or in a branch or iteration)
//! the deadline is journaled, so a restarted server waits only for what is
//! left.

use super::choice::timestamp;
use super::durable;
use super::failure::Failure;
use super::flow;
use super::history::Cursor;
use super::jsonata::{Query, states as ja};
use super::machine::{StateRun, Step, in_state};
use super::runtime::{Frame, Position, Runtime};
use super::scope::Scope;
use serde_json::Value;

pub async fn run(
    rt: &Runtime,
    run: &StateRun<'_>,
    input: Value,
    scope: &Scope<'_>,
    cursor: &mut Cursor,
    frame: &Frame,
    resumed_deadline: Option<f64>,
) -> Result<Step, Failure> {
    let def = run.def;
    let effective =
        if run.jsonata { input.clone() } else { flow::input_path(def, &input, scope).map_err(|f| in_state(run, f))? };
    let deadline = match resumed_deadline {
        Some(d) => d,
        None if run.jsonata => ja::deadline(run, &input, scope).map_err(|e| e.raise(rt, run, cursor, run.entered))?,
        None => deadline(run, &effective, scope)?,
    };
    if frame.track.is_some() {
        let at = Position {
            entered: Some(run.entered),
            wait_until: Some(deadline),
            vars: frame.vars.clone(),
            ..Position::start(run.name.to_string(), input.clone(), *cursor)
        };
        durable::park(rt, frame.track.as_deref(), at).await;
    }
    rt.sleep_until(deadline).await?;
    durable::unpark(rt, frame.track.as_deref()).await;
    if run.jsonata {
        let q = Query::new(scope, &input);
        let (out, assigned) = ja::outputs(&q, def, &input).map_err(|e| e.raise(rt, run, cursor, run.prior))?;
        return Ok(run.step(out, assigned));
    }
    let assigned = flow::assign(def, &effective, scope).map_err(|f| in_state(run, f))?;
    let out = flow::output_path(def, &effective, scope).map_err(|f| in_state(run, f))?;
    Ok(run.step(out, assigned))
}

/// When the wait ends, in epoch seconds.
fn deadline(run: &StateRun, data: &Value, scope: &Scope) -> Result<f64, Failure> {
    let def = run.def;
    let now = run.entered_time;
    if let Some(s) = def.get("Seconds") {
        return Ok(now + s.as_f64().unwrap_or(0.0));
    }
    if let Some(p) = def.get("SecondsPath").and_then(Value::as_str) {
        let v = scope
            .path(data, p)
            .map_err(|_| run.runtime(format!("The SecondsPath parameter does not reference an input value: {p}")))?;
        let secs = match (v.as_i64(), v.is_number()) {
            (Some(s), _) if s < 0 => {
                return Err(run.runtime(format!("The SecondsPath parameter references a negative value: {p} == {v}")));
            }
            (Some(s), _) => s,
            (None, true) => {
                return Err(
                    run.runtime(format!("The SecondsPath parameter cannot be parsed as a long value: {p} == {v}"))
                );
            }
            (None, false) => {
                return Err(run.runtime(format!("The SecondsPath parameter references an invalid value: {p} == {v}")));
            }
        };
        return Ok(now + secs as f64);
    }
    if let Some(t) = def.get("Timestamp").and_then(Value::as_str) {
        let ts = timestamp(t).ok_or_else(|| {
            run.runtime(format!(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {t}"
            ))
        })?;
        return Ok(epoch(ts));
    }
    if let Some(p) = def.get("TimestampPath").and_then(Value::as_str) {
        let v = scope
            .path(data, p)
            .map_err(|_| run.runtime(format!("The TimestampPath parameter does not reference an input value: {p}")))?;
        let ts = v.as_str().and_then(timestamp).ok_or_else(|| {
            run.runtime(format!(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {p} == {}",
                v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
            ))
        })?;
        return Ok(epoch(ts));
    }
    Ok(now)
}

fn epoch(t: time::OffsetDateTime) -> f64 {
    t.unix_timestamp_nanos() as f64 / 1e9
}
