//! Lambda's event wiring through the AWS SDK for Rust: the event source
//! mapping API with AWS's defaults, states and messages; SQS queues and
//! DynamoDB streams driving a Python function through mappings (event
//! shapes, deletion, partial batch failures, filters, the queue's
//! dead-letter queue, stream on-failure destinations); and the destinations
//! and dead-letter queue of asynchronous invocations.

use crate::common;
use crate::functions::{client as lambda, zip_of};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType,
};
use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    DeadLetterConfig, DestinationConfig, Environment, EventSourceMappingConfiguration, EventSourcePosition, Filter,
    FilterCriteria, FunctionCode, FunctionResponseType, InvocationType, OnFailure, OnSuccess, Runtime,
};
use aws_sdk_sqs::types::{MessageAttributeValue, QueueAttributeName};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

/// Writes each event to `$OUT_DIR/{request id}.json` (and, for events
/// mentioning `sleep`, sleeps a second and writes its span to
/// `{request id}.span`); fails the whole batch
/// when the event mentions `fail-all`, and reports records mentioning
/// `fail-item` as batch item failures.
const HANDLER: &str = r#"
import json, os
def handler(event, context):
    with open(os.path.join(os.environ["OUT_DIR"], context.aws_request_id + ".json"), "w") as f:
        json.dump(event, f)
    text = json.dumps(event)
    if "sleep" in text:
        import time
        start = time.time()
        time.sleep(1)
        with open(os.path.join(os.environ["OUT_DIR"], context.aws_request_id + ".span"), "w") as f:
            json.dump({"start": start, "end": time.time()}, f)
    if "fail-all" in text:
        raise ValueError("asked to fail")
    failures = []
    for r in event.get("Records", []):
        if "fail-item" in json.dumps(r):
            ident = r.get("messageId") or r.get("dynamodb", {}).get("SequenceNumber")
            failures.append({"itemIdentifier": ident})
    return {"batchItemFailures": failures}
"#;

fn out_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("stratus-esm-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("out dir");
    d
}

async fn sqs(server: &stratus::server::Server) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&common::sdk_config(server).await)
}

async fn function(c: &Client, name: &str, out: &Path) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::from("python3.11"))
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", HANDLER, 0o644)]))).build())
        .timeout(10)
        .environment(Environment::builder().variables("OUT_DIR", out.display().to_string()).build())
        .send()
        .await
        .expect("create function");
}

/// Creates a queue; returns (url, arn).
async fn queue(q: &aws_sdk_sqs::Client, name: &str, attrs: &[(QueueAttributeName, String)]) -> (String, String) {
    let mut req = q.create_queue().queue_name(name);
    for (k, v) in attrs {
        req = req.attributes(k.clone(), v.clone());
    }
    let url = req.send().await.expect("create queue").queue_url().unwrap_or_default().to_string();
    (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
}

/// The events the function wrote so far.
fn events(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(text) = std::fs::read_to_string(e.path())
            && let Ok(v) = serde_json::from_str::<Value>(&text)
        {
            out.push(v);
        }
    }
    out
}

fn records(dir: &Path) -> Vec<Value> {
    events(dir).iter().flat_map(|e| e["Records"].as_array().cloned().unwrap_or_default()).collect()
}

/// Waits up to `secs` for `f` to hold.
async fn until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 10 {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    f()
}

async fn state(c: &Client, uuid: &str) -> String {
    c.get_event_source_mapping().uuid(uuid).send().await.ok().and_then(|m| m.state).unwrap_or_default()
}

