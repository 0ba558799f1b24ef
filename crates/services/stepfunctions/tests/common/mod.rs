//! Helpers of the integration tests: calling the service directly and
//! waiting for an execution to end.

#![allow(dead_code)]

use serde_json::{Value, json};
use stratus_core::{AwsError, RequestContext, Service};
use stratus_stepfunctions::StepFunctions;

pub const ROLE: &str = "arn:aws:iam::000000000000:role/sfn";

pub async fn try_call(svc: &StepFunctions, op: &'static str, input: Value) -> Result<Value, AwsError> {
    svc.call(&RequestContext::internal("stepfunctions", op), input).await
}

pub async fn call(svc: &StepFunctions, op: &'static str, input: Value) -> Value {
    match try_call(svc, op, input).await {
        Ok(v) => v,
        Err(e) => panic!("{op}: {}: {}", e.code, e.message),
    }
}

/// Polls DescribeExecution until the execution is no longer RUNNING.
pub async fn finished(svc: &StepFunctions, arn: &Value, seconds: u64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        let d = call(svc, "DescribeExecution", json!({ "executionArn": arn })).await;
        if d["status"] != "RUNNING" {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the execution did not finish");
}

/// The types of an execution's events, checking their ids run 1, 2, 3…
pub async fn event_types(svc: &StepFunctions, arn: &Value) -> Vec<String> {
    let h = call(svc, "GetExecutionHistory", json!({ "executionArn": arn, "maxResults": 1000 })).await;
    let events = h["events"].as_array().cloned().unwrap_or_default();
    let ids: Vec<i64> = events.iter().filter_map(|e| e["id"].as_i64()).collect();
    assert_eq!(ids, (1..=events.len() as i64).collect::<Vec<_>>(), "{events:?}");
    events.iter().filter_map(|e| e["type"].as_str().map(str::to_string)).collect()
}

/// How many events of `kind` there are.
pub fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}
