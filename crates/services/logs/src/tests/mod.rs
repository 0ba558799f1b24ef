//! Service-level tests: operations called through `Service::call` on an
//! in-memory store, one file per area.

mod events;
mod filters;
mod groups;
mod streams;

use serde_json::Value;
use stratus_core::{AwsError, RequestContext, Service};
use stratus_store::Store;

use crate::Logs;

pub struct Harness {
    pub logs: Logs,
}

impl Harness {
    pub fn new() -> Harness {
        let store = Store::in_memory().unwrap_or_else(|e| panic!("in-memory store: {e}"));
        Harness { logs: Logs::new(store) }
    }

    pub async fn try_call(&self, op: &'static str, input: Value) -> Result<Value, AwsError> {
        self.logs.call(&RequestContext::internal("logs", op), input).await
    }

    pub async fn call(&self, op: &'static str, input: Value) -> Value {
        match self.try_call(op, input).await {
            Ok(v) => v,
            Err(e) => panic!("{op} failed: {e}"),
        }
    }

    /// The error of a call that must fail.
    pub async fn fail(&self, op: &'static str, input: Value) -> AwsError {
        match self.try_call(op, input).await {
            Ok(v) => panic!("{op} should fail, got {v}"),
            Err(e) => e,
        }
    }
}

pub fn now() -> i64 {
    stratus_core::clock::now_millis()
}

/// Messages of an `events` list.
pub fn messages(out: &Value) -> Vec<String> {
    out["events"]
        .as_array()
        .map_or_else(Vec::new, |a| a.iter().filter_map(|e| e["message"].as_str().map(str::to_string)).collect())
}
