//! The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator
//! and GetRecords over the records `stream::append` writes. Each stream has
//! one shard; a shard iterator is an opaque token naming the stream, the
//! next sequence number and when it was issued (they expire after 15
//! minutes, as on AWS). Records older than 24 hours are not returned.

use std::ops::Bound;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_store::KeyRange;

use crate::db::Scope;
use crate::error::{DdbError, resource_not_found, validation};
use crate::stream::seq_text;
use crate::table::TableMeta;

const ITERATOR_TTL_SECS: f64 = 15.0 * 60.0;
const RETENTION_SECS: f64 = 24.0 * 3600.0;

fn shard_id(meta: &TableMeta, label: &str) -> String {
    let digits: String = label.chars().filter(char::is_ascii_digit).collect();
    let id: String = meta.id.chars().filter(|c| *c != '-').take(8).collect();
    format!("shardId-{:0>20}-{id}", digits.get(..14).unwrap_or(&digits))
}

/// (table, label) from a stream ARN of this account and region.
fn parse_arn(scope: &Scope, arn: &str) -> Result<(Arc<TableMeta>, String), DdbError> {
    let prefix = scope.table_arn("");
    let rest = arn.strip_prefix(&prefix).ok_or_else(|| invalid_arn(arn))?;
    let (table, label) = rest.split_once("/stream/").ok_or_else(|| invalid_arn(arn))?;
    let meta = scope.meta_opt(table)?.ok_or_else(|| stream_not_found(arn))?;
    if meta.stream_label.as_deref() != Some(label) {
        return Err(stream_not_found(arn));
    }
    Ok((meta, label.to_string()))
}

fn invalid_arn(arn: &str) -> DdbError {
    validation(format!("Invalid StreamArn: {arn}"))
}

fn stream_not_found(arn: &str) -> DdbError {
    DdbError::bad_request("ResourceNotFoundException", format!("Requested resource not found: Stream: {arn} not found"))
}

fn stream_arn(meta: &TableMeta, label: &str) -> String {
    format!("{}/stream/{label}", meta.arn)
}

pub async fn list(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let only = input.str("TableName");
    let limit = input.i64("Limit").unwrap_or(100).max(1) as usize;
    let start = input.str("ExclusiveStartStreamArn");
    let prefix = scope.keys.meta_prefix();
    let mut streams = Vec::new();
    let mut passed_start = start.is_none();
    let mut more = false;
    for (_, v) in scope.store.scan_prefix(prefix.as_bytes(), false, None)? {
        let meta = crate::db::decode_meta(&v)?;
        let Some(label) = &meta.stream_label else { continue };
        if only.is_some_and(|t| t != meta.name) {
            continue;
        }
        let arn = stream_arn(&meta, label);
        if !passed_start {
            passed_start = start == Some(arn.as_str());
            continue;
        }
        if streams.len() == limit {
            more = true;
            break;
        }
        streams.push(json!({"StreamArn": arn, "TableName": meta.name, "StreamLabel": label}));
    }
    let mut out = json!({ "Streams": streams });
    if more && let Some(last) = streams.last() {
        out["LastEvaluatedStreamArn"] = last["StreamArn"].clone();
    }
    Ok(out)
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let arn = input.req_str("StreamArn")?;
    let (meta, label) = parse_arn(scope, arn)?;
    let first = scope.store.scan_prefix(scope.keys.stream_prefix(&meta.name, &label), false, Some(1))?;
    let start_seq = first
        .first()
        .and_then(|(_, v)| serde_json::from_slice::<Value>(v).ok())
        .and_then(|r| r["dynamodb"]["SequenceNumber"].as_str().map(str::to_string))
        .unwrap_or_else(|| seq_text(1));
    let mut shards = vec![json!({
        "ShardId": shard_id(&meta, &label),
        "SequenceNumberRange": {"StartingSequenceNumber": start_seq},
    })];
    if input.str("ExclusiveStartShardId").is_some() {
        shards.clear();
    }
    let key_schema: Vec<Value> = std::iter::once(json!({"AttributeName": meta.hash.name, "KeyType": "HASH"}))
        .chain(meta.range.iter().map(|r| json!({"AttributeName": r.name, "KeyType": "RANGE"})))
        .collect();
    Ok(json!({
        "StreamDescription": {
            "StreamArn": arn,
            "StreamLabel": label,
            "StreamStatus": if meta.stream_view.is_some() { "ENABLED" } else { "DISABLED" },
            "StreamViewType": meta.stream_view.clone().unwrap_or_else(|| "NEW_AND_OLD_IMAGES".into()),
            "CreationRequestDateTime": meta.created,
            "TableName": meta.name,
            "KeySchema": key_schema,
            "Shards": shards,
        }
    }))
}

fn last_seq(scope: &Scope, meta: &TableMeta) -> Result<u64, DdbError> {
    Ok(match scope.store.get(scope.keys.stream_seq(&meta.name))? {
        Some(b) => String::from_utf8_lossy(&b).parse().unwrap_or(0),
        None => 0,
    })
}

fn iterator(arn: &str, shard: &str, next: u64) -> String {
    let raw = json!([arn, shard, next, stratus_core::clock::now_epoch()]).to_string();
    B64.encode(raw)
}

pub async fn get_shard_iterator(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let arn = input.req_str("StreamArn")?;
    let (meta, label) = parse_arn(scope, arn)?;
    let shard = input.req_str("ShardId")?;
    if shard != shard_id(&meta, &label) {
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
        "TRIM_HORIZON" => 1,
        "LATEST" => last_seq(scope, &meta)? + 1,
        "AT_SEQUENCE_NUMBER" => seq_arg()?,
        "AFTER_SEQUENCE_NUMBER" => seq_arg()? + 1,
        other => return Err(validation(format!("Invalid ShardIteratorType: {other}"))),
    };
    Ok(json!({ "ShardIterator": iterator(arn, shard, next) }))
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
    let (meta, label) =
        parse_arn(scope, arn).map_err(|e| if e.code == "ValidationException" { e } else { resource_not_found() })?;
    let limit = input.i64("Limit").unwrap_or(1000).clamp(1, 1000) as usize;
    let prefix = scope.keys.stream_prefix(&meta.name, &label);
    let mut start = prefix.clone();
    start.extend(seq_text(next).into_bytes());
    let range = KeyRange { start: Bound::Included(start), end: KeyRange::prefix(&prefix).end };
    let rows = scope.store.scan(range, false, Some(limit))?;
    let mut records = Vec::with_capacity(rows.len());
    let mut after = next;
    for (k, v) in rows {
        let seq: u64 = String::from_utf8_lossy(&k[prefix.len()..]).parse().unwrap_or(after);
        after = seq + 1;
        let r: Value = serde_json::from_slice(&v).unwrap_or(Value::Null);
        let at = r["dynamodb"]["ApproximateCreationDateTime"].as_f64().unwrap_or(now);
        if now - at > RETENTION_SECS {
            continue;
        }
        records.push(r);
    }
    let mut out = json!({ "Records": records });
    // A disabled stream's shard closes once read to the end.
    if meta.stream_view.is_some() || after <= last_seq(scope, &meta)? {
        out["NextShardIterator"] = json!(iterator(arn, shard, after));
    }
    Ok(out)
}
