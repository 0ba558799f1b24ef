//! The DynamoDB Streams poller of one mapping: one task per shard, so each
//! shard's records reach the function in order. A shard starts from the
//! mapping's checkpoint (after a restart) or its StartingPosition; batches
//! of up to BatchSize records (gathered within
//! MaximumBatchingWindowInSeconds) pass the filters and go to the function
//! synchronously; a failed batch is retried — split in two first when
//! BisectBatchOnFunctionError is set, from the first reported failure when
//! the function reports `batchItemFailures` — until it succeeds,
//! MaximumRetryAttempts are used up or its oldest record is older than
//! MaximumRecordAgeInSeconds; a discarded batch is described to the
//! OnFailure destination with AWS's record. The checkpoint then moves past
//! the batch.

use super::drive::Set;
use super::poller::{self, Invoked};
use super::{Mapping, filter, position_key};
use crate::state::Shared;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// How often an idle shard is read (AWS reads four times a second).
const IDLE_POLL: Duration = Duration::from_millis(250);

/// Runs until aborted.
pub async fn run(s: Arc<Shared>, m: Mapping) {
    let arn = m.source_arn().to_string();
    let Some(parts) = stratus_core::arn::parse(&arn) else { return };
    let (account, region) = (parts.account.to_string(), parts.region.to_string());
    let m = Arc::new(m);
    loop {
        let described = s
            .settings
            .peers
            .call("dynamodbstreams", "DescribeStream", &account, &region, json!({ "StreamArn": arn }))
            .await;
        let shards: Vec<String> = match &described {
            Ok(d) => d["StreamDescription"]
                .list("Shards")
                .iter()
                .filter_map(|sh| sh.str("ShardId").map(str::to_string))
                .collect(),
            Err(e) => {
                tracing::debug!(mapping = m.uuid(), "DescribeStream {arn} failed: {}", e.message);
                Vec::new()
            }
        };
        // The shard readers run inside this task: aborting it drops them.
        let mut readers = Set::default();
        for shard in shards {
            let reader = Reader { s: s.clone(), m: m.clone(), account: account.clone(), region: region.clone(), shard };
            readers.push(async move { reader.run().await });
        }
        readers.below(1).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

struct Reader {
    s: Arc<Shared>,
    m: Arc<Mapping>,
    account: String,
    region: String,
    shard: String,
}

/// Why a batch was given up.
enum Discard {
    Retries,
    Age,
}

impl Reader {
    async fn call(&self, op: &'static str, input: Value) -> Result<Value, AwsError> {
        self.s.settings.peers.call("dynamodbstreams", op, &self.account, &self.region, input).await
    }

    fn checkpoint(&self) -> Option<String> {
        let k = position_key(self.m.uuid(), &self.shard);
        self.s.store.get(k).ok().flatten().map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    async fn save_checkpoint(&self, seq: &str) {
        let _ = self.s.store.put(position_key(self.m.uuid(), &self.shard), seq.as_bytes().to_vec()).await;
    }

    async fn iterator(&self) -> Result<String, AwsError> {
        let mut input = json!({ "StreamArn": self.m.source_arn(), "ShardId": self.shard });
        match self.checkpoint() {
            Some(seq) => {
                input["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
                input["SequenceNumber"] = json!(seq);
            }
            None => input["ShardIteratorType"] = json!(self.m.config.str("StartingPosition").unwrap_or("LATEST")),
        }
        let out = self.call("GetShardIterator", input).await?;
        out.str("ShardIterator").map(str::to_string).ok_or_else(|| AwsError::internal("no ShardIterator"))
    }

    async fn run(self) {
        let size = self.m.int("BatchSize", 100).max(1) as usize;
        let window = Duration::from_secs(self.m.int("MaximumBatchingWindowInSeconds", 0).max(0) as u64);
        let mut iterator: Option<String> = None;
        loop {
            let it = match iterator.take() {
                Some(it) => it,
                None => match self.iterator().await {
                    Ok(it) => it,
                    Err(e) => {
                        tracing::debug!(mapping = self.m.uuid(), "GetShardIterator failed: {}", e.message);
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        continue;
                    }
                },
            };
            let (batch, next) = match self.gather(it, size, window).await {
                Ok(x) => x,
                Err(e) => {
                    tracing::debug!(mapping = self.m.uuid(), "GetRecords failed: {}", e.message);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if batch.is_empty() {
                tokio::time::sleep(IDLE_POLL).await;
            } else {
                self.handle(batch).await;
            }
            match next {
                Some(n) => iterator = Some(n),
                // The shard is closed and read to its end.
                None => return,
            }
        }
    }

    /// Reads up to `size` records, waiting at most `window` for more once
    /// some are in hand. Returns them and the iterator to go on with.
    async fn gather(
        &self,
        mut it: String,
        size: usize,
        window: Duration,
    ) -> Result<(Vec<Value>, Option<String>), AwsError> {
        let started = Instant::now();
        let mut batch = Vec::new();
        loop {
            let want = (size - batch.len()).min(1000);
            let out = self.call("GetRecords", json!({ "ShardIterator": it, "Limit": want })).await?;
            let got = out.list("Records");
            batch.extend(got.iter().cloned());
            let Some(next) = out.str("NextShardIterator").map(str::to_string) else {
                return Ok((batch, None));
            };
            it = next;
            if batch.len() >= size || (!batch.is_empty() && started.elapsed() >= window) {
                return Ok((batch, Some(it)));
            }
            if got.is_empty() {
                if batch.is_empty() {
                    return Ok((batch, Some(it)));
                }
                tokio::time::sleep(IDLE_POLL.min(window.saturating_sub(started.elapsed()))).await;
            }
        }
    }

    /// Filters, invokes and retries one batch, then checkpoints past it.
    async fn handle(&self, records: Vec<Value>) {
        let Some(last) = records.last().and_then(|r| r["dynamodb"].str("SequenceNumber")).map(str::to_string) else {
            return;
        };
        let filters = self.m.filters();
        let arn = self.m.source_arn();
        let kept: Vec<Value> = records
            .into_iter()
            .filter(|r| filter::passes(&filters, r))
            .map(|mut r| {
                r["eventSourceARN"] = json!(arn);
                lambda_identity(&mut r);
                r
            })
            .collect();
        if !kept.is_empty() {
            self.deliver(kept).await;
        }
        self.save_checkpoint(&last).await;
    }

    async fn deliver(&self, batch: Vec<Value>) {
        let max_retries = self.m.int("MaximumRetryAttempts", -1);
        let max_age = self.m.int("MaximumRecordAgeInSeconds", -1);
        let bisect = self.m.config.bool("BisectBatchOnFunctionError").unwrap_or(false);
        let mut work: VecDeque<(Vec<Value>, i64)> = VecDeque::from([(batch, 0)]);
        while let Some((mut b, mut retries)) = work.pop_front() {
            loop {
                let outcome = poller::invoke(&self.s, &self.m, &json!({ "Records": b })).await;
                let failed_from = match &outcome {
                    Ok(inv) => failed_from(&b, inv, self.m.reports_item_failures()),
                    Err(_) => Some(0),
                };
                let Some(from) = failed_from else {
                    poller::last_result(&self.s, self.m.uuid(), "OK").await;
                    break;
                };
                poller::last_result(&self.s, self.m.uuid(), "PROBLEM: Function call failed").await;
                b.drain(..from);
                let discard = if max_age >= 0 && oldest_age(&b) > max_age as f64 {
                    Some(Discard::Age)
                } else if max_retries >= 0 && retries >= max_retries {
                    Some(Discard::Retries)
                } else {
                    None
                };
                if let Some(why) = discard {
                    self.discard(&b, why, retries + 1, outcome.as_ref().ok()).await;
                    break;
                }
                retries += 1;
                if bisect && b.len() > 1 {
                    let second = b.split_off(b.len() / 2);
                    work.push_front((second, retries));
                    work.push_front((b, retries));
                    break;
                }
                let backoff = Duration::from_millis((100u64 << retries.clamp(0, 6) as u32).min(5_000));
                tokio::time::sleep(backoff).await;
            }
        }
    }

    async fn discard(&self, batch: &[Value], why: Discard, invokes: i64, last: Option<&Invoked>) {
        let Some(target) = self
            .m
            .config
            .get("DestinationConfig")
            .and_then(|d| d.get("OnFailure"))
            .and_then(|o| o.str("Destination"))
            .map(str::to_string)
        else {
            return;
        };
        let record = failure_record(&self.m, &self.shard, batch, why, invokes, last);
        if let Err(e) = crate::destinations::deliver(&self.s, &target, &record).await {
            tracing::warn!(mapping = self.m.uuid(), "on-failure destination {target} failed: {}", e.message);
        }
    }
}

/// Where a batch failed: `None` when it succeeded, else the index of the
/// first record to retry from (0 for the whole batch).
fn failed_from(batch: &[Value], inv: &Invoked, reports: bool) -> Option<usize> {
    if inv.failed() {
        return Some(0);
    }
    if !reports {
        return None;
    }
    let resp = inv.response();
    let failures = match resp.get("batchItemFailures") {
        None | Some(Value::Null) => return None,
        Some(Value::Array(f)) => f,
        Some(_) => return Some(0),
    };
    let seqs: Vec<&str> = batch.iter().map(|r| r["dynamodb"].str("SequenceNumber").unwrap_or("")).collect();
    let mut first: Option<usize> = None;
    for f in failures {
        let Some(i) = f.str("itemIdentifier").and_then(|id| seqs.iter().position(|s| *s == id)) else {
            return Some(0);
        };
        first = Some(first.map_or(i, |x| x.min(i)));
    }
    first
}

fn oldest_age(batch: &[Value]) -> f64 {
    let now = stratus_core::clock::now_epoch();
    batch
        .iter()
        .filter_map(|r| r["dynamodb"]["ApproximateCreationDateTime"].as_f64())
        .map(|t| now - t)
        .fold(0.0, f64::max)
}

/// ISO 8601 in whole seconds, as stream batch info shows arrival times.
fn seconds_iso(epoch: f64) -> String {
    let full = stratus_core::clock::iso8601(epoch.floor());
    match full.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => full,
    }
}

/// AWS's on-failure record for a discarded stream batch.
fn failure_record(
    m: &Mapping,
    shard: &str,
    batch: &[Value],
    why: Discard,
    invokes: i64,
    last: Option<&Invoked>,
) -> Value {
    let seq = |r: Option<&Value>| r.and_then(|r| r["dynamodb"].str("SequenceNumber")).unwrap_or("").to_string();
    let at = |r: Option<&Value>| {
        seconds_iso(r.and_then(|r| r["dynamodb"]["ApproximateCreationDateTime"].as_f64()).unwrap_or(0.0))
    };
    let mut rec = json!({
        "requestContext": {
            "requestId": last.map(|l| l.request_id.clone()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            "functionArn": m.function_arn(),
            "condition": match why { Discard::Retries => "RetryAttemptsExhausted", Discard::Age => "RecordAgeExceeded" },
            "approximateInvokeCount": invokes,
        },
    });
    if let Some(l) = last {
        let mut rc = json!({ "statusCode": 200, "executedVersion": l.version });
        if let Some(e) = l.result.function_error {
            rc["functionError"] = json!(e);
        }
        rec["responseContext"] = rc;
    }
    rec["version"] = json!("1.0");
    rec["timestamp"] = json!(stratus_core::clock::iso8601(stratus_core::clock::now_epoch()));
    rec["DDBStreamBatchInfo"] = json!({
        "shardId": shard,
        "startSequenceNumber": seq(batch.first()),
        "endSequenceNumber": seq(batch.last()),
        "approximateArrivalOfFirstRecord": at(batch.first()),
        "approximateArrivalOfLastRecord": at(batch.last()),
        "batchSize": batch.len(),
        "streamArn": m.source_arn(),
    });
    rec
}

/// A TTL deletion's `userIdentity` as Lambda events spell it
/// (`{"type", "principalId"}`; the Streams API says `Type`/`PrincipalId`).
fn lambda_identity(record: &mut Value) {
    if let Some(id) = record.get("userIdentity").filter(|id| id.get("PrincipalId").is_some()) {
        record["userIdentity"] = json!({"type": id["Type"], "principalId": id["PrincipalId"]});
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoke::RunResult;
    use bytes::Bytes;

    fn rec(seq: &str, at: f64) -> Value {
        json!({"eventID": "e", "eventName": "INSERT", "dynamodb": {"SequenceNumber": seq, "ApproximateCreationDateTime": at}})
    }

    #[test]
    fn ttl_deletions_carry_the_lambda_spelling_of_the_service_identity() {
        let mut r = json!({"eventName": "REMOVE", "userIdentity": {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}});
        lambda_identity(&mut r);
        assert_eq!(r["userIdentity"], json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"}));
        let mut plain = rec("1", 0.0);
        lambda_identity(&mut plain);
        assert!(plain.get("userIdentity").is_none());
    }

    fn invoked(payload: &str, error: bool) -> Invoked {
        Invoked {
            request_id: "rid".into(),
            version: "$LATEST".into(),
            result: RunResult {
                payload: Bytes::from(payload.to_string()),
                function_error: error.then_some("Unhandled"),
                log_text: String::new(),
            },
        }
    }

    #[test]
    fn partial_failures_retry_from_the_lowest_reported_record() {
        let b = vec![rec("1", 0.0), rec("2", 0.0), rec("3", 0.0)];
        assert_eq!(failed_from(&b, &invoked("{}", true), true), Some(0));
        assert_eq!(failed_from(&b, &invoked("{}", false), true), None);
        assert_eq!(
            failed_from(
                &b,
                &invoked(r#"{"batchItemFailures":[{"itemIdentifier":"3"},{"itemIdentifier":"2"}]}"#, false),
                true
            ),
            Some(1)
        );
        assert_eq!(
            failed_from(&b, &invoked(r#"{"batchItemFailures":[{"itemIdentifier":"9"}]}"#, false), true),
            Some(0)
        );
        assert_eq!(failed_from(&b, &invoked(r#"{"batchItemFailures":[{"itemIdentifier":"2"}]}"#, false), false), None);
    }

    #[test]
    fn failure_records_describe_the_batch() {
        let m = Mapping {
            account: "000000000000".into(),
            region: "us-east-1".into(),
            config: json!({"UUID": "u", "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
                           "EventSourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x"}),
            revision: "r".into(),
        };
        let b = vec![rec("0001", 1_573_690_399.5), rec("0002", 1_573_690_400.0)];
        let r = failure_record(&m, "shardId-1", &b, Discard::Retries, 3, Some(&invoked("{}", true)));
        assert_eq!(r["requestContext"]["condition"], "RetryAttemptsExhausted");
        assert_eq!(r["requestContext"]["approximateInvokeCount"], 3);
        assert_eq!(r["requestContext"]["requestId"], "rid");
        assert_eq!(
            r["responseContext"],
            json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
        );
        assert_eq!(r["version"], "1.0");
        assert_eq!(
            r["DDBStreamBatchInfo"],
            json!({"shardId": "shardId-1", "startSequenceNumber": "0001", "endSequenceNumber": "0002",
                   "approximateArrivalOfFirstRecord": "2019-11-14T00:13:19Z",
                   "approximateArrivalOfLastRecord": "2019-11-14T00:13:20Z", "batchSize": 2,
                   "streamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x"})
        );
        let aged = failure_record(&m, "s", &b, Discard::Age, 1, None);
        assert_eq!(aged["requestContext"]["condition"], "RecordAgeExceeded");
        assert!(aged.get("responseContext").is_none());
    }
}
