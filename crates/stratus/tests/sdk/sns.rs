//! SNS through the AWS SDK for Rust against an in-process server: topics,
//! subscriptions, AWS's error codes and texts, delivery to SQS (envelope
//! and raw, filter policies, FIFO), to an HTTP endpoint (confirmation
//! handshake, headers, signatures checked against the served certificate),
//! and recorded email.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_sns::Client;
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry, Tag};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Code and message of a failed call.
fn error_of<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(r: Result<T, E>) -> (String, String) {
    let e = r.expect_err("call should fail");
    (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string())
}

async fn clients(server: &stratus::server::Server) -> (Client, aws_sdk_sqs::Client) {
    let config = common::sdk_config(server).await;
    (Client::new(&config), aws_sdk_sqs::Client::new(&config))
}

async fn topic(sns: &Client, name: &str) -> String {
    sns.create_topic().name(name).send().await.expect("create topic").topic_arn.expect("arn")
}

/// A queue's URL and ARN.
async fn queue(sqs: &aws_sdk_sqs::Client, name: &str, fifo: bool) -> (String, String) {
    let mut req = sqs.create_queue().queue_name(name);
    if fifo {
        req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
    }
    let url = req.send().await.expect("create queue").queue_url.expect("url");
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes");
    let arn =
        attrs.attributes.and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn).cloned()).expect("arn");
    (url, arn)
}

/// Receives until `want` messages arrived or a few seconds passed.
async fn receive(sqs: &aws_sdk_sqs::Client, url: &str, want: usize) -> Vec<aws_sdk_sqs::types::Message> {
    let mut got = Vec::new();
    for _ in 0..40 {
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .send()
            .await
            .expect("receive");
        got.extend(out.messages.unwrap_or_default());
        if got.len() >= want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    got
}

/// A plain HTTP GET against the server: status and body.
async fn http_get(endpoint: &str, path: &str) -> (u16, String) {
    let host = endpoint.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    // Chunked bodies: keep the JSON/PEM payload between the chunk sizes.
    let body = if text.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = String::new();
        let mut rest = body.as_str();
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 || tail.len() < n {
                break;
            }
            out.push_str(&tail[..n]);
            rest = tail[n..].trim_start_matches("\r\n");
        }
        out
    } else {
        body
    };
    (status, body)
}

/// One request an endpoint received.
#[derive(Debug)]
struct Received {
    path: String,
    headers: HashMap<String, String>,
    body: String,
}

/// A local HTTP endpoint that records every request and answers 200.
async fn endpoint() -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/sns-endpoint", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head, mut body) = loop {
                    let Ok(n) = stream.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break (String::from_utf8_lossy(&buf[..i]).to_string(), buf[i + 4..].to_vec());
                    }
                };
                let mut lines = head.lines();
                let path = lines.next().and_then(|l| l.split(' ').nth(1)).unwrap_or("").to_string();
                let headers: HashMap<String, String> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                while body.len() < len {
                    let Ok(n) = stream.read(&mut chunk).await else { return };
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                let _ = tx.send(Received { path, headers, body: String::from_utf8_lossy(&body).to_string() });
            });
        }
    });
    (url, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("request in time").expect("request")
}

fn object(text: &str) -> Map<String, Value> {
    serde_json::from_str::<Value>(text).expect("json").as_object().cloned().expect("object")
}