async fn wait_state(c: &Client, uuid: &str, want: &str) {
    for _ in 0..100 {
        if state(c, uuid).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("mapping {uuid} never reached {want}: {}", state(c, uuid).await);
}

/// Receives one message (long poll), deleting it.
async fn receive(q: &aws_sdk_sqs::Client, url: &str, secs: u64) -> Option<aws_sdk_sqs::types::Message> {
    for _ in 0..secs {
        let out = q
            .receive_message()
            .queue_url(url)
            .wait_time_seconds(1)
            .message_attribute_names("All")
            .send()
            .await
            .expect("receive");
        if let Some(m) = out.messages().first() {
            q.delete_message().queue_url(url).receipt_handle(m.receipt_handle().unwrap_or_default()).send().await.ok();
            return Some(m.clone());
        }
    }
    None
}

async fn queue_depth(q: &aws_sdk_sqs::Client, url: &str) -> (i64, i64) {
    let out = q
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("attributes");
    let get =
        |k: QueueAttributeName| out.attributes().and_then(|a| a.get(&k)).and_then(|v| v.parse().ok()).unwrap_or(-1);
    (
        get(QueueAttributeName::ApproximateNumberOfMessages),
        get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    )
}

fn filter(pattern: &str) -> FilterCriteria {
    FilterCriteria::builder().filters(Filter::builder().pattern(pattern).build()).build()
}

#[tokio::test]
async fn mapping_api_with_aws_defaults_states_and_messages() {
    let server = common::server().await;
    let c = lambda(&server).await;
    let q = sqs(&server).await;
    let out = out_dir("api");
    function(&c, "esm-api", &out).await;
    let (_, arn) = queue(&q, "api-q", &[]).await;

    let err =
        |e: &dyn ProvideErrorMetadata| (e.code().unwrap_or("").to_string(), e.message().unwrap_or("").to_string());
    let e = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&arn)
        .starting_position(EventSourcePosition::Latest)
        .send()
        .await
        .expect_err("starting position on SQS");
    assert_eq!(
        err(&e),
        ("InvalidParameterValueException".into(), "StartingPosition is not valid for SQS event sources.".into())
    );
    let e = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&arn)
        .batch_size(50)
        .send()
        .await
        .expect_err("window");
    assert_eq!(
        e.message(),
        Some("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
    );
    let e = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&arn)
        .batch_size(10_001)
        .send()
        .await
        .expect_err("range");
    assert_eq!(e.code(), Some("ValidationException"));
    let e = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&arn)
        .filter_criteria(filter(r#"{"body": "not-a-list"}"#))
        .send()
        .await
        .expect_err("filter");
    assert_eq!(e.message(), Some("Invalid filter pattern definition."));
    let e = c
        .create_event_source_mapping()
        .function_name("nope")
        .event_source_arn(&arn)
        .send()
        .await
        .expect_err("function");
    assert_eq!(err(&e), ("InvalidParameterValueException".into(), "Function does not exist".into()));

    let m = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&arn)
        .batch_size(100)
        .maximum_batching_window_in_seconds(2)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .scaling_config(aws_sdk_lambda::types::ScalingConfig::builder().maximum_concurrency(2).build())
        .enabled(false)
        .send()
        .await
        .expect("create");
    let uuid = m.uuid().unwrap_or_default().to_string();
    assert_eq!(uuid.len(), 36);
    assert_eq!(m.state(), Some("Creating"));
    assert_eq!(m.state_transition_reason(), Some("USER_INITIATED"));
    assert_eq!(m.batch_size(), Some(100));
    assert_eq!(m.maximum_batching_window_in_seconds(), Some(2));
    assert_eq!(m.function_arn(), Some("arn:aws:lambda:us-east-1:000000000000:function:esm-api"));
    assert_eq!(
        m.event_source_mapping_arn(),
        Some(format!("arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}").as_str())
    );
    assert_eq!(m.starting_position(), None);
    assert_eq!(m.maximum_retry_attempts(), None);
    assert!(m.last_modified().is_some());
    wait_state(&c, &uuid, "Disabled").await;

    let e = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&arn)
        .send()
        .await
        .expect_err("duplicate");
    assert_eq!(e.code(), Some("ResourceConflictException"));
    assert_eq!(
        e.message().unwrap_or(""),
        format!(
            "An event source mapping with SQS arn (\" {arn} \") and function (\" esm-api \") already exists. Please update or delete the existing mapping with UUID {uuid}"
        )
    );

    let u = c.update_event_source_mapping().uuid(&uuid).enabled(true).batch_size(5).send().await.expect("update");
    assert_eq!(u.state(), Some("Enabling"));
    assert_eq!(u.batch_size(), Some(5));
    wait_state(&c, &uuid, "Enabled").await;
    let u = c.update_event_source_mapping().uuid(&uuid).enabled(false).send().await.expect("disable");
    assert_eq!(u.state(), Some("Disabling"));
    wait_state(&c, &uuid, "Disabled").await;

    // A stream source: StartingPosition required, stream defaults.
    let ddb = aws_sdk_dynamodb::Client::new(&common::sdk_config(&server).await);
    let stream_arn = stream_table(&ddb, "api-t").await;
    let e = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&stream_arn)
        .send()
        .await
        .expect_err("no starting position");
    assert_eq!(
        e.message(),
        Some(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."
        )
    );
    let e = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&stream_arn)
        .starting_position(EventSourcePosition::AtTimestamp)
        .send()
        .await
        .expect_err("at timestamp");
    assert_eq!(e.message().unwrap_or(""), format!("Unsupported starting position for arn type: {stream_arn}"));
    let s = c
        .create_event_source_mapping()
        .function_name("esm-api")
        .event_source_arn(&stream_arn)
        .starting_position(EventSourcePosition::TrimHorizon)
        .enabled(false)
        .send()
        .await
        .expect("stream mapping");
    assert_eq!(s.batch_size(), Some(100));
    assert_eq!(s.starting_position(), Some(&EventSourcePosition::TrimHorizon));
    assert_eq!(s.maximum_retry_attempts(), Some(-1));
    assert_eq!(s.maximum_record_age_in_seconds(), Some(-1));
    assert_eq!(s.parallelization_factor(), Some(1));
    assert_eq!(s.bisect_batch_on_function_error(), Some(false));
    assert_eq!(s.tumbling_window_in_seconds(), Some(0));
    assert_eq!(s.state_transition_reason(), Some("User action"));
    assert_eq!(s.last_processing_result(), Some("No records processed"));

    // Listing by function, by source, and in pages.
    let all = c.list_event_source_mappings().function_name("esm-api").send().await.expect("list");
    assert_eq!(all.event_source_mappings().len(), 2);
    let by_source = c.list_event_source_mappings().event_source_arn(&arn).send().await.expect("list by source");
    let only: Vec<&EventSourceMappingConfiguration> = by_source.event_source_mappings().iter().collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].uuid(), Some(uuid.as_str()));
    let p1 = c.list_event_source_mappings().max_items(1).send().await.expect("page 1");
    assert_eq!(p1.event_source_mappings().len(), 1);
    let marker = p1.next_marker().expect("marker").to_string();
    let p2 = c.list_event_source_mappings().max_items(1).marker(marker).send().await.expect("page 2");
    assert_eq!(p2.event_source_mappings().len(), 1);
    assert!(p2.next_marker().is_none());
    assert_ne!(p1.event_source_mappings()[0].uuid(), p2.event_source_mappings()[0].uuid());

    let d = c.delete_event_source_mapping().uuid(&uuid).send().await.expect("delete");
    assert_eq!(d.state(), Some("Deleting"));
    let e = c.get_event_source_mapping().uuid(&uuid).send().await.expect_err("gone");
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(e.message(), Some("The resource you requested does not exist."));
    server.shutdown().await;
}

