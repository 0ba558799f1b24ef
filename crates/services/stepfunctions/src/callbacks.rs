//! Ending tasks that wait for a token: SendTaskSuccess, SendTaskFailure
//! and SendTaskHeartbeat (InvalidToken for a token never issued,
//! TaskTimedOut for one whose task already ended).

use crate::asl::Failure;
use crate::shared::Shared;
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

pub fn success(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let token = input.req_str("taskToken")?;
    let output: Value = serde_json::from_str(input.req_str("output")?).map_err(|e| {
        AwsError::bad_request("InvalidOutput", format!("Invalid State Machine Execution Output: '{e}'"))
    })?;
    s.tokens.resolve(token, Ok(output)).map(|_| json!({}))
}

pub fn failure(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let token = input.req_str("taskToken")?;
    let f = Failure {
        error: input.str("error").unwrap_or_default().to_string(),
        cause: input.str("cause").map(str::to_string),
    };
    s.tokens.resolve(token, Err(f)).map(|_| json!({}))
}

pub fn heartbeat(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    s.tokens.heartbeat(input.req_str("taskToken")?).map(|_| json!({}))
}
