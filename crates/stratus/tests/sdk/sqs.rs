//! Amazon SQS through the official Rust SDK (JSON protocol): queues,
//! messages and digests, long polling, visibility, dead-letter redrive,
//! FIFO ordering and deduplication, AWS's error codes, and restart
//! durability of in-flight and delayed messages.

use crate::common;

use std::time::{Duration, Instant};

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::{
    MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use common::{sdk_config, server, server_with};
use stratus::config::ServeArgs;

async fn client(server: &stratus::server::Server) -> Client {
    Client::new(&sdk_config(server).await)
}

async fn create(c: &Client, name: &str) -> String {
    let out = c.create_queue().queue_name(name).send().await.expect("create");
    out.queue_url().unwrap_or_default().to_string()
}

#[tokio::test]
async fn queue_lifecycle_and_attributes() {
    let server = server().await;
    let c = client(&server).await;
    let url = create(&c, "life").await;
    assert_eq!(url, format!("{}/000000000000/life", server.endpoint()));
    let got = c.get_queue_url().queue_name("life").send().await.expect("url");
    assert_eq!(got.queue_url(), Some(url.as_str()));
    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::VisibilityTimeout, "60")
        .send()
        .await
        .expect("set");
    let attrs =
        c.get_queue_attributes().queue_url(&url).attribute_names(QueueAttributeName::All).send().await.expect("get");
    let a = attrs.attributes().cloned().unwrap_or_default();
    assert_eq!(a.get(&QueueAttributeName::VisibilityTimeout).map(String::as_str), Some("60"));
    assert_eq!(
        a.get(&QueueAttributeName::QueueArn).map(String::as_str),
        Some("arn:aws:sqs:us-east-1:000000000000:life")
    );
    let listed = c.list_queues().queue_name_prefix("li").send().await.expect("list");
    assert_eq!(listed.queue_urls(), std::slice::from_ref(&url));
    c.delete_queue().queue_url(&url).send().await.expect("delete");
    let err = c.get_queue_url().queue_name("life").send().await.expect_err("gone");
    assert!(err.as_service_error().is_some_and(|e| e.is_queue_does_not_exist()), "{err:?}");
    assert_eq!(err.message(), Some("The specified queue does not exist."));
    let err = c.create_queue().queue_name("life").send().await.expect_err("name still taken");
    assert!(err.as_service_error().is_some_and(|e| e.is_queue_deleted_recently()), "{err:?}");
    assert_eq!(err.code(), Some("AWS.SimpleQueueService.QueueDeletedRecently"));
    assert_eq!(
        err.message(),
        Some("You must wait 60 seconds after deleting a queue before you can create another with the same name.")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_deleted_queue_name_is_free_again_after_the_delay() {
    let server = server_with(ServeArgs { sqs_recreate_delay: 1, ..ServeArgs::ephemeral() }).await;
    let c = client(&server).await;
    let url = create(&c, "again").await;
    c.delete_queue().queue_url(&url).send().await.expect("delete");
    assert!(c.create_queue().queue_name("again").send().await.is_err(), "within the delay");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = create(&c, "again").await;
    assert_eq!(again, url);
    server.shutdown().await;
}

#[tokio::test]
async fn send_receive_delete_with_attributes() {
    let server = server().await;
    let c = client(&server).await;
    let url = create(&c, "msgs").await;
    let attr = MessageAttributeValue::builder().data_type("String").string_value("Bar").build().expect("attr");
    let sent = c
        .send_message()
        .queue_url(&url)
        .message_body("msg")
        .message_attributes("Foo", attr)
        .send()
        .await
        .expect("send");
    assert_eq!(sent.md5_of_message_body(), Some("6e2baaf3b97dbeef01c0043275f9a0e7"));
    assert_eq!(sent.md5_of_message_attributes(), Some("ae7155c6026991b6d54b11589678bf9c"));
    let out = c
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .expect("receive");
    let m = &out.messages()[0];
    assert_eq!(m.body(), Some("msg"));
    assert_eq!(m.md5_of_message_attributes(), Some("ae7155c6026991b6d54b11589678bf9c"));
    let sys = m.attributes().cloned().unwrap_or_default();
    assert_eq!(sys.get(&MessageSystemAttributeName::ApproximateReceiveCount).map(String::as_str), Some("1"));
    assert!(sys.contains_key(&MessageSystemAttributeName::SentTimestamp));
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().unwrap_or_default())
        .send()
        .await
        .expect("del");
    let err = c.delete_message().queue_url(&url).receipt_handle("bogus").send().await.expect_err("invalid");
    assert!(err.as_service_error().is_some_and(|e| e.is_receipt_handle_is_invalid()), "{err:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn batch_limits() {
    let server = server().await;
    let c = client(&server).await;
    let url = create(&c, "batch").await;
    let entries: Vec<_> = (0..11)
        .map(|i| SendMessageBatchRequestEntry::builder().id(format!("m{i}")).message_body("x").build().expect("entry"))
        .collect();
    let err = c.send_message_batch().queue_url(&url).set_entries(Some(entries)).send().await.expect_err("too many");
    assert!(err.as_service_error().is_some_and(|e| e.is_too_many_entries_in_batch_request()), "{err:?}");
    assert_eq!(err.message(), Some("Maximum number of entries per request are 10. You have sent 11."));
    let entries: Vec<_> = (0..10)
        .map(|i| {
            SendMessageBatchRequestEntry::builder()
                .id(format!("m{i}"))
                .message_body(format!("b{i}"))
                .build()
                .expect("entry")
        })
        .collect();
    let out = c.send_message_batch().queue_url(&url).set_entries(Some(entries)).send().await.expect("batch");
    assert_eq!(out.successful().len(), 10);
    let got = c.receive_message().queue_url(&url).max_number_of_messages(10).send().await.expect("recv");
    assert_eq!(got.messages().len(), 10);
    server.shutdown().await;
}

#[tokio::test]
async fn long_poll_wakes_early_and_visibility_redelivers() {
    let server = server().await;
    let c = client(&server).await;
    let url = create(&c, "poll").await;
    let (c2, url2) = (c.clone(), url.clone());
    let sender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        c2.send_message().queue_url(url2).message_body("wake").send().await.expect("send");
    });
    let start = Instant::now();
    let out =
        c.receive_message().queue_url(&url).wait_time_seconds(10).visibility_timeout(1).send().await.expect("poll");
    assert_eq!(out.messages().len(), 1);
    assert!(start.elapsed() < Duration::from_secs(3), "long poll took {:?}", start.elapsed());
    sender.await.expect("sender");
    let again = c
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(5)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .expect("again");
    let sys = again.messages()[0].attributes().cloned().unwrap_or_default();
    assert_eq!(sys.get(&MessageSystemAttributeName::ApproximateReceiveCount).map(String::as_str), Some("2"));
    server.shutdown().await;
}

