//! TestState: runs one state (a state definition, or `stateName` of a
//! whole machine) on an input with the real integrations and answers its
//! output, error and cause, the state it would go to next (a `mock` answers
//! for its task instead of the resource), and a status:
//! SUCCEEDED, FAILED, RETRIABLE (a retrier matches the error; TestState
//! does not retry) or CAUGHT_ERROR (a catcher took it), within AWS's five
//! minutes. `inspectionLevel` DEBUG and TRACE add the data flow of JSONPath
//! states.

use crate::asl::{Failure, Frame, History, Runtime, TaskCall, Tasks, machine};
use crate::definition;
use crate::errors;
use crate::model::StateMachine;
use crate::runner;
use crate::shared::Shared;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The name the state under test takes in the machine built around it
/// when one of its transitions loops back to itself.
const SELF: &str = "\u{1}self";

/// How long TestState runs a state before it fails with `States.Timeout`.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// A `mock`: what every task of the tested state answers instead of
/// calling its resource (so activities, `.sync` and `.waitForTaskToken`
/// tasks answer at once).
struct Mocked(Result<Value, Failure>);

impl Tasks for Mocked {
    fn call<'a>(&'a self, _rt: &'a Runtime, _call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Failure>> {
        async move { self.0.clone() }.boxed()
    }

    fn fetch<'a>(
        &'a self,
        _rt: &'a Runtime,
        _resource: &'a str,
        _params: Value,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        async move { self.0.clone() }.boxed()
    }
}

/// The `mock` member, if given: its `result` (JSON text) or `errorOutput`.
fn mock(input: &Value) -> Result<Option<Mocked>, AwsError> {
    let Some(m) = input.get("mock") else { return Ok(None) };
    if let Some(text) = m.get("result").and_then(Value::as_str) {
        let v = serde_json::from_str(text).map_err(|e| {
            AwsError::bad_request("ValidationException", format!("Mocked result must be valid JSON: {e}"))
        })?;
        return Ok(Some(Mocked(Ok(v))));
    }
    if let Some(e) = m.get("errorOutput") {
        return Ok(Some(Mocked(Err(Failure {
            error: e.get("error").and_then(Value::as_str).unwrap_or_default().to_string(),
            cause: e.get("cause").and_then(Value::as_str).map(str::to_string),
        }))));
    }
    Err(AwsError::bad_request("ValidationException", "A mock must have either a result or an errorOutput"))
}

/// The states a state may go to next: `Next`, Choice rules and `Default`,
/// and catchers.
fn targets(def: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(n) = v.and_then(Value::as_str) {
            out.push(n.to_string());
        }
    };
    add(def.get("Next"));
    add(def.get("Default"));
    for list in ["Choices", "Catch"] {
        for rule in def.get(list).and_then(Value::as_array).into_iter().flatten() {
            add(rule.get("Next"));
        }
    }
    out
}

/// Renames the transitions of `def` that go to `from`.
fn retarget(def: &mut Value, from: &str, to: &str) {
    let swap = |v: Option<&mut Value>| {
        if let Some(v) = v
            && v.as_str() == Some(from)
        {
            *v = json!(to);
        }
    };
    swap(def.get_mut("Next"));
    swap(def.get_mut("Default"));
    for list in ["Choices", "Catch"] {
        for rule in def.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
            swap(rule.get_mut("Next"));
        }
    }
}

/// The state under test: its name and definition.
fn state_of(input: &Value) -> Result<(String, Value), AwsError> {
    let text = input.req_str("definition")?;
    let def: Value = serde_json::from_str(text)
        .map_err(|e| errors::invalid_definition(format!("Invalid State Machine Definition: '{e}'")))?;
    if def.get("States").is_some() {
        let name = input
            .str("stateName")
            .or_else(|| def.get("StartAt").and_then(Value::as_str))
            .unwrap_or_default()
            .to_string();
        let state = def.get("States").and_then(|s| s.get(&name)).cloned().ok_or_else(|| {
            AwsError::bad_request("ValidationException", format!("State '{name}' does not exist in the definition"))
        })?;
        return Ok((name, state));
    }
    Ok(("TestState".to_string(), def))
}

