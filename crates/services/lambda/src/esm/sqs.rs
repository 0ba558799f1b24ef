//! The SQS poller of one mapping: long-polls the queue through the SQS
//! peer, gathers up to BatchSize messages within
//! MaximumBatchingWindowInSeconds, drops (deletes) messages the filters
//! reject, invokes the function synchronously with AWS's SQS event, and
//! deletes the batch on success — only the successes when the function
//! reports `batchItemFailures` — or leaves it to reappear after the
//! visibility timeout (and so reach the queue's dead-letter queue through
//! its redrive policy) on error. At most ScalingConfig.MaximumConcurrency
//! batches run at once.

use super::drive::Set;
use super::poller::{self, Invoked};
use super::{Mapping, filter};
use crate::state::Shared;
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// Concurrent batches when ScalingConfig sets no maximum: AWS starts with
/// five pollers per queue.
const DEFAULT_CONCURRENCY: usize = 5;

/// Runs until aborted.
pub async fn run(s: Arc<Shared>, m: Mapping) {
    let arn = m.source_arn().to_string();
    let Some(parts) = stratus_core::arn::parse(&arn) else { return };
    let (account, region, name) = (parts.account.to_string(), parts.region.to_string(), parts.resource.to_string());
    let limit = m
        .config
        .get("ScalingConfig")
        .and_then(|c| c.i64("MaximumConcurrency"))
        .map(|n| n.max(1) as usize)
        .unwrap_or(DEFAULT_CONCURRENCY);
    let m = Arc::new(m);
    // Batches being processed run inside this task: aborting it drops them
    // (their messages reappear after the visibility timeout).
    let mut inflight = Set::default();
    loop {
        inflight.below(limit).await;
        let url = match inflight.with(queue_url(&s, &account, &region, &name)).await {
            Ok(u) => u,
            Err(e) => {
                tracing::debug!(mapping = m.uuid(), "SQS queue {arn} unavailable: {}", e.message);
                inflight.with(tokio::time::sleep(Duration::from_secs(5))).await;
                continue;
            }
        };
        let batch = match inflight.with(gather(&s, &m, &account, &region, &url)).await {
            Ok(b) => b,
            Err(e) => {
                tracing::debug!(mapping = m.uuid(), "ReceiveMessage on {arn} failed: {}", e.message);
                inflight.with(tokio::time::sleep(Duration::from_secs(2))).await;
                continue;
            }
        };
        if batch.is_empty() {
            continue;
        }
        let (s2, m2, account2, region2) = (s.clone(), m.clone(), account.clone(), region.clone());
        inflight.push(async move { process(&s2, &m2, &account2, &region2, &url, batch).await });
    }
}

pub async fn queue_url(s: &Shared, account: &str, region: &str, name: &str) -> Result<String, AwsError> {
    let out = s
        .settings
        .peers
        .call("sqs", "GetQueueUrl", account, region, json!({ "QueueName": name, "QueueOwnerAWSAccountId": account }))
        .await?;
    out.str("QueueUrl").map(str::to_string).ok_or_else(|| AwsError::internal("GetQueueUrl returned no QueueUrl"))
}

/// Receives until BatchSize messages are in hand or the batching window
/// closes (without a window: the first non-empty receive).
async fn gather(s: &Shared, m: &Mapping, account: &str, region: &str, url: &str) -> Result<Vec<Value>, AwsError> {
    let size = m.int("BatchSize", 10).max(1) as usize;
    let window = Duration::from_secs(m.int("MaximumBatchingWindowInSeconds", 0).max(0) as u64);
    let started = Instant::now();
    let mut batch: Vec<Value> = Vec::new();
    let mut seen = HashSet::new();
    loop {
        let left = window.saturating_sub(started.elapsed());
        let wait = if batch.is_empty() { 20 } else { (left.as_millis() as u64).div_ceil(1000).min(20) };
        let want = (size - batch.len()).min(10);
        let out = s
            .settings
            .peers
            .call(
                "sqs",
                "ReceiveMessage",
                account,
                region,
                json!({
                    "QueueUrl": url,
                    "MaxNumberOfMessages": want,
                    "WaitTimeSeconds": wait,
                    "AttributeNames": ["All"],
                    "MessageSystemAttributeNames": ["All"],
                    "MessageAttributeNames": ["All"],
                }),
            )
            .await?;
        for msg in out.list("Messages") {
            if seen.insert(msg.str("MessageId").unwrap_or("").to_string()) {
                batch.push(msg.clone());
            }
        }
        if batch.len() >= size || (!batch.is_empty() && started.elapsed() >= window) {
            return Ok(batch);
        }
        if batch.is_empty() && window.is_zero() {
            return Ok(batch);
        }
    }
}

