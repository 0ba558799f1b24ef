//! Amazon S3 for Stratus: buckets and their configurations, objects whose
//! bytes are streamed to files (metadata in the store, layout in `keys`),
//! multipart uploads, versioning, checksums, tagging, CORS preflights,
//! lifecycle expiration by a background reaper, and event notifications to
//! SQS, SNS and Lambda through peers.
//!
//! This file owns the `S3` service: its operation list, dispatch, the
//! streaming entry point and the background work.

mod access_log;
mod attributes;
mod batch;
mod buckets;
mod checksums;
mod conditions;
mod config;
mod copy;
mod cors;
mod destinations;
mod error;
mod files;
mod ingest;
mod keys;
mod lifecycle;
mod listing;
mod logging;
mod md5;
mod model;
mod multipart;
mod notify;
mod object_lock;
mod objects;
mod outbox;
mod output;
mod policy_eval;
mod policy_status;
mod post;
mod post_auth;
mod replication;
mod restore;
mod shared;
mod tagging;
mod versioning;
mod website;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use base64::Engine;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use stratus_core::{AwsError, BodyStream, HttpRequest, HttpResponse, RequestContext, Service, Settings, Streamed};
use stratus_store::Store;
use tokio::task::JoinHandle;

use crate::shared::{Sequence, Shared};

pub use policy_eval::ANONYMOUS_ACCOUNT;

/// The introspection path that runs a lifecycle sweep on demand.
const SWEEP_PATH: &str = "/_stratus/s3/lifecycle";

/// The operations S3 implements.
const OPERATIONS: &[&str] = &[
    "AbortMultipartUpload",
    "CompleteMultipartUpload",
    "CopyObject",
    "CreateBucket",
    "CreateMultipartUpload",
    "DeleteBucket",
    "DeleteBucketCors",
    "DeleteBucketEncryption",
    "DeleteBucketLifecycle",
    "DeleteBucketOwnershipControls",
    "DeleteBucketPolicy",
    "DeleteBucketReplication",
    "DeleteBucketTagging",
    "DeleteBucketWebsite",
    "DeleteObject",
    "DeleteObjectTagging",
    "DeleteObjects",
    "DeletePublicAccessBlock",
    "GetBucketAccelerateConfiguration",
    "GetBucketAcl",
    "GetBucketCors",
    "GetBucketEncryption",
    "GetBucketLifecycleConfiguration",
    "GetBucketLocation",
    "GetBucketLogging",
    "GetBucketNotificationConfiguration",
    "GetBucketOwnershipControls",
    "GetBucketPolicy",
    "GetBucketPolicyStatus",
    "GetBucketReplication",
    "GetBucketRequestPayment",
    "GetBucketTagging",
    "GetBucketVersioning",
    "GetBucketWebsite",
    "GetObject",
    "GetObjectAcl",
    "GetObjectAttributes",
    "GetObjectLegalHold",
    "GetObjectLockConfiguration",
    "GetObjectRetention",
    "GetObjectTagging",
    "GetPublicAccessBlock",
    "HeadBucket",
    "HeadObject",
    "ListBuckets",
    "ListMultipartUploads",
    "ListObjectVersions",
    "ListObjects",
    "ListObjectsV2",
    "ListParts",
    "PutBucketAccelerateConfiguration",
    "PutBucketAcl",
    "PutBucketCors",
    "PutBucketEncryption",
    "PutBucketLifecycleConfiguration",
    "PutBucketLogging",
    "PutBucketNotificationConfiguration",
    "PutBucketOwnershipControls",
    "PutBucketPolicy",
    "PutBucketReplication",
    "PutBucketRequestPayment",
    "PutBucketTagging",
    "PutBucketVersioning",
    "PutBucketWebsite",
    "PutObject",
    "PutObjectAcl",
    "PutObjectLegalHold",
    "PutObjectLockConfiguration",
    "PutObjectRetention",
    "PutObjectTagging",
    "PutPublicAccessBlock",
    "RestoreObject",
    "UploadPart",
    "UploadPartCopy",
];

