//! StartLiveTail: an event stream of the new events of up to 10 log groups.
//! The session opens with `sessionStart`, then sends a `sessionUpdate` about
//! once a second with the events that arrived since (possibly none), and ends
//! after AWS's three hours with `SessionTimeoutException`, or when the client
//! goes away.

use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use stratus_core::input::Input;
use stratus_core::{AwsError, Event, EventSender};

use crate::error::{group_not_found, invalid, store};
use crate::filter::FilterPattern;
use crate::ops::{empty, filter_events};
use crate::scope::Scope;

const SESSION_LIMIT: Duration = Duration::from_secs(3 * 60 * 60);
const UPDATE_EVERY: Duration = Duration::from_secs(1);

/// The log group name inside an identifier (a name or a group ARN).
fn group_of(identifier: &str) -> &str {
    match identifier.split_once(":log-group:") {
        Some((_, rest)) => rest.trim_end_matches(":*"),
        None => identifier,
    }
}

pub async fn start(scope: Scope, input: &Value, events: EventSender) -> Result<Value, AwsError> {
    let identifiers = input.str_list("logGroupIdentifiers");
    let names = input.str_list("logStreamNames");
    let prefixes = input.str_list("logStreamNamePrefixes");
    if !names.is_empty() && !prefixes.is_empty() {
        return Err(invalid("Cannot specify both logStreamNames and logStreamNamePrefixes."));
    }
    if (!names.is_empty() || !prefixes.is_empty()) && identifiers.len() > 1 {
        return Err(invalid("Only one log group can be specified when filtering by log stream."));
    }
    let pattern = input.str("logEventFilterPattern").unwrap_or("").to_string();
    FilterPattern::parse(&pattern).map_err(|_| invalid("Invalid filter pattern"))?;
    let snap = scope.store.snapshot().map_err(store)?;
    for id in &identifiers {
        if snap.get(scope.keys.group(group_of(id))).map_err(store)?.is_none() {
            return Err(group_not_found());
        }
    }
    let session_start = json!({
        "requestId": stratus_core::ids::request_id(),
        "sessionId": stratus_core::ids::request_id(),
        "logGroupIdentifiers": identifiers,
        "logStreamNames": names,
        "logStreamNamePrefixes": prefixes,
        "logEventFilterPattern": pattern,
    });
    tokio::spawn(run(scope, identifiers, names, prefixes, pattern, session_start, events));
    Ok(empty())
}

async fn run(
    scope: Scope,
    identifiers: Vec<String>,
    names: Vec<String>,
    prefixes: Vec<String>,
    pattern: String,
    session_start: Value,
    events: EventSender,
) {
    if events.send(Event { member: "sessionStart".into(), body: session_start }).await.is_err() {
        return;
    }
    let opened = Instant::now();
    let mut since = stratus_core::clock::now_millis();
    let mut seen: HashSet<String> = HashSet::new();
    while opened.elapsed() < SESSION_LIMIT {
        tokio::time::sleep(UPDATE_EVERY).await;
        let mut results = Vec::new();
        for id in &identifiers {
            collect(&scope, id, &names, &prefixes, &pattern, since, &mut seen, &mut results).await;
        }
        if let Some(latest) = results.iter().filter_map(|e| e["timestamp"].as_i64()).max() {
            since = since.max(latest);
        }
        let update = json!({"sessionMetadata": {"sampled": false}, "sessionResults": results});
        if events.send(Event { member: "sessionUpdate".into(), body: update }).await.is_err() {
            return;
        }
    }
    let timeout = json!({"message": "Session timed out after 3 hours."});
    let _ = events.send(Event { member: "SessionTimeoutException".into(), body: timeout }).await;
}

/// Appends the events of one group at or after `since` not sent before.
#[allow(clippy::too_many_arguments)]
async fn collect(
    scope: &Scope,
    identifier: &str,
    names: &[String],
    prefixes: &[String],
    pattern: &str,
    since: i64,
    seen: &mut HashSet<String>,
    out: &mut Vec<Value>,
) {
    let mut token: Option<String> = None;
    loop {
        let mut query = json!({"logGroupName": group_of(identifier), "startTime": since, "filterPattern": pattern});
        if !names.is_empty() {
            query["logStreamNames"] = json!(names);
        }
        if let Some(t) = &token {
            query["nextToken"] = json!(t);
        }
        let Ok(page) = filter_events::filter(scope, &query).await else { return };
        for ev in page["events"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let stream = ev["logStreamName"].as_str().unwrap_or_default();
            if !prefixes.is_empty() && !prefixes.iter().any(|p| stream.starts_with(p.as_str())) {
                continue;
            }
            let id = ev["eventId"].as_str().unwrap_or_default().to_string();
            if !seen.insert(id) {
                continue;
            }
            out.push(json!({
                "logStreamName": stream,
                "logGroupIdentifier": identifier,
                "message": ev["message"],
                "timestamp": ev["timestamp"],
                "ingestionTime": ev["ingestionTime"],
            }));
        }
        match page["nextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => return,
        }
    }
}
