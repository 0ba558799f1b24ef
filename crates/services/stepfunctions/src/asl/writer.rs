//! A distributed Map's `ResultWriter` and failure tolerance: the records
//! AWS keeps of each child execution, `WriterConfig` transformations
//! (NONE, COMPACT, FLATTEN) and output types (JSON, JSONL), the result
//! files and `manifest.json` written to S3 through the task integrations,
//! and the `ToleratedFailure*` thresholds.

use super::failure::Failure;
use super::runtime::Runtime;
use serde_json::{Value, json};

/// One child execution of a map run, as it ended.
pub struct Child {
    pub index: usize,
    pub name: String,
    pub input: Value,
    pub start: f64,
    pub stop: f64,
    pub outcome: Result<Value, Failure>,
}

/// Where a map run stands: its ARN and the names AWS derives from it.
pub struct MapRun {
    pub arn: String,
    /// The child executions' state machine (`{machine}/{label}`).
    pub machine: String,
    pub id: String,
}

impl MapRun {
    pub fn new(rt: &Runtime, label: &str) -> MapRun {
        let machine = format!("{}/{label}", rt.state_machine["Name"].as_str().unwrap_or_default());
        let id = uuid::Uuid::new_v4().to_string();
        let arn = format!("arn:aws:states:{}:{}:mapRun:{machine}:{id}", rt.region, rt.account);
        MapRun { arn, machine, id }
    }

    /// The map run `arn` names (a resumed or redriven execution's).
    pub fn resume(arn: &str) -> MapRun {
        let rest = arn.split_once(":mapRun:").map_or(arn, |(_, r)| r);
        let (machine, id) = rest.rsplit_once(':').unwrap_or((rest, ""));
        MapRun { arn: arn.to_string(), machine: machine.to_string(), id: id.to_string() }
    }

    /// Records MapRunRedriven (its parent was redriven) after `cursor`;
    /// returns what changes in the map run's record.
    pub fn redriven(&self, rt: &Runtime, cursor: &mut i64) -> Value {
        let count = rt.execution["RedriveCount"].as_u64().unwrap_or(0);
        rt.history.emit(cursor, "MapRunRedriven", || {
            Some(("mapRunRedrivenEventDetails", json!({ "mapRunArn": self.arn, "redriveCount": count })))
        });
        json!({
            "mapRunArn": self.arn,
            "status": "RUNNING",
            "redriveCount": count,
            "redriveDate": stratus_core::clock::now_epoch(),
        })
    }

    fn child_arn(&self, rt: &Runtime, kind: &str, suffix: &str) -> String {
        format!("arn:aws:states:{}:{}:{kind}:{}{suffix}", rt.region, rt.account, self.machine)
    }

    /// The map run's DescribeMapRun record as it starts (the ListMapRuns
    /// entry's `stateMachineArn` rides along).
    pub fn started(&self, rt: &Runtime, max: Option<u64>, count: Option<u64>, percentage: Option<f64>) -> Value {
        json!({
            "mapRunArn": self.arn,
            "executionArn": rt.execution["Id"],
            "stateMachineArn": self.child_arn(rt, "stateMachine", ""),
            "status": "RUNNING",
            "startDate": stratus_core::clock::now_epoch(),
            "maxConcurrency": max.unwrap_or(0),
            "toleratedFailurePercentage": percentage.unwrap_or(0.0),
            "toleratedFailureCount": count.unwrap_or(0),
            "itemCounts": counts(0, 0, false),
            "executionCounts": counts(0, 0, false),
            "redriveCount": 0,
        })
    }

    /// What changes in the record when the run ends.
    pub fn ended(&self, succeeded: bool, children: &[Child], written: bool) -> Value {
        let failed = children.iter().filter(|c| c.outcome.is_err()).count();
        let done = counts(children.len() - failed, failed, written);
        json!({
            "mapRunArn": self.arn,
            "status": if succeeded { "SUCCEEDED" } else { "FAILED" },
            "stopDate": stratus_core::clock::now_epoch(),
            "itemCounts": done,
            "executionCounts": done,
        })
    }

    /// AWS's record of a child execution (Transformation NONE).
    pub fn record(&self, rt: &Runtime, child: &Child) -> Value {
        let date = stratus_core::clock::iso8601;
        let mut r = json!({
            "ExecutionArn": self.child_arn(rt, "execution", &format!(":{}", child.name)),
            "Input": child.input.to_string(),
            "InputDetails": { "Included": true },
            "Name": child.name,
            "RedriveCount": 0,
            "StartDate": date(child.start),
            "StateMachineArn": self.child_arn(rt, "stateMachine", ""),
            "StopDate": date(child.stop),
        });
        match &child.outcome {
            Ok(out) => {
                r["Output"] = json!(out.to_string());
                r["OutputDetails"] = json!({ "Included": true });
                r["RedriveStatus"] = json!("NOT_REDRIVABLE");
                r["RedriveStatusReason"] = json!("Execution is SUCCEEDED and cannot be redriven");
                r["Status"] = json!("SUCCEEDED");
            }
            Err(f) => {
                r["Error"] = json!(f.error);
                if let Some(c) = &f.cause {
                    r["Cause"] = json!(c);
                }
                r["RedriveStatus"] = json!("REDRIVABLE_BY_MAP_RUN");
                r["Status"] = json!("FAILED");
            }
        }
        r
    }
}

