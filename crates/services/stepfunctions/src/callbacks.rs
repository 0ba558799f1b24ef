//! Ending tasks that wait for a token: SendTaskSuccess, SendTaskFailure
//! and SendTaskHeartbeat.

use crate::asl::Failure;
use crate::errors;
use crate::shared::Shared;
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// Resolves the task waiting on `input.taskToken` with `outcome`.
fn resolve(s: &Shared, input: &Value, outcome: Result<Value, Failure>) -> Result<Value, AwsError> {
    let token = input.req_str("taskToken")?;
    let sender = s.tokens.lock().ok().and_then(|mut t| t.remove(token));
    match sender {
        Some(tx) => {
            let _ = tx.send(outcome);
            Ok(json!({}))
        }
        None => Err(errors::invalid_token("Invalid token")),
    }
}

pub fn success(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let output: Value = serde_json::from_str(input.req_str("output")?).map_err(|e| {
        AwsError::bad_request("InvalidOutput", format!("Invalid State Machine Execution Output: '{e}'"))
    })?;
    resolve(s, input, Ok(output))
}

pub fn failure(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let f = Failure {
        error: input.str("error").unwrap_or_default().to_string(),
        cause: input.str("cause").map(str::to_string),
    };
    resolve(s, input, Err(f))
}

pub fn heartbeat(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let token = input.req_str("taskToken")?;
    let known = s.tokens.lock().map(|t| t.contains_key(token)).unwrap_or(false);
    if known { Ok(json!({})) } else { Err(errors::invalid_token("Invalid token")) }
}
