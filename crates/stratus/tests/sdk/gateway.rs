//! The front door as real clients meet it: strict SigV4 with the AWS SDK for
//! Rust, introspection endpoints, CORS, request ids and not-implemented
//! operations.

use crate::common;

use stratus::config::{AuthMode, ServeArgs};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A raw HTTP/1.1 exchange: returns (status, headers, body).
async fn raw(endpoint: &str, request: &str) -> (u16, String, String) {
    let addr = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    let (head, body) = out.split_once("\r\n\r\n").expect("response");
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("status");
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn strict_args() -> ServeArgs {
    ServeArgs { auth: AuthMode::Strict, ..ServeArgs::ephemeral() }
}

#[tokio::test]
async fn strict_auth_accepts_the_right_key_with_the_rust_sdk() {
    let server = common::server_with(strict_args()).await;
    let config = common::sdk_config(&server).await;
    let roles = aws_sdk_iam::Client::new(&config).list_roles().send().await.expect("signed call passes");
    assert!(roles.roles().is_empty());
    let groups = aws_sdk_cloudwatchlogs::Client::new(&config).describe_log_groups().send().await.expect("json call");
    assert!(groups.log_groups().is_empty());
}

#[tokio::test]
async fn strict_auth_rejects_a_wrong_secret_per_protocol() {
    let server = common::server_with(strict_args()).await;
    let config = common::sdk_config_with(&server, "test", "not-the-secret", "us-east-1").await;
    let err = aws_sdk_iam::Client::new(&config).list_roles().send().await.expect_err("wrong secret");
    let raw = err.raw_response().expect("http response");
    assert_eq!(raw.status().as_u16(), 403);
    let svc = err.into_service_error();
    let meta = aws_sdk_iam::error::ProvideErrorMetadata::meta(&svc);
    assert_eq!(meta.code(), Some("SignatureDoesNotMatch"));

    let err =
        aws_sdk_cloudwatchlogs::Client::new(&config).describe_log_groups().send().await.expect_err("wrong secret");
    assert_eq!(err.raw_response().expect("http response").status().as_u16(), 400);
    let svc = err.into_service_error();
    assert_eq!(aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata::code(&svc), Some("InvalidSignatureException"));
}

#[tokio::test]
async fn strict_auth_rejects_unknown_keys_and_missing_signatures() {
    let server = common::server_with(strict_args()).await;
    let config = common::sdk_config_with(&server, "AKIAUNKNOWN000000000", "x", "us-east-1").await;
    let err = aws_sdk_iam::Client::new(&config).list_roles().send().await.expect_err("unknown key");
    let svc = err.into_service_error();
    assert_eq!(aws_sdk_iam::error::ProvideErrorMetadata::code(&svc), Some("InvalidClientTokenId"));
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::message(&svc),
        Some("The security token included in the request is invalid.")
    );

    let body = "Action=ListRoles&Version=2010-05-08";
    let (status, _, text) = raw(
        &server.endpoint(),
        &format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    ).await;
    assert_eq!(status, 403);
    assert!(
        text.contains(
            "<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn health_reset_metrics_and_cors() {
    let server = common::server().await;
    let (status, head, body) =
        raw(&server.endpoint(), "GET /_stratus/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(health["storage"]["engine"], "memory");
    assert_eq!(health["services"]["iam"], "running");
    assert!(head.contains("access-control-allow-origin: *"));

    let config = common::sdk_config(&server).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    logs.create_log_group().log_group_name("wiped").send().await.expect("create");
    let (status, _, _) = raw(
        &server.endpoint(),
        "POST /_stratus/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
    assert!(logs.describe_log_groups().send().await.expect("list").log_groups().is_empty());

    let (_, _, metrics) =
        raw(&server.endpoint(), "GET /_stratus/metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(
        metrics.contains("stratus_requests_total{service=\"logs\",operation=\"CreateLogGroup\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("stratus_request_duration_seconds_bucket{service=\"logs\",operation=\"DescribeLogGroups\"")
    );

    let (status, head, _) = raw(
        &server.endpoint(),
        "OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://app.local\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: x-amz-target,authorization\r\nConnection: close\r\n\r\n",
    ).await;
    assert_eq!(status, 200);
    assert!(head.contains("access-control-allow-origin: http://app.local"));
    assert!(head.contains("access-control-allow-headers: x-amz-target,authorization"));
}

#[tokio::test]
async fn unimplemented_operations_answer_in_the_protocol_format() {
    let server = common::server().await;
    let body = r#"{"Limit":5}"#;
    let (status, head, text) = raw(
        &server.endpoint(),
        &format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    ).await;
    assert_eq!(status, 501);
    assert!(head.contains("x-amzn-requestid: "));
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["__type"], "NotImplemented");
}
