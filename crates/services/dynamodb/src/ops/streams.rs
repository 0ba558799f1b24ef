//! The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator
//! and GetRecords over the records `stream::append` writes. Each stream has
//! one shard; a shard iterator is an opaque token naming the stream, the
//! next sequence number and when it was issued (they expire after 15
//! minutes, as on AWS). Records older than 24 hours are trimmed: not
//! returned, and an iterator pointing at one answers
//! TrimmedDataAccessException. A disabled stream stays listable, describable
//! and readable for 24 hours (`stream::streams` keeps the catalog).

use std::ops::Bound;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_store::KeyRange;

use crate::db::Scope;
use crate::error::{DdbError, resource_not_found, validation};
use crate::stream::{RETENTION_SECS, StreamInfo, key_seq, record_time, seq_text};
use crate::table::TableMeta;

const ITERATOR_TTL_SECS: f64 = 15.0 * 60.0;

fn shard_id(meta: &TableMeta, label: &str) -> String {
    let digits: String = label.chars().filter(char::is_ascii_digit).collect();
    let id: String = meta.id.chars().filter(|c| *c != '-').take(8).collect();
    format!("shardId-{:0>20}-{id}", digits.get(..14).unwrap_or(&digits))
}

/// The readable streams of a table (none if it never had one).
async fn streams_of(scope: &Scope, meta: &TableMeta, now: f64) -> Result<Vec<StreamInfo>, DdbError> {
    if meta.stream_label.is_none() {
        return Ok(Vec::new());
    }
    let all = crate::stream::streams(&scope.store, &scope.keys, meta, now).await?;
    Ok(all.into_iter().filter(|s| s.readable(now)).collect())
}

/// The table and stream a stream ARN of this account and region names.
async fn parse_arn(scope: &Scope, arn: &str, now: f64) -> Result<(Arc<TableMeta>, StreamInfo), DdbError> {
    let prefix = scope.table_arn("");
    let rest = arn.strip_prefix(&prefix).ok_or_else(|| invalid_arn(arn))?;
    let (table, label) = rest.split_once("/stream/").ok_or_else(|| invalid_arn(arn))?;
    let meta = scope.meta_opt(table)?.ok_or_else(|| stream_not_found(arn))?;
    let info = streams_of(scope, &meta, now).await?.into_iter().find(|s| s.label == label);
    Ok((meta, info.ok_or_else(|| stream_not_found(arn))?))
}

fn invalid_arn(arn: &str) -> DdbError {
    validation(format!("Invalid StreamArn: {arn}"))
}

fn stream_not_found(arn: &str) -> DdbError {
    DdbError::bad_request("ResourceNotFoundException", format!("Requested resource not found: Stream: {arn} not found"))
}

fn trimmed() -> DdbError {
    DdbError::bad_request("TrimmedDataAccessException", "The data you are trying to access has been trimmed")
}

fn stream_arn(meta: &TableMeta, label: &str) -> String {
    format!("{}/stream/{label}", meta.arn)
}

/// A stream label (`2024-11-18T14:36:44.149`, UTC) as epoch seconds.
fn label_time(label: &str) -> Option<f64> {
    let t = time::PrimitiveDateTime::parse(label, &time::format_description::well_known::Iso8601::DEFAULT).ok()?;
    Some(t.assume_utc().unix_timestamp_nanos() as f64 / 1e9)
}

