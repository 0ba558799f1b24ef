//! The event history of one execution: events in GetExecutionHistory's
//! shape, numbered in order, each pointing at the event before it on the
//! same thread of execution (`previousEventId`), as AWS chains them.

use serde_json::{Map, Value, json};
use std::sync::Mutex;

/// Where a thread of execution (the top level, a branch, an iteration)
/// stands: the id of its last event.
pub type Cursor = i64;

/// An execution's events. Express executions without logging keep none,
/// but still number them (causes cite event ids).
pub struct History {
    events: Mutex<Vec<Value>>,
    next: Mutex<i64>,
    keep: bool,
}

impl History {
    pub fn new(keep: bool) -> History {
        History { events: Mutex::new(Vec::new()), next: Mutex::new(1), keep }
    }

    /// Continues a history loaded from the store.
    pub fn resume(events: Vec<Value>) -> History {
        let next = events.len() as i64 + 1;
        History { events: Mutex::new(events), next: Mutex::new(next), keep: true }
    }

    /// Whether events are kept (their details are worth building).
    pub fn keeps(&self) -> bool {
        self.keep
    }

    /// Records an event after `cursor`, moves the cursor to it and returns
    /// its id. `details` is `(member, value)` of the event's details.
    pub fn emit(
        &self,
        cursor: &mut Cursor,
        kind: &str,
        details: impl FnOnce() -> Option<(&'static str, Value)>,
    ) -> i64 {
        let id = self.record(*cursor, kind, details);
        *cursor = id;
        id
    }

    /// Records an event after `cursor` without moving it (AWS chains the
    /// event after an iteration's end to the iteration's last event).
    pub fn record(&self, prev: Cursor, kind: &str, details: impl FnOnce() -> Option<(&'static str, Value)>) -> i64 {
        let id = match self.next.lock() {
            Ok(mut n) => {
                let id = *n;
                *n += 1;
                id
            }
            Err(_) => 0,
        };
        if self.keep {
            let mut e = Map::new();
            e.insert("id".into(), json!(id));
            e.insert("previousEventId".into(), json!(prev));
            e.insert("timestamp".into(), json!(stratus_core::clock::now_epoch()));
            e.insert("type".into(), json!(kind));
            if let Some((member, value)) = details() {
                e.insert(member.into(), value);
            }
            if let Ok(mut events) = self.events.lock() {
                // Concurrent branches may record out of id order by a hair.
                let at = events.iter().rposition(|x| x["id"].as_i64().unwrap_or(0) < id).map_or(0, |p| p + 1);
                events.insert(at, Value::Object(e));
            }
        }
        id
    }

    /// The events from index `from` on (for persisting what is new).
    pub fn since(&self, from: usize) -> Vec<Value> {
        self.events.lock().map(|e| e.get(from..).map(<[Value]>::to_vec).unwrap_or_default()).unwrap_or_default()
    }

    pub fn all(&self) -> Vec<Value> {
        self.since(0)
    }
}

/// As `entered`, with the input's text as given.
pub fn entered_text(name: &str, input: String) -> Option<(&'static str, Value)> {
    Some(("stateEnteredEventDetails", json!({ "name": name, "input": input, "inputDetails": {"truncated": false} })))
}

/// `{name, input, inputDetails}` of a state-entered event.
pub fn entered(name: &str, input: &Value) -> Option<(&'static str, Value)> {
    Some((
        "stateEnteredEventDetails",
        json!({ "name": name, "input": input.to_string(), "inputDetails": {"truncated": false} }),
    ))
}

/// `{name, output, outputDetails}` of a state-exited event, with the
/// variables the state assigned (each as JSON text).
pub fn exited(name: &str, output: &Value, assigned: Option<&Map<String, Value>>) -> Option<(&'static str, Value)> {
    let mut d = json!({ "name": name, "output": output.to_string(), "outputDetails": {"truncated": false} });
    if let Some(vars) = assigned.filter(|v| !v.is_empty()) {
        let texts: Map<String, Value> = vars.iter().map(|(k, v)| (k.clone(), Value::String(v.to_string()))).collect();
        d["assignedVariables"] = Value::Object(texts);
        d["assignedVariablesDetails"] = json!({"truncated": false});
    }
    Some(("stateExitedEventDetails", d))
}

/// `{error, cause}` details under `member`, leaving out what is absent.
pub fn failed(member: &'static str, error: &str, cause: Option<&str>) -> Option<(&'static str, Value)> {
    let mut d = Map::new();
    d.insert("error".into(), json!(error));
    if let Some(c) = cause {
        d.insert("cause".into(), json!(c));
    }
    Some((member, Value::Object(d)))
}