/// The S3 service.
pub struct S3 {
    shared: Arc<Shared>,
    reaper_interval: Duration,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl S3 {
    pub fn new(store: Store, settings: &Settings) -> S3 {
        let shared = Shared {
            files: files::Files::new(settings.data_dir.as_deref()),
            store,
            seq: Arc::new(Sequence::new()),
            peers: settings.peers.clone(),
            endpoint: settings.endpoint.clone(),
            signatures: settings.signatures.clone(),
            cors: RwLock::new(HashMap::new()),
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
            replication_wake: Arc::new(tokio::sync::Notify::new()),
            restore_secs: settings.s3_restore_secs as f64,
            access_logs: Default::default(),
        };
        let s3 = S3 {
            shared: Arc::new(shared),
            reaper_interval: Duration::from_secs(settings.reaper_interval_secs.max(1)),
            tasks: Mutex::new(Vec::new()),
        };
        s3.load_caches();
        s3
    }

    /// Fills the CORS map and the access-logging targets from the store (at
    /// start and after a reset).
    fn load_caches(&self) {
        let mut map = HashMap::new();
        if let Ok(rows) = self.shared.store.scan_prefix(keys::buckets(), false, None) {
            for (_, raw) in rows {
                if let Ok(b) = model::decode::<model::Bucket>("bucket", &raw) {
                    self.shared.access_logs.set(&b.name, b.logging.as_ref());
                    if let Some(c) = b.cors {
                        map.insert(b.name, c);
                    }
                }
            }
        }
        if let Ok(mut m) = self.shared.cors.write() {
            *m = map;
        }
    }

    /// Runs one lifecycle sweep as of `now` (epoch seconds; tests pass a
    /// future time); returns how many objects, versions and uploads it
    /// expired or removed.
    pub async fn sweep_lifecycle_at(&self, now: f64) -> usize {
        lifecycle::sweep(&self.shared, now).await
    }

    /// Runs one lifecycle sweep now.
    pub async fn sweep_lifecycle(&self) -> usize {
        lifecycle::sweep(&self.shared, shared::now()).await
    }

    /// `POST /_stratus/s3/lifecycle?days=N`: one lifecycle sweep as of N
    /// days from now (0 when absent), so rules counted in days can be seen
    /// at work without waiting; answers `{"removed": count}`.
    async fn sweep_endpoint(&self, req: &HttpRequest) -> HttpResponse {
        if req.method != http::Method::POST {
            return HttpResponse::new(405, "application/json", "{\"message\":\"Use POST\"}");
        }
        let days = req.query_pairs().into_iter().find(|(k, _)| k == "days").map(|(_, v)| v.parse::<f64>());
        let days = match days {
            None => 0.0,
            Some(Ok(d)) if d.is_finite() && d >= 0.0 => d,
            Some(_) => {
                return HttpResponse::new(400, "application/json", "{\"message\":\"days must be a number >= 0\"}");
            }
        };
        let removed = self.sweep_lifecycle_at(shared::now() + days * 86_400.0).await;
        HttpResponse::new(200, "application/json", serde_json::json!({ "removed": removed }).to_string())
    }

    async fn dispatch(&self, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
        let sh = &*self.shared;
        match ctx.operation {
            "CreateBucket" => buckets::create(sh, ctx, input).await,
            "DeleteBucket" => buckets::delete(sh, input).await,
            "HeadBucket" => buckets::head(sh, input),
            "ListBuckets" => buckets::list(sh, ctx, input),
            "GetBucketLocation" => buckets::location_of(sh, input),
            "PutBucketVersioning" => versioning::put_config(sh, input).await,
            "GetBucketVersioning" => versioning::get_config(sh, input),
            "PutBucketTagging" => tagging::put_bucket(sh, input).await,
            "GetBucketTagging" => tagging::get_bucket(sh, input),
            "DeleteBucketTagging" => tagging::delete_bucket(sh, input).await,
            "PutBucketPolicy" => config::put_policy(sh, input).await,
            "GetBucketPolicy" => config::get_policy(sh, input),
            "DeleteBucketPolicy" => config::delete_policy(sh, input).await,
            "GetBucketPolicyStatus" => policy_status::get(sh, input),
            "PutBucketEncryption" => config::put_encryption(sh, input).await,
            "GetBucketEncryption" => config::get_encryption(sh, input),
            "DeleteBucketEncryption" => config::delete_encryption(sh, input).await,
            "PutBucketOwnershipControls" => config::put_ownership(sh, input).await,
            "GetBucketOwnershipControls" => config::get_ownership(sh, input),
            "DeleteBucketOwnershipControls" => config::delete_ownership(sh, input).await,
            "PutPublicAccessBlock" => config::put_public_access_block(sh, input).await,
            "GetPublicAccessBlock" => config::get_public_access_block(sh, input),
            "DeletePublicAccessBlock" => config::delete_public_access_block(sh, input).await,
            "PutBucketCors" => cors::put(sh, input).await,
            "GetBucketCors" => cors::get(sh, input),
            "PutBucketAccelerateConfiguration" => config::put_accelerate(sh, input).await,
            "GetBucketAccelerateConfiguration" => config::get_accelerate(sh, input),
            "PutBucketRequestPayment" => config::put_request_payment(sh, input).await,
            "GetBucketRequestPayment" => config::get_request_payment(sh, input),
            "PutBucketLogging" => logging::put(sh, input).await,
            "GetBucketLogging" => logging::get(sh, input),
            "PutObjectLockConfiguration" => object_lock::put_configuration(sh, input).await,
            "GetObjectLockConfiguration" => object_lock::get_configuration(sh, input),
            "PutObjectRetention" => object_lock::put_retention(sh, input).await,
            "GetObjectRetention" => object_lock::get_retention(sh, input),
            "PutObjectLegalHold" => object_lock::put_legal_hold(sh, input).await,
            "GetObjectLegalHold" => object_lock::get_legal_hold(sh, input),
            "GetObjectAttributes" => attributes::get(sh, input),
            "PutBucketWebsite" => website::put(sh, input).await,
            "GetBucketWebsite" => website::get(sh, input),
            "DeleteBucketWebsite" => website::delete(sh, input).await,
            "PutBucketReplication" => replication::put(sh, input).await,
            "GetBucketReplication" => replication::get(sh, input),
            "DeleteBucketReplication" => replication::delete(sh, input).await,
            "DeleteBucketCors" => cors::delete(sh, input).await,
            "PutBucketLifecycleConfiguration" => lifecycle::put(sh, input).await,
            "GetBucketLifecycleConfiguration" => lifecycle::get(sh, input),
            "DeleteBucketLifecycle" => lifecycle::delete(sh, input).await,
            "PutBucketNotificationConfiguration" => notify::put_config(sh, ctx, input).await,
            "GetBucketNotificationConfiguration" => notify::get_config(sh, input),
            "GetBucketAcl" => objects::get_bucket_acl(sh, input),
            "PutBucketAcl" => objects::put_acl(sh, None, input).await,
            "GetObjectAcl" => objects::get_object_acl(sh, input),
            "PutObjectAcl" => objects::put_acl(sh, Some(ctx), input).await,
            "HeadObject" => objects::read(sh, input, false).map(|s| s.output),
            "RestoreObject" => restore::restore(sh, ctx, input).await,
            "DeleteObject" => objects::delete(sh, ctx, input).await,
            "DeleteObjects" => batch::delete_objects(sh, ctx, input).await,
            "CopyObject" => copy::copy_object(sh, ctx, input).await,
            "PutObjectTagging" => tagging::put_object(sh, ctx, input).await,
            "GetObjectTagging" => tagging::get_object(sh, input),
            "DeleteObjectTagging" => tagging::delete_object(sh, ctx, input).await,
            "CreateMultipartUpload" => multipart::create(sh, ctx, input).await,
            "UploadPartCopy" => multipart::upload_part_copy(sh, input).await,
            "CompleteMultipartUpload" => multipart::complete(sh, ctx, input).await,
            "AbortMultipartUpload" => multipart::abort(sh, input).await,
            "ListParts" => multipart::list_parts(sh, input),
            "ListMultipartUploads" => listing::list_uploads(sh, input),
            "ListObjects" => listing::list_v1(sh, input),
            "ListObjectsV2" => listing::list_v2(sh, input),
            "ListObjectVersions" => listing::list_versions(sh, input),
            // Streaming operations reached through `call` (peers, or a front
            // door that buffered the body): the body travels base64 in `Body`.
            "PutObject" | "UploadPart" | "GetObject" => {
                let mut input = input.clone();
                let body = input
                    .as_object_mut()
                    .and_then(|o| o.remove("Body"))
                    .and_then(|b| b.as_str().and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok()))
                    .unwrap_or_default();
                let mut stream = BodyStream::from_bytes(body);
                if let Some(len) = input.get("ContentLength").and_then(Value::as_u64) {
                    stream.declared_len = Some(len);
                }
                let out = self.streaming(ctx, input, stream).await?;
                Ok(objects::gather(out).await)
            }
            other => Err(AwsError::new(
                501,
                "NotImplemented",
                format!("The operation {other} of service s3 is not implemented by Stratus yet"),
            )),
        }
    }