pub async fn list(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let now = stratus_core::clock::now_epoch();
    let only = input.str("TableName");
    let limit = input.i64("Limit").unwrap_or(100).max(1) as usize;
    let start = input.str("ExclusiveStartStreamArn");
    let prefix = scope.keys.meta_prefix();
    let mut streams = Vec::new();
    let mut passed_start = start.is_none();
    let mut more = false;
    'tables: for (_, v) in scope.store.scan_prefix(prefix.as_bytes(), false, None)? {
        let meta = crate::db::decode_meta(&v)?;
        if only.is_some_and(|t| t != meta.name) {
            continue;
        }
        for info in streams_of(scope, &meta, now).await? {
            let arn = stream_arn(&meta, &info.label);
            if !passed_start {
                passed_start = start == Some(arn.as_str());
                continue;
            }
            if streams.len() == limit {
                more = true;
                break 'tables;
            }
            streams.push(json!({"StreamArn": arn, "TableName": meta.name, "StreamLabel": info.label}));
        }
    }
    let mut out = json!({ "Streams": streams });
    if more && let Some(last) = streams.last() {
        out["LastEvaluatedStreamArn"] = last["StreamArn"].clone();
    }
    Ok(out)
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let now = stratus_core::clock::now_epoch();
    let arn = input.req_str("StreamArn")?;
    let (meta, info) = parse_arn(scope, arn, now).await?;
    let mut range = json!({"StartingSequenceNumber": seq_text(horizon(scope, &meta, &info, now)?)});
    // A disabled stream's shard is closed: it ends at its last record.
    if info.disabled.is_some()
        && let Some(last) = last_record(scope, &meta, &info)?
    {
        range["EndingSequenceNumber"] = json!(seq_text(last));
    }
    let mut shards = vec![json!({ "ShardId": shard_id(&meta, &info.label), "SequenceNumberRange": range })];
    if input.str("ExclusiveStartShardId").is_some() {
        shards.clear();
    }
    let key_schema: Vec<Value> = std::iter::once(json!({"AttributeName": meta.hash.name, "KeyType": "HASH"}))
        .chain(meta.range.iter().map(|r| json!({"AttributeName": r.name, "KeyType": "RANGE"})))
        .collect();
    Ok(json!({
        "StreamDescription": {
            "StreamArn": arn,
            "StreamLabel": info.label,
            "StreamStatus": if info.disabled.is_some() { "DISABLED" } else { "ENABLED" },
            "StreamViewType": info.view,
            "CreationRequestDateTime": label_time(&info.label).unwrap_or(meta.created),
            "TableName": meta.name,
            "KeySchema": key_schema,
            "Shards": shards,
        }
    }))
}

/// The last sequence number issued for the table (any of its streams).
fn last_seq(scope: &Scope, meta: &TableMeta) -> Result<u64, DdbError> {
    Ok(match scope.store.get(scope.keys.stream_seq(&meta.name))? {
        Some(b) => String::from_utf8_lossy(&b).parse().unwrap_or(0),
        None => 0,
    })
}

/// The sequence number of a stream's last record.
fn last_record(scope: &Scope, meta: &TableMeta, info: &StreamInfo) -> Result<Option<u64>, DdbError> {
    let prefix = scope.keys.stream_prefix(&meta.name, &info.label);
    Ok(scope.store.scan_prefix(&prefix, true, Some(1))?.first().map(|(k, _)| key_seq(&prefix, k)))
}

/// A stream's records from sequence number `from` on, oldest first.
fn records_from(
    scope: &Scope,
    meta: &TableMeta,
    info: &StreamInfo,
    from: u64,
    limit: usize,
) -> Result<Vec<(u64, Vec<u8>)>, DdbError> {
    let prefix = scope.keys.stream_prefix(&meta.name, &info.label);
    let mut start = prefix.clone();
    start.extend(seq_text(from).into_bytes());
    let range = KeyRange { start: Bound::Included(start), end: KeyRange::prefix(&prefix).end };
    Ok(scope.store.scan(range, false, Some(limit))?.into_iter().map(|(k, v)| (key_seq(&prefix, &k), v)).collect())
}

fn expired(record: &[u8], now: f64) -> bool {
    record_time(record).is_some_and(|at| now - at > RETENTION_SECS)
}

/// The sequence number of the first record from `from` on that `wanted`
/// accepts, or where the next record will go when none does.
fn first_where(
    scope: &Scope,
    meta: &TableMeta,
    info: &StreamInfo,
    mut from: u64,
    wanted: impl Fn(&[u8]) -> bool,
) -> Result<u64, DdbError> {
    loop {
        let page = records_from(scope, meta, info, from, 1000)?;
        if let Some((seq, _)) = page.iter().find(|(_, v)| wanted(v)) {
            return Ok(*seq);
        }
        match page.last() {
            Some((seq, _)) => from = seq + 1,
            None => return Ok(last_seq(scope, meta)? + 1),
        }
    }
}

