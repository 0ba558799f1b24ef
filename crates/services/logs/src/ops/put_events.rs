//! PutLogEvents: checks the batch, then in one transaction stores the
//! accepted events, updates the stream's metadata and deletes the stream's
//! events that fell out of retention. The sequence token is ignored, as AWS
//! now does, but a `nextSequenceToken` is still returned.

use std::sync::Arc;

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::clock::now_millis;
use stratus_core::input::Input;

use crate::batch::{self, Verdict};
use crate::error::{group_not_found, stream_not_found};
use crate::expire;
use crate::keys::event_key;
use crate::model::{Event, Group, Stream, decode, encode};
use crate::retention;
use crate::scope::Scope;

pub async fn put(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?.to_string();
    let stream = input.req_str("logStreamName")?.to_string();
    let events = Arc::new(batch::parse(input.list("logEvents"))?);
    let now = now_millis();
    let group_key = scope.keys.group(&group);
    let stream_key = scope.keys.stream(&group, &stream);
    let events_prefix = scope.keys.events(&group, &stream);

    let (verdict, token) = scope
        .store
        .transact(move |txn| -> Result<(Verdict, String), AwsError> {
            let group: Group = decode("log group", &txn.get(&group_key)?.ok_or_else(group_not_found)?)?;
            let mut stream: Stream = decode("log stream", &txn.get(&stream_key)?.ok_or_else(stream_not_found)?)?;
            let verdict = batch::classify(&events, now, group.retention_in_days)?;
            if let Some(accepted) = events.get(verdict.accepted.clone()) {
                for e in accepted {
                    let seq = stream.next_seq;
                    stream.next_seq += 1;
                    let record = Event { message: e.message.clone(), ingestion_time: now };
                    txn.put(event_key(&events_prefix, e.timestamp.max(0) as u64, seq), encode("log event", &record)?);
                    stream.stored_bytes += Event::size(&e.message);
                    stream.first_event_timestamp =
                        Some(stream.first_event_timestamp.map_or(e.timestamp, |f| f.min(e.timestamp)));
                    stream.last_event_timestamp =
                        Some(stream.last_event_timestamp.map_or(e.timestamp, |l| l.max(e.timestamp)));
                }
                if !accepted.is_empty() {
                    stream.last_ingestion_time = Some(now);
                }
            }
            let cutoff = retention::cutoff(group.retention_in_days, now);
            expire::purge(txn, &events_prefix, &mut stream, cutoff)?;
            let token = sequence_token(stream.next_seq);
            stream.upload_sequence_token = Some(token.clone());
            txn.put(stream_key.clone(), encode("log stream", &stream)?);
            Ok((verdict, token))
        })
        .await?;

    let mut out = json!({ "nextSequenceToken": token });
    if let Some(info) = verdict.rejected_info() {
        out["rejectedLogEventsInfo"] = info;
    }
    Ok(out)
}

/// A sequence token in AWS's shape (a long decimal number).
fn sequence_token(next_seq: u64) -> String {
    format!("4963{next_seq:052}")
}
