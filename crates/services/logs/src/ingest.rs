//! A small public entry point for other services (Lambda) to write log
//! events: creates the group and stream when missing, then appends the
//! events through the same code path as PutLogEvents.

use serde_json::{Value, json};
use stratus_core::{AwsError, RequestContext, Service};
use stratus_store::Store;

fn ctx(account: &str, region: &str, op: &'static str) -> RequestContext {
    let mut c = RequestContext::internal("logs", op);
    c.account_id = account.to_string();
    c.region = region.to_string();
    c
}

/// Creates `group` and `stream` in `account`/`region` unless they exist.
pub async fn ensure_stream(
    store: &Store,
    account: &str,
    region: &str,
    group: &str,
    stream: &str,
) -> Result<(), AwsError> {
    let logs = crate::Logs::new(store.clone());
    ignore_exists(logs.call(&ctx(account, region, "CreateLogGroup"), json!({ "logGroupName": group })).await)?;
    ignore_exists(
        logs.call(&ctx(account, region, "CreateLogStream"), json!({ "logGroupName": group, "logStreamName": stream }))
            .await,
    )
}

/// Appends `events` (epoch milliseconds, message) to `group`/`stream` of
/// `account`/`region`; the stream must exist (see [`ensure_stream`]).
pub async fn put_events(
    store: &Store,
    account: &str,
    region: &str,
    group: &str,
    stream: &str,
    events: &[(i64, String)],
) -> Result<(), AwsError> {
    let logs = crate::Logs::new(store.clone());
    if events.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<&(i64, String)> = events.iter().collect();
    sorted.sort_by_key(|e| e.0);
    let list: Vec<Value> =
        sorted.iter().filter(|(_, m)| !m.is_empty()).map(|(t, m)| json!({ "timestamp": t, "message": m })).collect();
    if list.is_empty() {
        return Ok(());
    }
    logs.call(
        &ctx(account, region, "PutLogEvents"),
        json!({ "logGroupName": group, "logStreamName": stream, "logEvents": list }),
    )
    .await
    .map(|_| ())
}

fn ignore_exists(r: Result<Value, AwsError>) -> Result<(), AwsError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.code == "ResourceAlreadyExistsException" => Ok(()),
        Err(e) => Err(e),
    }
}
