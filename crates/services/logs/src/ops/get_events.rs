//! GetLogEvents: one stream's events in time order, paged with AWS's
//! `f/…` (forward) and `b/…` (backward) tokens. Without a token the page is
//! the stream's newest events (or its oldest with `startFromHead`); at the
//! end of the stream the token passed in comes back unchanged.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::clock::now_millis;
use stratus_core::input::Input;

use crate::batch::MAX_BATCH_BYTES;
use crate::error::{group_not_found, store, stream_not_found};
use crate::keys::event_position;
use crate::model::{Event, Group, Stream, decode};
use crate::names::group_name;
use crate::retention;
use crate::scope::Scope;
use crate::span::Span;
use crate::token::{Direction, Position, event_token, parse_event_token};

/// Most events one page holds.
const MAX_EVENTS: usize = 10_000;

pub async fn get(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = group_name(input)?;
    let stream_name = input.req_str("logStreamName")?;
    let token = input.str("nextToken").map(parse_event_token).transpose()?;
    let snap = scope.store.snapshot().map_err(store)?;
    let g: Group =
        decode("log group", &snap.get(scope.keys.group(&group)).map_err(store)?.ok_or_else(group_not_found)?)?;
    let s: Stream = decode(
        "log stream",
        &snap.get(scope.keys.stream(&group, stream_name)).map_err(store)?.ok_or_else(stream_not_found)?,
    )?;

    let cutoff = retention::cutoff(g.retention_in_days, now_millis());
    let start = input.i64("startTime").unwrap_or(0).max(cutoff).max(0) as u64;
    let limit = input.i64("limit").map_or(MAX_EVENTS, |l| l.clamp(1, MAX_EVENTS as i64) as usize);
    let mut span = Span::all(scope.keys.events(&group, stream_name)).at_or_after(start);
    if let Some(end) = input.i64("endTime") {
        span = span.before_time(end.max(0) as u64);
    }
    let (dir, pos) = match token {
        Some((dir, pos)) => (dir, Some(pos)),
        None if input.bool("startFromHead") == Some(true) => (Direction::Forward, None),
        None => (Direction::Backward, None),
    };
    span = match (dir, pos) {
        (Direction::Forward, Some(p)) => span.after(p),
        (Direction::Backward, Some(p)) => span.before(p),
        (_, None) => span,
    };

    let backward = dir == Direction::Backward;
    let pairs = snap.scan(span.range(), backward, Some(limit)).map_err(store)?;
    let mut events = Vec::new();
    let mut bytes = 0;
    for (key, value) in &pairs {
        let e: Event = decode("log event", value)?;
        bytes += Event::size(&e.message);
        if bytes > MAX_BATCH_BYTES && !events.is_empty() {
            break;
        }
        let (ts, seq) = event_position(key).unwrap_or_default();
        events.push((Position { timestamp: ts, seq }, e));
    }
    if backward {
        events.reverse();
    }

    let (first, last) = match (events.first(), events.last()) {
        (Some((f, _)), Some((l, _))) => (*f, *l),
        // Nothing (more) here: hand back the position asked about.
        _ => {
            let here = pos.unwrap_or(Position { timestamp: start, seq: 0 });
            (here, here)
        }
    };
    let listed: Vec<Value> = events
        .iter()
        .map(|(p, e)| json!({ "timestamp": p.timestamp, "message": e.message, "ingestionTime": e.ingestion_time }))
        .collect();
    Ok(json!({
        "events": listed,
        "nextForwardToken": event_token(Direction::Forward, last, s.id),
        "nextBackwardToken": event_token(Direction::Backward, first, s.id),
    }))
}
