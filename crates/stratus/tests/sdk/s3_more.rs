//! More of S3 through the Rust SDK: presigned GET and PUT URLs used by a
//! plain HTTP client, virtual-hosted-style addressing (the bucket named only
//! by the Host header), and a bucket notification fanned out through an SNS
//! topic to a subscribed SQS queue.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Event, NotificationConfiguration, TopicConfiguration};
use common::{sdk_config, server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn path_client(server: &stratus::server::Server) -> Client {
    let conf = aws_sdk_s3::config::Builder::from(&sdk_config(server).await).force_path_style(true).build();
    Client::from_conf(conf)
}

/// A response read by `plain_http`.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.0 request over a bare TCP connection (no SDK, no HTTP
/// library) and reads the response to the connection's close.
async fn plain_http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let uri: http::Uri = url.parse().expect("url");
    let authority = uri.authority().expect("authority").as_str().to_string();
    let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut request = format!("{method} {target} HTTP/1.0\r\nHost: {authority}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(&authority).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Reply { status, headers, body: raw[split + 4..].to_vec() }
}

async fn send_presigned(req: &PresignedRequest, body: &[u8]) -> Reply {
    let headers: Vec<(&str, &str)> = req.headers().collect();
    plain_http(req.method(), req.uri(), &headers, body).await
}

#[tokio::test]
async fn presigned_get_and_put_work_with_a_plain_http_client() {
    let server = server().await;
    let c = path_client(&server).await;
    c.create_bucket().bucket("presigned").send().await.expect("create");
    let ten_minutes = PresigningConfig::expires_in(Duration::from_secs(600)).expect("presigning config");

    let put = c
        .put_object()
        .bucket("presigned")
        .key("up/load.txt")
        .content_type("text/plain")
        .presigned(ten_minutes.clone())
        .await
        .expect("presign put");
    assert_eq!(put.method(), "PUT");
    assert!(put.uri().contains("X-Amz-Signature="), "{}", put.uri());
    assert!(put.uri().contains("X-Amz-Expires=600"), "{}", put.uri());
    let reply = send_presigned(&put, b"sent without the SDK").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    // MD5 of the body, as S3 computes a single-part ETag.
    assert_eq!(reply.header("ETag"), Some("\"12b536cc59b016e863d4c81c838d2b38\""));

    let head = c.head_object().bucket("presigned").key("up/load.txt").send().await.expect("head");
    assert_eq!(head.content_type(), Some("text/plain"));
    assert_eq!(head.content_length(), Some(20));

    let get = c
        .get_object()
        .bucket("presigned")
        .key("up/load.txt")
        .response_content_disposition("attachment; filename=\"x.txt\"")
        .presigned(ten_minutes)
        .await
        .expect("presign get");
    assert_eq!(get.method(), "GET");
    let reply = send_presigned(&get, b"").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"sent without the SDK");
    assert_eq!(reply.header("Content-Type"), Some("text/plain"));
    assert_eq!(reply.header("Content-Disposition"), Some("attachment; filename=\"x.txt\""));

    let missing = c
        .get_object()
        .bucket("presigned")
        .key("missing")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).expect("config"))
        .await
        .expect("presign missing");
    let reply = send_presigned(&missing, b"").await;
    assert_eq!(reply.status, 404);
    let text = String::from_utf8_lossy(&reply.body);
    assert!(text.contains("<Code>NoSuchKey</Code>"), "{text}");
}

/// Sends each request to this machine's loopback while keeping the virtual
/// host the SDK chose as the Host header (`*.localhost.localstack.cloud`
/// needs no DNS this way), and records the URLs the SDK built.
#[derive(Debug)]
struct Loopback {
    port: u16,
    urls: Arc<Mutex<Vec<String>>>,
}

impl Intercept for Loopback {
    fn name(&self) -> &'static str {
        "Loopback"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let url = request.uri().to_string();
        let uri: http::Uri = url.parse()?;
        let host = uri.authority().map(|a| a.to_string()).ok_or("no authority")?;
        let target = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        request.headers_mut().insert("host", host);
        request.set_uri(format!("http://127.0.0.1:{}{target}", self.port))?;
        self.urls.lock().map_err(|_| "poisoned")?.push(url);
        Ok(())
    }
}