/// A map run's item or execution counts.
fn counts(succeeded: usize, failed: usize, written: bool) -> Value {
    json!({
        "pending": 0, "running": 0, "succeeded": succeeded, "failed": failed, "timedOut": 0,
        "aborted": 0, "total": succeeded + failed, "resultsWritten": if written { succeeded + failed } else { 0 },
        "failuresNotRedrivable": 0, "pendingRedrive": 0,
    })
}

/// `States.ExceedToleratedFailureThreshold` when more children failed than
/// `count` or `percentage` tolerate.
pub fn tolerate(failed: usize, total: usize, count: Option<u64>, percentage: Option<f64>) -> Result<(), Failure> {
    let over_count = count.is_some_and(|c| failed as u64 > c);
    let over_pct = percentage.is_some_and(|p| total > 0 && (failed as f64) * 100.0 / (total as f64) > p);
    if over_count || over_pct {
        return Err(Failure::new(
            "States.ExceedToleratedFailureThreshold",
            "The specified tolerated failure threshold was exceeded",
        ));
    }
    Ok(())
}

/// The `Transformation` of successful outputs: NONE keeps AWS's records,
/// COMPACT keeps the outputs, FLATTEN splices array outputs into the list.
fn transform(transformation: &str, records: Vec<(Value, Option<Value>)>) -> Vec<Value> {
    let mut out = Vec::new();
    for (record, output) in records {
        match (transformation, output) {
            ("FLATTEN", Some(Value::Array(items))) => out.extend(items),
            ("COMPACT" | "FLATTEN", Some(v)) => out.push(v),
            (_, _) => out.push(record),
        }
    }
    out
}

/// A result file's text as `OutputType` says.
fn render(output_type: &str, values: &[Value]) -> String {
    if output_type == "JSONL" {
        values.iter().map(|v| format!("{v}\n")).collect()
    } else {
        Value::Array(values.to_vec()).to_string()
    }
}

fn config_str<'a>(writer: &'a Value, name: &str, default: &'a str) -> &'a str {
    writer.get("WriterConfig").and_then(|c| c.get(name)).and_then(Value::as_str).unwrap_or(default)
}

/// The Map state's result for a `ResultWriter`: with a `Resource`, the
/// files are written under `params` (`Bucket`, `Prefix`) and the result
/// points at the manifest; with only `WriterConfig`, the transformed
/// outputs.
pub async fn write(
    rt: &Runtime,
    writer: &Value,
    params: &Value,
    run: &MapRun,
    children: &[Child],
) -> Result<Value, Failure> {
    let has_resource = writer.get("Resource").is_some();
    let transformation = config_str(writer, "Transformation", if has_resource { "NONE" } else { "COMPACT" });
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    for child in children {
        let record = run.record(rt, child);
        match &child.outcome {
            Ok(out) => succeeded.push((record, Some(out.clone()))),
            Err(_) => failed.push(record),
        }
    }
    let succeeded = transform(transformation, succeeded);
    if !has_resource {
        return Ok(Value::Array(succeeded.into_iter().chain(failed).collect()));
    }
    let bucket = params
        .get("Bucket")
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::new("States.ResultWriterFailed", "The ResultWriter Parameters must name a Bucket"))?;
    let prefix = params.get("Prefix").and_then(Value::as_str).unwrap_or_default().trim_end_matches('/');
    let base = if prefix.is_empty() { run.id.clone() } else { format!("{prefix}/{}", run.id) };
    let output_type = config_str(writer, "OutputType", "JSON");
    let ext = if output_type == "JSONL" { "jsonl" } else { "json" };
    let mut files = json!({ "FAILED": [], "PENDING": [], "SUCCEEDED": [] });
    for (status, values) in [("SUCCEEDED", succeeded), ("FAILED", failed)] {
        if values.is_empty() {
            continue;
        }
        let key = format!("{base}/{status}_0.{ext}");
        let body = render(output_type, &values);
        let size = body.len();
        rt.tasks.put(rt, json!({ "Bucket": bucket, "Key": key }), body.into_bytes()).await?;
        if let Some(list) = files[status].as_array_mut() {
            list.push(json!({ "Key": key, "Size": size }));
        }
    }
    let manifest = json!({ "DestinationBucket": bucket, "MapRunArn": run.arn, "ResultFiles": files });
    let key = format!("{base}/manifest.json");
    rt.tasks.put(rt, json!({ "Bucket": bucket, "Key": key }), manifest.to_string().into_bytes()).await?;
    Ok(json!({ "MapRunArn": run.arn, "ResultWriterDetails": { "Bucket": bucket, "Key": key } }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_and_renders() {
        let recs = vec![(json!({"r": 1}), Some(json!([1, 2]))), (json!({"r": 2}), Some(json!(3)))];
        assert_eq!(transform("NONE", recs.clone()), vec![json!({"r": 1}), json!({"r": 2})]);
        assert_eq!(transform("COMPACT", recs.clone()), vec![json!([1, 2]), json!(3)]);
        assert_eq!(transform("FLATTEN", recs), vec![json!(1), json!(2), json!(3)]);
        assert_eq!(render("JSONL", &[json!(1), json!({"a": 2})]), "1\n{\"a\":2}\n");
        assert_eq!(render("JSON", &[json!(1)]), "[1]");
    }

    #[test]
    fn tolerates_up_to_the_threshold() {
        assert!(tolerate(1, 4, None, Some(25.0)).is_ok());
        assert!(tolerate(2, 4, None, Some(25.0)).is_err());
        assert!(tolerate(1, 4, Some(1), None).is_ok());
        assert!(tolerate(2, 4, Some(1), None).is_err());
        assert!(tolerate(3, 4, None, None).is_ok());
    }
}
