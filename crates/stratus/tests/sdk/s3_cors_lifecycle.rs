//! S3 CORS outside preflights and lifecycle expiration by the server's own
//! background sweep, through the Rust SDK (raw HTTP for the preflights a
//! browser sends): AWS's 403 `CORSResponse` for a bucket without CORS, the
//! matching rule's headers on actual requests, and an Expiration Date in
//! the past removing objects and notifying `LifecycleExpiration:Delete`.

use crate::common;

use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    CorsConfiguration, CorsRule, Event, ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    NotificationConfiguration, QueueConfiguration,
};
use common::{sdk_config, server, server_with};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn s3(conf: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(conf).force_path_style(true).build())
}

/// Sends one raw HTTP/1.1 request; the status line and headers (lower-case
/// names) and the body.
async fn raw(server: &stratus::server::Server, method: &str, path: &str, headers: &[(&str, &str)]) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", server.addr);
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_ascii_lowercase(), body.to_string())
}

#[tokio::test]
async fn cors_follows_the_bucket_rules() {
    let server = server().await;
    let c = s3(&sdk_config(&server).await);
    c.create_bucket().bucket("cors-sdk").send().await.expect("create");
    c.put_object().bucket("cors-sdk").key("k").body(ByteStream::from_static(b"x")).send().await.expect("put");

    let (head, body) = raw(
        &server,
        "OPTIONS",
        "/cors-sdk/k",
        &[("Origin", "https://a.example"), ("Access-Control-Request-Method", "GET")],
    )
    .await;
    assert!(head.starts_with("http/1.1 403"), "{head}");
    assert!(!head.contains("access-control-allow-origin"), "{head}");
    assert!(body.contains("<Code>AccessForbidden</Code>"), "{body}");
    assert!(body.contains("<Message>CORSResponse: CORS is not enabled for this bucket.</Message>"), "{body}");
    assert!(body.contains("<Method>GET</Method><ResourceType>OBJECT</ResourceType>"), "{body}");

    let rule = CorsRule::builder()
        .allowed_origins("https://a.example")
        .allowed_methods("GET")
        .max_age_seconds(60)
        .build()
        .expect("rule");
    c.put_bucket_cors()
        .bucket("cors-sdk")
        .cors_configuration(CorsConfiguration::builder().cors_rules(rule).build().expect("cors"))
        .send()
        .await
        .expect("put cors");
    let (head, _) = raw(
        &server,
        "OPTIONS",
        "/cors-sdk/k",
        &[("Origin", "https://a.example"), ("Access-Control-Request-Method", "GET")],
    )
    .await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("access-control-allow-origin: https://a.example"), "{head}");

    // An actual GET: the rule's headers for its origin, none for another.
    let (head, _) = raw(&server, "GET", "/cors-sdk/k", &[("Origin", "https://a.example")]).await;
    assert!(head.contains("access-control-allow-origin: https://a.example"), "{head}");
    assert!(head.contains("access-control-allow-methods: get"), "{head}");
    assert!(head.contains("access-control-max-age: 60"), "{head}");
    assert!(head.contains("access-control-allow-credentials: true"), "{head}");
    let (head, _) = raw(&server, "GET", "/cors-sdk/k", &[("Origin", "https://b.example")]).await;
    assert!(head.starts_with("http/1.1 200") && !head.contains("access-control-"), "{head}");
}

#[tokio::test]
async fn an_expiration_date_in_the_past_expires_objects_in_the_background() {
    let mut args = stratus::config::ServeArgs::ephemeral();
    args.reaper_interval = 1;
    let server = server_with(args).await;
    let conf = sdk_config(&server).await;
    let (c, sqs) = (s3(&conf), aws_sdk_sqs::Client::new(&conf));
    let url = sqs.create_queue().queue_name("expired").send().await.expect("queue").queue_url.unwrap_or_default();
    c.create_bucket().bucket("expiring").send().await.expect("create");
    let queue = QueueConfiguration::builder()
        .id("expiry")
        .queue_arn("arn:aws:sqs:us-east-1:000000000000:expired")
        .events(Event::from("s3:LifecycleExpiration:*"))
        .build()
        .expect("queue config");
    c.put_bucket_notification_configuration()
        .bucket("expiring")
        .notification_configuration(NotificationConfiguration::builder().queue_configurations(queue).build())
        .send()
        .await
        .expect("notification config");
    c.put_object().bucket("expiring").key("old/a.txt").body(ByteStream::from_static(b"a")).send().await.expect("put");
    let rule = LifecycleRule::builder()
        .id("past")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("old/").build())
        .expiration(LifecycleExpiration::builder().date(DateTime::from_secs(1_577_836_800)).build())
        .build()
        .expect("rule");
    c.put_bucket_lifecycle_configuration()
        .bucket("expiring")
        .lifecycle_configuration(
            aws_sdk_s3::types::BucketLifecycleConfiguration::builder().rules(rule).build().expect("lifecycle"),
        )
        .send()
        .await
        .expect("put lifecycle");

    let mut record = None;
    for _ in 0..30 {
        let got = sqs.receive_message().queue_url(&url).max_number_of_messages(10).wait_time_seconds(1).send().await;
        let bodies: Vec<String> =
            got.expect("receive").messages().iter().filter_map(|m| m.body().map(str::to_string)).collect();
        record = bodies.iter().find(|b| b.contains("LifecycleExpiration")).cloned();
        if record.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let v: serde_json::Value = serde_json::from_str(&record.expect("a lifecycle event")).expect("json");
    let r = &v["Records"][0];
    assert_eq!(r["eventName"], "LifecycleExpiration:Delete");
    assert_eq!(r["eventVersion"], "2.3");
    assert_eq!(r["userIdentity"]["principalId"], "s3.amazonaws.com");
    assert_eq!(r["requestParameters"]["sourceIPAddress"], "s3.amazonaws.com");
    assert_eq!(r["s3"]["object"]["key"], "old/a.txt");
    let listed = c.list_objects_v2().bucket("expiring").send().await.expect("list");
    assert_eq!(listed.key_count(), Some(0));
}