/// The machine run: the state (without retriers) and a Succeed state for
/// each state it may go to.
fn harness(name: &str, state: &Value) -> Value {
    let mut tested = state.clone();
    if let Some(m) = tested.as_object_mut() {
        m.remove("Retry");
    }
    retarget(&mut tested, name, SELF);
    let mut states = Map::new();
    for t in targets(&tested) {
        states.insert(t, json!({"Type": "Succeed"}));
    }
    states.insert(name.to_string(), tested);
    json!({ "StartAt": name, "States": states })
}

/// The first retrier of `state` that would retry `f`, and its interval.
fn retrier(state: &Value, f: &Failure) -> Option<(usize, u64)> {
    if f.is_terminal() {
        return None;
    }
    let rules = state.get("Retry").and_then(Value::as_array)?;
    rules.iter().position(|r| matches(r, f)).and_then(|i| {
        let r = &rules[i];
        let attempts = r.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3);
        (attempts > 0).then(|| (i, r.get("IntervalSeconds").and_then(Value::as_u64).unwrap_or(1)))
    })
}

fn matches(rule: &Value, f: &Failure) -> bool {
    rule.get("ErrorEquals").and_then(Value::as_array).is_some_and(|names| {
        names
            .iter()
            .filter_map(Value::as_str)
            .any(|n| n == f.error || n == "States.ALL" || (n == "States.TaskFailed" && f.error != "States.Timeout"))
    })
}

/// The error a caught failure recorded (its `…Failed`/`…TimedOut` event).
fn caught(events: &[Value]) -> Option<Failure> {
    events.iter().rev().find_map(|e| {
        let kind = e.get("type").and_then(Value::as_str)?;
        if !(kind.ends_with("Failed") || kind.ends_with("TimedOut")) {
            return None;
        }
        let details = e.as_object()?.iter().find(|(k, _)| k.ends_with("EventDetails")).map(|(_, v)| v)?;
        Some(Failure {
            error: details.get("error").and_then(Value::as_str).unwrap_or_default().to_string(),
            cause: details.get("cause").and_then(Value::as_str).map(str::to_string),
        })
    })
}

/// The task result the history recorded, if the state is a task that
/// succeeded.
fn task_result(events: &[Value]) -> Option<Value> {
    events.iter().find_map(|e| {
        let kind = e.get("type").and_then(Value::as_str)?;
        if !kind.ends_with("Succeeded") || kind == "ExecutionSucceeded" {
            return None;
        }
        let details = e.as_object()?.iter().find(|(k, _)| k.ends_with("EventDetails")).map(|(_, v)| v)?;
        serde_json::from_str(details.get("output")?.as_str()?).ok()
    })
}

/// The transition taken: the Succeed target entered last.
fn next_state(events: &[Value], name: &str) -> Option<String> {
    events.iter().rev().find_map(|e| {
        if e.get("type").and_then(Value::as_str) != Some("SucceedStateEntered") {
            return None;
        }
        let entered = e.get("stateEnteredEventDetails")?.get("name")?.as_str()?;
        match entered {
            SELF => Some(name.to_string()),
            n if n == name => None,
            n => Some(n.to_string()),
        }
    })
}

fn put_failure(out: &mut Value, f: &Failure) {
    if !f.error.is_empty() {
        out["error"] = json!(f.error);
    }
    if let Some(c) = &f.cause {
        out["cause"] = json!(c);
    }
}

