//! Server access log delivery: every request to a bucket whose logging is
//! enabled is recorded in S3's access log format, and the records are
//! delivered on the reaper's tick as an object of the target bucket named
//! `<TargetPrefix>YYYY-mm-DD-HH-MM-SS-<16 hex>` (S3's simple key format).
//! As on AWS, delivery is best effort: records wait in memory until then.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::Instant;
use stratus_core::input::Input;
use stratus_core::{AwsError, BodyStream, RequestContext};
use time::OffsetDateTime;

use crate::shared::Shared;

/// Where records go: target bucket and key prefix.
type Target = (String, String);

#[derive(Default)]
pub struct AccessLogs {
    /// Source bucket → target, kept in step with the buckets' configurations.
    targets: RwLock<HashMap<String, Target>>,
    /// Records awaiting delivery, per target.
    pending: Mutex<HashMap<Target, Vec<String>>>,
}

impl AccessLogs {
    /// Follows a bucket's `LoggingEnabled` (None: logging off or bucket gone).
    pub fn set(&self, bucket: &str, logging: Option<&Value>) {
        let target =
            logging.and_then(|l| Some((l.str("TargetBucket")?.to_string(), l.str("TargetPrefix")?.to_string())));
        if let Ok(mut map) = self.targets.write() {
            match target {
                Some(t) => map.insert(bucket.to_string(), t),
                None => map.remove(bucket),
            };
        }
    }

    /// Whether requests to `bucket` are logged.
    pub fn logs(&self, bucket: &str) -> bool {
        self.targets.read().is_ok_and(|m| m.contains_key(bucket))
    }

    fn target(&self, bucket: &str) -> Option<Target> {
        self.targets.read().ok()?.get(bucket).cloned()
    }

    fn take(&self) -> HashMap<Target, Vec<String>> {
        self.pending.lock().map(|mut p| std::mem::take(&mut *p)).unwrap_or_default()
    }
}

/// What a request did, as its record reports it.
pub struct Outcome<'a> {
    pub status: u16,
    pub error_code: Option<&'a str>,
    /// Bytes of object data sent (GetObject).
    pub bytes_sent: Option<u64>,
}