/// The trim horizon: the oldest record not yet 24 hours old.
fn horizon(scope: &Scope, meta: &TableMeta, info: &StreamInfo, now: f64) -> Result<u64, DdbError> {
    first_where(scope, meta, info, info.trimmed + 1, |v| !expired(v, now))
}

/// Whether reading from `next` would touch a trimmed record: one the
/// reaper already deleted, or one past the 24 hours not deleted yet.
fn is_trimmed(scope: &Scope, meta: &TableMeta, info: &StreamInfo, next: u64, now: f64) -> Result<bool, DdbError> {
    if next <= info.trimmed {
        return Ok(true);
    }
    Ok(records_from(scope, meta, info, next, 1)?.first().is_some_and(|(_, v)| expired(v, now)))
}

/// The first record written at or after `at` (epoch seconds); before the
/// trim horizon, the horizon; after the last record, the next one.
fn at_timestamp(scope: &Scope, meta: &TableMeta, info: &StreamInfo, at: f64, now: f64) -> Result<u64, DdbError> {
    let from = horizon(scope, meta, info, now)?;
    first_where(scope, meta, info, from, |v| record_time(v).is_some_and(|t| t >= at))
}

fn iterator(arn: &str, shard: &str, next: u64) -> String {
    let raw = json!([arn, shard, next, stratus_core::clock::now_epoch()]).to_string();
    B64.encode(raw)
}

pub async fn get_shard_iterator(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let now = stratus_core::clock::now_epoch();
    let arn = input.req_str("StreamArn")?;
    let (meta, info) = parse_arn(scope, arn, now).await?;
    let shard = input.req_str("ShardId")?;
    if shard != shard_id(&meta, &info.label) {
        return Err(DdbError::bad_request(
            "ResourceNotFoundException",
            format!("Requested resource not found: Shard: {shard} in Stream: {arn} not found"),
        ));
    }
    let seq_arg = || -> Result<u64, DdbError> {
        input.str("SequenceNumber").and_then(|s| s.parse::<u64>().ok()).ok_or_else(|| {
            validation("Invalid SequenceNumber: a sequence number is required for this ShardIteratorType")
        })
    };
    let next = match input.req_str("ShardIteratorType")? {
        "TRIM_HORIZON" => horizon(scope, &meta, &info, now)?,
        "LATEST" => last_seq(scope, &meta)? + 1,
        "AT_SEQUENCE_NUMBER" => seq_arg()?,
        "AFTER_SEQUENCE_NUMBER" => seq_arg()? + 1,
        "AT_TIMESTAMP" => at_timestamp(scope, &meta, &info, timestamp_arg(input, now)?, now)?,
        other => return Err(validation(format!("Invalid ShardIteratorType: {other}"))),
    };
    if is_trimmed(scope, &meta, &info, next, now)? {
        return Err(trimmed());
    }
    Ok(json!({ "ShardIterator": iterator(arn, shard, next) }))
}

/// AT_TIMESTAMP's `Timestamp`: required, and not in the future.
fn timestamp_arg(input: &Value, now: f64) -> Result<f64, DdbError> {
    let at = input
        .get("Timestamp")
        .and_then(Value::as_f64)
        .ok_or_else(|| validation("Invalid Timestamp: a timestamp is required for ShardIteratorType AT_TIMESTAMP"))?;
    if at > now {
        return Err(validation(format!("Invalid Timestamp: {at} is in the future")));
    }
    Ok(at)
}

