//! CloudWatch Logs through the AWS SDK for Rust against an in-process
//! server: groups, streams, events, filter patterns, the `aws logs tail
//! --follow` polling loop, AWS's error codes and texts, and persistence
//! across a restart.

use crate::common;

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn event(ts: i64, message: &str) -> InputLogEvent {
    InputLogEvent::builder().timestamp(ts).message(message).build().expect("event")
}

/// Code and message of a failed call.
fn error_of<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(r: Result<T, E>) -> (String, String) {
    let e = r.expect_err("call should fail");
    (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string())
}

async fn client(server: &stratus::server::Server) -> Client {
    Client::new(&common::sdk_config(server).await)
}

async fn put(client: &Client, group: &str, stream: &str, events: Vec<InputLogEvent>) {
    client
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .expect("put log events");
}

#[tokio::test]
async fn groups_streams_and_events() {
    let server = common::server().await;
    let logs = client(&server).await;
    logs.create_log_group().log_group_name("/app/web").tags("env", "test").send().await.expect("create group");
    logs.create_log_stream().log_group_name("/app/web").log_stream_name("i-1").send().await.expect("create stream");
    logs.create_log_stream().log_group_name("/app/web").log_stream_name("i-2").send().await.expect("create stream");

    let groups = logs.describe_log_groups().log_group_name_prefix("/app").send().await.expect("describe groups");
    let g = &groups.log_groups()[0];
    assert_eq!(g.log_group_name(), Some("/app/web"));
    assert_eq!(g.arn(), Some("arn:aws:logs:us-east-1:000000000000:log-group:/app/web:*"));
    assert_eq!(g.stored_bytes(), Some(0));
    #[allow(deprecated)] // the old per-group tagging API is still served
    let tags = logs.list_tags_log_group().log_group_name("/app/web").send().await.expect("tags");
    assert_eq!(tags.tags().and_then(|t| t.get("env")).map(String::as_str), Some("test"));

    let t = now_ms() - 10_000;
    let out = logs
        .put_log_events()
        .log_group_name("/app/web")
        .log_stream_name("i-1")
        .log_events(event(t, "GET /index 200"))
        .log_events(event(t + 2, r#"{"level":"ERROR","latency":250}"#))
        .send()
        .await
        .expect("put");
    assert!(out.next_sequence_token().is_some());
    assert!(out.rejected_log_events_info().is_none());
    put(&logs, "/app/web", "i-2", vec![event(t + 1, "GET /missing 404"), event(t + 3, "ERROR disk full")]).await;

    let got = logs
        .get_log_events()
        .log_group_name("/app/web")
        .log_stream_name("i-1")
        .start_from_head(true)
        .send()
        .await
        .expect("get");
    let msgs: Vec<_> = got.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(msgs, ["GET /index 200", r#"{"level":"ERROR","latency":250}"#]);
    let forward = got.next_forward_token().unwrap_or_default().to_string();
    assert!(forward.starts_with("f/"));
    assert!(got.next_backward_token().is_some_and(|b| b.starts_with("b/")));
    let again = logs
        .get_log_events()
        .log_group_name("/app/web")
        .log_stream_name("i-1")
        .next_token(&forward)
        .start_from_head(true)
        .send()
        .await
        .expect("get at end");
    assert!(again.events().is_empty());
    assert_eq!(again.next_forward_token(), Some(forward.as_str()), "same token at the end of the stream");

    let all = logs.filter_log_events().log_group_name("/app/web").send().await.expect("filter");
    let msgs: Vec<_> = all.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(msgs, ["GET /index 200", "GET /missing 404", r#"{"level":"ERROR","latency":250}"#, "ERROR disk full"]);
    assert!(all.events().iter().all(|e| e.event_id().is_some() && e.ingestion_time().is_some()));

    for (pattern, expected) in [
        ("ERROR", vec![r#"{"level":"ERROR","latency":250}"#, "ERROR disk full"]),
        ("?404 ?disk", vec!["GET /missing 404", "ERROR disk full"]),
        ("GET -404", vec!["GET /index 200"]),
        (r#"{ $.level = "ERROR" && $.latency > 100 }"#, vec![r#"{"level":"ERROR","latency":250}"#]),
        ("[method, path, status = 4*]", vec!["GET /missing 404"]),
        ("%disk|index%", vec!["GET /index 200", "ERROR disk full"]),
    ] {
        let out =
            logs.filter_log_events().log_group_name("/app/web").filter_pattern(pattern).send().await.expect("filter");
        let msgs: Vec<_> = out.events().iter().filter_map(|e| e.message()).collect();
        assert_eq!(msgs, expected, "pattern {pattern}");
    }

    let streams = logs.describe_log_streams().log_group_name("/app/web").send().await.expect("streams");
    let s = &streams.log_streams()[0];
    assert_eq!(s.log_stream_name(), Some("i-1"));
    assert_eq!(s.first_event_timestamp(), Some(t));
    assert_eq!(s.last_event_timestamp(), Some(t + 2));
    assert_eq!(s.arn(), Some("arn:aws:logs:us-east-1:000000000000:log-group:/app/web:log-stream:i-1"));

    let tested = logs
        .test_metric_filter()
        .filter_pattern("[method, path, status = 404]")
        .log_event_messages("GET /x 404")
        .log_event_messages("GET /x 200")
        .send()
        .await
        .expect("test metric filter");
    assert_eq!(tested.matches().len(), 1);
    assert_eq!(tested.matches()[0].extracted_values().and_then(|v| v.get("$status")).map(String::as_str), Some("404"));
    server.shutdown().await;
}

#[tokio::test]
async fn errors_match_aws() {
    let server = common::server().await;
    let logs = client(&server).await;
    logs.create_log_group().log_group_name("g").send().await.expect("create");
    logs.create_log_stream().log_group_name("g").log_stream_name("s").send().await.expect("stream");

    let dup = logs.create_log_group().log_group_name("g").send().await;
    assert_eq!(
        error_of(dup),
        ("ResourceAlreadyExistsException".into(), "The specified log group already exists".into())
    );
    let dup = logs.create_log_stream().log_group_name("g").log_stream_name("s").send().await;
    assert_eq!(
        error_of(dup),
        ("ResourceAlreadyExistsException".into(), "The specified log stream already exists".into())
    );
    let missing = logs.get_log_events().log_group_name("nope").log_stream_name("s").send().await;
    assert_eq!(
        error_of(missing),
        ("ResourceNotFoundException".into(), "The specified log group does not exist.".into())
    );
    let missing = logs.get_log_events().log_group_name("g").log_stream_name("nope").send().await;
    assert_eq!(
        error_of(missing),
        ("ResourceNotFoundException".into(), "The specified log stream does not exist.".into())
    );
    let missing =
        logs.put_log_events().log_group_name("g").log_stream_name("nope").log_events(event(now_ms(), "x")).send().await;
    assert_eq!(
        error_of(missing),
        ("ResourceNotFoundException".into(), "The specified log stream does not exist.".into())
    );

    let t = now_ms();
    let order = logs
        .put_log_events()
        .log_group_name("g")
        .log_stream_name("s")
        .log_events(event(t, "a"))
        .log_events(event(t - 2 * 86_400_000, "b"))
        .send()
        .await;
    assert_eq!(
        error_of(order),
        (
            "InvalidParameterException".into(),
            "Log events in a single PutLogEvents request must be in chronological order.".into()
        )
    );
    let old = logs
        .put_log_events()
        .log_group_name("g")
        .log_stream_name("s")
        .log_events(event(t - 30 * 86_400_000, "old"))
        .send()
        .await
        .expect("too old is not an error");
    assert_eq!(old.rejected_log_events_info().and_then(|r| r.too_old_log_event_end_index()), Some(1));
    let new = logs
        .put_log_events()
        .log_group_name("g")
        .log_stream_name("s")
        .log_events(event(t + 86_400_000, "future"))
        .send()
        .await
        .expect("too new is not an error");
    assert_eq!(new.rejected_log_events_info().and_then(|r| r.too_new_log_event_start_index()), Some(0));

    let token = logs.get_log_events().log_group_name("g").log_stream_name("s").next_token("invalid-token").send().await;
    assert_eq!(error_of(token), ("InvalidParameterException".into(), "The specified nextToken is invalid.".into()));
    let token = logs.filter_log_events().log_group_name("g").next_token("invalid-token").send().await;
    assert_eq!(error_of(token), ("InvalidParameterException".into(), "The specified nextToken is invalid.".into()));
    let both = logs.describe_log_streams().log_group_name("g").log_group_identifier("g").send().await;
    assert_eq!(
        error_of(both),
        ("ValidationException".into(), "LogGroup name and LogGroup ARN are mutually exclusive parameters.".into())
    );
    let both = logs.describe_log_groups().log_group_name_prefix("g").log_group_name_pattern("g").send().await;
    assert_eq!(
        error_of(both),
        (
            "InvalidParameterException".into(),
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.".into()
        )
    );
    let bad = logs.filter_log_events().log_group_name("g").filter_pattern("{ $.a = ").send().await;
    assert_eq!(error_of(bad).0, "InvalidParameterException");
    let bad = logs.put_retention_policy().log_group_name("g").retention_in_days(2).send().await;
    assert_eq!(error_of(bad).0, "InvalidParameterException");
    let missing = logs.delete_subscription_filter().log_group_name("g").filter_name("x").send().await;
    assert_eq!(
        error_of(missing),
        ("ResourceNotFoundException".into(), "The specified subscription filter does not exist.".into())
    );
    server.shutdown().await;
}

#[tokio::test]
async fn tail_follow_polling_sees_each_event_once() {
    // The loop `aws logs tail --follow` runs: FilterLogEvents with
    // interleaved=true and startTime = newest timestamp seen, following
    // nextToken, printing only event ids it has not printed.
    let server = common::server().await;
    let logs = client(&server).await;
    logs.create_log_group().log_group_name("tail").send().await.expect("group");
    for s in ["a", "b"] {
        logs.create_log_stream().log_group_name("tail").log_stream_name(s).send().await.expect("stream");
    }
    let base = now_ms() - 60_000;
    let mut printed: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut start: Option<i64> = None;

    async fn poll(logs: &Client, start: &mut Option<i64>, seen: &mut HashSet<String>, printed: &mut Vec<String>) {
        let mut token: Option<String> = None;
        loop {
            #[allow(deprecated)] // the CLI still sends interleaved=true
            let out = logs
                .filter_log_events()
                .log_group_name("tail")
                .interleaved(true)
                .limit(2)
                .set_start_time(*start)
                .set_next_token(token.clone())
                .send()
                .await
                .expect("poll");
            for e in out.events() {
                if seen.insert(e.event_id().unwrap_or_default().to_string()) {
                    printed.push(e.message().unwrap_or_default().to_string());
                }
                let ts = e.timestamp().unwrap_or(0);
                *start = Some(start.map_or(ts, |s| s.max(ts)));
            }
            match out.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
    }

    put(&logs, "tail", "a", vec![event(base, "one"), event(base + 10, "two")]).await;
    put(&logs, "tail", "b", vec![event(base + 10, "two-b")]).await;
    poll(&logs, &mut start, &mut seen, &mut printed).await;
    assert_eq!(printed, ["one", "two", "two-b"]);
    poll(&logs, &mut start, &mut seen, &mut printed).await;
    assert_eq!(printed.len(), 3);
    put(&logs, "tail", "a", vec![event(base + 10, "two-c"), event(base + 20, "three")]).await;
    put(&logs, "tail", "b", vec![event(base + 25, "four")]).await;
    poll(&logs, &mut start, &mut seen, &mut printed).await;
    assert_eq!(printed, ["one", "two", "two-b", "two-c", "three", "four"]);
    server.shutdown().await;
}

#[tokio::test]
async fn events_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("stratus-logs-test-{}-{}", std::process::id(), now_ms()));
    let mut args = stratus::config::ServeArgs::ephemeral();
    args.in_memory = false;
    args.data_dir = Some(dir.clone());
    let t = now_ms();
    {
        let server = common::server_with(args.clone()).await;
        let logs = client(&server).await;
        logs.create_log_group().log_group_name("kept").send().await.expect("group");
        logs.create_log_stream().log_group_name("kept").log_stream_name("s").send().await.expect("stream");
        put(&logs, "kept", "s", vec![event(t, "still here")]).await;
        server.shutdown().await;
    }
    let server = common::server_with(args).await;
    let logs = client(&server).await;
    let out = logs.get_log_events().log_group_name("kept").log_stream_name("s").send().await.expect("get");
    assert_eq!(out.events().first().and_then(|e| e.message()), Some("still here"));
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}