/// A received message as the Lambda event carries it.
pub fn record(msg: &Value, arn: &str, region: &str) -> Value {
    let mut attrs = Map::new();
    if let Some(a) = msg.get("Attributes").and_then(Value::as_object) {
        // AWS's order: the common attributes first, then the FIFO ones.
        for k in ["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"] {
            if let Some(v) = a.get(k) {
                attrs.insert(k.into(), v.clone());
            }
        }
        for (k, v) in a {
            if !attrs.contains_key(k) && k != "SqsManagedSseEnabled" {
                attrs.insert(k.clone(), v.clone());
            }
        }
    }
    let mut mattrs = Map::new();
    if let Some(ma) = msg.get("MessageAttributes").and_then(Value::as_object) {
        for (name, a) in ma {
            let mut o = Map::new();
            if let Some(v) = a.get("StringValue") {
                o.insert("stringValue".into(), v.clone());
            }
            if let Some(v) = a.get("BinaryValue") {
                o.insert("binaryValue".into(), v.clone());
            }
            o.insert("stringListValues".into(), a.get("StringListValues").cloned().unwrap_or_else(|| json!([])));
            o.insert("binaryListValues".into(), a.get("BinaryListValues").cloned().unwrap_or_else(|| json!([])));
            o.insert("dataType".into(), a.get("DataType").cloned().unwrap_or_else(|| json!("String")));
            mattrs.insert(name.clone(), Value::Object(o));
        }
    }
    let mut r = json!({
        "messageId": msg.str("MessageId").unwrap_or(""),
        "receiptHandle": msg.str("ReceiptHandle").unwrap_or(""),
        "body": msg.str("Body").unwrap_or(""),
        "attributes": attrs,
        "messageAttributes": mattrs,
        "md5OfBody": msg.str("MD5OfBody").unwrap_or(""),
    });
    if let Some(md5) = msg.str("MD5OfMessageAttributes") {
        r["md5OfMessageAttributes"] = json!(md5);
    }
    r["eventSource"] = json!("aws:sqs");
    r["eventSourceARN"] = json!(arn);
    r["awsRegion"] = json!(region);
    r
}

/// The record filters see: `body` parsed when it is JSON.
pub fn filter_view(record: &Value) -> Value {
    let mut v = record.clone();
    if let Some(parsed) = record.str("body").and_then(|b| serde_json::from_str::<Value>(b).ok()) {
        v["body"] = parsed;
    }
    v
}

/// Which messages of a batch succeeded, from the function's outcome.
/// `None` means the whole batch failed.
pub fn successes(records: &[Value], inv: &Invoked, reports: bool) -> Option<Vec<usize>> {
    if inv.failed() {
        return None;
    }
    let all: Vec<usize> = (0..records.len()).collect();
    if !reports {
        return Some(all);
    }
    let resp = inv.response();
    let Some(failures) = resp.get("batchItemFailures") else { return Some(all) };
    let Some(failures) = failures.as_array() else {
        return if failures.is_null() { Some(all) } else { None };
    };
    let ids: Vec<&str> = records.iter().map(|r| r.str("messageId").unwrap_or("")).collect();
    let mut failed = HashSet::new();
    for f in failures {
        // An entry without a known identifier fails the whole batch, as on AWS.
        match f.str("itemIdentifier").filter(|id| !id.is_empty() && ids.contains(id)) {
            Some(id) => {
                failed.insert(id.to_string());
            }
            None => return None,
        }
    }
    Some(all.into_iter().filter(|i| !failed.contains(ids[*i])).collect())
}

async fn process(s: &Arc<Shared>, m: &Mapping, account: &str, region: &str, url: &str, batch: Vec<Value>) {
    let arn = m.source_arn();
    let filters = m.filters();
    let (mut keep, mut dropped) = (Vec::new(), Vec::new());
    for msg in &batch {
        let r = record(msg, arn, region);
        if filter::passes(&filters, &filter_view(&r)) {
            keep.push(r);
        } else {
            dropped.push(msg.str("ReceiptHandle").unwrap_or("").to_string());
        }
    }
    delete(s, account, region, url, &dropped).await;
    if keep.is_empty() {
        return;
    }
    let event = json!({ "Records": keep });
    let ok = match poller::invoke(s, m, &event).await {
        Ok(inv) => successes(&keep, &inv, m.reports_item_failures()),
        Err(e) => {
            tracing::debug!(mapping = m.uuid(), "invoke failed: {}", e.message);
            None
        }
    };
    let Some(ok) = ok else { return };
    let handles: Vec<String> = ok.iter().map(|i| keep[*i].str("receiptHandle").unwrap_or("").to_string()).collect();
    delete(s, account, region, url, &handles).await;
}

