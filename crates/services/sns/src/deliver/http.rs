//! Delivery to HTTP and HTTPS endpoints: one POST with SNS's headers,
//! retried on failure along the delivery policy's schedule, through the
//! shared outbound client (`stratus_core::outbound`, which trusts the
//! machine's roots as AWS requires a valid chain).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::time::Duration;
pub use stratus_core::outbound::{Client, client};

/// Per-attempt timeout.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// One request to an endpoint.
pub struct Post {
    pub url: String,
    pub content_type: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// Sends `post` once; Ok on a 2xx answer, else the reason.
pub async fn attempt(client: &Client, post: &Post) -> Result<u16, String> {
    let mut req = http::Request::builder()
        .method(http::Method::POST)
        .uri(&post.url)
        .header("content-type", &post.content_type)
        .header("user-agent", "Amazon Simple Notification Service Agent")
        .header("accept-encoding", "gzip,deflate");
    for (name, value) in &post.headers {
        req = req.header(*name, value);
    }
    let req = req.body(Full::new(Bytes::from(post.body.clone()))).map_err(|e| format!("bad request: {e}"))?;
    let resp = tokio::time::timeout(ATTEMPT_TIMEOUT, client.request(req))
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| format!("connection failed: {e}"))?;
    let status = resp.status().as_u16();
    let _ = resp.into_body().collect().await;
    if (200..300).contains(&status) { Ok(status) } else { Err(format!("endpoint answered {status}")) }
}

/// Sends `post`, retrying after each of `delays` (seconds) on failure.
pub async fn deliver(client: &Client, post: &Post, delays: &[u64]) -> Result<u16, String> {
    let mut last = attempt(client, post).await;
    for delay in delays {
        match &last {
            Ok(_) => break,
            Err(reason) => {
                tracing::debug!(url = %post.url, %reason, retry_in = delay, "SNS HTTP delivery failed");
                tokio::time::sleep(Duration::from_secs(*delay)).await;
                last = attempt(client, post).await;
            }
        }
    }
    last
}
