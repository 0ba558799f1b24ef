//! Sending, receiving, visibility, batches, dead-letter redrive, long
//! polling and durability.

use std::time::{Duration, Instant};

use serde_json::json;

use super::*;

#[tokio::test]
async fn send_receive_delete_with_digests() {
    let s = sqs();
    let url = create(&s, "m", json!({})).await;
    let sent = ok(
        &s,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "msg", "MessageAttributes": {"Foo": {"DataType": "String", "StringValue": "Bar"}}}),
    )
    .await;
    assert_eq!(sent["MD5OfMessageBody"], "6e2baaf3b97dbeef01c0043275f9a0e7");
    assert_eq!(sent["MD5OfMessageAttributes"], "ae7155c6026991b6d54b11589678bf9c");
    let msgs = receive(&s, &url, json!({"MessageAttributeNames": ["All"]})).await;
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m["Body"], "msg");
    assert_eq!(m["MD5OfMessageAttributes"], "ae7155c6026991b6d54b11589678bf9c");
    assert_eq!(m["Attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(m["Attributes"]["SenderId"], "000000000000");
    let handle = m["ReceiptHandle"].clone();
    ok(&s, "DeleteMessage", json!({"QueueUrl": url, "ReceiptHandle": handle})).await;
    let e = err(&s, "DeleteMessage", json!({"QueueUrl": url, "ReceiptHandle": "nope"})).await;
    assert_eq!(e.code, "ReceiptHandleIsInvalid");
    assert_eq!(e.message, "The input receipt handle \"nope\" is not a valid receipt handle.");
}

#[tokio::test]
async fn visibility_timeout_redelivers_with_count() {
    let s = sqs();
    let url = create(&s, "v", json!({})).await;
    ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "again"})).await;
    let first = receive(&s, &url, json!({"VisibilityTimeout": 1})).await;
    assert_eq!(first.len(), 1);
    assert!(receive(&s, &url, json!({})).await.is_empty());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = receive(&s, &url, json!({})).await;
    assert_eq!(second[0]["Attributes"]["ApproximateReceiveCount"], "2");
    // The first handle is stale: deleting with it leaves the message.
    ok(&s, "DeleteMessage", json!({"QueueUrl": url, "ReceiptHandle": first[0]["ReceiptHandle"]})).await;
    let h = second[0]["ReceiptHandle"].clone();
    ok(&s, "ChangeMessageVisibility", json!({"QueueUrl": url, "ReceiptHandle": h, "VisibilityTimeout": 0})).await;
    assert_eq!(receive(&s, &url, json!({})).await.len(), 1);
}

#[tokio::test]
async fn delayed_messages_are_counted_then_delivered() {
    let s = sqs();
    let url = create(&s, "d", json!({})).await;
    ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "later", "DelaySeconds": 1})).await;
    let out = ok(
        &s,
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessagesDelayed"]}),
    )
    .await;
    assert_eq!(out["Attributes"]["ApproximateNumberOfMessagesDelayed"], "1");
    assert!(receive(&s, &url, json!({})).await.is_empty());
    let msgs = receive(&s, &url, json!({"WaitTimeSeconds": 3})).await;
    assert_eq!(msgs.len(), 1);
}

#[tokio::test]
async fn long_poll_wakes_when_a_message_arrives() {
    let s = std::sync::Arc::new(sqs());
    let url = create(&s, "lp", json!({})).await;
    let (s2, url2) = (s.clone(), url.clone());
    let sender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        ok(&s2, "SendMessage", json!({"QueueUrl": url2, "MessageBody": "wake"})).await;
    });
    let start = Instant::now();
    let msgs = receive(&s, &url, json!({"WaitTimeSeconds": 10})).await;
    assert_eq!(msgs.len(), 1);
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    let _ = sender.await;
}

#[tokio::test]
async fn batch_rules() {
    let s = sqs();
    let url = create(&s, "b", json!({})).await;
    let out = ok(
        &s,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": [
            {"Id": "ok", "MessageBody": "a"},
            {"Id": "bad", "MessageBody": "b", "MessageAttributes": {"x": {"DataType": "String", "StringValue": ""}}}
        ]}),
    )
    .await;
    assert_eq!(out["Successful"][0]["Id"], "ok");
    assert_eq!(out["Failed"][0]["Id"], "bad");
    assert_eq!(out["Failed"][0]["Code"], "InvalidParameterValue");
    assert_eq!(out["Failed"][0]["SenderFault"], true);
    let e = err(
        &s,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]}),
    )
    .await;
    assert_eq!(e.code, "BatchEntryIdsNotDistinct");
    let e = err(&s, "DeleteMessageBatch", json!({"QueueUrl": url, "Entries": []})).await;
    assert_eq!(e.code, "EmptyBatchRequest");
    let out =
        ok(&s, "DeleteMessageBatch", json!({"QueueUrl": url, "Entries": [{"Id": "x", "ReceiptHandle": "junk"}]})).await;
    assert_eq!(out["Failed"][0]["Code"], "ReceiptHandleIsInvalid");
}