#[tokio::test]
async fn topic_lifecycle_and_attributes() {
    let server = common::server().await;
    let (sns, _) = clients(&server).await;
    let arn = sns
        .create_topic()
        .name("orders")
        .attributes("DisplayName", "Orders")
        .send()
        .await
        .expect("create")
        .topic_arn
        .expect("arn");
    assert_eq!(arn, "arn:aws:sns:us-east-1:000000000000:orders");
    // Idempotent with the same attributes, an error with different ones.
    let again = sns.create_topic().name("orders").send().await.expect("again").topic_arn.expect("arn");
    assert_eq!(again, arn);
    let (code, message) = error_of(sns.create_topic().name("orders").attributes("DisplayName", "Other").send().await);
    assert_eq!(code, "InvalidParameter");
    assert_eq!(message, "Invalid parameter: Attributes Reason: Topic already exists with different attributes");

    let attrs = sns.get_topic_attributes().topic_arn(&arn).send().await.expect("attrs").attributes.expect("map");
    assert_eq!(attrs["DisplayName"], "Orders");
    assert_eq!(attrs["Owner"], "000000000000");
    assert_eq!(attrs["SubscriptionsConfirmed"], "0");
    assert_eq!(attrs["SubscriptionsPending"], "0");
    assert_eq!(attrs["SubscriptionsDeleted"], "0");
    let policy: Value = serde_json::from_str(&attrs["Policy"]).expect("policy");
    assert_eq!(policy["Id"], "__default_policy_ID");
    assert_eq!(policy["Statement"][0]["Resource"], arn.as_str());
    let effective: Value = serde_json::from_str(&attrs["EffectiveDeliveryPolicy"]).expect("edp");
    assert_eq!(effective["http"]["defaultHealthyRetryPolicy"]["numRetries"], 3);
    assert!(!attrs.contains_key("FifoTopic"));

    sns.set_topic_attributes()
        .topic_arn(&arn)
        .attribute_name("DisplayName")
        .attribute_value("New")
        .send()
        .await
        .expect("set");
    let attrs = sns.get_topic_attributes().topic_arn(&arn).send().await.expect("attrs").attributes.expect("map");
    assert_eq!(attrs["DisplayName"], "New");
    let (code, message) = error_of(
        sns.set_topic_attributes().topic_arn(&arn).attribute_name("FifoTopic").attribute_value("false").send().await,
    );
    assert_eq!((code.as_str(), message.as_str()), ("InvalidParameter", "Invalid parameter: AttributeName"));

    let listed = sns.list_topics().send().await.expect("list").topics.unwrap_or_default();
    assert!(listed.iter().any(|t| t.topic_arn.as_deref() == Some(arn.as_str())));

    sns.delete_topic().topic_arn(&arn).send().await.expect("delete");
    sns.delete_topic().topic_arn(&arn).send().await.expect("delete is idempotent");
    let err = sns.get_topic_attributes().topic_arn(&arn).send().await.expect_err("gone");
    assert_eq!(err.code(), Some("NotFound"));
    assert_eq!(err.message(), Some("Topic does not exist"));
    let raw = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw, Some(404));
}