pub async fn test_state(s: &Arc<Shared>, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (name, state) = state_of(input)?;
    let machine_def = harness(&name, &state);
    definition::check(&machine_def.to_string(), false).map_err(|d| {
        errors::invalid_definition(d.first().map(definition::Diagnostic::to_error_message).unwrap_or_default())
    })?;
    let data_text = input.str("input").unwrap_or("{}");
    let data: Value = serde_json::from_str(data_text).map_err(|e| errors::invalid_input(&e.to_string()))?;
    let vars = match input.str("variables") {
        Some(t) => match serde_json::from_str(t) {
            Ok(Value::Object(m)) => m,
            _ => return Err(AwsError::bad_request("ValidationException", "Variables must be a JSON object")),
        },
        None => Map::new(),
    };
    let level = input.str("inspectionLevel").unwrap_or("INFO");
    let sm = StateMachine::unstored(
        "TestStateMachine",
        &crate::names::arn(&ctx.region, &ctx.account_id, "stateMachine:TestStateMachine"),
        (&ctx.account_id, &ctx.region),
        &machine_def.to_string(),
        input.str("roleArn").unwrap_or_default(),
        "EXPRESS",
        stratus_core::clock::now_epoch(),
    );
    let exec_name = uuid::Uuid::new_v4().to_string();
    let arn = crate::executions::express_arn(&sm, &exec_name);
    let mut rt: Runtime = runner::runtime(s, &sm, &arn, &exec_name, &data, stratus_core::clock::now_epoch(), true);
    rt.history = History::new(true);
    if let Some(m) = mock(input)? {
        rt.tasks = Arc::new(m);
    }
    let frame = Frame { vars, ..Frame::default() };
    let mut cursor = 0;
    let run = machine::run(&rt, &machine_def, data.clone(), &mut cursor, &frame);
    let outcome = tokio::time::timeout(LIMIT, run)
        .await
        .unwrap_or_else(|_| Err(Failure { error: "States.Timeout".into(), cause: None }));
    let events = rt.history.all();
    let mut out = json!({});
    let mut details = Map::new();
    match outcome {
        Err(f) => {
            put_failure(&mut out, &f);
            match retrier(&state, &f) {
                Some((i, interval)) => {
                    out["status"] = json!("RETRIABLE");
                    details.insert("retryIndex".into(), json!(i));
                    details.insert("retryBackoffIntervalSeconds".into(), json!(interval));
                }
                None => out["status"] = json!("FAILED"),
            }
        }
        Ok(output) => {
            let failure = caught(&events);
            match failure.as_ref().and_then(|f| retrier(&state, f).map(|r| (f, r))) {
                Some((f, (i, interval))) => {
                    put_failure(&mut out, f);
                    out["status"] = json!("RETRIABLE");
                    details.insert("retryIndex".into(), json!(i));
                    details.insert("retryBackoffIntervalSeconds".into(), json!(interval));
                }
                None => {
                    out["output"] = json!(output.to_string());
                    if let Some(next) = next_state(&events, &name) {
                        out["nextState"] = json!(next);
                    }
                    match &failure {
                        Some(f) if state.get("Catch").is_some() => {
                            put_failure(&mut out, f);
                            out["status"] = json!("CAUGHT_ERROR");
                        }
                        _ => out["status"] = json!("SUCCEEDED"),
                    }
                }
            }
        }
    }
    if level == "DEBUG" || level == "TRACE" {
        let mut inspection = crate::asl::inspect::stages(&rt, &name, &state, &data, &frame, task_result(&events));
        if !details.is_empty() {
            inspection.insert("errorDetails".into(), Value::Object(details));
        }
        out["inspectionData"] = Value::Object(inspection);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harness_adds_targets_and_drops_retriers() {
        let state = json!({"Type": "Pass", "Next": "B", "Retry": [], "Catch": [{"ErrorEquals": ["X"], "Next": "C"}]});
        let m = harness("A", &state);
        assert_eq!(m["States"]["B"], json!({"Type": "Succeed"}));
        assert_eq!(m["States"]["C"], json!({"Type": "Succeed"}));
        assert!(m["States"]["A"].get("Retry").is_none());
        let looping = harness("A", &json!({"Type": "Pass", "Next": "A"}));
        assert_eq!(looping["States"]["A"]["Next"], json!(SELF));
    }

    #[test]
    fn mocks_answer_with_a_result_or_an_error() {
        let ok = mock(&json!({"mock": {"result": "{\"a\": 1}"}})).expect("mock").expect("some");
        assert_eq!(ok.0, Ok(json!({"a": 1})));
        let err = mock(&json!({"mock": {"errorOutput": {"error": "E", "cause": "C"}}})).expect("mock").expect("some");
        assert_eq!(err.0, Err(Failure::new("E", "C")));
        assert!(mock(&json!({"mock": {"result": "{"}})).is_err());
        assert!(mock(&json!({})).expect("none").is_none());
    }

    #[test]
    fn retriers_match_like_the_interpreter() {
        let state =
            json!({"Retry": [{"ErrorEquals": ["Other"]}, {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4}]});
        assert_eq!(retrier(&state, &Failure::new("Boom", "c")), Some((1, 4)));
        assert_eq!(retrier(&state, &Failure::runtime("c")), None);
        let never = json!({"Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]});
        assert_eq!(retrier(&never, &Failure::new("Boom", "c")), None);
    }
}