#[tokio::test]
async fn size_limit_uses_aws_message() {
    let s = sqs();
    let url = create(&s, "big", json!({"MaximumMessageSize": "1024"})).await;
    let e = err(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "x".repeat(1025)})).await;
    assert_eq!(e.message, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
    let e = err(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": ""})).await;
    assert_eq!(e.message, "The request must contain the parameter MessageBody.");
    let e = err(&s, "ReceiveMessage", json!({"QueueUrl": url, "MaxNumberOfMessages": 11})).await;
    assert_eq!(
        e.message,
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
    );
}

#[tokio::test]
async fn dead_letter_redrive_and_move_back() {
    let s = sqs();
    let dlq = create(&s, "dlq", json!({})).await;
    let policy =
        json!({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq", "maxReceiveCount": 1}).to_string();
    let src = create(&s, "src", json!({"RedrivePolicy": policy})).await;
    ok(&s, "SendMessage", json!({"QueueUrl": src, "MessageBody": "poison"})).await;
    assert_eq!(receive(&s, &src, json!({"VisibilityTimeout": 0})).await.len(), 1);
    assert!(receive(&s, &src, json!({})).await.is_empty());
    let moved = receive(&s, &dlq, json!({"VisibilityTimeout": 0})).await;
    assert_eq!(moved[0]["Body"], "poison");
    assert_eq!(moved[0]["Attributes"]["DeadLetterQueueSourceArn"], "arn:aws:sqs:us-east-1:000000000000:src");
    let out = ok(&s, "ListDeadLetterSourceQueues", json!({"QueueUrl": dlq})).await;
    assert_eq!(out["queueUrls"], json!([src]));
    ok(&s, "StartMessageMoveTask", json!({"SourceArn": "arn:aws:sqs:us-east-1:000000000000:dlq"})).await;
    let back = receive(&s, &src, json!({"WaitTimeSeconds": 3})).await;
    assert_eq!(back[0]["Body"], "poison");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let out = ok(&s, "ListMessageMoveTasks", json!({"SourceArn": "arn:aws:sqs:us-east-1:000000000000:dlq"})).await;
    assert_eq!(out["Results"][0]["Status"], "COMPLETED");
    assert_eq!(out["Results"][0]["ApproximateNumberOfMessagesMoved"], 1);
    let e = err(&s, "StartMessageMoveTask", json!({"SourceArn": "arn:aws:sqs:us-east-1:000000000000:src"})).await;
    assert_eq!(e.message, "Source queue must be configured as a Dead Letter Queue.");
    let e = err(&s, "CancelMessageMoveTask", json!({"TaskHandle": "zzz"})).await;
    assert_eq!(e.message, "Value for parameter TaskHandle is invalid.");
}

#[tokio::test]
async fn restart_keeps_in_flight_and_delayed_messages() {
    let dir = tempfile::tempdir().expect("dir");
    let url;
    {
        let s = Sqs::new(Store::open(dir.path()).expect("open"), &Settings::default());
        url = create(&s, "durable", json!({})).await;
        ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "flying"})).await;
        assert_eq!(receive(&s, &url, json!({"VisibilityTimeout": 2})).await.len(), 1);
        ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "delayed", "DelaySeconds": 2})).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let s = Sqs::new(Store::open(dir.path()).expect("reopen"), &Settings::default());
    let out = ok(&s, "GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["All"]})).await;
    assert_eq!(out["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "1");
    assert_eq!(out["Attributes"]["ApproximateNumberOfMessagesDelayed"], "1");
    assert!(receive(&s, &url, json!({})).await.is_empty());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let msgs = receive(&s, &url, json!({})).await;
    assert_eq!(msgs.len(), 2);
    let flying = msgs.iter().find(|m| m["Body"] == "flying").cloned().unwrap_or_default();
    assert_eq!(flying["Attributes"]["ApproximateReceiveCount"], "2");
}

#[tokio::test]
async fn receives_past_many_in_flight_messages() {
    let s = sqs();
    let url = create(&s, "many", json!({})).await;
    for chunk in 0..20 {
        let entries: Vec<Value> =
            (0..10).map(|i| json!({"Id": format!("m{i}"), "MessageBody": format!("{}", chunk * 10 + i)})).collect();
        ok(&s, "SendMessageBatch", json!({"QueueUrl": url, "Entries": entries})).await;
    }
    let mut bodies = Vec::new();
    for _ in 0..25 {
        // Received messages stay in flight, so each pass must look past more of them.
        for m in receive(&s, &url, json!({})).await {
            bodies.push(m["Body"].as_str().and_then(|b| b.parse::<u32>().ok()).unwrap_or(u32::MAX));
        }
    }
    bodies.sort_unstable();
    assert_eq!(bodies, (0..200).collect::<Vec<u32>>());
}

#[tokio::test]
async fn concurrent_receives_get_different_messages_and_full_batches() {
    let s = sqs();
    let url = create(&s, "busy", json!({})).await;
    for chunk in 0..4 {
        let entries: Vec<Value> =
            (0..10).map(|i| json!({"Id": format!("m{i}"), "MessageBody": format!("{}", chunk * 10 + i)})).collect();
        ok(&s, "SendMessageBatch", json!({"QueueUrl": url, "Entries": entries})).await;
    }
    let (a, b, c, d) = tokio::join!(
        receive(&s, &url, json!({})),
        receive(&s, &url, json!({})),
        receive(&s, &url, json!({})),
        receive(&s, &url, json!({}))
    );
    let mut bodies = Vec::new();
    for batch in [a, b, c, d] {
        assert_eq!(batch.len(), 10, "every receive fills its batch while 40 messages are visible");
        bodies.extend(batch.iter().map(|m| m["Body"].as_str().and_then(|b| b.parse::<u32>().ok()).unwrap_or(u32::MAX)));
    }
    bodies.sort_unstable();
    assert_eq!(bodies, (0..40).collect::<Vec<u32>>());
}

#[tokio::test]
async fn change_message_visibility_batch_reports_each_entry() {
    let s = sqs();
    let url = create(&s, "cmvb", json!({"VisibilityTimeout": "60"})).await;
    for body in ["a", "b"] {
        ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": body})).await;
    }
    let got = receive(&s, &url, json!({})).await;
    assert_eq!(got.len(), 2);
    let handle = |i: usize| got[i]["ReceiptHandle"].as_str().unwrap_or_default().to_string();
    let out = ok(
        &s,
        "ChangeMessageVisibilityBatch",
        json!({"QueueUrl": url, "Entries": [
            {"Id": "back", "ReceiptHandle": handle(0), "VisibilityTimeout": 0},
            {"Id": "keep", "ReceiptHandle": handle(1), "VisibilityTimeout": 120},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ]}),
    )
    .await;
    assert_eq!(out["Successful"], json!([{"Id": "back"}, {"Id": "keep"}]));
    assert_eq!(out["Failed"][0]["Id"], "bad");
    assert_eq!(out["Failed"][0]["Code"], "ReceiptHandleIsInvalid");
    assert_eq!(out["Failed"][0]["SenderFault"], true);
    // Only the message made visible again comes back.
    let again = receive(&s, &url, json!({})).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["Body"], got[0]["Body"]);
    let entries: Vec<Value> =
        (0..20).map(|i| json!({"Id": format!("e{i}"), "ReceiptHandle": handle(0), "VisibilityTimeout": 0})).collect();
    let e = err(&s, "ChangeMessageVisibilityBatch", json!({"QueueUrl": url, "Entries": entries})).await;
    assert_eq!(e.code, "TooManyEntriesInBatchRequest");
    assert_eq!(e.message, "Maximum number of entries per request are 10. You have sent 20.");
}

#[tokio::test]
async fn batch_size_failures_use_the_batch_wording_and_empty_lists_are_left_out() {
    let s = sqs();
    let url = create(&s, "bs", json!({"MaximumMessageSize": "1024"})).await;
    let out = ok(
        &s,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": [{"Id": "big", "MessageBody": "x".repeat(1025)}, {"Id": "ok", "MessageBody": "a"}]}),
    )
    .await;
    assert_eq!(
        out["Failed"][0]["Message"],
        "One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes."
    );
    let out = ok(&s, "SendMessageBatch", json!({"QueueUrl": url, "Entries": [{"Id": "a", "MessageBody": "a"}]})).await;
    assert!(out.get("Failed").is_none());
}

#[tokio::test]
async fn retention_expiry_and_queue_delay() {
    let s = sqs();
    let url = create(&s, "ret", json!({"MessageRetentionPeriod": "60"})).await;
    ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "old"})).await;
    // Age the stored message past the retention period.
    let q = crate::scope::QueueRef { keys: crate::keys::Keys::new("000000000000", "us-east-1"), name: "ret".into() };
    let rows = crate::messages::scan(&s.shared.store, &q, None).expect("scan");
    for (k, mut m) in rows {
        m.sent_ms -= 61_000;
        s.shared.store.put(k, crate::model::encode(&m)).await.expect("put");
    }
    let out =
        ok(&s, "GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]})).await;
    assert_eq!(out["Attributes"]["ApproximateNumberOfMessages"], "0");
    assert_eq!(s.reap().await, 1);
    assert!(receive(&s, &url, json!({})).await.is_empty());

    let delayed = create(&s, "delayq", json!({"DelaySeconds": "1"})).await;
    ok(&s, "SendMessage", json!({"QueueUrl": delayed, "MessageBody": "d"})).await;
    assert!(receive(&s, &delayed, json!({})).await.is_empty());
    assert_eq!(receive(&s, &delayed, json!({"WaitTimeSeconds": 3})).await.len(), 1);
}

#[tokio::test]
async fn system_attribute_trace_header() {
    let s = sqs();
    let url = create(&s, "trace", json!({})).await;
    let trace =
        json!({"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}});
    let sent =
        ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "t", "MessageSystemAttributes": trace.clone()}))
            .await;
    let expected = trace.as_object().and_then(crate::digest::md5_of_attributes);
    assert_eq!(sent["MD5OfMessageSystemAttributes"].as_str(), expected.as_deref());
    let got = receive(&s, &url, json!({})).await;
    assert_eq!(got[0]["Attributes"]["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793");
}
