//! The `arn:aws:states:::states:startExecution` integration: starting a
//! child execution (request-response: its ExecutionArn and StartDate),
//! `.sync` (waits; the output is DescribeExecution's shape in PascalCase
//! with Input/Output as JSON text) and `.sync:2` (Input/Output as JSON);
//! a child that does not succeed fails the task with `States.TaskFailed`
//! and that shape (with Error and Cause) as the cause; a `.sync` child is
//! stopped when its parent stops waiting for it.

use crate::executions;
use crate::model::Execution;
use crate::runner;
use crate::shared::Shared;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;
use stratus_core::AwsError;

/// How the parent waits for its child.
#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    RequestResponse,
    /// `.sync`: Input and Output as JSON text.
    Sync,
    /// `.sync:2`: Input and Output as JSON.
    Sync2,
}

impl Mode {
    /// The mode of `startExecution…` (None for another action).
    pub fn of(action: &str) -> Option<Mode> {
        match action {
            "startExecution" => Some(Mode::RequestResponse),
            "startExecution.sync" => Some(Mode::Sync),
            "startExecution.sync:2" => Some(Mode::Sync2),
            _ => None,
        }
    }
}

/// A finished child, as the parent's task sees it.
struct Child {
    arn: String,
    machine_arn: String,
    name: String,
    input: String,
    start: f64,
    stop: f64,
    status: String,
    output: Option<String>,
    error: Option<String>,
    cause: Option<String>,
}

/// The StartExecution request the task's parameters make.
fn request(params: &Value) -> Result<Value, AwsError> {
    let arn = params.get("StateMachineArn").and_then(Value::as_str).ok_or_else(|| {
        AwsError::bad_request("ValidationException", "1 validation error detected: StateMachineArn must not be null")
    })?;
    let input = match params.get("Input") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let mut req = json!({ "stateMachineArn": arn, "input": input });
    if let Some(n) = params.get("Name").and_then(Value::as_str) {
        req["name"] = json!(n);
    }
    Ok(req)
}

/// Epoch seconds as the Java SDK's epoch milliseconds.
fn millis(epoch: f64) -> i64 {
    (epoch * 1000.0).round() as i64
}

/// Starts the child; `submitted` is told the request-response output
/// before a `.sync` task waits.
pub async fn run(
    s: &Arc<Shared>,
    mode: Mode,
    params: &Value,
    submitted: impl FnOnce(&Value),
) -> Result<Value, crate::asl::Failure> {
    let req = request(params).map_err(|e| failure(&e))?;
    let express = req["stateMachineArn"]
        .as_str()
        .and_then(|arn| s.machine(arn).ok())
        .filter(|sm| sm.is_express() && mode != Mode::RequestResponse);
    let child = match express {
        Some(sm) => {
            let started = stratus_core::clock::now_epoch();
            let name = req["name"].as_str().map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
            let input_text = req["input"].as_str().unwrap_or("{}").to_string();
            let input: Value = serde_json::from_str(&input_text).map_err(|e| failure(&errors_input(&e)))?;
            let arn = executions::express_arn(&sm, &name);
            submitted(&accepted(&arn, started));
            let out = runner::run_express(s, &sm, &arn, &name, input).await.map_err(|e| failure(&e))?;
            let f = out.failure.unwrap_or(crate::asl::Failure { error: String::new(), cause: None });
            Child {
                arn,
                machine_arn: sm.arn,
                name,
                input: input_text,
                start: started,
                stop: out.stop,
                status: out.status.to_string(),
                output: out.output.map(|v| v.to_string()),
                error: Some(f.error).filter(|e| !e.is_empty()),
                cause: f.cause,
            }
        }
        None => {
            let started = executions::start(s, &req).await.map_err(|e| failure(&e))?;
            let arn = started["executionArn"].as_str().unwrap_or_default().to_string();
            let out = accepted(&arn, started["startDate"].as_f64().unwrap_or_default());
            if mode == Mode::RequestResponse {
                return Ok(out);
            }
            submitted(&out);
            let guard = StopChild { shared: s, arn: Some(arn.clone()) };
            let child = finished(s, &arn).await.map_err(|e| failure(&e))?;
            guard.disarm();
            child
        }
    };
    let shape = describe(&child, mode);
    if child.status == "SUCCEEDED" {
        return Ok(shape);
    }
    Err(crate::asl::Failure::new("States.TaskFailed", shape.to_string()))
}

fn errors_input(e: &serde_json::Error) -> AwsError {
    crate::errors::invalid_input(&e.to_string())
}

