//! DeleteMessageBatch and ChangeMessageVisibilityBatch: batch-level checks,
//! then every entry in one store transaction, each reported as
//! `Successful` or `Failed`.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::checks;
use crate::ops::now_ms;
use crate::ops::send::{batch_result, failure};
use crate::ops::visibility::{change_in, delete_in, queue_in};
use crate::scope::Scope;

/// `(Id, ReceiptHandle, VisibilityTimeout)` of each entry.
fn entries(input: &Value, entry: &str) -> Result<Vec<(String, String, i64)>, AwsError> {
    let list = input.list("Entries");
    checks::batch(list, entry)?;
    Ok(list
        .iter()
        .map(|e| {
            (
                e.str("Id").unwrap_or_default().to_string(),
                e.str("ReceiptHandle").unwrap_or_default().to_string(),
                e.i64("VisibilityTimeout").unwrap_or(0),
            )
        })
        .collect())
}

fn settle(results: Vec<(String, Result<(), AwsError>)>) -> Result<Value, AwsError> {
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for (id, r) in results {
        match r {
            Ok(()) => ok.push(json!({ "Id": id })),
            Err(err) if err.status >= 500 => return Err(err),
            Err(err) => failed.push(failure(&id, &err)),
        }
    }
    Ok(batch_result(ok, failed))
}

pub async fn delete(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let list = entries(input, "DeleteMessageBatchRequestEntry")?;
    let now = now_ms();
    let results = s
        .store()
        .transact(move |txn| {
            let queue = queue_in(txn, &q)?;
            Ok::<_, AwsError>(
                list.iter().map(|(id, handle, _)| (id.clone(), delete_in(txn, &q, &queue, handle, now))).collect(),
            )
        })
        .await?;
    settle(results)
}

pub async fn change_visibility(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let list = entries(input, "ChangeMessageVisibilityBatchRequestEntry")?;
    let wakes = list.iter().any(|(_, _, t)| *t == 0);
    let now = now_ms();
    let qr = q.clone();
    let results = s
        .store()
        .transact(move |txn| {
            queue_in(txn, &qr)?;
            Ok::<_, AwsError>(
                list.iter().map(|(id, handle, t)| (id.clone(), change_in(txn, &qr, handle, *t, now))).collect(),
            )
        })
        .await?;
    if wakes {
        s.shared.waiters.notify(&q.key());
    }
    settle(results)
}