impl<'a> Outcome<'a> {
    /// The outcome of `operation`'s result (S3's deletes answer 204).
    pub fn of(operation: &str, result: &'a Result<Value, AwsError>) -> Outcome<'a> {
        let ok_status = if operation.starts_with("Delete") && operation != "DeleteObjects" { 204 } else { 200 };
        match result {
            Ok(out) => Outcome {
                status: ok_status,
                error_code: None,
                bytes_sent: out.get("ContentLength").and_then(Value::as_u64),
            },
            Err(e) => Outcome { status: e.status, error_code: Some(e.code.as_str()), bytes_sent: None },
        }
    }
}

/// Records a request to a bucket that logs its access.
pub fn record(sh: &Shared, ctx: &RequestContext, input: &Value, outcome: Outcome<'_>, started: Instant) {
    let Some(bucket) = input.str("Bucket") else { return };
    let Some(target) = sh.access_logs.target(bucket) else { return };
    let (verb, resource) = operation(ctx.operation);
    let key = input.str("Key");
    let object_size = input.get("ContentLength").and_then(Value::as_u64).or(outcome.bytes_sent);
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let method = if verb == "COPY" { "PUT" } else { verb };
    let uri = match key {
        Some(k) => format!("{method} /{bucket}/{} HTTP/1.1", encode(k)),
        None => format!("{method} /{bucket} HTTP/1.1"),
    };
    let owner = crate::buckets::owner(&ctx.account_id)["ID"].as_str().unwrap_or("-").to_string();
    let bucket_owner = sh.bucket(bucket).map(|b| b.account).unwrap_or_else(|_| ctx.account_id.clone());
    let bucket_owner = crate::buckets::owner(&bucket_owner)["ID"].as_str().unwrap_or("-").to_string();
    let line = format!(
        "{bucket_owner} {bucket} [{time}] - {owner} {rid} REST.{verb}.{resource} {key} \"{uri}\" {status} {code} {sent} {size} {ms} - \"-\" \"-\" {version} - SigV4 - AuthHeader - - - -\n",
        time = log_time(OffsetDateTime::now_utc()),
        rid = ctx.request_id,
        key = dash(key.map(encode)),
        status = outcome.status,
        code = outcome.error_code.unwrap_or("-"),
        sent = dash(outcome.bytes_sent.filter(|n| *n > 0).map(|n| n.to_string())),
        size = dash(object_size.map(|n| n.to_string())),
        ms = started.elapsed().as_millis(),
        version = dash(input.str("VersionId").map(str::to_string)),
    );
    if let Ok(mut pending) = sh.access_logs.pending.lock() {
        pending.entry(target).or_default().push(line);
    }
}

/// Delivers the records waiting, one object per target.
pub async fn deliver(sh: &Shared) {
    for ((bucket, prefix), lines) in sh.access_logs.take() {
        let Ok(target) = sh.bucket(&bucket) else {
            tracing::warn!("S3 access logs for {bucket} dropped: the target bucket does not exist");
            continue;
        };
        let now = OffsetDateTime::now_utc();
        let unique: [u8; 8] = rand::random();
        let key = format!(
            "{prefix}{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{}",
            now.year(),
            now.month() as u8,
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            hex::encode_upper(unique)
        );
        let body = bytes::Bytes::from(lines.concat());
        let mut ctx = RequestContext::internal("s3", "PutObject");
        ctx.account_id = target.account.clone();
        ctx.region = target.region.clone();
        let input = serde_json::json!({"Bucket": bucket, "Key": key, "ContentLength": body.len()});
        if let Err(e) = crate::objects::put(sh, &ctx, &input, BodyStream::from_bytes(body)).await {
            tracing::warn!("S3 access logs for {bucket} not delivered: {}", e.message);
        }
    }
}

/// S3's name for an operation in access logs: verb and resource, as in
/// `REST.GET.OBJECT` or `REST.PUT.VERSIONING`.
fn operation(op: &str) -> (&'static str, String) {
    let named = |verb: &'static str, resource: &str| (verb, resource.to_string());
    match op {
        "PutObject" => named("PUT", "OBJECT"),
        "GetObject" => named("GET", "OBJECT"),
        "HeadObject" => named("HEAD", "OBJECT"),
        "DeleteObject" => named("DELETE", "OBJECT"),
        "CopyObject" => named("COPY", "OBJECT"),
        "DeleteObjects" => named("POST", "MULTI_OBJECT_DELETE"),
        "ListObjects" | "ListObjectsV2" => named("GET", "BUCKET"),
        "ListObjectVersions" => named("GET", "BUCKETVERSIONS"),
        "HeadBucket" => named("HEAD", "BUCKET"),
        "CreateBucket" => named("PUT", "BUCKET"),
        "DeleteBucket" => named("DELETE", "BUCKET"),
        "CreateMultipartUpload" => named("POST", "UPLOADS"),
        "UploadPart" => named("PUT", "PART"),
        "UploadPartCopy" => named("COPY", "PART"),
        "CompleteMultipartUpload" => named("POST", "UPLOAD"),
        "AbortMultipartUpload" => named("DELETE", "UPLOAD"),
        "ListParts" => named("GET", "UPLOAD"),
        "ListMultipartUploads" => named("GET", "UPLOADS"),
        "RestoreObject" => named("POST", "OBJECT_RESTORE"),
        _ => {
            let (verb, rest) = ["Get", "Put", "Delete", "List"]
                .iter()
                .find_map(|v| op.strip_prefix(v).map(|r| (*v, r)))
                .unwrap_or(("Post", op));
            let verb = match verb {
                "Get" | "List" => "GET",
                "Put" => "PUT",
                "Delete" => "DELETE",
                _ => "POST",
            };
            let noun = rest.trim_start_matches("Bucket").trim_end_matches("Configuration");
            (verb, snake_upper(noun))
        }
    }
}

/// `ObjectTagging` → `OBJECT_TAGGING`.
fn snake_upper(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// A key as the log writes it: URL-encoded.
fn encode(key: &str) -> String {
    form_urlencoded::byte_serialize(key.as_bytes()).collect()
}

/// `06/Feb/2019:00:00:38 +0000`.
fn log_time(t: OffsetDateTime) -> String {
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
        t.day(),
        stratus_core::clock::MONTHS[t.month() as usize - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::{operation, snake_upper};

    #[test]
    fn operation_names() {
        assert_eq!(operation("GetObject"), ("GET", "OBJECT".to_string()));
        assert_eq!(operation("PutObjectTagging"), ("PUT", "OBJECT_TAGGING".to_string()));
        assert_eq!(operation("GetBucketVersioning"), ("GET", "VERSIONING".to_string()));
        assert_eq!(operation("PutBucketLifecycleConfiguration"), ("PUT", "LIFECYCLE".to_string()));
        assert_eq!(snake_upper("ObjectLegalHold"), "OBJECT_LEGAL_HOLD");
    }
}
