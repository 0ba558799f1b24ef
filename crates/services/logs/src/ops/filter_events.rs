//! FilterLogEvents: events of a group's streams (all, named, or by prefix)
//! matching a filter pattern, interleaved in time order (newest first when
//! `startFromHead` is false), paged with an opaque token that records the
//! last event read. `aws logs tail --follow` polls this with `startTime` at
//! the newest timestamp it saw and drops event ids it already printed, so
//! event ids are stable and `startTime` is inclusive.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::clock::now_millis;
use stratus_core::input::Input;
use stratus_store::Snapshot;

use crate::batch::MAX_BATCH_BYTES;
use crate::error::{group_not_found, invalid, store};
use crate::filter::FilterPattern;
use crate::merge::Merge;
use crate::model::{Event, Group, Stream, decode};
use crate::names::group_name;
use crate::retention;
use crate::scope::Scope;
use crate::span::Span;
use crate::token::{self, Position, position_digits};

/// Most events one page holds.
const MAX_EVENTS: usize = 10_000;
/// Most events one call reads before it returns a (possibly empty) page
/// with a token, as AWS does on long searches.
const SCAN_BUDGET: usize = 200_000;
/// `startFromHead: false` needs a `startTime` on or after 2024-01-01.
const DESCENDING_EPOCH: i64 = 1_704_067_200_000;

/// Where the previous page stopped.
struct Resume {
    descending: bool,
    timestamp: u64,
    stream: String,
    seq: u64,
}

impl Resume {
    fn decode(t: &str) -> Result<Resume, AwsError> {
        let f = token::decode(t, 4)?;
        let descending = match f[0].as_str() {
            "A" => false,
            "D" => true,
            _ => return Err(crate::error::invalid_token()),
        };
        Ok(Resume { descending, timestamp: token::number(&f[1])?, stream: f[2].clone(), seq: token::number(&f[3])? })
    }

    fn encode(&self) -> String {
        let dir = if self.descending { "D" } else { "A" };
        token::encode(&[dir, &self.timestamp.to_string(), &self.stream, &self.seq.to_string()])
    }

    /// Narrows a stream's span to what comes after this point in the
    /// merge order (timestamp, stream name, sequence).
    fn narrow(&self, span: Span, stream: &str) -> Span {
        let here = Position { timestamp: self.timestamp, seq: self.seq };
        match (self.descending, stream.cmp(self.stream.as_str())) {
            (false, std::cmp::Ordering::Less) => span.at_or_after(self.timestamp.saturating_add(1)),
            (false, std::cmp::Ordering::Equal) => span.after(here),
            (false, std::cmp::Ordering::Greater) => span.at_or_after(self.timestamp),
            (true, std::cmp::Ordering::Greater) => span.before_time(self.timestamp),
            (true, std::cmp::Ordering::Equal) => span.before(here),
            (true, std::cmp::Ordering::Less) => span.before_time(self.timestamp.saturating_add(1)),
        }
    }
}

pub async fn filter(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = group_name(input)?;
    let names = input.str_list("logStreamNames");
    let prefix = input.str("logStreamNamePrefix");
    if !names.is_empty() && prefix.is_some() {
        return Err(invalid("Cannot specify both logStreamNames and logStreamNamePrefix."));
    }
    let pattern = FilterPattern::parse(input.str("filterPattern").unwrap_or(""))
        .map_err(|_| invalid("Invalid filter pattern"))?;
    let resume = input.str("nextToken").map(Resume::decode).transpose()?;
    let start_time = input.i64("startTime");
    let descending = match &resume {
        Some(r) => r.descending,
        None => input.bool("startFromHead") == Some(false),
    };
    if descending && resume.is_none() && start_time.is_some_and(|t| t < DESCENDING_EPOCH) {
        return Err(invalid("startFromHead=false is only supported when startTime is on or after Jan 1, 2024."));
    }
    let limit = input.i64("limit").map_or(MAX_EVENTS, |l| l.clamp(1, MAX_EVENTS as i64) as usize);

    let snap = scope.store.snapshot().map_err(store)?;
    let g: Group =
        decode("log group", &snap.get(scope.keys.group(&group)).map_err(store)?.ok_or_else(group_not_found)?)?;
    let streams = streams(scope, &snap, &group, &names, prefix)?;
    let cutoff = retention::cutoff(g.retention_in_days, now_millis());
    let start = start_time.unwrap_or(0).max(cutoff).max(0) as u64;
    let end = input.i64("endTime");
    let spans = streams
        .iter()
        .map(|s| {
            let mut span = Span::all(scope.keys.events(&group, &s.name)).at_or_after(start);
            if let Some(end) = end {
                span = span.before_time((end.max(0) as u64).saturating_add(1));
            }
            match &resume {
                Some(r) => r.narrow(span, &s.name),
                None => span,
            }
        })
        .collect();

    let mut merge = Merge::new(&snap, spans, descending);
    let mut events = Vec::new();
    let mut bytes = 0;
    let mut scanned = 0;
    let mut last: Option<Resume> = None;
    let mut more = false;
    while let Some(m) = merge.next_event()? {
        let Some(stream) = streams.get(m.stream) else { continue };
        let hit = pattern.matches(&m.event.message);
        if hit && !events.is_empty() && bytes + Event::size(&m.event.message) > MAX_BATCH_BYTES {
            more = true;
            break;
        }
        scanned += 1;
        last = Some(Resume { descending, timestamp: m.timestamp, stream: stream.name.clone(), seq: m.seq });
        if hit {
            bytes += Event::size(&m.event.message);
            let id = position_digits(Position { timestamp: m.timestamp, seq: m.seq }, stream.id);
            events.push(json!({
                "logStreamName": stream.name,
                "timestamp": m.timestamp,
                "message": m.event.message,
                "ingestionTime": m.event.ingestion_time,
                "eventId": id,
            }));
        }
        if events.len() >= limit || scanned >= SCAN_BUDGET {
            more = merge.has_next()?;
            break;
        }
    }

    let mut out = json!({ "events": events, "searchedLogStreams": [] });
    if let (true, Some(r)) = (more, last) {
        out["nextToken"] = Value::String(r.encode());
    }
    Ok(out)
}

/// The streams to search, in name order; named streams that do not exist
/// are skipped.
fn streams(
    scope: &Scope,
    snap: &Snapshot,
    group: &str,
    names: &[String],
    prefix: Option<&str>,
) -> Result<Vec<Stream>, AwsError> {
    if names.is_empty() {
        let pairs = snap.scan_prefix(scope.keys.streams(group, prefix.unwrap_or("")), false, None).map_err(store)?;
        return pairs.iter().map(|(_, v)| decode("log stream", v)).collect();
    }
    let mut found = Vec::new();
    for name in names {
        if let Some(bytes) = snap.get(scope.keys.stream(group, name)).map_err(store)? {
            found.push(decode::<Stream>("log stream", &bytes)?);
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found.dedup_by(|a, b| a.name == b.name);
    Ok(found)
}