pub async fn get_records(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let token = input.req_str("ShardIterator")?;
    let bad = || validation("Invalid ShardIterator");
    let raw = B64.decode(token).map_err(|_| bad())?;
    let parts: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let (Some(arn), Some(shard), Some(next), Some(issued)) =
        (parts[0].as_str(), parts[1].as_str(), parts[2].as_u64(), parts[3].as_f64())
    else {
        return Err(bad());
    };
    let now = stratus_core::clock::now_epoch();
    if now - issued > ITERATOR_TTL_SECS {
        return Err(DdbError::bad_request(
            "ExpiredIteratorException",
            "Iterator expired. The iterator was created over 15 minutes ago.",
        ));
    }
    let (meta, info) = parse_arn(scope, arn, now)
        .await
        .map_err(|e| if e.code == "ValidationException" { e } else { resource_not_found() })?;
    if is_trimmed(scope, &meta, &info, next, now)? {
        return Err(trimmed());
    }
    let limit = input.i64("Limit").unwrap_or(1000).clamp(1, 1000) as usize;
    let rows = records_from(scope, &meta, &info, next, limit)?;
    let after = rows.last().map_or(next, |(seq, _)| seq + 1);
    let records: Vec<Value> = rows
        .into_iter()
        .filter(|(_, v)| !expired(v, now))
        .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
        .collect();
    let mut out = json!({ "Records": records });
    // A disabled stream's shard closes once read to the end.
    if info.disabled.is_none() || last_record(scope, &meta, &info)?.is_some_and(|last| after <= last) {
        out["NextShardIterator"] = json!(iterator(arn, shard, after));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! Retention, trimming, iterator expiry, AT_TIMESTAMP and disabled
    //! streams, with record times and iterators rewritten in the store
    //! (there is no clock to move).

    use super::*;
    use crate::stream::StreamInfo;
    use crate::{DynamoDb, DynamoDbStreams};
    use stratus_core::{AwsError, RequestContext, Service, Settings};
    use stratus_store::Store;

    const DAY: f64 = 24.0 * 3600.0;

    struct Env {
        store: Store,
        ddb: DynamoDb,
        streams: DynamoDbStreams,
    }

    impl Env {
        async fn new() -> Env {
            let store = Store::in_memory().expect("store");
            let env = Env {
                ddb: DynamoDb::new(store.clone(), &Settings::default()),
                streams: DynamoDbStreams::new(store.clone()),
                store,
            };
            env.ok(
                "CreateTable",
                json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}),
            )
            .await;
            env
        }

        async fn ok(&self, op: &'static str, input: Value) -> Value {
            self.ddb.call(&RequestContext::internal("dynamodb", op), input).await.expect(op)
        }

        async fn call(&self, op: &'static str, input: Value) -> Result<Value, AwsError> {
            self.streams.call(&RequestContext::internal("dynamodbstreams", op), input).await
        }

        async fn put(&self, pk: &str) {
            self.ok("PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": pk}}})).await;
        }

        async fn arn(&self) -> String {
            let t = self.ok("DescribeTable", json!({"TableName": "tbl"})).await;
            t["Table"]["LatestStreamArn"].as_str().expect("arn").to_string()
        }

        async fn shard(&self, arn: &str) -> (Value, String) {
            let d = self.call("DescribeStream", json!({"StreamArn": arn})).await.expect("describe");
            let shard = d["StreamDescription"]["Shards"][0]["ShardId"].as_str().expect("shard").to_string();
            (d["StreamDescription"].clone(), shard)
        }

        async fn iterator(&self, arn: &str, kind: &str, extra: Value) -> Result<String, AwsError> {
            let (_, shard) = self.shard(arn).await;
            let mut input = json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": kind});
            if let (Some(o), Value::Object(e)) = (input.as_object_mut(), extra) {
                o.extend(e);
            }
            let out = self.call("GetShardIterator", input).await?;
            Ok(out["ShardIterator"].as_str().expect("iterator").to_string())
        }

        async fn pks(&self, iterator: &str) -> Result<Vec<String>, AwsError> {
            let out = self.call("GetRecords", json!({"ShardIterator": iterator})).await?;
            let recs = out["Records"].as_array().cloned().unwrap_or_default();
            Ok(recs.iter().filter_map(|r| r["dynamodb"]["Keys"]["pk"]["S"].as_str().map(str::to_string)).collect())
        }

        /// Rewrites the stream records' times: record `i` (oldest first) gets `times[i]`.
        async fn set_times(&self, label: &str, times: &[f64]) {
            let prefix = Keys::new("000000000000", "us-east-1").stream_prefix("tbl", label);
            let rows = self.store.scan_prefix(&prefix, false, None).expect("scan");
            for ((k, v), t) in rows.into_iter().zip(times) {
                let mut r: Value = serde_json::from_slice(&v).expect("record");
                r["dynamodb"]["ApproximateCreationDateTime"] = json!(t);
                self.store.put(k, serde_json::to_vec(&r).expect("json")).await.expect("put");
            }
        }
    }

    use crate::keys::Keys;

    fn label(arn: &str) -> String {
        arn.rsplit('/').next().expect("label").to_string()
    }

    fn forged(arn: &str, shard: &str, next: u64, issued: f64) -> String {
        B64.encode(json!([arn, shard, next, issued]).to_string())
    }

    #[tokio::test]
    async fn iterators_expire_after_15_minutes() {
        let env = Env::new().await;
        env.put("a").await;
        let arn = env.arn().await;
        let (_, shard) = env.shard(&arn).await;
        let now = stratus_core::clock::now_epoch();
        let e = env.pks(&forged(&arn, &shard, 1, now - 16.0 * 60.0)).await.expect_err("expired");
        assert_eq!(e.code, "ExpiredIteratorException");
        assert_eq!(e.message, "Iterator expired. The iterator was created over 15 minutes ago.");
        assert_eq!(env.pks(&forged(&arn, &shard, 1, now - 14.0 * 60.0)).await.expect("fresh"), ["a"]);
    }

    #[tokio::test]
    async fn records_older_than_24_hours_are_trimmed() {
        let env = Env::new().await;
        for pk in ["old1", "old2", "new"] {
            env.put(pk).await;
        }
        let arn = env.arn().await;
        let now = stratus_core::clock::now_epoch();
        let early = env.iterator(&arn, "TRIM_HORIZON", json!({})).await.expect("iterator");
        env.set_times(&label(&arn), &[now - DAY - 60.0, now - DAY - 30.0, now - 10.0]).await;
        // The horizon moved past the old records: they are not returned, and
        // an iterator pointing at one of them answers TrimmedDataAccessException.
        let th = env.iterator(&arn, "TRIM_HORIZON", json!({})).await.expect("iterator");
        assert_eq!(env.pks(&th).await.expect("records"), ["new"]);
        let (d, _) = env.shard(&arn).await;
        assert_eq!(d["Shards"][0]["SequenceNumberRange"]["StartingSequenceNumber"], json!(seq_text(3)));
        let e = env.pks(&early).await.expect_err("trimmed");
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("TrimmedDataAccessException", "The data you are trying to access has been trimmed")
        );
        let at = |n: u64| json!({"SequenceNumber": seq_text(n)});
        let e = env.iterator(&arn, "AT_SEQUENCE_NUMBER", at(1)).await.expect_err("trimmed");
        assert_eq!(e.code, "TrimmedDataAccessException");
        // The reaper deletes them and remembers how far it trimmed.
        env.ddb.sweep_ttl().await;
        let prefix = Keys::new("000000000000", "us-east-1").stream_prefix("tbl", &label(&arn));
        assert_eq!(env.store.scan_prefix(&prefix, false, None).expect("scan").len(), 1);
        for n in [1, 2] {
            let e = env.iterator(&arn, "AT_SEQUENCE_NUMBER", at(n)).await.expect_err("trimmed");
            assert_eq!(e.code, "TrimmedDataAccessException");
        }
        let e = env.iterator(&arn, "AFTER_SEQUENCE_NUMBER", at(1)).await.expect_err("trimmed");
        assert_eq!(e.code, "TrimmedDataAccessException");
        let it = env.iterator(&arn, "AFTER_SEQUENCE_NUMBER", at(2)).await.expect("iterator");
        assert_eq!(env.pks(&it).await.expect("records"), ["new"]);
    }

    #[tokio::test]
    async fn at_timestamp_starts_at_the_first_record_written_then_or_later() {
        let env = Env::new().await;
        for pk in ["a", "b", "c"] {
            env.put(pk).await;
        }
        let arn = env.arn().await;
        let now = stratus_core::clock::now_epoch().floor();
        env.set_times(&label(&arn), &[now - 300.0, now - 200.0, now - 100.0]).await;
        let at = |t: f64| json!({ "Timestamp": t });
        let from = |t: f64| {
            let env = &env;
            let arn = arn.clone();
            async move { env.pks(&env.iterator(&arn, "AT_TIMESTAMP", at(t)).await.expect("iterator")).await }
        };
        assert_eq!(from(now - 200.0).await.expect("records"), ["b", "c"]);
        assert_eq!(from(now - 250.0).await.expect("records"), ["b", "c"]);
        assert_eq!(from(now - 10.0 * DAY).await.expect("records"), ["a", "b", "c"]);
        // After the last record: the iterator waits for the next one.
        let it = env.iterator(&arn, "AT_TIMESTAMP", at(now - 50.0)).await.expect("iterator");
        let out = env.call("GetRecords", json!({"ShardIterator": it})).await.expect("records");
        assert_eq!(out["Records"], json!([]));
        env.put("d").await;
        assert_eq!(env.pks(out["NextShardIterator"].as_str().expect("next")).await.expect("records"), ["d"]);
        let e = env.iterator(&arn, "AT_TIMESTAMP", at(now + 3600.0)).await.expect_err("future");
        assert_eq!(e.code, "ValidationException");
        let e = env.iterator(&arn, "AT_TIMESTAMP", json!({})).await.expect_err("no timestamp");
        assert_eq!(e.code, "ValidationException");
    }

    #[tokio::test]
    async fn a_disabled_stream_stays_readable_for_24_hours() {
        let env = Env::new().await;
        env.put("a").await;
        let first = env.arn().await;
        let spec = |on: bool| {
            json!({"TableName": "tbl", "StreamSpecification": if on {
                json!({"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"})
            } else {
                json!({"StreamEnabled": false})
            }})
        };
        env.ok("UpdateTable", spec(false)).await;
        let (d, _) = env.shard(&first).await;
        assert_eq!(d["StreamStatus"], json!("DISABLED"));
        assert_eq!(d["StreamViewType"], json!("KEYS_ONLY"));
        assert_eq!(d["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"], json!(seq_text(1)));
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        env.ok("UpdateTable", spec(true)).await;
        env.put("b").await;
        let second = env.arn().await;
        assert_ne!(first, second);
        let listed = env.call("ListStreams", json!({"TableName": "tbl"})).await.expect("list");
        let arns: Vec<&str> =
            listed["Streams"].as_array().expect("streams").iter().filter_map(|s| s["StreamArn"].as_str()).collect();
        assert_eq!(arns, [first.as_str(), second.as_str()]);
        // The old stream keeps its records; its shard is closed once read.
        let it = env.iterator(&first, "TRIM_HORIZON", json!({})).await.expect("iterator");
        let out = env.call("GetRecords", json!({"ShardIterator": it})).await.expect("records");
        assert_eq!(out["Records"][0]["dynamodb"]["Keys"], json!({"pk": {"S": "a"}}));
        assert!(out.get("NextShardIterator").is_none());
        let it = env.iterator(&second, "TRIM_HORIZON", json!({})).await.expect("iterator");
        assert_eq!(env.pks(&it).await.expect("records"), ["b"]);
        let (d, _) = env.shard(&second).await;
        assert_eq!((d["StreamStatus"].clone(), d["StreamViewType"].clone()), (json!("ENABLED"), json!("NEW_IMAGE")));
        // 24 hours after it was disabled, the old stream is gone.
        let catalog = format!("ddb/000000000000/us-east-1/t/tbl/sd/{}", label(&first));
        let mut info: StreamInfo =
            serde_json::from_slice(&env.store.get(&catalog).expect("get").expect("entry")).expect("info");
        info.disabled = info.disabled.map(|t| t - DAY - 1.0);
        env.store.put(catalog, serde_json::to_vec(&info).expect("json")).await.expect("put");
        let e = env.call("DescribeStream", json!({"StreamArn": first})).await.expect_err("gone");
        assert_eq!(e.message, format!("Requested resource not found: Stream: {first} not found"));
        let listed = env.call("ListStreams", json!({})).await.expect("list");
        assert_eq!(listed["Streams"].as_array().map(Vec::len), Some(1));
    }
}
