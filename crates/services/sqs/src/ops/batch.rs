//! DeleteMessageBatch and ChangeMessageVisibilityBatch: batch-level checks,
//! then each entry on its own, reported as `Successful` or `Failed`.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::checks;
use crate::ops::send::failure;
use crate::ops::visibility::{change_one, delete_one};
use crate::scope::Scope;

pub async fn delete(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let entries = input.list("Entries");
    checks::batch(entries, "DeleteMessageBatchRequestEntry")?;
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for e in entries {
        let id = e.str("Id").unwrap_or_default();
        match delete_one(s, &q, e.str("ReceiptHandle").unwrap_or_default()).await {
            Ok(()) => ok.push(json!({ "Id": id })),
            Err(err) if err.status >= 500 => return Err(err),
            Err(err) => failed.push(failure(id, &err)),
        }
    }
    Ok(json!({ "Successful": ok, "Failed": failed }))
}

pub async fn change_visibility(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let entries = input.list("Entries");
    checks::batch(entries, "ChangeMessageVisibilityBatchRequestEntry")?;
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for e in entries {
        let id = e.str("Id").unwrap_or_default();
        let handle = e.str("ReceiptHandle").unwrap_or_default();
        match change_one(s, &q, handle, e.i64("VisibilityTimeout").unwrap_or(0)).await {
            Ok(()) => ok.push(json!({ "Id": id })),
            Err(err) if err.status >= 500 => return Err(err),
            Err(err) => failed.push(failure(id, &err)),
        }
    }
    Ok(json!({ "Successful": ok, "Failed": failed }))
}
