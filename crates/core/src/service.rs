//! The `Service` trait each service crate implements, and the context every
//! call carries. Services see decoded, validated input as JSON values keyed by
//! the model's member names, and return output the same way; they know
//! nothing of HTTP or wire formats.

use crate::http::{HttpRequest, HttpResponse};
use crate::{AwsError, BodyStream, Streamed, Upgrade};
use async_trait::async_trait;
use serde_json::Value;

/// Who is calling, where, and which call this is.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub account_id: String,
    pub region: String,
    /// The access key that signed the request, if it was signed.
    pub access_key: Option<String>,
    /// The service's model name, e.g. `logs`.
    pub service: &'static str,
    /// The operation name, e.g. `CreateLogGroup`.
    pub operation: &'static str,
}

impl RequestContext {
    /// A context for calls made by Stratus itself (tests, internal wiring).
    pub fn internal(service: &'static str, operation: &'static str) -> Self {
        RequestContext {
            request_id: crate::ids::request_id(),
            account_id: crate::DEFAULT_ACCOUNT_ID.to_string(),
            region: crate::DEFAULT_REGION.to_string(),
            access_key: None,
            service,
            operation,
        }
    }
}

/// One event of an event-stream output: the stream member it is (e.g.
/// `sessionUpdate`, `PayloadChunk`) and its model-keyed body.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub member: String,
    pub body: Value,
}

/// Where a streaming operation sends its events; the stream ends when the
/// last sender is dropped.
pub type EventSender = tokio::sync::mpsc::Sender<Event>;

/// One AWS service. Input and output are JSON objects keyed by the model's
/// member names (blobs as base64 strings, timestamps as epoch seconds).
#[async_trait]
pub trait Service: Send + Sync {
    /// The model name of the service (botocore's folder name, e.g. `sts`).
    fn name(&self) -> &'static str;

    /// The operations this service implements; every other operation of the
    /// model answers with the protocol's not-implemented error.
    fn operations(&self) -> &'static [&'static str];

    /// Runs one operation.
    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError>;

    /// Runs an operation whose output is an event stream (e.g. StartLiveTail,
    /// InvokeWithResponseStream): returns the initial output and keeps sending
    /// events on `events` (typically from a spawned task) until it drops it.
    async fn call_stream(&self, ctx: &RequestContext, _input: Value, _events: EventSender) -> Result<Value, AwsError> {
        Err(AwsError::new(
            501,
            "NotImplemented",
            format!("The operation {} of service {} is not implemented by Stratus yet", ctx.operation, ctx.service),
        ))
    }

    /// Runs an operation whose input or output payload is a streaming blob
    /// (S3 PutObject, UploadPart, GetObject): the request body arrives as
    /// `body` instead of inside `input`, and the output may stream too.
    async fn call_streaming(
        &self,
        ctx: &RequestContext,
        _input: Value,
        _body: BodyStream,
    ) -> Result<Streamed, AwsError> {
        Err(AwsError::new(
            501,
            "NotImplemented",
            format!("The operation {} of service {} is not implemented by Stratus yet", ctx.operation, ctx.service),
        ))
    }

    /// Drops in-memory caches after the store was wiped (`/_stratus/reset`).
    fn reset(&self) {}

    /// Starts background work (reapers, queues, pollers) once the server runs
    /// inside its async runtime. Called once, after every service exists.
    fn start(&self) {}

    /// Stops the background work `start` began and waits for it to end, so
    /// the service (and the store it holds) can be dropped at shutdown.
    async fn stop(&self) {}

    /// Whether this service answers `req` directly as a data plane (function
    /// URLs, API invoke URLs), before any AWS API routing. Must be cheap.
    fn claims(&self, _req: &HttpRequest) -> bool {
        false
    }

    /// Answers a request this service `claims`.
    async fn serve(&self, _req: HttpRequest) -> HttpResponse {
        HttpResponse::new(404, "application/json", "{\"message\":\"Not Found\"}")
    }

    /// Whether this service takes `req`, an HTTP upgrade request (e.g. a
    /// WebSocket handshake to an API invoke URL), over. Must be cheap.
    fn claims_upgrade(&self, _req: &HttpRequest) -> bool {
        false
    }

    /// Answers an upgrade request this service claims: a 101 answer makes
    /// the front door hand the connection over through `upgrade`, any other
    /// answer refuses it.
    async fn upgrade(&self, _req: HttpRequest, _upgrade: Upgrade) -> HttpResponse {
        HttpResponse::new(404, "application/json", "{\"message\":\"Not Found\"}")
    }

    /// The CORS headers of this service's answer to `req` (its method, path,
    /// and Host and Origin headers), when the service decides them itself as
    /// S3 does from a bucket's CORS rules; `None` lets the front door allow
    /// any origin.
    fn cors_headers(&self, _req: &HttpRequest) -> Option<Vec<(String, String)>> {
        None
    }
}
