//! RedriveExecution: a Standard execution that FAILED, TIMED_OUT or was
//! ABORTED runs again under the same ARN from the top-level state that did
//! not finish, with the same input and definition; its history goes on
//! with an ExecutionRedriven event, and DescribeExecution shows the
//! redrive count and date. As AWS documents, a failed Parallel or inline
//! Map re-runs only the branches and iterations that did not succeed (the
//! others keep their output), and a failed distributed Map redrives its
//! map run's unsuccessful child executions.

use crate::executions;
use crate::runner;
use crate::shared::Shared;
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::AwsError;
use stratus_core::input::Input;

fn not_redrivable(status: &str) -> AwsError {
    AwsError::bad_request("ExecutionNotRedrivable", format!("Execution is {status} and cannot be redriven"))
}

pub async fn redrive(s: &Arc<Shared>, input: &Value) -> Result<Value, AwsError> {
    let mut rec = executions::execution(s, input.req_str("executionArn")?)?;
    if !matches!(rec.status.as_str(), "FAILED" | "TIMED_OUT" | "ABORTED") || s.runtime(&rec.arn).is_some() {
        return Err(not_redrivable(&rec.status));
    }
    let Some(at) = rec.redrive_from.take() else { return Err(not_redrivable(&rec.status)) };
    let now = stratus_core::clock::now_epoch();
    rec.status = "RUNNING".into();
    rec.redrive_count += 1;
    rec.redrive_date = Some(now);
    rec.stop = None;
    rec.output = None;
    rec.error = None;
    rec.cause = None;
    rec.position = None;
    let at = crate::asl::threads::restart(at);
    runner::relaunch(s, rec, Some(at)).await?;
    Ok(json!({ "redriveDate": now }))
}
