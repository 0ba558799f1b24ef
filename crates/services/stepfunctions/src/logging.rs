//! Execution logging to CloudWatch Logs (a machine's
//! `loggingConfiguration`): the configuration checked at create and update
//! time (exactly one existing log group when logging is on), and an
//! ended execution's events written to that group through the in-process
//! Logs service, filtered by level (ALL; ERROR: failures; FATAL: the
//! execution's own failure), with inputs and outputs only when
//! `includeExecutionData` is set.

use crate::shared::Shared;
use serde_json::{Map, Value, json};
use stratus_core::{AwsError, Peers};

fn invalid(reason: &str) -> AwsError {
    AwsError::bad_request("InvalidLoggingConfiguration", format!("Invalid Logging Configuration: {reason}"))
}

fn level(config: &Value) -> &str {
    config.get("level").and_then(Value::as_str).unwrap_or("OFF")
}

/// The log group a configuration writes to: (account, region, name).
fn destination(config: &Value) -> Option<(String, String, String)> {
    let arn =
        config.get("destinations")?.as_array()?.first()?.get("cloudWatchLogsLogGroup")?.get("logGroupArn")?.as_str()?;
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "logs", region, account, "log-group", name, ..] => {
            Some((account.to_string(), region.to_string(), name.to_string()))
        }
        _ => None,
    }
}

/// Checks a configuration as CreateStateMachine/UpdateStateMachine do.
pub async fn check(peers: &Peers, config: &Value) -> Result<(), AwsError> {
    let count = config.get("destinations").and_then(Value::as_array).map_or(0, Vec::len);
    if count > 1 || (level(config) != "OFF" && count != 1) {
        return Err(invalid("Must specify exactly one Log Destination."));
    }
    if count == 0 {
        return Ok(());
    }
    let (account, region, name) = destination(config).ok_or_else(|| invalid("Log Destination not found."))?;
    let found = peers
        .call("logs", "DescribeLogGroups", &account, &region, json!({ "logGroupNamePrefix": name }))
        .await
        .ok()
        .and_then(|out| out.get("logGroups").and_then(Value::as_array).cloned())
        .is_some_and(|groups| groups.iter().any(|g| g.get("logGroupName").and_then(Value::as_str) == Some(&name)));
    if found { Ok(()) } else { Err(invalid("Log Destination not found.")) }
}

/// Whether a configuration logs anything.
pub fn enabled(config: &Value) -> bool {
    level(config) != "OFF" && destination(config).is_some()
}

/// Whether `level` logs an event of `kind`.
fn logs(level: &str, kind: &str) -> bool {
    let fatal = matches!(kind, "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted");
    match level {
        "ALL" => true,
        "FATAL" => fatal,
        "ERROR" => {
            fatal
                || kind == "FailStateEntered"
                || kind.ends_with("Failed")
                || kind.ends_with("TimedOut")
                || kind.ends_with("Aborted")
        }
        _ => false,
    }
}

/// One history event as the log record AWS writes.
fn record(event: &Value, execution_arn: &str, redrive_count: u64, with_data: bool) -> Option<(i64, String)> {
    let obj = event.as_object()?;
    let mut details = obj
        .iter()
        .find(|(k, _)| k.ends_with("EventDetails"))
        .and_then(|(_, v)| v.as_object().cloned())
        .unwrap_or_default();
    if !with_data {
        for k in ["input", "inputDetails", "output", "outputDetails", "parameters"] {
            details.remove(k);
        }
    }
    let millis = (obj.get("timestamp")?.as_f64()? * 1000.0).round() as i64;
    let mut m = Map::new();
    m.insert("id".into(), json!(obj.get("id")?.to_string()));
    m.insert("type".into(), obj.get("type")?.clone());
    m.insert("details".into(), Value::Object(details));
    m.insert("previous_event_id".into(), json!(obj.get("previousEventId")?.to_string()));
    m.insert("event_timestamp".into(), json!(millis.to_string()));
    m.insert("execution_arn".into(), json!(execution_arn));
    m.insert("redrive_count".into(), json!(redrive_count.to_string()));
    Some((millis, Value::Object(m).to_string()))
}

/// Writes an execution's events to the configured log group.
pub async fn deliver(
    s: &Shared,
    config: &Value,
    machine_name: &str,
    execution_arn: &str,
    redrive_count: u64,
    events: &[Value],
) {
    let Some((account, region, group)) = destination(config) else { return };
    let level = level(config);
    let with_data = config.get("includeExecutionData").and_then(Value::as_bool).unwrap_or(false);
    let records: Vec<Value> = events
        .iter()
        .filter(|e| e.get("type").and_then(Value::as_str).is_some_and(|k| logs(level, k)))
        .filter_map(|e| record(e, execution_arn, redrive_count, with_data))
        .map(|(timestamp, message)| json!({ "timestamp": timestamp, "message": message }))
        .collect();
    if records.is_empty() {
        return;
    }
    let now = stratus_core::clock::now();
    let stream = format!(
        "states/{machine_name}/{:04}-{:02}-{:02}-{:02}-{:02}/{}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let peers = &s.settings.peers;
    let target = json!({ "logGroupName": group, "logStreamName": stream });
    if let Err(e) = peers.call("logs", "CreateLogStream", &account, &region, target.clone()).await {
        tracing::warn!("could not create log stream for {execution_arn}: {e}");
        return;
    }
    let mut put = target;
    put["logEvents"] = Value::Array(records);
    if let Err(e) = peers.call("logs", "PutLogEvents", &account, &region, put).await {
        tracing::warn!("could not log the events of {execution_arn}: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_filter_events() {
        assert!(logs("ALL", "PassStateEntered"));
        assert!(logs("ERROR", "FailStateEntered"));
        assert!(logs("ERROR", "TaskFailed"));
        assert!(!logs("ERROR", "PassStateExited"));
        assert!(logs("FATAL", "ExecutionFailed"));
        assert!(!logs("FATAL", "FailStateEntered"));
        assert!(!logs("OFF", "ExecutionFailed"));
    }

    #[test]
    fn records_drop_data_unless_included() {
        let e = json!({"id": 2, "previousEventId": 0, "timestamp": 1.5, "type": "PassStateEntered",
            "stateEnteredEventDetails": {"name": "A", "input": "{}", "inputDetails": {"truncated": false}}});
        let (ts, msg) = record(&e, "arn:x", 0, false).expect("record");
        assert_eq!(ts, 1500);
        let v: Value = serde_json::from_str(&msg).expect("json");
        assert_eq!(v["details"], json!({"name": "A"}));
        assert_eq!(v["id"], json!("2"));
        assert_eq!(v["previous_event_id"], json!("0"));
        let (_, msg) = record(&e, "arn:x", 0, true).expect("record");
        let v: Value = serde_json::from_str(&msg).expect("json");
        assert_eq!(v["details"]["input"], json!("{}"));
    }

    #[test]
    fn destination_from_the_group_arn() {
        let c = json!({"level": "ALL", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/sfn/x:*"}}]});
        assert_eq!(destination(&c), Some(("000000000000".into(), "us-east-1".into(), "/aws/sfn/x".into())));
        assert!(enabled(&c));
    }
}
