//! PutLogEvents, GetLogEvents and FilterLogEvents: batch rules, rejected
//! events, tokens, interleaving, retention, and the `tail --follow` loop.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Harness, messages, now};

const DAY: i64 = 86_400_000;

async fn setup(streams: &[&str]) -> Harness {
    let h = Harness::new();
    h.call("CreateLogGroup", json!({"logGroupName": "g"})).await;
    for s in streams {
        h.call("CreateLogStream", json!({"logGroupName": "g", "logStreamName": s})).await;
    }
    h
}

async fn put(h: &Harness, stream: &str, events: Value) -> Value {
    h.call("PutLogEvents", json!({"logGroupName": "g", "logStreamName": stream, "logEvents": events})).await
}

#[tokio::test]
async fn put_rules_and_errors() {
    let h = setup(&["s"]).await;
    let t = now();
    let out = put(&h, "s", json!([{"timestamp": t, "message": "hello"}, {"timestamp": t, "message": "world"}])).await;
    assert!(out["nextSequenceToken"].as_str().is_some_and(|s| s.len() == 56));
    assert!(out.get("rejectedLogEventsInfo").is_none());

    let e = h.fail("PutLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": t, "message": "a"}, {"timestamp": t - 2 * DAY, "message": "b"}]})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
    );
    let e = h
        .fail(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "nope", "logEvents": [{"timestamp": t, "message": "a"}]}),
        )
        .await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("ResourceNotFoundException", "The specified log stream does not exist.")
    );
    let e = h
        .fail(
            "PutLogEvents",
            json!({"logGroupName": "nope", "logStreamName": "s", "logEvents": [{"timestamp": t, "message": "a"}]}),
        )
        .await;
    assert_eq!(e.message, "The specified log group does not exist.");
    let e = h.fail("PutLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": t - 2 * DAY, "message": "a"}, {"timestamp": t, "message": "b"}]})).await;
    assert_eq!(e.code, "InvalidParameterException", "a batch cannot span more than 24 hours");

    let out = put(&h, "s", json!([{"timestamp": t - 30 * DAY, "message": "old"}])).await;
    assert_eq!(out["rejectedLogEventsInfo"], json!({"tooOldLogEventEndIndex": 1}));
    assert!(out["nextSequenceToken"].is_string());
    let out =
        put(&h, "s", json!([{"timestamp": t, "message": "ok"}, {"timestamp": t + DAY, "message": "future"}])).await;
    assert_eq!(out["rejectedLogEventsInfo"], json!({"tooNewLogEventStartIndex": 1}));
    let got = h.call("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "s"})).await;
    assert_eq!(messages(&got), ["hello", "world", "ok"]);
}

#[tokio::test]
async fn get_events_tokens() {
    let h = setup(&["s"]).await;
    let t = now() - 60_000;
    let batch: Vec<Value> =
        (0..20).map(|i| json!({"timestamp": t + i * 100, "message": format!("message {i}")})).collect();
    put(&h, "s", Value::Array(batch)).await;

    // Default: the newest events, oldest first within the page.
    let out = h.call("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "limit": 5})).await;
    assert_eq!(messages(&out), ["message 15", "message 16", "message 17", "message 18", "message 19"]);
    let fwd = out["nextForwardToken"].as_str().unwrap_or_default().to_string();
    let back = out["nextBackwardToken"].as_str().unwrap_or_default().to_string();
    assert!(fwd.starts_with("f/") && fwd.len() == 58, "{fwd}");
    assert!(back.starts_with("b/") && back.len() == 58, "{back}");

    let out =
        h.call("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "limit": 5, "nextToken": back})).await;
    assert_eq!(messages(&out), ["message 10", "message 11", "message 12", "message 13", "message 14"]);

    // At the end of the stream the same forward token comes back.
    let out = h
        .call(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "nextToken": fwd, "startFromHead": true}),
        )
        .await;
    assert!(messages(&out).is_empty());
    assert_eq!(out["nextForwardToken"], fwd.as_str());

    // New events appear after that token.
    put(&h, "s", json!([{"timestamp": t + 5000, "message": "late"}])).await;
    let out = h
        .call(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "nextToken": fwd, "startFromHead": true}),
        )
        .await;
    assert_eq!(messages(&out), ["late"]);

    // From the head, in pages, until the token repeats.
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({"logGroupName": "g", "logStreamName": "s", "limit": 7, "startFromHead": true});
        if let Some(t) = &token {
            input["nextToken"] = json!(t);
        }
        let out = h.call("GetLogEvents", input).await;
        all.extend(messages(&out));
        let next = out["nextForwardToken"].as_str().map(str::to_string);
        if next == token {
            break;
        }
        token = next;
    }
    assert_eq!(all.len(), 21);
    assert_eq!(all.first().map(String::as_str), Some("message 0"));

    let out = h.call("GetLogEvents", json!({"logGroupIdentifier": "g", "logStreamName": "s", "startTime": t + 500, "endTime": t + 800, "startFromHead": true})).await;
    assert_eq!(messages(&out), ["message 5", "message 6", "message 7"], "endTime is exclusive");
    let e =
        h.fail("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "nextToken": "invalid-token"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("InvalidParameterException", "The specified nextToken is invalid.")
    );
    let e = h.fail("GetLogEvents", json!({"logGroupName": "none", "logStreamName": "s"})).await;
    assert_eq!(e.message, "The specified log group does not exist.");
    let e = h.fail("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "none"})).await;
    assert_eq!(e.message, "The specified log stream does not exist.");
}

