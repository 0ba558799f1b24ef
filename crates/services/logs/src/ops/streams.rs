//! Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams.

use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::clock::now_millis;
use stratus_core::input::Input;

use crate::error::{group_not_found, invalid, store, stream_exists, stream_not_found};
use crate::model::{Stream, decode, encode};
use crate::names::group_name;
use crate::ops::{empty, put_opt};
use crate::page;
use crate::scope::Scope;
use crate::token;

/// DescribeLogStreams' default page size.
const DEFAULT_LIMIT: usize = 50;

pub async fn create(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?.to_string();
    let record = Stream {
        name: input.req_str("logStreamName")?.to_string(),
        id: rand::random::<u64>() % 100_000_000_000_000_000,
        creation_time: now_millis(),
        first_event_timestamp: None,
        last_event_timestamp: None,
        last_ingestion_time: None,
        stored_bytes: 0,
        next_seq: 1,
        upload_sequence_token: None,
    };
    let group_key = scope.keys.group(&group);
    let key = scope.keys.stream(&group, &record.name);
    let value = encode("log stream", &record)?;
    scope
        .store
        .transact(move |txn| {
            if !txn.contains(&group_key)? {
                return Err(group_not_found());
            }
            if txn.contains(&key)? {
                return Err(stream_exists());
            }
            txn.put(key.clone(), value.clone());
            Ok(())
        })
        .await?;
    Ok(empty())
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?;
    let stream = input.req_str("logStreamName")?;
    let group_key = scope.keys.group(group);
    let key = scope.keys.stream(group, stream);
    let events = scope.keys.events(group, stream);
    scope
        .store
        .transact(move |txn| {
            if !txn.contains(&group_key)? {
                return Err(group_not_found());
            }
            if !txn.contains(&key)? {
                return Err(stream_not_found());
            }
            txn.delete(key.clone());
            txn.delete_prefix(&events);
            Ok(())
        })
        .await?;
    Ok(empty())
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = group_name(input)?;
    let prefix = input.str("logStreamNamePrefix");
    let by_time = input.str("orderBy") == Some("LastEventTime");
    if by_time && prefix.is_some() {
        return Err(invalid("Cannot order by LastEventTime with a logStreamNamePrefix."));
    }
    let descending = input.bool("descending").unwrap_or(false);
    let limit = input.i64("limit").map_or(DEFAULT_LIMIT, |l| l.clamp(1, 1000) as usize);
    let snap = scope.store.snapshot().map_err(store)?;
    if snap.get(scope.keys.group(&group)).map_err(store)?.is_none() {
        return Err(group_not_found());
    }
    let token_in = input.str("nextToken");

    let (streams, next) = if by_time {
        let mut all: Vec<Stream> = snap
            .scan_prefix(scope.keys.streams(&group, ""), false, None)
            .map_err(store)?
            .iter()
            .map(|(_, v)| decode("log stream", v))
            .collect::<Result<_, _>>()?;
        all.sort_by(|a, b| {
            (a.last_event_timestamp.unwrap_or(0), &a.name).cmp(&(b.last_event_timestamp.unwrap_or(0), &b.name))
        });
        if descending {
            all.reverse();
        }
        let offset: usize = match token_in {
            Some(t) => token::number(&token::decode(t, 1)?[0])?,
            None => 0,
        };
        let end = offset.saturating_add(limit).min(all.len());
        let next = (end < all.len()).then(|| token::encode(&[&end.to_string()]));
        (all.get(offset..end).map(<[Stream]>::to_vec).unwrap_or_default(), next)
    } else {
        let after = match token_in {
            Some(t) => Some(scope.keys.stream(&group, &token::decode(t, 1)?[0])),
            None => None,
        };
        let prefix_key = scope.keys.streams(&group, prefix.unwrap_or(""));
        let page = page::scan(&snap, &prefix_key, after, descending, limit, |_, v| {
            decode::<Stream>("log stream", v).map(Some)
        })?;
        let next = match (&page.last_key, page.items.last()) {
            (Some(_), Some(last)) => Some(token::encode(&[&last.name])),
            _ => None,
        };
        (page.items, next)
    };

    let views: Vec<Value> = streams.iter().map(|s| view(scope, &group, s)).collect();
    let mut out = json!({ "logStreams": views });
    if let Some(t) = next {
        out["nextToken"] = Value::String(t);
    }
    Ok(out)
}

/// A `LogStream` as DescribeLogStreams shows it (`storedBytes` is always 0,
/// as AWS reports it for streams).
fn view(scope: &Scope, group: &str, s: &Stream) -> Value {
    let mut o = Map::new();
    o.insert("logStreamName".into(), s.name.clone().into());
    o.insert("creationTime".into(), s.creation_time.into());
    put_opt(&mut o, "firstEventTimestamp", s.first_event_timestamp);
    put_opt(&mut o, "lastEventTimestamp", s.last_event_timestamp);
    put_opt(&mut o, "lastIngestionTime", s.last_ingestion_time);
    put_opt(&mut o, "uploadSequenceToken", s.upload_sequence_token.clone());
    o.insert("arn".into(), scope.stream_arn(group, &s.name).into());
    o.insert("storedBytes".into(), 0.into());
    Value::Object(o)
}