#[tokio::test]
async fn aws_error_messages() {
    let server = common::server().await;
    let (sns, _) = clients(&server).await;
    let (code, message) = error_of(sns.get_topic_attributes().topic_arn("randomstring").send().await);
    assert_eq!(code, "InvalidParameter");
    assert_eq!(message, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1");
    for bad in ["a.fifo", "with space", ""] {
        let (code, message) = error_of(sns.create_topic().name(bad).send().await);
        assert_eq!((code.as_str(), message.as_str()), ("InvalidParameter", "Invalid parameter: Topic Name"), "{bad}");
    }
    let arn = topic(&sns, "errors").await;
    let (_, message) = error_of(sns.subscribe().topic_arn(&arn).protocol("test-protocol").endpoint("x").send().await);
    assert_eq!(message, "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol");
    let (_, message) =
        error_of(sns.subscribe().topic_arn(&arn).protocol("sqs").endpoint("https://queue/url").send().await);
    assert_eq!(message, "Invalid parameter: SQS endpoint ARN");
    let (_, message) = error_of(sns.publish().topic_arn(&arn).message("").send().await);
    assert_eq!(message, "Invalid parameter: Empty message");
    let (_, message) = error_of(sns.publish().topic_arn(&arn).message("x").subject("").send().await);
    assert_eq!(message, "Invalid parameter: Subject");
    let (_, message) = error_of(sns.publish().topic_arn(&arn).message("x".repeat(262_145)).send().await);
    assert_eq!(message, "Invalid parameter: Message too long");
    let (_, message) =
        error_of(sns.publish().topic_arn(&arn).message("{\"x\": 1}").message_structure("json").send().await);
    assert_eq!(message, "Invalid parameter: Message Structure - No default entry in JSON message body");
    let (_, message) =
        error_of(sns.publish().topic_arn(&arn).message("not json").message_structure("json").send().await);
    assert_eq!(message, "Invalid parameter: Message Structure - JSON message body failed to parse");
    let attr = MessageAttributeValue::builder().data_type("String").string_value("").build().expect("attr");
    let (code, message) =
        error_of(sns.publish().topic_arn(&arn).message("x").message_attributes("attr1", attr).send().await);
    assert_eq!(code, "ParameterValueInvalid");
    assert_eq!(
        message,
        "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."
    );
    let (_, message) = error_of(sns.publish().topic_arn(&arn).message("x").message_deduplication_id("d").send().await);
    assert_eq!(
        message,
        "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"
    );
    let (code, message) = error_of(sns.publish().topic_arn(format!("{arn}-missing")).message("x").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("NotFound", "Topic does not exist"));
    let (_, message) = error_of(sns.publish().phone_number("+1a234").message("x").send().await);
    assert_eq!(message, "Invalid parameter: PhoneNumber Reason: +1a234 is not valid to publish to");
    let (code, message) =
        error_of(sns.get_subscription_attributes().subscription_arn(format!("{arn}:abc")).send().await);
    assert_eq!((code.as_str(), message.as_str()), ("NotFound", "Subscription does not exist"));
    let west = arn.replace("us-east-1", "eu-west-1");
    let (_, message) = error_of(sns.publish().topic_arn(west).message("x").send().await);
    assert_eq!(message, "Invalid parameter: TopicArn");
}

#[tokio::test]
async fn publish_batch_checks_and_ids() {
    let server = common::server().await;
    let (sns, _) = clients(&server).await;
    let arn = topic(&sns, "batch").await;
    let entry = |id: &str| PublishBatchRequestEntry::builder().id(id).message("m").build().expect("entry");
    let many: Vec<_> = (0..11).map(|i| entry(&i.to_string())).collect();
    let (code, message) =
        error_of(sns.publish_batch().topic_arn(&arn).set_publish_batch_request_entries(Some(many)).send().await);
    assert_eq!(code, "TooManyEntriesInBatchRequest");
    assert_eq!(message, "The batch request contains more entries than permissible.");
    let (code, _) = error_of(
        sns.publish_batch()
            .topic_arn(&arn)
            .publish_batch_request_entries(entry("a"))
            .publish_batch_request_entries(entry("a"))
            .send()
            .await,
    );
    assert_eq!(code, "BatchEntryIdsNotDistinct");
    let (code, message) =
        error_of(sns.publish_batch().topic_arn(&arn).publish_batch_request_entries(entry("message.id")).send().await);
    assert_eq!(code, "InvalidBatchEntryId");
    assert_eq!(message, "The Id of a batch entry in the batch request contains an impermissible character: message.id");
    let out = sns
        .publish_batch()
        .topic_arn(&arn)
        .publish_batch_request_entries(entry("1"))
        .publish_batch_request_entries(entry("2"))
        .send()
        .await
        .expect("batch");
    let ok = out.successful.unwrap_or_default();
    assert_eq!(ok.iter().map(|e| e.id.clone().unwrap_or_default()).collect::<Vec<_>>(), vec!["1", "2"]);
    assert!(out.failed.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn tags_and_permissions() {
    let server = common::server().await;
    let (sns, _) = clients(&server).await;
    let arn = topic(&sns, "tagged").await;
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().expect("tag");
    sns.tag_resource().resource_arn(&arn).tags(tag("k1", "v1")).tags(tag("k2", "v2")).send().await.expect("tag");
    sns.untag_resource().resource_arn(&arn).tag_keys("k1").send().await.expect("untag");
    let tags = sns.list_tags_for_resource().resource_arn(&arn).send().await.expect("list").tags.unwrap_or_default();
    assert_eq!(tags.len(), 1);
    assert_eq!((tags[0].key.as_str(), tags[0].value.as_str()), ("k2", "v2"));
    let (_, message) =
        error_of(sns.tag_resource().resource_arn(&arn).tags(tag("a", "1")).tags(tag("a", "2")).send().await);
    assert_eq!(message, "Invalid parameter: Duplicated keys are not allowed.");
    let (_, message) = error_of(sns.create_topic().name("tagged").tags(tag("k3", "v3")).send().await);
    assert_eq!(message, "Invalid parameter: Tags Reason: Topic already exists with different tags");

    sns.add_permission()
        .topic_arn(&arn)
        .label("test")
        .aws_account_id("111111111111")
        .action_name("Publish")
        .send()
        .await
        .expect("add");
    let (_, message) = error_of(
        sns.add_permission().topic_arn(&arn).label("test").aws_account_id("1").action_name("Publish").send().await,
    );
    assert_eq!(message, "Invalid parameter: Statement already exists");
    let (_, message) =
        error_of(sns.add_permission().topic_arn(&arn).label("x").aws_account_id("1").action_name("Fly").send().await);
    assert_eq!(message, "Invalid parameter: Policy statement action out of service scope!");
    let attrs = sns.get_topic_attributes().topic_arn(&arn).send().await.expect("attrs").attributes.expect("map");
    let policy: Value = serde_json::from_str(&attrs["Policy"]).expect("policy");
    assert_eq!(policy["Statement"][1]["Sid"], "test");
    assert_eq!(policy["Statement"][1]["Action"], "SNS:Publish");
    assert_eq!(policy["Statement"][1]["Principal"]["AWS"], "arn:aws:iam::111111111111:root");
    sns.remove_permission().topic_arn(&arn).label("test").send().await.expect("remove");
    let attrs = sns.get_topic_attributes().topic_arn(&arn).send().await.expect("attrs").attributes.expect("map");
    let policy: Value = serde_json::from_str(&attrs["Policy"]).expect("policy");
    assert_eq!(policy["Statement"].as_array().map(Vec::len), Some(1));

    let dpp = r#"{"Name":"p","Description":"d","Version":"2021-06-01","Statement":[]}"#;
    sns.put_data_protection_policy().resource_arn(&arn).data_protection_policy(dpp).send().await.expect("put dpp");
    let got = sns.get_data_protection_policy().resource_arn(&arn).send().await.expect("get dpp");
    assert_eq!(got.data_protection_policy.as_deref(), Some(dpp));
}

#[tokio::test]
async fn delivers_to_sqs_as_signed_envelope_and_raw() {
    let server = common::server().await;
    let (sns, sqs) = clients(&server).await;
    let arn = topic(&sns, "to-sqs").await;
    let (env_url, env_arn) = queue(&sqs, "envelope", false).await;
    let (raw_url, raw_arn) = queue(&sqs, "raw", false).await;
    let sub = sns
        .subscribe()
        .topic_arn(&arn)
        .protocol("sqs")
        .endpoint(&env_arn)
        .send()
        .await
        .expect("subscribe")
        .subscription_arn
        .expect("arn");
    assert!(sub.starts_with(&format!("{arn}:")));
    sns.subscribe()
        .topic_arn(&arn)
        .protocol("sqs")
        .endpoint(&raw_arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .expect("subscribe raw");
    let sub_attrs =
        sns.get_subscription_attributes().subscription_arn(&sub).send().await.expect("attrs").attributes.expect("map");
    assert_eq!(sub_attrs["PendingConfirmation"], "false");
    assert_eq!(sub_attrs["ConfirmationWasAuthenticated"], "true");
    assert_eq!(sub_attrs["RawMessageDelivery"], "false");
    assert_eq!(sub_attrs["Protocol"], "sqs");
    let attr = MessageAttributeValue::builder().data_type("Number").string_value("99.12").build().expect("attr");
    let id = sns
        .publish()
        .topic_arn(&arn)
        .message("Test msg")
        .subject("Hello")
        .message_attributes("attr1", attr)
        .send()
        .await
        .expect("publish")
        .message_id
        .expect("id");

    let got = receive(&sqs, &env_url, 1).await;
    assert_eq!(got.len(), 1);
    let body = object(got[0].body.as_deref().expect("body"));
    let keys: Vec<&str> = body.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "Type",
            "MessageId",
            "TopicArn",
            "Subject",
            "Message",
            "Timestamp",
            "SignatureVersion",
            "Signature",
            "SigningCertURL",
            "UnsubscribeURL",
            "MessageAttributes"
        ]
    );
    assert_eq!(body["Type"], "Notification");
    assert_eq!(body["MessageId"], id.as_str());
    assert_eq!(body["Message"], "Test msg");
    assert_eq!(body["Subject"], "Hello");
    assert_eq!(body["SignatureVersion"], "1");
    assert_eq!(body["MessageAttributes"]["attr1"], serde_json::json!({"Type": "Number", "Value": "99.12"}));
    assert_eq!(
        body["UnsubscribeURL"],
        format!("{}/?Action=Unsubscribe&SubscriptionArn={sub}", server.endpoint()).as_str()
    );
    let cert_url = body["SigningCertURL"].as_str().expect("cert url");
    let path = cert_url.trim_start_matches(&server.endpoint()).to_string();
    let (status, pem) = http_get(&server.endpoint(), &path).await;
    assert_eq!(status, 200);
    assert!(stratus_sns::signing::cert::verify_message(&pem, &body), "signature verifies with the served certificate");

    let raw = receive(&sqs, &raw_url, 1).await;
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].body.as_deref(), Some("Test msg"));
    let attrs = raw[0].message_attributes.clone().unwrap_or_default();
    assert_eq!(attrs["attr1"].data_type(), "Number");
    assert_eq!(attrs["attr1"].string_value(), Some("99.12"));
}