    async fn streaming(&self, ctx: &RequestContext, input: Value, body: BodyStream) -> Result<Streamed, AwsError> {
        let sh = &*self.shared;
        match ctx.operation {
            "PutObject" => Ok(Streamed { output: objects::put(sh, ctx, &input, body).await?, body: None }),
            "UploadPart" => Ok(Streamed { output: multipart::upload_part(sh, &input, body).await?, body: None }),
            "GetObject" => objects::read(sh, &input, true),
            other => Err(AwsError::new(501, "NotImplemented", format!("{other} does not stream a payload"))),
        }
    }
}

/// The lifecycle reaper: sweeps every `interval` while the service lives.
fn spawn_reaper(shared: Weak<Shared>, interval: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(sh) = shared.upgrade() else { return };
            let n = lifecycle::sweep(&sh, shared::now()).await;
            if n > 0 {
                tracing::debug!("S3 lifecycle expired {n} objects, versions or uploads");
            }
            restore::complete_due(&sh, shared::now()).await;
            access_log::deliver(&sh).await;
        }
    })
}

#[async_trait]
impl Service for S3 {
    fn name(&self) -> &'static str {
        "s3"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let started = Instant::now();
        let result = match policy_eval::authorize(&self.shared, ctx, &input) {
            Ok(()) => self.dispatch(ctx, &input).await,
            Err(denied) => Err(denied),
        };
        access_log::record(&self.shared, ctx, &input, access_log::Outcome::of(ctx.operation, &result), started);
        result
    }

    async fn call_streaming(&self, ctx: &RequestContext, input: Value, body: BodyStream) -> Result<Streamed, AwsError> {
        let started = Instant::now();
        let logs = &self.shared.access_logs;
        let logged = input.get("Bucket").and_then(Value::as_str).is_some_and(|b| logs.logs(b)).then(|| input.clone());
        let result = match policy_eval::authorize(&self.shared, ctx, &input) {
            Ok(()) => self.streaming(ctx, input, body).await,
            Err(denied) => {
                policy_eval::drain(body).await;
                Err(denied)
            }
        };
        if let Some(input) = logged {
            let summary = result.as_ref().map(|s| s.output.clone()).map_err(Clone::clone);
            access_log::record(&self.shared, ctx, &input, access_log::Outcome::of(ctx.operation, &summary), started);
        }
        result
    }

    fn reset(&self) {
        self.load_caches();
    }

    fn start(&self) {
        let reaper = spawn_reaper(Arc::downgrade(&self.shared), self.reaper_interval);
        let sender = outbox::spawn_sender(Arc::downgrade(&self.shared));
        let replicator = replication::spawn_worker(Arc::downgrade(&self.shared));
        if let Ok(mut t) = self.tasks.lock() {
            t.extend([reaper, sender, replicator]);
        }
    }

    async fn stop(&self) {
        let running: Vec<_> = self.tasks.lock().map(|mut t| t.drain(..).collect()).unwrap_or_default();
        for task in &running {
            task.abort();
        }
        for task in running {
            let _ = task.await;
        }
    }

    fn claims(&self, req: &HttpRequest) -> bool {
        req.path == SWEEP_PATH || website::claims(req) || cors::claims(&self.shared, req) || post::claims(req)
    }

    async fn serve(&self, req: HttpRequest) -> HttpResponse {
        if req.path == SWEEP_PATH {
            return self.sweep_endpoint(&req).await;
        }
        if website::claims(&req) {
            return website::serve(&self.shared, &req).await;
        }
        if post::claims(&req) {
            return post::serve(&self.shared, &req).await;
        }
        cors::preflight(&self.shared, &req)
    }

    fn cors_headers(&self, req: &HttpRequest) -> Option<Vec<(String, String)>> {
        Some(cors::actual_headers(&self.shared, req))
    }
}
