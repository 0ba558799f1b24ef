//! Map runs: the record each distributed Map run keeps in the store (so it
//! outlives a restart), and DescribeMapRun, ListMapRuns and UpdateMapRun
//! over them.

use crate::errors;
use crate::executions;
use crate::model::{Keys, decode, encode};
use crate::names;
use crate::shared::Shared;
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_store::Store;

/// The map runs, by ARN, as DescribeMapRun answers them (plus the
/// `stateMachineArn` ListMapRuns shows).
pub struct MapRuns {
    store: Store,
    /// Serializes the read-merge-write of records.
    writing: tokio::sync::Mutex<()>,
}

/// The store key of a map run's record.
fn key(arn: &str) -> Option<String> {
    let a = names::parse(arn).ok()?;
    Some(format!("{}{arn}", Keys::new(a.account, a.region).map_runs()))
}

impl MapRuns {
    pub fn new(store: Store) -> MapRuns {
        MapRuns { store, writing: tokio::sync::Mutex::new(()) }
    }

    /// Merges `record`'s fields into the map run it names.
    pub async fn note(&self, record: Value) {
        let (Some(k), Value::Object(fields)) = (record["mapRunArn"].as_str().and_then(key), record) else {
            return;
        };
        let _guard = self.writing.lock().await;
        let mut entry = self.get_key(&k).unwrap_or_else(|| json!({}));
        if let Value::Object(e) = &mut entry {
            e.extend(fields);
        }
        if let Err(e) = self.store.put(k, encode(&entry)).await {
            tracing::warn!("could not record a map run: {e}");
        }
    }

    fn get_key(&self, key: &str) -> Option<Value> {
        self.store.get(key).ok().flatten().and_then(|b| decode(&b).ok())
    }

    fn get(&self, arn: &str) -> Option<Value> {
        self.get_key(&key(arn)?)
    }

    /// The map runs of one account and region.
    fn all(&self, account: &str, region: &str) -> Vec<Value> {
        let rows = self.store.scan_prefix(Keys::new(account, region).map_runs(), false, None).unwrap_or_default();
        rows.iter().filter_map(|(_, v)| decode(v).ok()).collect()
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
    let rec = executions::execution(s, arn)?;
    let runs = s.map_runs.all(&rec.account, &rec.region);
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

pub async fn update(s: &Shared, input: &Value) -> Result<Value, AwsError> {
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
    s.map_runs.note(change).await;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn note_merges_fields_in_the_store() {
        let store = Store::in_memory().expect("store");
        let runs = MapRuns::new(store.clone());
        let arn = "arn:aws:states:us-east-1:000000000000:mapRun:m/Map:1";
        runs.note(json!({ "mapRunArn": arn, "status": "RUNNING", "maxConcurrency": 3 })).await;
        runs.note(json!({ "mapRunArn": arn, "status": "SUCCEEDED" })).await;
        runs.note(json!({ "status": "ignored" })).await;
        let want = json!({ "mapRunArn": arn, "status": "SUCCEEDED", "maxConcurrency": 3 });
        // Another process on the same store sees it.
        let again = MapRuns::new(store);
        assert_eq!(again.get(arn), Some(want.clone()));
        assert_eq!(again.all("000000000000", "us-east-1"), vec![want]);
        assert_eq!(again.all("000000000000", "eu-west-1"), Vec::<Value>::new());
    }
}