#[tokio::test]
async fn dead_letter_queue_redrive() {
    let server = server().await;
    let c = client(&server).await;
    let dlq = create(&c, "dead").await;
    let policy = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}"#;
    let src = c
        .create_queue()
        .queue_name("work")
        .attributes(QueueAttributeName::RedrivePolicy, policy)
        .send()
        .await
        .expect("create")
        .queue_url()
        .unwrap_or_default()
        .to_string();
    c.send_message().queue_url(&src).message_body("poison").send().await.expect("send");
    for _ in 0..2 {
        let out = c.receive_message().queue_url(&src).visibility_timeout(0).send().await.expect("recv");
        assert_eq!(out.messages().len(), 1);
    }
    let out = c.receive_message().queue_url(&src).send().await.expect("recv");
    assert!(out.messages().is_empty());
    let moved = c.receive_message().queue_url(&dlq).send().await.expect("dlq");
    assert_eq!(moved.messages()[0].body(), Some("poison"));
    let sources = c.list_dead_letter_source_queues().queue_url(&dlq).send().await.expect("sources");
    assert_eq!(sources.queue_urls(), [src]);
    server.shutdown().await;
}

#[tokio::test]
async fn fifo_ordering_and_deduplication() {
    let server = server().await;
    let c = client(&server).await;
    let url = c
        .create_queue()
        .queue_name("orders.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "true")
        .send()
        .await
        .expect("create")
        .queue_url()
        .unwrap_or_default()
        .to_string();
    let mut ids = Vec::new();
    for body in ["one", "two", "three", "one"] {
        let out = c.send_message().queue_url(&url).message_body(body).message_group_id("g").send().await.expect("send");
        assert!(out.sequence_number().is_some());
        ids.push(out.message_id().unwrap_or_default().to_string());
    }
    assert_eq!(ids[0], ids[3], "content-based duplicate keeps the first id");
    let out = c.receive_message().queue_url(&url).max_number_of_messages(10).send().await.expect("recv");
    let bodies: Vec<&str> = out.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies, ["one", "two", "three"]);
    let err = c.send_message().queue_url(&url).message_body("x").send().await.expect_err("group required");
    assert_eq!(err.code(), Some("MissingParameter"));
    server.shutdown().await;
}

#[tokio::test]
async fn restart_keeps_in_flight_and_delayed_messages() {
    let dir = std::env::temp_dir().join(format!("stratus-sqs-restart-{}-{}", std::process::id(), line!()));
    let _ = std::fs::remove_dir_all(&dir);
    let args = || ServeArgs { data_dir: Some(dir.clone()), in_memory: false, ..ServeArgs::ephemeral() };
    let server = server_with(args()).await;
    let c = client(&server).await;
    let url = create(&c, "durable").await;
    c.send_message().queue_url(&url).message_body("in-flight").send().await.expect("send");
    let got = c.receive_message().queue_url(&url).visibility_timeout(3).send().await.expect("recv");
    assert_eq!(got.messages().len(), 1);
    c.send_message().queue_url(&url).message_body("delayed").delay_seconds(3).send().await.expect("send");
    drop(c);
    server.shutdown().await;

    let server = server_with(args()).await;
    let c = client(&server).await;
    let attrs =
        c.get_queue_attributes().queue_url(&url).attribute_names(QueueAttributeName::All).send().await.expect("attrs");
    let a = attrs.attributes().cloned().unwrap_or_default();
    assert_eq!(a.get(&QueueAttributeName::ApproximateNumberOfMessagesNotVisible).map(String::as_str), Some("1"));
    assert_eq!(a.get(&QueueAttributeName::ApproximateNumberOfMessagesDelayed).map(String::as_str), Some("1"));
    let none = c.receive_message().queue_url(&url).send().await.expect("recv");
    assert!(none.messages().is_empty());
    let mut bodies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(8);
    while bodies.len() < 2 && Instant::now() < deadline {
        let out = c
            .receive_message()
            .queue_url(&url)
            .wait_time_seconds(1)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("recv");
        bodies.extend(out.messages().iter().filter_map(|m| m.body().map(str::to_string)));
    }
    bodies.sort();
    assert_eq!(bodies, ["delayed", "in-flight"]);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