async fn stream_table(ddb: &aws_sdk_dynamodb::Client, name: &str) -> String {
    let out = ddb
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attr"),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().expect("key"))
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .expect("spec"),
        )
        .send()
        .await
        .expect("create table");
    out.table_description().and_then(|t| t.latest_stream_arn()).expect("stream arn").to_string()
}

#[tokio::test]
async fn sqs_messages_reach_the_function_and_are_deleted_filtered_or_redriven() {
    let server = common::server().await;
    let c = lambda(&server).await;
    let q = sqs(&server).await;
    let out = out_dir("sqs");
    function(&c, "esm-sqs", &out).await;
    let (_, dlq_arn) = queue(&q, "esm-dlq", &[]).await;
    let dlq_url =
        q.get_queue_url().queue_name("esm-dlq").send().await.expect("url").queue_url().unwrap_or_default().to_string();
    let redrive = json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}).to_string();
    let (url, arn) = queue(
        &q,
        "esm-src",
        &[(QueueAttributeName::VisibilityTimeout, "1".into()), (QueueAttributeName::RedrivePolicy, redrive)],
    )
    .await;

    let m = c
        .create_event_source_mapping()
        .function_name("esm-sqs")
        .event_source_arn(&arn)
        .batch_size(10)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .filter_criteria(filter(r#"{"body": {"n": [{"numeric": [">", 0]}]}}"#))
        .send()
        .await
        .expect("mapping");
    let uuid = m.uuid().unwrap_or_default().to_string();
    wait_state(&c, &uuid, "Enabled").await;

    // One message: AWS's event shape, then deleted.
    let sent = q
        .send_message()
        .queue_url(&url)
        .message_body(r#"{"n": 1}"#)
        .message_attributes(
            "color",
            MessageAttributeValue::builder().data_type("String").string_value("red").build().expect("attr"),
        )
        .send()
        .await
        .expect("send");
    let id = sent.message_id().unwrap_or_default().to_string();
    assert!(until(30, || !records(&out).is_empty()).await, "the function never ran");
    let r = records(&out).remove(0);
    assert_eq!(r["messageId"], id.as_str());
    assert_eq!(r["body"], r#"{"n": 1}"#);
    assert_eq!(r["eventSource"], "aws:sqs");
    assert_eq!(r["eventSourceARN"], arn.as_str());
    assert_eq!(r["awsRegion"], "us-east-1");
    assert_eq!(r["md5OfBody"], sent.md5_of_message_body().unwrap_or_default());
    assert_eq!(r["md5OfMessageAttributes"], sent.md5_of_message_attributes().unwrap_or_default());
    assert_eq!(
        r["messageAttributes"]["color"],
        json!({"stringValue": "red", "stringListValues": [], "binaryListValues": [], "dataType": "String"})
    );
    assert_eq!(r["attributes"]["ApproximateReceiveCount"], "1");
    for a in ["SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"] {
        assert!(r["attributes"][a].is_string(), "{a} missing: {r}");
    }
    assert!(r["receiptHandle"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(wait_empty(&q, &url, 10).await, "the message was not deleted");

    // Filtered out: deleted without an invocation.
    let before = events(&out).len();
    q.send_message().queue_url(&url).message_body(r#"{"n": -5}"#).send().await.expect("send");
    q.send_message().queue_url(&url).message_body("plain text").send().await.expect("send");
    assert!(wait_empty(&q, &url, 10).await, "filtered messages were not deleted");
    assert_eq!(events(&out).len(), before);

    // Partial batch failure: the success is deleted, the failure comes back
    // and after two receives moves to the dead-letter queue; so does a
    // message whose batch fails as a whole.
    q.send_message().queue_url(&url).message_body(r#"{"n": 2, "tag": "fine"}"#).send().await.expect("send");
    q.send_message().queue_url(&url).message_body(r#"{"n": 3, "tag": "fail-item"}"#).send().await.expect("send");
    q.send_message().queue_url(&url).message_body(r#"{"n": 4, "tag": "fail-all"}"#).send().await.expect("send");
    let mut dead = Vec::new();
    for _ in 0..3 {
        if dead.len() == 2 {
            break;
        }
        if let Some(m) = receive(&q, &dlq_url, 20).await {
            dead.push(m.body().unwrap_or_default().to_string());
        }
    }
    dead.sort();
    assert_eq!(dead, [r#"{"n": 3, "tag": "fail-item"}"#, r#"{"n": 4, "tag": "fail-all"}"#]);
    let fine: Vec<Value> =
        records(&out).into_iter().filter(|r| r["body"].as_str().is_some_and(|b| b.contains("fine"))).collect();
    assert_eq!(fine.len(), 1, "the success ran once and was deleted: {fine:?}");
    let failing: Vec<Value> =
        records(&out).into_iter().filter(|r| r["body"].as_str().is_some_and(|b| b.contains("fail-item"))).collect();
    assert_eq!(failing.len(), 2, "maxReceiveCount 2: {failing:?}");
    assert!(failing.iter().any(|r| r["attributes"]["ApproximateReceiveCount"] == "2"));
    assert!(queue_empty(&q, &url).await);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(out);
}

async fn queue_empty(q: &aws_sdk_sqs::Client, url: &str) -> bool {
    queue_depth(q, url).await == (0, 0)
}

async fn wait_empty(q: &aws_sdk_sqs::Client, url: &str, secs: u64) -> bool {
    for _ in 0..secs * 10 {
        if queue_empty(q, url).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn dynamodb_stream_records_reach_the_function_in_order_and_failures_go_to_the_destination() {
    let server = common::server().await;
    let c = lambda(&server).await;
    let q = sqs(&server).await;
    let ddb = aws_sdk_dynamodb::Client::new(&common::sdk_config(&server).await);
    let out = out_dir("ddb");
    function(&c, "esm-ddb", &out).await;
    let stream_arn = stream_table(&ddb, "esm-t").await;
    let m = c
        .create_event_source_mapping()
        .function_name("esm-ddb")
        .event_source_arn(&stream_arn)
        .starting_position(EventSourcePosition::TrimHorizon)
        .filter_criteria(filter(r#"{"eventName": ["INSERT"]}"#))
        .send()
        .await
        .expect("mapping");
    let uuid = m.uuid().unwrap_or_default().to_string();
    let s = |v: &str| AttributeValue::S(v.to_string());
    ddb.put_item().table_name("esm-t").item("pk", s("a")).item("v", s("1")).send().await.expect("put");
    ddb.delete_item().table_name("esm-t").key("pk", s("a")).send().await.expect("delete");
    ddb.put_item().table_name("esm-t").item("pk", s("b")).item("v", s("2")).send().await.expect("put");
    assert!(until(30, || records(&out).len() >= 2).await, "records: {:?}", records(&out));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut recs = records(&out);
    recs.sort_by(|x, y| x["dynamodb"]["SequenceNumber"].as_str().cmp(&y["dynamodb"]["SequenceNumber"].as_str()));
    assert_eq!(recs.len(), 2, "REMOVE is filtered out: {recs:?}");
    let r = &recs[0];
    assert_eq!(r["eventName"], "INSERT");
    assert_eq!(r["eventVersion"], "1.1");
    assert_eq!(r["eventSource"], "aws:dynamodb");
    assert_eq!(r["awsRegion"], "us-east-1");
    assert_eq!(r["eventSourceARN"], stream_arn.as_str());
    assert!(r["eventID"].is_string());
    assert_eq!(r["dynamodb"]["Keys"], json!({"pk": {"S": "a"}}));
    assert_eq!(r["dynamodb"]["NewImage"], json!({"pk": {"S": "a"}, "v": {"S": "1"}}));
    assert_eq!(r["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
    assert!(r["dynamodb"]["ApproximateCreationDateTime"].is_number());
    assert_eq!(recs[1]["dynamodb"]["Keys"], json!({"pk": {"S": "b"}}));
    let got = c.get_event_source_mapping().uuid(&uuid).send().await.expect("get");
    assert_eq!(got.state(), Some("Enabled"));
    assert_eq!(got.last_processing_result(), Some("OK"));

    // A batch that keeps failing: retried MaximumRetryAttempts times, then
    // described to the OnFailure queue.
    let (dest_url, dest_arn) = queue(&q, "ddb-failures", &[]).await;
    let fail_arn = stream_table(&ddb, "esm-fail").await;
    c.create_event_source_mapping()
        .function_name("esm-ddb")
        .event_source_arn(&fail_arn)
        .starting_position(EventSourcePosition::TrimHorizon)
        .maximum_retry_attempts(1)
        .destination_config(
            DestinationConfig::builder().on_failure(OnFailure::builder().destination(&dest_arn).build()).build(),
        )
        .send()
        .await
        .expect("failing mapping");
    ddb.put_item().table_name("esm-fail").item("pk", s("x")).item("v", s("fail-all")).send().await.expect("put");
    let msg = receive(&q, &dest_url, 30).await.expect("on-failure record");
    let rec: Value = serde_json::from_str(msg.body().unwrap_or("")).expect("json record");
    assert_eq!(rec["requestContext"]["condition"], "RetryAttemptsExhausted");
    assert_eq!(rec["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(rec["requestContext"]["functionArn"], "arn:aws:lambda:us-east-1:000000000000:function:esm-ddb");
    assert_eq!(rec["responseContext"]["functionError"], "Unhandled");
    assert_eq!(rec["responseContext"]["executedVersion"], "$LATEST");
    assert_eq!(rec["version"], "1.0");
    let info = &rec["DDBStreamBatchInfo"];
    assert_eq!(info["batchSize"], 1);
    assert_eq!(info["streamArn"], fail_arn.as_str());
    assert!(info["shardId"].as_str().is_some_and(|s| s.starts_with("shardId-")));
    assert_eq!(info["startSequenceNumber"], info["endSequenceNumber"]);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(out);
}

#[tokio::test]
async fn async_invocations_report_to_destinations_and_the_dead_letter_queue() {
    let server = common::server().await;
    let c = lambda(&server).await;
    let q = sqs(&server).await;
    let out = out_dir("async");
    function(&c, "esm-async", &out).await;
    let (ok_url, ok_arn) = queue(&q, "on-success", &[]).await;
    let (fail_url, fail_arn) = queue(&q, "on-failure", &[]).await;
    let (dlq_url, dlq_arn) = queue(&q, "fn-dlq", &[]).await;
    let cfg = c
        .update_function_configuration()
        .function_name("esm-async")
        .dead_letter_config(DeadLetterConfig::builder().target_arn(&dlq_arn).build())
        .send()
        .await
        .expect("dead letter config");
    assert_eq!(cfg.dead_letter_config().and_then(|d| d.target_arn()), Some(dlq_arn.as_str()));
    c.put_function_event_invoke_config()
        .function_name("esm-async")
        .maximum_retry_attempts(0)
        .destination_config(
            DestinationConfig::builder()
                .on_success(OnSuccess::builder().destination(&ok_arn).build())
                .on_failure(OnFailure::builder().destination(&fail_arn).build())
                .build(),
        )
        .send()
        .await
        .expect("event invoke config");
    for payload in [json!({"mode": "fine"}), json!({"mode": "fail-all"})] {
        let r = c
            .invoke()
            .function_name("esm-async")
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(payload.to_string()))
            .send()
            .await
            .expect("invoke");
        assert_eq!(r.status_code(), 202);
    }

    let fail = receive(&q, &fail_url, 30).await.expect("failure record");
    let rec: Value = serde_json::from_str(fail.body().unwrap_or("")).expect("json");
    assert_eq!(rec["version"], "1.0");
    assert!(rec["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    let rc = &rec["requestContext"];
    assert_eq!(rc["condition"], "RetriesExhausted");
    assert_eq!(rc["approximateInvokeCount"], 1);
    assert_eq!(rc["functionArn"], "arn:aws:lambda:us-east-1:000000000000:function:esm-async:$LATEST");
    let failed_id = rc["requestId"].as_str().unwrap_or("").to_string();
    assert!(!failed_id.is_empty());
    assert_eq!(rec["requestPayload"], json!({"mode": "fail-all"}));
    assert_eq!(
        rec["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
    );
    assert_eq!(rec["responsePayload"]["errorType"], "ValueError");
    assert_eq!(rec["responsePayload"]["errorMessage"], "asked to fail");

    let ok = receive(&q, &ok_url, 30).await.expect("success record");
    let rec: Value = serde_json::from_str(ok.body().unwrap_or("")).expect("json");
    assert_eq!(rec["requestContext"]["condition"], "Success");
    assert_eq!(rec["requestPayload"], json!({"mode": "fine"}));
    assert_eq!(rec["responseContext"], json!({"statusCode": 200, "executedVersion": "$LATEST"}));
    assert_eq!(rec["responsePayload"], json!({"batchItemFailures": []}));

    let dead = receive(&q, &dlq_url, 30).await.expect("dead letter");
    assert_eq!(serde_json::from_str::<Value>(dead.body().unwrap_or("")).ok(), Some(json!({"mode": "fail-all"})));
    let attrs = dead.message_attributes().cloned().unwrap_or_default();
    let attr = |k: &str| attrs.get(k).map(|a| (a.data_type().to_string(), a.string_value().unwrap_or("").to_string()));
    assert_eq!(attr("RequestID"), Some(("String".into(), failed_id)));
    assert_eq!(attr("ErrorCode"), Some(("Number".into(), "200".into())));
    assert_eq!(attr("ErrorMessage"), Some(("String".into(), "asked to fail".into())));
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(out);
}

#[tokio::test]
async fn pollers_resume_after_a_restart_from_their_checkpoints() {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("stratus-esm-restart-{}-{stamp}", std::process::id()));
    let out = out_dir("restart");
    let mut args = stratus::config::ServeArgs::ephemeral();
    args.in_memory = false;
    args.data_dir = Some(dir.clone());
    let s = |v: &str| AttributeValue::S(v.to_string());
    let url = {
        let server = common::server_with(args.clone()).await;
        let c = lambda(&server).await;
        let q = sqs(&server).await;
        let ddb = aws_sdk_dynamodb::Client::new(&common::sdk_config(&server).await);
        function(&c, "esm-restart", &out).await;
        let (url, arn) = queue(&q, "restart-q", &[]).await;
        let stream_arn = stream_table(&ddb, "restart-t").await;
        for (source, start) in [(arn.as_str(), None), (stream_arn.as_str(), Some(EventSourcePosition::TrimHorizon))] {
            let m = c
                .create_event_source_mapping()
                .function_name("esm-restart")
                .event_source_arn(source)
                .set_starting_position(start)
                .send()
                .await
                .expect("mapping");
            wait_state(&c, m.uuid().unwrap_or_default(), "Enabled").await;
        }
        ddb.put_item().table_name("restart-t").item("pk", s("before")).send().await.expect("put");
        assert!(until(30, || records(&out).len() == 1).await, "{:?}", records(&out));
        server.shutdown().await;
        url
    };
    let server = common::server_with(args).await;
    let q = sqs(&server).await;
    let ddb = aws_sdk_dynamodb::Client::new(&common::sdk_config(&server).await);
    q.send_message().queue_url(&url).message_body("after restart").send().await.expect("send");
    ddb.put_item().table_name("restart-t").item("pk", s("after")).send().await.expect("put");
    assert!(until(30, || records(&out).len() >= 3).await, "{:?}", records(&out));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let recs = records(&out);
    assert_eq!(recs.len(), 3, "the stream resumed after its checkpoint: {recs:?}");
    assert!(recs.iter().any(|r| r["body"] == "after restart"));
    let keys: Vec<&Value> = recs.iter().filter_map(|r| r["dynamodb"]["Keys"]["pk"].get("S")).collect();
    assert_eq!(keys.len(), 2);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(out);
}

#[tokio::test]
async fn async_success_records_can_go_to_an_sns_topic() {
    let server = common::server().await;
    let c = lambda(&server).await;
    let q = sqs(&server).await;
    let sns = aws_sdk_sns::Client::new(&common::sdk_config(&server).await);
    let out = out_dir("sns");
    function(&c, "esm-sns", &out).await;
    let topic =
        sns.create_topic().name("fn-results").send().await.expect("topic").topic_arn().unwrap_or_default().to_string();
    let (url, arn) = queue(&q, "topic-sub", &[]).await;
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .expect("subscribe");
    c.put_function_event_invoke_config()
        .function_name("esm-sns")
        .destination_config(
            DestinationConfig::builder().on_success(OnSuccess::builder().destination(&topic).build()).build(),
        )
        .send()
        .await
        .expect("event invoke config");
    c.invoke()
        .function_name("esm-sns")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(r#"{"via": "sns"}"#))
        .send()
        .await
        .expect("invoke");
    let m = receive(&q, &url, 30).await.expect("record through the topic");
    let rec: Value = serde_json::from_str(m.body().unwrap_or("")).expect("json");
    assert_eq!(rec["requestContext"]["condition"], "Success");
    assert_eq!(rec["requestPayload"], json!({"via": "sns"}));
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(out);
}

#[tokio::test]
async fn maximum_concurrency_bounds_concurrent_sqs_batches() {
    let server = common::server().await;
    let c = lambda(&server).await;
    let q = sqs(&server).await;
    let out = out_dir("concurrency");
    function(&c, "esm-conc", &out).await;
    let (url, arn) = queue(&q, "conc-q", &[]).await;
    let m = c
        .create_event_source_mapping()
        .function_name("esm-conc")
        .event_source_arn(&arn)
        .batch_size(1)
        .scaling_config(aws_sdk_lambda::types::ScalingConfig::builder().maximum_concurrency(2).build())
        .send()
        .await
        .expect("mapping");
    wait_state(&c, m.uuid().unwrap_or_default(), "Enabled").await;
    for i in 0..6 {
        q.send_message().queue_url(&url).message_body(format!("sleep {i}")).send().await.expect("send");
    }
    let spans = || -> Vec<(f64, f64)> {
        std::fs::read_dir(&out)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "span"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter_map(|t| serde_json::from_str::<Value>(&t).ok())
            .filter_map(|v| Some((v["start"].as_f64()?, v["end"].as_f64()?)))
            .collect()
    };
    assert!(until(60, || spans().len() == 6).await, "{:?}", spans());
    let all = spans();
    let most = all.iter().map(|(s, _)| all.iter().filter(|(s2, e2)| s2 <= s && s < e2).count()).max().unwrap_or(0);
    assert_eq!(most, 2, "at most two batches at once, and two did run together: {all:?}");
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(out);
}
