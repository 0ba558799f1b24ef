//! Queue lifecycle, attributes, tags, permissions.

use serde_json::json;

use super::*;

#[tokio::test]
async fn create_is_idempotent_and_rejects_different_attributes() {
    let s = sqs();
    let url = create(&s, "q1", json!({"DelaySeconds": "5"})).await;
    assert_eq!(url, "http://127.0.0.1:4566/000000000000/q1");
    assert_eq!(create(&s, "q1", json!({"DelaySeconds": "5"})).await, url);
    let e = err(&s, "CreateQueue", json!({"QueueName": "q1", "Attributes": {"DelaySeconds": "6"}})).await;
    assert_eq!(e.code, "QueueNameExists");
    assert_eq!(e.message, "A queue already exists with the same name and a different value for attribute DelaySeconds");
}

#[tokio::test]
async fn attributes_all_and_set() {
    let s = sqs();
    let url = create(&s, "attrs", json!({})).await;
    ok(&s, "SetQueueAttributes", json!({"QueueUrl": url, "Attributes": {"VisibilityTimeout": "45"}})).await;
    let out = ok(&s, "GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["All"]})).await;
    let a = &out["Attributes"];
    assert_eq!(a["VisibilityTimeout"], "45");
    assert_eq!(a["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:attrs");
    assert_eq!(a["ApproximateNumberOfMessages"], "0");
    assert_eq!(a["MaximumMessageSize"], "1048576");
    assert!(a.get("FifoQueue").is_none());
    let e = err(&s, "GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["Bogus"]})).await;
    assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidAttributeName", "Unknown Attribute Bogus."));
}

#[tokio::test]
async fn list_with_prefix_and_pages() {
    let s = sqs();
    for n in ["a1", "a2", "a3", "b1"] {
        create(&s, n, json!({})).await;
    }
    let out = ok(&s, "ListQueues", json!({"QueueNamePrefix": "a", "MaxResults": 2})).await;
    assert_eq!(out["QueueUrls"].as_array().map(Vec::len), Some(2));
    let token = out["NextToken"].clone();
    let out = ok(&s, "ListQueues", json!({"QueueNamePrefix": "a", "MaxResults": 2, "NextToken": token})).await;
    assert_eq!(out["QueueUrls"], json!(["http://127.0.0.1:4566/000000000000/a3"]));
    assert!(out.get("NextToken").is_none());
}

#[tokio::test]
async fn missing_queue_and_delete() {
    let s = sqs();
    let url = create(&s, "gone", json!({})).await;
    ok(&s, "DeleteQueue", json!({"QueueUrl": url})).await;
    let e = err(&s, "GetQueueUrl", json!({"QueueName": "gone"})).await;
    assert_eq!((e.code.as_str(), e.message.as_str()), ("QueueDoesNotExist", "The specified queue does not exist."));
}

#[tokio::test]
async fn purge_twice_within_a_minute() {
    let s = sqs();
    let url = create(&s, "p", json!({})).await;
    ok(&s, "SendMessage", json!({"QueueUrl": url, "MessageBody": "x"})).await;
    ok(&s, "PurgeQueue", json!({"QueueUrl": url})).await;
    let e = err(&s, "PurgeQueue", json!({"QueueUrl": url})).await;
    assert_eq!(e.status, 403);
    assert_eq!(e.message, "Only one PurgeQueue operation on p is allowed every 60 seconds.");
    assert!(receive(&s, &url, json!({})).await.is_empty());
}

#[tokio::test]
async fn tags_and_permissions() {
    let s = sqs();
    let url = create(&s, "t", json!({})).await;
    ok(&s, "TagQueue", json!({"QueueUrl": url, "Tags": {"a": "1", "b": "2"}})).await;
    ok(&s, "UntagQueue", json!({"QueueUrl": url, "TagKeys": ["a"]})).await;
    assert_eq!(ok(&s, "ListQueueTags", json!({"QueueUrl": url})).await, json!({"Tags": {"b": "2"}}));
    let add = json!({"QueueUrl": url, "Label": "l1", "AWSAccountIds": ["111111111111"], "Actions": ["ReceiveMessage"]});
    ok(&s, "AddPermission", add.clone()).await;
    let e = err(&s, "AddPermission", add).await;
    assert_eq!(e.message, "Value l1 for parameter Label is invalid. Reason: Already exists.");
    let out = ok(&s, "GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["Policy"]})).await;
    let policy: Value = serde_json::from_str(out["Attributes"]["Policy"].as_str().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(policy["Version"], "2008-10-17");
    assert_eq!(policy["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::111111111111:root");
    assert_eq!(policy["Statement"][0]["Action"], "SQS:ReceiveMessage");
    ok(&s, "RemovePermission", json!({"QueueUrl": url, "Label": "l1"})).await;
    let out = ok(&s, "GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["Policy"]})).await;
    assert_eq!(out, json!({}));
    let e = err(&s, "RemovePermission", json!({"QueueUrl": url, "Label": "l1"})).await;
    assert_eq!(e.message, "Value l1 for parameter Label is invalid. Reason: can't find label.");
}