async fn delete(s: &Shared, account: &str, region: &str, url: &str, handles: &[String]) {
    for chunk in handles.chunks(10) {
        let entries: Vec<Value> =
            chunk.iter().enumerate().map(|(i, h)| json!({ "Id": i.to_string(), "ReceiptHandle": h })).collect();
        let input = json!({ "QueueUrl": url, "Entries": entries });
        if let Err(e) = s.settings.peers.call("sqs", "DeleteMessageBatch", account, region, input).await {
            tracing::debug!("DeleteMessageBatch on {url} failed: {}", e.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoke::RunResult;
    use bytes::Bytes;

    const ARN: &str = "arn:aws:sqs:us-east-1:000000000000:q";

    fn message(id: &str) -> Value {
        json!({
            "MessageId": id,
            "ReceiptHandle": format!("rh-{id}"),
            "MD5OfBody": "5d41402abc4b2a76b9719d911017c592",
            "Body": "{\"kind\": \"order\"}",
            "Attributes": {
                "SenderId": "000000000000",
                "ApproximateFirstReceiveTimestamp": "1700000000100",
                "SentTimestamp": "1700000000000",
                "ApproximateReceiveCount": "1",
                "MessageGroupId": "g1",
            },
            "MD5OfMessageAttributes": "abc",
            "MessageAttributes": {
                "color": {"StringValue": "red", "DataType": "String"},
                "blob": {"BinaryValue": "AAE=", "DataType": "Binary"},
            },
        })
    }

    fn invoked(payload: &str, error: bool) -> Invoked {
        Invoked {
            request_id: "r".into(),
            version: "$LATEST".into(),
            result: RunResult {
                payload: Bytes::from(payload.to_string()),
                function_error: error.then_some("Unhandled"),
                log_text: String::new(),
            },
        }
    }

    #[test]
    fn records_have_the_lambda_sqs_event_shape() {
        let r = record(&message("m1"), ARN, "us-east-1");
        let keys: Vec<&str> = r.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(
            keys,
            [
                "messageId",
                "receiptHandle",
                "body",
                "attributes",
                "messageAttributes",
                "md5OfBody",
                "md5OfMessageAttributes",
                "eventSource",
                "eventSourceARN",
                "awsRegion"
            ]
        );
        let attr_keys: Vec<&String> = r["attributes"].as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(
            attr_keys,
            [
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
                "MessageGroupId"
            ]
        );
        assert_eq!(
            r["messageAttributes"]["color"],
            json!({"stringValue": "red", "stringListValues": [], "binaryListValues": [], "dataType": "String"})
        );
        assert_eq!(r["messageAttributes"]["blob"]["binaryValue"], "AAE=");
        assert_eq!(r["eventSource"], "aws:sqs");
        assert_eq!(r["eventSourceARN"], ARN);
        assert_eq!(filter_view(&r)["body"]["kind"], "order");
        let mut plain = message("m2");
        plain["Body"] = json!("not json");
        plain.as_object_mut().map(|o| o.remove("MD5OfMessageAttributes"));
        let r = record(&plain, ARN, "us-east-1");
        assert!(r.get("md5OfMessageAttributes").is_none());
        assert_eq!(filter_view(&r)["body"], "not json");
    }

    #[test]
    fn batch_item_failures_select_what_is_deleted() {
        let recs: Vec<Value> = ["a", "b", "c"].iter().map(|id| record(&message(id), ARN, "us-east-1")).collect();
        assert_eq!(successes(&recs, &invoked("null", false), false), Some(vec![0, 1, 2]));
        assert_eq!(successes(&recs, &invoked("{}", true), true), None);
        assert_eq!(
            successes(&recs, &invoked(r#"{"batchItemFailures": [{"itemIdentifier": "b"}]}"#, false), true),
            Some(vec![0, 2])
        );
        assert_eq!(successes(&recs, &invoked(r#"{"batchItemFailures": []}"#, false), true), Some(vec![0, 1, 2]));
        assert_eq!(
            successes(&recs, &invoked(r#"{"batchItemFailures": [{"itemIdentifier": "zz"}]}"#, false), true),
            None
        );
        assert_eq!(successes(&recs, &invoked(r#"{"batchItemFailures": [{}]}"#, false), true), None);
        // Without ReportBatchItemFailures the response is not read.
        assert_eq!(
            successes(&recs, &invoked(r#"{"batchItemFailures": [{"itemIdentifier": "b"}]}"#, false), false),
            Some(vec![0, 1, 2])
        );
    }
}