#[tokio::test]
async fn virtual_hosted_style_addressing() {
    let server = server().await;
    let port = server.endpoint().rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).expect("port");
    let urls = Arc::new(Mutex::new(Vec::new()));
    let conf = aws_sdk_s3::config::Builder::from(&sdk_config(&server).await)
        .endpoint_url(format!("http://s3.localhost.localstack.cloud:{port}"))
        .force_path_style(false)
        .interceptor(Loopback { port, urls: urls.clone() })
        .build();
    let c = Client::from_conf(conf);
    let base = format!("http://vhost-bucket.s3.localhost.localstack.cloud:{port}/");
    let last_url = || urls.lock().expect("urls").last().cloned().unwrap_or_default();

    c.create_bucket().bucket("vhost-bucket").send().await.expect("create");
    assert_eq!(last_url(), base);
    c.put_object()
        .bucket("vhost-bucket")
        .key("dir/a b.txt")
        .body(ByteStream::from_static(b"virtual"))
        .send()
        .await
        .expect("put");
    assert!(last_url().starts_with(&format!("{base}dir/a%20b.txt")), "{}", last_url());
    let got = c.get_object().bucket("vhost-bucket").key("dir/a b.txt").send().await.expect("get");
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(&body[..], b"virtual");
    let listed = c.list_objects_v2().bucket("vhost-bucket").prefix("dir/").send().await.expect("list");
    assert_eq!(listed.name(), Some("vhost-bucket"));
    let keys: Vec<_> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["dir/a b.txt"]);
    assert!(last_url().starts_with(&format!("{base}?list-type=2")), "{}", last_url());

    // The same bucket and object, path style.
    let path = path_client(&server).await;
    let head = path.head_object().bucket("vhost-bucket").key("dir/a b.txt").send().await.expect("head");
    assert_eq!(head.content_length(), Some(7));

    let e = c.get_object().bucket("vhost-bucket").key("nope").send().await.expect_err("missing key");
    assert_eq!(aws_sdk_s3::error::ProvideErrorMetadata::code(&e), Some("NoSuchKey"));
    let e = c.list_objects_v2().bucket("vhost-missing").send().await.expect_err("missing bucket");
    assert_eq!(aws_sdk_s3::error::ProvideErrorMetadata::code(&e), Some("NoSuchBucket"));
    c.delete_object().bucket("vhost-bucket").key("dir/a b.txt").send().await.expect("delete");
    c.delete_bucket().bucket("vhost-bucket").send().await.expect("delete bucket");
    assert_eq!(last_url(), base);
}

/// Receives from `url` until the bodies satisfy `want` (or gives up).
async fn receive_until(sqs: &aws_sdk_sqs::Client, url: &str, want: impl Fn(&[String]) -> bool) -> Vec<String> {
    let mut bodies = Vec::new();
    for _ in 0..15 {
        let r = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        bodies.extend(r.messages().iter().filter_map(|m| m.body().map(str::to_string)));
        if want(&bodies) {
            break;
        }
    }
    bodies
}

#[tokio::test]
async fn notification_reaches_a_queue_through_an_sns_topic() {
    let server = server().await;
    let config = sdk_config(&server).await;
    let c = path_client(&server).await;
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let topic = sns.create_topic().name("s3-events").send().await.expect("topic");
    let topic_arn = topic.topic_arn().expect("topic arn").to_string();
    let queue = sqs.create_queue().queue_name("from-topic").send().await.expect("queue");
    let url = queue.queue_url().expect("url").to_string();
    let queue_arn = "arn:aws:sqs:us-east-1:000000000000:from-topic";
    sns.subscribe().topic_arn(&topic_arn).protocol("sqs").endpoint(queue_arn).send().await.expect("subscribe");

    c.create_bucket().bucket("fanout").send().await.expect("create");
    c.put_bucket_notification_configuration()
        .bucket("fanout")
        .notification_configuration(
            NotificationConfiguration::builder()
                .topic_configurations(
                    TopicConfiguration::builder()
                        .id("to-topic")
                        .topic_arn(&topic_arn)
                        .events(Event::from("s3:ObjectCreated:*"))
                        .build()
                        .expect("topic config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("notification config");
    let got = c.get_bucket_notification_configuration().bucket("fanout").send().await.expect("get config");
    assert_eq!(got.topic_configurations().len(), 1);
    assert_eq!(got.topic_configurations()[0].topic_arn(), topic_arn);

    c.put_object()
        .bucket("fanout")
        .key("in/report.csv")
        .body(ByteStream::from_static(b"a,b\n"))
        .send()
        .await
        .expect("put");
    // The test event S3 sends on configuration, then the object's event.
    let bodies = receive_until(&sqs, &url, |got| {
        got.iter().any(|b| b.contains("ObjectCreated:Put")) && got.iter().any(|b| b.contains("s3:TestEvent"))
    })
    .await;
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    let envelopes: Vec<serde_json::Value> =
        bodies.iter().map(|b| serde_json::from_str(b).expect("sns envelope json")).collect();
    for envelope in &envelopes {
        assert_eq!(envelope["Type"], "Notification");
        assert_eq!(envelope["TopicArn"], topic_arn.as_str());
        assert_eq!(envelope["Subject"], "Amazon S3 Notification");
        assert_eq!(envelope["SignatureVersion"], "1");
    }
    let messages: Vec<serde_json::Value> = envelopes
        .iter()
        .map(|e| serde_json::from_str(e["Message"].as_str().expect("message")).expect("event json"))
        .collect();
    let test_event = messages.iter().find(|m| m["Event"] == "s3:TestEvent").expect("test event");
    assert_eq!(test_event["Bucket"], "fanout");
    assert_eq!(test_event["Service"], "Amazon S3");
    let event = messages.iter().find(|m| m.get("Records").is_some()).expect("object event");
    let record = &event["Records"][0];
    assert_eq!(record["eventSource"], "aws:s3");
    assert_eq!(record["eventName"], "ObjectCreated:Put");
    assert_eq!(record["s3"]["configurationId"], "to-topic");
    assert_eq!(record["s3"]["bucket"]["name"], "fanout");
    assert_eq!(record["s3"]["bucket"]["arn"], "arn:aws:s3:::fanout");
    assert_eq!(record["s3"]["object"]["key"], "in/report.csv");
    assert_eq!(record["s3"]["object"]["size"], 4);
    assert_eq!(record["s3"]["object"]["eTag"], "f69f5b72bc79a92dc70c63c9aa142e36");
}