#[tokio::test]
async fn empty_stream_tokens() {
    let h = setup(&["s"]).await;
    let out = h.call("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "s"})).await;
    assert!(messages(&out).is_empty());
    let fwd = out["nextForwardToken"].as_str().unwrap_or_default().to_string();
    put(&h, "s", json!([{"timestamp": now(), "message": "first"}])).await;
    let out = h.call("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "nextToken": fwd})).await;
    assert_eq!(messages(&out), ["first"]);
}

#[tokio::test]
async fn filter_interleaves_and_pages() {
    let h = setup(&["a", "b", "other"]).await;
    let t = now() - 10_000;
    put(&h, "a", json!([{"timestamp": t, "message": "a0 ERROR"}, {"timestamp": t + 2, "message": "a2 INFO"}, {"timestamp": t + 4, "message": "a4 ERROR"}])).await;
    put(&h, "b", json!([{"timestamp": t + 1, "message": "b1 ERROR"}, {"timestamp": t + 3, "message": "b3 ERROR"}, {"timestamp": t + 4, "message": "b4 INFO"}])).await;
    put(&h, "other", json!([{"timestamp": t + 1, "message": "o1 ERROR"}])).await;

    let out = h.call("FilterLogEvents", json!({"logGroupName": "g", "logStreamNames": ["b", "a"]})).await;
    assert_eq!(messages(&out), ["a0 ERROR", "b1 ERROR", "a2 INFO", "b3 ERROR", "a4 ERROR", "b4 INFO"]);
    assert_eq!(out["searchedLogStreams"], json!([]));
    let e0 = &out["events"][0];
    assert_eq!(e0["logStreamName"], "a");
    assert!(e0["eventId"].as_str().is_some_and(|id| id.len() == 56));
    assert!(e0["ingestionTime"].as_i64().is_some());

    let out = h.call("FilterLogEvents", json!({"logGroupName": "g", "filterPattern": "ERROR"})).await;
    assert_eq!(messages(&out), ["a0 ERROR", "b1 ERROR", "o1 ERROR", "b3 ERROR", "a4 ERROR"]);

    // Pages of two, following nextToken, see every event once.
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({"logGroupName": "g", "logStreamNamePrefix": "a", "limit": 2});
        if let Some(t) = &token {
            input["nextToken"] = json!(t);
        }
        let out = h.call("FilterLogEvents", input).await;
        all.extend(messages(&out));
        match out.get("nextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(all, ["a0 ERROR", "a2 INFO", "a4 ERROR"]);

    // Newest first.
    let out = h.call("FilterLogEvents", json!({"logGroupName": "g", "startFromHead": false, "limit": 3})).await;
    assert_eq!(messages(&out), ["b4 INFO", "a4 ERROR", "b3 ERROR"]);
    let next = out["nextToken"].as_str().unwrap_or_default().to_string();
    let out = h.call("FilterLogEvents", json!({"logGroupName": "g", "nextToken": next})).await;
    assert_eq!(messages(&out), ["a2 INFO", "o1 ERROR", "b1 ERROR", "a0 ERROR"]);

    // Time bounds are inclusive.
    let out = h.call("FilterLogEvents", json!({"logGroupIdentifier": "g", "startTime": t + 1, "endTime": t + 3})).await;
    assert_eq!(messages(&out), ["b1 ERROR", "o1 ERROR", "a2 INFO", "b3 ERROR"]);

    let e = h
        .fail("FilterLogEvents", json!({"logGroupName": "g", "logStreamNames": ["a"], "logStreamNamePrefix": "a"}))
        .await;
    assert_eq!(e.code, "InvalidParameterException");
    let e = h.fail("FilterLogEvents", json!({"logGroupName": "g", "nextToken": "invalid-token"})).await;
    assert_eq!(e.message, "The specified nextToken is invalid.");
    let e = h.fail("FilterLogEvents", json!({"logGroupName": "g", "filterPattern": "{ $.a = }"})).await;
    assert_eq!(e.code, "InvalidParameterException");
    let e = h.fail("FilterLogEvents", json!({"logGroupName": "none"})).await;
    assert_eq!(e.message, "The specified log group does not exist.");
}

#[tokio::test]
async fn filter_with_json_and_delimited_patterns() {
    let h = setup(&["s"]).await;
    let t = now();
    put(
        &h,
        "s",
        json!([
            {"timestamp": t, "message": r#"{"level":"ERROR","latency":120}"#},
            {"timestamp": t, "message": r#"{"level":"INFO","latency":5}"#},
            {"timestamp": t, "message": "10.0.0.1 GET /a 404 12"},
            {"timestamp": t, "message": "10.0.0.2 GET /b 200 9000"},
        ]),
    )
    .await;
    let q = |p: &str| json!({"logGroupName": "g", "filterPattern": p});
    assert_eq!(
        messages(&h.call("FilterLogEvents", q(r#"{ $.level = "ERROR" && $.latency > 100 }"#)).await),
        [r#"{"level":"ERROR","latency":120}"#]
    );
    assert_eq!(
        messages(&h.call("FilterLogEvents", q("[ip, method, path, status = 404, size]")).await),
        ["10.0.0.1 GET /a 404 12"]
    );
    assert_eq!(messages(&h.call("FilterLogEvents", q("[..., size > 1000]")).await), ["10.0.0.2 GET /b 200 9000"]);
    assert_eq!(messages(&h.call("FilterLogEvents", q("?404 ?INFO")).await).len(), 2);
}

#[tokio::test]
async fn tail_follow_loop_sees_each_event_once() {
    // What `aws logs tail --follow` does: poll FilterLogEvents with
    // startTime = newest timestamp seen, follow nextToken, skip seen ids.
    let h = setup(&["s1", "s2"]).await;
    let base = now() - 60_000;
    let mut printed = Vec::new();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut start: Option<i64> = None;
    let mut poll = async |printed: &mut Vec<String>, start: &mut Option<i64>| {
        let mut token: Option<String> = None;
        loop {
            let mut input = json!({"logGroupName": "g", "interleaved": true, "limit": 2});
            if let Some(s) = start {
                input["startTime"] = json!(*s);
            }
            if let Some(t) = &token {
                input["nextToken"] = json!(t);
            }
            let out = h.call("FilterLogEvents", input).await;
            for e in out["events"].as_array().cloned().unwrap_or_default() {
                let id = e["eventId"].as_str().unwrap_or_default().to_string();
                if seen_ids.insert(id) {
                    printed.push(e["message"].as_str().unwrap_or_default().to_string());
                }
                let ts = e["timestamp"].as_i64().unwrap_or(0);
                *start = Some(start.map_or(ts, |s: i64| s.max(ts)));
            }
            match out.get("nextToken").and_then(Value::as_str) {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
    };
    put(&h, "s1", json!([{"timestamp": base, "message": "one"}, {"timestamp": base + 10, "message": "two"}])).await;
    put(&h, "s2", json!([{"timestamp": base + 10, "message": "two-b"}])).await;
    poll(&mut printed, &mut start).await;
    assert_eq!(printed, ["one", "two", "two-b"]);
    poll(&mut printed, &mut start).await;
    assert_eq!(printed.len(), 3, "nothing new, nothing repeated");
    // Same timestamp as the newest seen, and later ones.
    put(&h, "s1", json!([{"timestamp": base + 10, "message": "two-c"}, {"timestamp": base + 20, "message": "three"}]))
        .await;
    put(&h, "s2", json!([{"timestamp": base + 30, "message": "four"}])).await;
    poll(&mut printed, &mut start).await;
    assert_eq!(printed, ["one", "two", "two-b", "two-c", "three", "four"]);
    poll(&mut printed, &mut start).await;
    assert_eq!(printed.len(), 6);
}

#[tokio::test]
async fn retention_hides_and_deletes_old_events() {
    let h = setup(&["s"]).await;
    let t = now();
    put(&h, "s", json!([{"timestamp": t - 3 * DAY, "message": "old"}, {"timestamp": t - 2 * DAY - 1, "message": "older-than-2d"}])).await;
    put(&h, "s", json!([{"timestamp": t - 1000, "message": "new"}])).await;
    h.call("PutRetentionPolicy", json!({"logGroupName": "g", "retentionInDays": 1})).await;
    let out = h.call("GetLogEvents", json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true})).await;
    assert_eq!(messages(&out), ["new"]);
    let out = h.call("FilterLogEvents", json!({"logGroupName": "g"})).await;
    assert_eq!(messages(&out), ["new"]);
    let g = &h.call("DescribeLogGroups", json!({})).await["logGroups"][0];
    assert_eq!(g["storedBytes"], 3 + 26, "expired events were deleted");
    let out = put(&h, "s", json!([{"timestamp": t - 2 * DAY, "message": "expired"}, {"timestamp": t - 2 * DAY + 5, "message": "expired too"}])).await;
    assert_eq!(out["rejectedLogEventsInfo"], json!({"expiredLogEventEndIndex": 2}));
}
