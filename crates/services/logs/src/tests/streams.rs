//! Log streams: create/describe/delete, ordering, paging, errors.

use serde_json::json;

use super::{Harness, now};

async fn setup() -> Harness {
    let h = Harness::new();
    h.call("CreateLogGroup", json!({"logGroupName": "g"})).await;
    h
}

fn names(out: &serde_json::Value) -> Vec<String> {
    out["logStreams"]
        .as_array()
        .map_or_else(Vec::new, |a| a.iter().filter_map(|s| s["logStreamName"].as_str().map(str::to_string)).collect())
}

#[tokio::test]
async fn create_describe_delete() {
    let h = setup().await;
    for s in ["b", "a", "c-1", "c-2"] {
        h.call("CreateLogStream", json!({"logGroupName": "g", "logStreamName": s})).await;
    }
    let e = h.fail("CreateLogStream", json!({"logGroupName": "g", "logStreamName": "a"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("ResourceAlreadyExistsException", "The specified log stream already exists")
    );
    let e = h.fail("CreateLogStream", json!({"logGroupName": "none", "logStreamName": "a"})).await;
    assert_eq!(e.message, "The specified log group does not exist.");

    let out = h.call("DescribeLogStreams", json!({"logGroupName": "g"})).await;
    assert_eq!(names(&out), ["a", "b", "c-1", "c-2"]);
    let s = &out["logStreams"][0];
    assert_eq!(s["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:a");
    assert_eq!(s["storedBytes"], 0);
    assert!(s.get("firstEventTimestamp").is_none());

    let out = h.call("DescribeLogStreams", json!({"logGroupIdentifier": "arn:aws:logs:us-east-1:000000000000:log-group:g", "logStreamNamePrefix": "c-", "descending": true})).await;
    assert_eq!(names(&out), ["c-2", "c-1"]);

    let e = h.fail("DescribeLogStreams", json!({"logGroupName": "g", "logGroupIdentifier": "g"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    );
    let e = h
        .fail(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "a"}),
        )
        .await;
    assert_eq!(e.code, "InvalidParameterException");
    let e = h.fail("DescribeLogStreams", json!({"logGroupName": "none"})).await;
    assert_eq!(e.message, "The specified log group does not exist.");

    h.call("DeleteLogStream", json!({"logGroupName": "g", "logStreamName": "b"})).await;
    let e = h.fail("DeleteLogStream", json!({"logGroupName": "g", "logStreamName": "b"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("ResourceNotFoundException", "The specified log stream does not exist.")
    );
    let out = h.call("DescribeLogStreams", json!({"logGroupName": "g"})).await;
    assert_eq!(names(&out), ["a", "c-1", "c-2"]);
}

#[tokio::test]
async fn paging_and_last_event_order() {
    let h = setup().await;
    let t = now();
    for (i, s) in ["s1", "s2", "s3", "s4", "s5"].iter().enumerate() {
        h.call("CreateLogStream", json!({"logGroupName": "g", "logStreamName": s})).await;
        // s1 gets the newest event, s5 the oldest.
        let ts = t - (i as i64) * 1000;
        h.call(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": s, "logEvents": [{"timestamp": ts, "message": "x"}]}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({"logGroupName": "g", "limit": 2, "orderBy": "LastEventTime", "descending": true});
        if let Some(t) = &token {
            input["nextToken"] = json!(t);
        }
        let out = h.call("DescribeLogStreams", input).await;
        seen.extend(names(&out));
        match out.get("nextToken").and_then(|v| v.as_str()) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ["s1", "s2", "s3", "s4", "s5"]);

    let out = h.call("DescribeLogStreams", json!({"logGroupName": "g", "limit": 3})).await;
    assert_eq!(names(&out), ["s1", "s2", "s3"]);
    let next = out["nextToken"].as_str().unwrap_or_default().to_string();
    let out = h.call("DescribeLogStreams", json!({"logGroupName": "g", "limit": 3, "nextToken": next})).await;
    assert_eq!(names(&out), ["s4", "s5"]);
    assert!(out.get("nextToken").is_none());

    let s =
        &h.call("DescribeLogStreams", json!({"logGroupName": "g", "logStreamNamePrefix": "s1"})).await["logStreams"][0];
    assert_eq!(s["firstEventTimestamp"], t);
    assert_eq!(s["lastEventTimestamp"], t);
    assert!(s["lastIngestionTime"].as_i64().is_some());
    assert!(s["uploadSequenceToken"].as_str().is_some());
    assert_eq!(s["storedBytes"], 0);
    let g = &h.call("DescribeLogGroups", json!({})).await["logGroups"][0];
    assert_eq!(g["storedBytes"], 5 * 27, "group storedBytes counts messages plus 26 bytes each");
}
