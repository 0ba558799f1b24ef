//! A Task in a branch or iteration of a Standard execution journals itself
//! while its resource is called, so its siblings' progress can be written
//! meanwhile (the journal waits for threads that record events). After a
//! restart the resource is called again, at least once as AWS promises,
//! without its entered, scheduled and started events being repeated, its
//! `TimeoutSeconds` running on. Resources that record events while called
//! (task tokens, activities, `.sync` executions) are journaled otherwise.

use super::machine::StateRun;
use super::runtime::{Frame, Position};
use serde_json::Value;

/// A Task's call in flight, as journaled.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calling {
    /// When `TimeoutSeconds` runs out (epoch seconds).
    pub timeout_at: Option<f64>,
}

/// Whether the Task `def` of the thread `frame` journals its call.
pub fn journals(def: &Value, frame: &Frame) -> bool {
    let resource = def.get("Resource").and_then(Value::as_str).unwrap_or_default();
    let activity = resource.starts_with("arn:") && resource.split(':').nth(5) == Some("activity");
    frame.track.as_ref().is_some_and(|p| !p.is_empty())
        && !activity
        && !resource.ends_with(".waitForTaskToken")
        && !resource.contains(".sync")
}

/// Where the thread stands while the call runs: after the task's event
/// `cursor`.
pub fn position(
    run: &StateRun,
    input: &Value,
    frame: &Frame,
    cursor: i64,
    timeout_at: Option<f64>,
) -> Option<Position> {
    journals(run.def, frame).then(|| Position {
        entered: Some(run.entered),
        vars: frame.vars.clone(),
        calling: Some(Calling { timeout_at }),
        ..Position::start(run.name.to_string(), input.clone(), cursor)
    })
}
