//! FIFO queues: groups, ordering, deduplication, sequence numbers.

use serde_json::json;

use super::*;

async fn fifo(s: &Sqs, name: &str, content_dedup: bool) -> String {
    let attrs = json!({"FifoQueue": "true", "ContentBasedDeduplication": content_dedup.to_string()});
    create(s, name, attrs).await
}

#[tokio::test]
async fn ordering_and_group_locking() {
    let s = sqs();
    let url = fifo(&s, "o.fifo", true).await;
    for (i, g) in [("1", "a"), ("2", "a"), ("3", "b")] {
        ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": format!("m{i}"), "MessageGroupId": g})).await;
    }
    let first = receive(&s, &url, json!({"MaxNumberOfMessages": 1})).await;
    assert_eq!(first[0]["Body"], "m1");
    // Group a is locked while m1 is in flight: only b's message comes.
    let next = receive(&s, &url, json!({})).await;
    let bodies: Vec<&str> = next.iter().filter_map(|m| m["Body"].as_str()).collect();
    assert_eq!(bodies, vec!["m3"]);
    assert_eq!(next[0]["Attributes"]["MessageGroupId"], "b");
    assert_eq!(next[0]["Attributes"]["SequenceNumber"].as_str().map(str::len), Some(20));
    ok(&s, "DeleteMessage", json!({"QueueUrl": url, "ReceiptHandle": first[0]["ReceiptHandle"]})).await;
    let last = receive(&s, &url, json!({})).await;
    assert_eq!(last[0]["Body"], "m2");
}

#[tokio::test]
async fn deduplication_content_and_explicit() {
    let s = sqs();
    let url = fifo(&s, "d.fifo", true).await;
    let a = ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "same", "MessageGroupId": "g"})).await;
    let b = ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "same", "MessageGroupId": "g"})).await;
    assert_eq!(a["MessageId"], b["MessageId"]);
    assert_eq!(a["SequenceNumber"], b["SequenceNumber"]);
    let c = ok(
        &s,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "same", "MessageGroupId": "g", "MessageDeduplicationId": "x"}),
    )
    .await;
    assert_ne!(a["MessageId"], c["MessageId"]);
    assert_eq!(receive(&s, &url, json!({})).await.len(), 2);
}

#[tokio::test]
async fn fifo_parameter_errors() {
    let s = sqs();
    let url = fifo(&s, "e.fifo", false).await;
    let e = err(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "x"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("MissingRequiredParameterException", "The request must contain the parameter MessageGroupId.")
    );
    let e = err(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "x", "MessageGroupId": "g"})).await;
    assert_eq!(
        e.message,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
    );
    let e = err(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d", "DelaySeconds": 2})).await;
    assert_eq!(
        e.message,
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
    );
    let e = err(&s, "SetQueueAttributes", json!({"QueueUrl": url, "Attributes": {"FifoQueue": "false"}})).await;
    assert_eq!(e.code, "InvalidAttributeValue");
    let e = err(&s, "CreateQueue", json!({"QueueName": "nofifo", "Attributes": {"ContentBasedDeduplication": "true"}}))
        .await;
    assert_eq!(e.message, "Unknown Attribute ContentBasedDeduplication.");
    let out = ok(&s, "GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["All"]})).await;
    assert_eq!(out["Attributes"]["FifoThroughputLimit"], "perQueue");
    assert_eq!(out["Attributes"]["DeduplicationScope"], "queue");
}

#[tokio::test]
async fn expired_receipt_on_fifo_delete() {
    let s = sqs();
    let url = fifo(&s, "x.fifo", true).await;
    ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "x", "MessageGroupId": "g"})).await;
    let m = receive(&s, &url, json!({"VisibilityTimeout": 0})).await;
    let h = m[0]["ReceiptHandle"].as_str().unwrap_or_default().to_string();
    let e = err(&s, "DeleteMessage", json!({"QueueUrl": url, "ReceiptHandle": h})).await;
    assert_eq!(
        e.message,
        format!("Value {h} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")
    );
}

#[tokio::test]
async fn deduplication_scope_per_group() {
    let s = sqs();
    let attrs =
        json!({"FifoQueue": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"});
    let url = create(&s, "g.fifo", attrs).await;
    let send =
        |g: &str| json!({"QueueUrl": url, "MessageBody": "b", "MessageGroupId": g, "MessageDeduplicationId": "same"});
    let a = ok(&s, "SendMessage", send("g1")).await;
    let b = ok(&s, "SendMessage", send("g2")).await;
    let c = ok(&s, "SendMessage", send("g1")).await;
    assert_ne!(a["MessageId"], b["MessageId"]);
    assert_eq!(a["MessageId"], c["MessageId"]);
    assert_eq!(receive(&s, &url, json!({})).await.len(), 2);
}