#[tokio::test]
async fn filter_policies_select_messages() {
    let server = common::server().await;
    let (sns, sqs) = clients(&server).await;
    let arn = topic(&sns, "filtered").await;
    let (url, qarn) = queue(&sqs, "filtered-q", false).await;
    let (body_url, body_qarn) = queue(&sqs, "filtered-body", false).await;
    sns.subscribe()
        .topic_arn(&arn)
        .protocol("sqs")
        .endpoint(&qarn)
        .attributes("RawMessageDelivery", "true")
        .attributes("FilterPolicy", r#"{"attr1":[{"numeric":[">",0,"<=",100]}]}"#)
        .send()
        .await
        .expect("subscribe");
    sns.subscribe()
        .topic_arn(&arn)
        .protocol("sqs")
        .endpoint(&body_qarn)
        .attributes("RawMessageDelivery", "true")
        .attributes("FilterPolicyScope", "MessageBody")
        .attributes("FilterPolicy", r#"{"object":{"key":[{"prefix":"auto-"}]}}"#)
        .send()
        .await
        .expect("subscribe body");
    let num = |v: &str| MessageAttributeValue::builder().data_type("Number").string_value(v).build().expect("attr");
    sns.publish()
        .topic_arn(&arn)
        .message("in")
        .message_attributes("attr1", num("99.12"))
        .send()
        .await
        .expect("publish");
    sns.publish()
        .topic_arn(&arn)
        .message("out")
        .message_attributes("attr1", num("100.12"))
        .send()
        .await
        .expect("publish");
    sns.publish().topic_arn(&arn).message(r#"{"object":{"key":"auto-yes"}}"#).send().await.expect("publish");
    sns.publish().topic_arn(&arn).message(r#"{"object":{"key":"manual"}}"#).send().await.expect("publish");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got: Vec<String> = receive(&sqs, &url, 1).await.into_iter().filter_map(|m| m.body).collect();
    assert_eq!(got, vec!["in"]);
    let got: Vec<String> = receive(&sqs, &body_url, 1).await.into_iter().filter_map(|m| m.body).collect();
    assert_eq!(got, vec![r#"{"object":{"key":"auto-yes"}}"#]);

    let (code, message) = error_of(
        sns.subscribe()
            .topic_arn(&arn)
            .protocol("sqs")
            .endpoint(&qarn)
            .attributes("FilterPolicy", r#"{"key":[]}"#)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameter");
    assert_eq!(
        message,
        "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed\n at [Source: (String)\"{\"key\":[]}\"; line: 1, column: 10]"
    );
}

#[tokio::test]
async fn fifo_topics_deduplicate_and_sequence() {
    let server = common::server().await;
    let (sns, sqs) = clients(&server).await;
    let arn = sns
        .create_topic()
        .name("orders.fifo")
        .attributes("FifoTopic", "true")
        .attributes("ContentBasedDeduplication", "true")
        .send()
        .await
        .expect("create")
        .topic_arn
        .expect("arn");
    let attrs = sns.get_topic_attributes().topic_arn(&arn).send().await.expect("attrs").attributes.expect("map");
    assert_eq!(attrs["FifoTopic"], "true");
    assert_eq!(attrs["ContentBasedDeduplication"], "true");
    let (url, qarn) = queue(&sqs, "orders.fifo", true).await;
    sns.subscribe().topic_arn(&arn).protocol("sqs").endpoint(&qarn).send().await.expect("subscribe");
    let (_, message) = error_of(sns.publish().topic_arn(&arn).message("x").send().await);
    assert_eq!(message, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    let a = sns.publish().topic_arn(&arn).message("Test").message_group_id("g").send().await.expect("publish");
    let b = sns.publish().topic_arn(&arn).message("Test").message_group_id("g").send().await.expect("duplicate");
    assert_eq!(a.message_id, b.message_id);
    let seq = a.sequence_number.expect("sequence number");
    assert_eq!(seq.len(), 20);
    let got = receive(&sqs, &url, 1).await;
    assert_eq!(got.len(), 1);
    let body = object(got[0].body.as_deref().expect("body"));
    assert_eq!(body["SequenceNumber"], seq.as_str());
    assert!(!body.contains_key("Signature"), "FIFO notifications are not signed");

    let (_, fifo_arn) = queue(&sqs, "other.fifo", true).await;
    let standard = topic(&sns, "standard").await;
    let (_, message) = error_of(sns.subscribe().topic_arn(&standard).protocol("sqs").endpoint(&fifo_arn).send().await);
    assert_eq!(
        message,
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
    );
}

#[tokio::test]
async fn http_endpoint_handshake_notifications_and_signatures() {
    let server = common::server().await;
    let (sns, _) = clients(&server).await;
    let arn = sns
        .create_topic()
        .name("web")
        .attributes("SignatureVersion", "2")
        .send()
        .await
        .expect("create")
        .topic_arn
        .expect("arn");
    let (url, mut rx) = endpoint().await;
    let pending = sns.subscribe().topic_arn(&arn).protocol("http").endpoint(&url).send().await.expect("subscribe");
    assert_eq!(pending.subscription_arn.as_deref(), Some("pending confirmation"));

    let confirmation = next(&mut rx).await;
    assert_eq!(confirmation.path, "/sns-endpoint");
    assert_eq!(confirmation.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
    assert_eq!(confirmation.headers["x-amz-sns-topic-arn"], arn);
    assert_eq!(confirmation.headers["content-type"], "text/plain; charset=UTF-8");
    assert_eq!(confirmation.headers["user-agent"], "Amazon Simple Notification Service Agent");
    assert!(!confirmation.headers.contains_key("x-amz-sns-subscription-arn"));
    let body = object(&confirmation.body);
    assert_eq!(confirmation.headers["x-amz-sns-message-id"], body["MessageId"].as_str().unwrap_or_default());
    assert_eq!(body["Type"], "SubscriptionConfirmation");
    assert_eq!(
        body["Message"],
        format!("You have chosen to subscribe to the topic {arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.").as_str()
    );
    let token = body["Token"].as_str().expect("token").to_string();
    assert_eq!(
        body["SubscribeURL"],
        format!("{}/?Action=ConfirmSubscription&TopicArn={arn}&Token={token}", server.endpoint()).as_str()
    );
    assert_eq!(body["SignatureVersion"], "2");
    let (_, pem) = http_get(&server.endpoint(), "/_stratus/sns/SimpleNotificationService.pem").await;
    assert!(stratus_sns::signing::cert::verify_message(&pem, &body));

    let attrs = sns.get_topic_attributes().topic_arn(&arn).send().await.expect("attrs").attributes.expect("map");
    assert_eq!(attrs["SubscriptionsPending"], "1");
    let (_, message) = error_of(sns.confirm_subscription().topic_arn(&arn).token("nope").send().await);
    assert_eq!(message, "Invalid parameter: Token");
    let confirmed = sns.confirm_subscription().topic_arn(&arn).token(&token).send().await.expect("confirm");
    let sub_arn = confirmed.subscription_arn.expect("arn");
    assert!(sub_arn.starts_with(&format!("{arn}:")));
    let sub_attrs = sns
        .get_subscription_attributes()
        .subscription_arn(&sub_arn)
        .send()
        .await
        .expect("attrs")
        .attributes
        .expect("map");
    assert_eq!(sub_attrs["PendingConfirmation"], "false");

    let id = sns.publish().topic_arn(&arn).message("hello http").send().await.expect("publish").message_id.expect("id");
    let note = next(&mut rx).await;
    assert_eq!(note.headers["x-amz-sns-message-type"], "Notification");
    assert_eq!(note.headers["x-amz-sns-message-id"], id);
    assert_eq!(note.headers["x-amz-sns-subscription-arn"], sub_arn);
    let body = object(&note.body);
    assert_eq!(body["Message"], "hello http");
    assert!(!body.contains_key("Subject"));
    assert!(stratus_sns::signing::cert::verify_message(&pem, &body));

    // Raw delivery: the bare message and the raw header.
    sns.set_subscription_attributes()
        .subscription_arn(&sub_arn)
        .attribute_name("RawMessageDelivery")
        .attribute_value("true")
        .send()
        .await
        .expect("raw");
    sns.publish().topic_arn(&arn).message("raw body").send().await.expect("publish");
    let raw = next(&mut rx).await;
    assert_eq!(raw.body, "raw body");
    assert_eq!(raw.headers["x-amz-sns-rawdelivery"], "true");

    // A second endpoint confirms through the SubscribeURL itself.
    let (url2, mut rx2) = endpoint().await;
    sns.subscribe().topic_arn(&arn).protocol("http").endpoint(&url2).send().await.expect("subscribe");
    let body = object(&next(&mut rx2).await.body);
    let subscribe_url = body["SubscribeURL"].as_str().expect("url");
    let (status, xml) = http_get(&server.endpoint(), subscribe_url.trim_start_matches(&server.endpoint())).await;
    assert_eq!(status, 200);
    assert!(
        xml.contains("<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-east-1:000000000000:web:"),
        "{xml}"
    );
    let subs =
        sns.list_subscriptions_by_topic().topic_arn(&arn).send().await.expect("list").subscriptions.unwrap_or_default();
    assert_eq!(subs.len(), 2);
    assert!(subs.iter().all(|s| s.subscription_arn.as_deref() != Some("PendingConfirmation")));
}

#[tokio::test]
async fn email_is_recorded_and_subscriptions_listed() {
    let server = common::server().await;
    let (sns, _) = clients(&server).await;
    let arn = topic(&sns, "mail").await;
    let out = sns
        .subscribe()
        .topic_arn(&arn)
        .protocol("email")
        .endpoint("someone@example.com")
        .return_subscription_arn(true)
        .send()
        .await
        .expect("subscribe");
    let sub = out.subscription_arn.expect("arn");
    assert!(sub.starts_with(&format!("{arn}:")));
    let listed = sns.list_subscriptions().send().await.expect("list").subscriptions.unwrap_or_default();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].subscription_arn.as_deref(), Some("PendingConfirmation"));
    assert_eq!(listed[0].protocol.as_deref(), Some("email"));
    let mut emails = Vec::new();
    for _ in 0..50 {
        let (_, body) = http_get(&server.endpoint(), "/_stratus/sns/emails").await;
        emails = serde_json::from_str::<Vec<Value>>(&body).unwrap_or_default();
        if !emails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["Type"], "SubscriptionConfirmation");
    assert_eq!(emails[0]["To"], "someone@example.com");
    sns.unsubscribe().subscription_arn(&sub).send().await.expect("unsubscribe");
    sns.unsubscribe().subscription_arn(&sub).send().await.expect("unsubscribe is idempotent");
    assert!(sns.list_subscriptions().send().await.expect("list").subscriptions.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn subscribe_is_idempotent_and_lists_page() {
    let server = common::server().await;
    let (sns, _) = clients(&server).await;
    let arn = topic(&sns, "paged").await;
    let q = "arn:aws:sqs:us-east-1:000000000000:q";
    let first = sns
        .subscribe()
        .topic_arn(&arn)
        .protocol("sqs")
        .endpoint(q)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .expect("subscribe")
        .subscription_arn;
    let same =
        sns.subscribe().topic_arn(&arn).protocol("sqs").endpoint(q).send().await.expect("again").subscription_arn;
    assert_eq!(first, same);
    let (_, message) = error_of(
        sns.subscribe()
            .topic_arn(&arn)
            .protocol("sqs")
            .endpoint(q)
            .attributes("RawMessageDelivery", "false")
            .send()
            .await,
    );
    assert_eq!(message, "Invalid parameter: Attributes Reason: Subscription already exists with different attributes");

    for i in 0..120 {
        sns.subscribe().topic_arn(&arn).protocol("sqs").endpoint(format!("{q}{i}")).send().await.expect("subscribe");
    }
    let page1 = sns.list_subscriptions_by_topic().topic_arn(&arn).send().await.expect("page 1");
    assert_eq!(page1.subscriptions.as_ref().map(Vec::len), Some(100));
    let token = page1.next_token.expect("next token");
    let page2 = sns.list_subscriptions_by_topic().topic_arn(&arn).next_token(token).send().await.expect("page 2");
    assert_eq!(page2.subscriptions.as_ref().map(Vec::len), Some(21));
    assert!(page2.next_token.is_none());

    // The UnsubscribeURL works as a plain GET.
    let sub = first.expect("arn");
    let (status, xml) = http_get(&server.endpoint(), &format!("/?Action=Unsubscribe&SubscriptionArn={sub}")).await;
    assert_eq!(status, 200);
    assert!(xml.starts_with("<UnsubscribeResponse"), "{xml}");
    let (code, _) = error_of(sns.get_subscription_attributes().subscription_arn(&sub).send().await);
    assert_eq!(code, "NotFound");
}
