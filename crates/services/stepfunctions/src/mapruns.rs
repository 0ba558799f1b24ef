//! Map runs: the record each distributed Map run keeps while this process
//! runs (in memory), and DescribeMapRun, ListMapRuns and UpdateMapRun over
//! them.

use crate::errors;
use crate::executions;
use crate::names;
use crate::shared::Shared;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;
use stratus_core::AwsError;
use stratus_core::input::Input;

/// The map runs, by ARN, as DescribeMapRun answers them (plus the
/// `stateMachineArn` ListMapRuns shows).
#[derive(Default)]
pub struct MapRuns(Mutex<BTreeMap<String, Value>>);

impl MapRuns {
    /// Merges `record`'s fields into the map run it names.
    pub fn note(&self, record: Value) {
        let (Some(arn), Value::Object(fields)) = (record["mapRunArn"].as_str().map(str::to_string), record) else {
            return;
        };
        if let Ok(mut runs) = self.0.lock() {
            let entry = runs.entry(arn).or_insert_with(|| json!({}));
            if let Value::Object(e) = entry {
                e.extend(fields);
            }
        }
    }

    fn get(&self, arn: &str) -> Option<Value> {
        self.0.lock().ok().and_then(|r| r.get(arn).cloned())
    }

    pub fn clear(&self) {
        if let Ok(mut runs) = self.0.lock() {
            runs.clear();
        }
    }
}

/// The map run `mapRunArn` names, or AWS's errors.
fn find(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("mapRunArn")?;
    if names::parse(arn)?.kind != "mapRun" {
        return Err(errors::invalid_arn(arn));
    }
    s.map_runs.get(arn).ok_or_else(|| errors::resource_not_found(arn))
}

pub fn describe(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let mut run = find(s, input)?;
    if let Value::Object(fields) = &mut run {
        fields.remove("stateMachineArn");
    }
    Ok(run)
}

pub fn list(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("executionArn")?;
    executions::execution(s, arn)?;
    let runs = s.map_runs.0.lock().map(|r| r.values().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let mut mine: Vec<Value> = runs
        .into_iter()
        .filter(|r| r["executionArn"].as_str() == Some(arn))
        .map(|r| {
            let mut entry = json!({
                "executionArn": r["executionArn"],
                "mapRunArn": r["mapRunArn"],
                "stateMachineArn": r["stateMachineArn"],
                "startDate": r["startDate"],
            });
            if let Some(stop) = r.get("stopDate") {
                entry["stopDate"] = stop.clone();
            }
            entry
        })
        .collect();
    mine.sort_by(|a, b| {
        b["startDate"].as_f64().partial_cmp(&a["startDate"].as_f64()).unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(json!({ "mapRuns": mine }))
}

pub fn update(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let run = find(s, input)?;
    let invalid = |m: &str| AwsError::bad_request("ValidationException", m.to_string());
    let mut change = json!({ "mapRunArn": run["mapRunArn"] });
    if let Some(max) = input.get("maxConcurrency") {
        change["maxConcurrency"] = json!(max.as_u64().ok_or_else(|| invalid("maxConcurrency must be at least 0"))?);
    }
    if let Some(p) = input.get("toleratedFailurePercentage") {
        let p = p.as_f64().filter(|p| (0.0..=100.0).contains(p));
        change["toleratedFailurePercentage"] =
            json!(p.ok_or_else(|| invalid("toleratedFailurePercentage must be between 0 and 100"))?);
    }
    if let Some(c) = input.get("toleratedFailureCount") {
        change["toleratedFailureCount"] =
            json!(c.as_u64().ok_or_else(|| invalid("toleratedFailureCount must be at least 0"))?);
    }
    s.map_runs.note(change);
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_merges_fields() {
        let runs = MapRuns::default();
        runs.note(json!({ "mapRunArn": "a", "status": "RUNNING", "maxConcurrency": 3 }));
        runs.note(json!({ "mapRunArn": "a", "status": "SUCCEEDED" }));
        runs.note(json!({ "status": "ignored" }));
        assert_eq!(runs.get("a"), Some(json!({ "mapRunArn": "a", "status": "SUCCEEDED", "maxConcurrency": 3 })));
        runs.clear();
        assert_eq!(runs.get("a"), None);
    }
}
