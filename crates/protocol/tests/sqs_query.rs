//! SQS's legacy Query form under its JSON model: flattened parameter names
//! (`Attribute.N.Name`, `MessageAttribute.N.Value.StringValue`,
//! `SendMessageBatchRequestEntry.N.Id`, `AttributeName.N`), the XML element
//! names of responses (`<Message>`, `<Attribute><Name>`), and the legacy
//! error codes of both wire forms.

use bytes::Bytes;
use serde_json::json;
use stratus_core::AwsError;
use stratus_protocol::model::Protocol;
use stratus_protocol::{HttpRequest, decode, encode, model, router};

fn form(body: &str) -> HttpRequest {
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/x-www-form-urlencoded"));
    HttpRequest {
        method: http::Method::POST,
        path: "/000000000000/q".to_string(),
        query: String::new(),
        headers,
        body: Bytes::from(body.to_string()),
    }
}

fn decoded(body: &str) -> (String, serde_json::Value) {
    let req = form(body);
    let (m, wire) = router::route(&req, None).expect("routed");
    assert_eq!((m.name, wire), ("sqs", Protocol::Query));
    let d = decode::decode(m, wire, &req).expect("decodes");
    (d.operation.name.to_string(), d.input)
}

#[test]
fn create_queue_attributes_and_tags() {
    let (op, input) = decoded(
        "Action=CreateQueue&Version=2012-11-05&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=60&Tag.1.Key=env&Tag.1.Value=dev",
    );
    assert_eq!(op, "CreateQueue");
    assert_eq!(
        input,
        json!({"QueueName": "q", "Attributes": {"DelaySeconds": "5", "VisibilityTimeout": "60"}, "tags": {"env": "dev"}})
    );
}

#[test]
fn send_message_with_attributes() {
    let (_, input) = decoded(
        "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq&MessageBody=hi&DelaySeconds=2&MessageAttribute.1.Name=Foo&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=Bar&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1",
    );
    assert_eq!(
        input,
        json!({
            "QueueUrl": "http://h/000000000000/q", "MessageBody": "hi", "DelaySeconds": 2,
            "MessageAttributes": {"Foo": {"DataType": "String", "StringValue": "Bar"}},
            "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}}
        })
    );
}

#[test]
fn batches_and_name_lists() {
    let (_, input) = decoded(
        "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y",
    );
    assert_eq!(input["Entries"], json!([{"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "y"}]));
    let (_, input) = decoded(
        "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&AttributeName.1=SentTimestamp&AttributeName.2=All&MessageAttributeName.1=foo.*&MaxNumberOfMessages=3",
    );
    assert_eq!(
        input,
        json!({"QueueUrl": "u", "AttributeNames": ["SentTimestamp", "All"], "MessageAttributeNames": ["foo.*"], "MaxNumberOfMessages": 3})
    );
    let (_, input) = decoded("Action=UntagQueue&Version=2012-11-05&QueueUrl=u&TagKey.1=a&TagKey.2=b");
    assert_eq!(input["TagKeys"], json!(["a", "b"]));
    let (_, input) = decoded(
        "Action=AddPermission&Version=2012-11-05&QueueUrl=u&Label=l&AWSAccountId.1=111111111111&ActionName.1=SendMessage",
    );
    assert_eq!(input["AWSAccountIds"], json!(["111111111111"]));
    assert_eq!(input["Actions"], json!(["SendMessage"]));
}

#[test]
fn receive_output_uses_legacy_element_names() {
    let m = model("sqs").expect("sqs");
    let op = m.operation("ReceiveMessage").expect("op");
    let out = json!({"Messages": [{
        "MessageId": "id", "ReceiptHandle": "rh", "MD5OfBody": "md5", "Body": "b",
        "Attributes": {"SentTimestamp": "1"},
        "MessageAttributes": {"Foo": {"DataType": "String", "StringValue": "Bar"}}
    }]});
    let resp = encode::output(m, Protocol::Query, op, &out, "r");
    let body = String::from_utf8(resp.body.to_vec()).expect("utf8");
    assert!(body.starts_with(
        "<ReceiveMessageResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ReceiveMessageResult><Message><MessageId>id</MessageId>"
    ));
    assert!(body.contains("<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>"), "{body}");
    assert!(
        body.contains("<MessageAttribute><Name>Foo</Name><Value><StringValue>Bar</StringValue><DataType>String</DataType></Value></MessageAttribute>"),
        "{body}"
    );
    let op = m.operation("ListQueues").expect("op");
    let resp = encode::output(m, Protocol::Query, op, &json!({"QueueUrls": ["u1", "u2"]}), "r");
    let body = String::from_utf8(resp.body.to_vec()).expect("utf8");
    assert!(body.contains("<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>"));
}

#[test]
fn legacy_error_codes_in_both_forms() {
    let m = model("sqs").expect("sqs");
    let cases = [
        ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),
        ("QueueNameExists", "QueueAlreadyExists"),
        ("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress"),
        ("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"),
        ("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
        ("InvalidParameterValueException", "InvalidParameterValue"),
        ("MissingRequiredParameterException", "MissingParameter"),
    ];
    for (code, legacy) in cases {
        let err = AwsError::bad_request(code, "m");
        let resp = encode::error(Some(m), Protocol::AwsJson10, &err, "r");
        let body: serde_json::Value = serde_json::from_slice(&resp.body).expect("json");
        assert_eq!(body["__type"], format!("com.amazonaws.sqs#{code}"));
        let header = resp.headers.iter().find(|(k, _)| k == "x-amzn-query-error").map(|(_, v)| v.clone());
        assert_eq!(header, Some(format!("{legacy};Sender")));
        let resp = encode::error(Some(m), Protocol::Query, &err, "r");
        let body = String::from_utf8(resp.body.to_vec()).expect("utf8");
        assert!(body.contains(&format!("<Code>{legacy}</Code>")), "{body}");
    }
}

#[test]
fn unknown_enum_values_reach_the_service() {
    let (_, input) = decoded("Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=u&AttributeName.1=Bogus");
    assert_eq!(input["AttributeNames"], json!(["Bogus"]));
}