/// The request-response output of StartExecution.
fn accepted(arn: &str, start: f64) -> Value {
    let request_id = stratus_core::ids::request_id();
    json!({
        "ExecutionArn": arn,
        "SdkHttpMetadata": {
            "HttpHeaders": {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id},
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StartDate": millis(start),
    })
}

/// Stops a `.sync` child whose parent stopped waiting (the parent was
/// stopped, or its task timed out), as AWS does.
struct StopChild<'a> {
    shared: &'a Shared,
    arn: Option<String>,
}

impl StopChild<'_> {
    fn disarm(mut self) {
        self.arn = None;
    }
}

impl Drop for StopChild<'_> {
    fn drop(&mut self) {
        if let Some(rt) = self.arn.as_deref().and_then(|arn| self.shared.runtime(arn)) {
            rt.stop(runner::abort(None, None));
        }
    }
}

/// Waits until the Standard execution `arn` has ended.
async fn finished(s: &Arc<Shared>, arn: &str) -> Result<Child, AwsError> {
    loop {
        let ended = s.ended.notified();
        let e: Execution = executions::execution(s, arn)?;
        if e.status != "RUNNING" {
            return Ok(Child {
                arn: e.arn,
                machine_arn: e.machine_arn,
                name: e.name,
                input: e.input,
                start: e.start,
                stop: e.stop.unwrap_or(e.start),
                status: e.status,
                output: e.output,
                error: e.error,
                cause: e.cause,
            });
        }
        let _ = tokio::time::timeout(Duration::from_millis(500), ended).await;
    }
}

/// DescribeExecution's members in the PascalCase of the task output.
fn describe(c: &Child, mode: Mode) -> Value {
    let data = |text: &str| match mode {
        Mode::Sync2 => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())),
        _ => Value::String(text.to_string()),
    };
    let mut m = Map::new();
    if let Some(cause) = &c.cause {
        m.insert("Cause".into(), json!(cause));
    }
    if let Some(error) = &c.error {
        m.insert("Error".into(), json!(error));
    }
    m.insert("ExecutionArn".into(), json!(c.arn));
    m.insert("Input".into(), data(&c.input));
    m.insert("InputDetails".into(), json!({"Included": true}));
    m.insert("Name".into(), json!(c.name));
    if let Some(o) = &c.output {
        m.insert("Output".into(), data(o));
        m.insert("OutputDetails".into(), json!({"Included": true}));
    }
    m.insert("StartDate".into(), json!(millis(c.start)));
    m.insert("StateMachineArn".into(), json!(c.machine_arn));
    m.insert("Status".into(), json!(c.status));
    m.insert("StopDate".into(), json!(millis(c.stop)));
    Value::Object(m)
}

/// A failed StartExecution as the task's error: `StepFunctions.<Code>`.
fn failure(e: &AwsError) -> crate::asl::Failure {
    let code = if e.code.ends_with("Exception") { e.code.clone() } else { format!("{}Exception", e.code) };
    crate::asl::Failure::new(
        format!("StepFunctions.{code}"),
        format!(
            "{} (Service: AWSStepFunctions; Status Code: {}; Error Code: {}; Request ID: {}; Proxy: null)",
            e.message,
            e.status,
            e.code,
            stratus_core::ids::request_id()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(status: &str) -> Child {
        Child {
            arn: "arn:aws:states:us-east-1:1:execution:m:c".into(),
            machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
            name: "c".into(),
            input: "{}".into(),
            start: 1.5,
            stop: 2.0,
            status: status.into(),
            output: Some(r#"{"a":1}"#.into()),
            error: None,
            cause: None,
        }
    }

    #[test]
    fn sync_outputs_text_and_sync2_json() {
        let c = child("SUCCEEDED");
        assert_eq!(describe(&c, Mode::Sync)["Output"], json!(r#"{"a":1}"#));
        assert_eq!(describe(&c, Mode::Sync2)["Output"], json!({"a": 1}));
        assert_eq!(describe(&c, Mode::Sync2)["Input"], json!({}));
        assert_eq!(describe(&c, Mode::Sync)["StartDate"], json!(1500));
    }

    #[test]
    fn request_defaults_input_to_an_empty_object() {
        let r = request(&json!({"StateMachineArn": "arn", "Input": {"x": 1}, "Name": "n"})).expect("request");
        assert_eq!(r, json!({"stateMachineArn": "arn", "input": "{\"x\":1}", "name": "n"}));
        let r = request(&json!({"StateMachineArn": "arn"})).expect("request");
        assert_eq!(r["input"], json!("{}"));
        assert!(request(&json!({})).is_err());
    }
}
