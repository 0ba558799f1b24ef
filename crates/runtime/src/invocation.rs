//! What an invocation carries into an environment and what comes back.

use bytes::Bytes;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;

/// One request for the runtime, as `GET /runtime/invocation/next` hands it out.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub payload: Bytes,
    /// The function's timeout; the deadline starts when the runtime takes the event.
    pub timeout: Duration,
    pub invoked_function_arn: String,
    pub trace_id: String,
    /// Decoded client context JSON, when the caller sent one.
    pub client_context: Option<String>,
    pub cognito_identity: Option<String>,
    /// Where a streamed response (`Lambda-Runtime-Function-Response-Mode:
    /// streaming`) goes chunk by chunk as the runtime writes it; without it
    /// a streamed response is buffered like any other.
    pub stream: Option<ResponseStream>,
}

/// Where a streamed response goes: its chunks as the runtime writes them,
/// and the Content-Type it posted them with (known before the first chunk).
#[derive(Debug, Clone)]
pub struct ResponseStream {
    pub chunks: mpsc::Sender<Bytes>,
    pub content_type: Arc<OnceLock<String>>,
}

impl ResponseStream {
    /// A stream holding up to `capacity` chunks, and the receiving end of its chunks.
    pub fn new(capacity: usize) -> (ResponseStream, mpsc::Receiver<Bytes>) {
        let (chunks, rx) = mpsc::channel(capacity);
        (ResponseStream { chunks, content_type: Arc::default() }, rx)
    }
}

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `POST /runtime/invocation/{id}/response`.
    Response(Bytes),
    /// `POST /runtime/invocation/{id}/error` (a function error).
    Error { body: Bytes, error_type: Option<String> },
    /// `POST /runtime/init/error`, or init ended without reaching `/next`.
    InitError { body: Bytes, error_type: Option<String> },
    /// The deadline passed; the environment was killed.
    Timeout,
    /// Resident memory exceeded the limit; the environment was killed.
    OutOfMemory,
    /// The runtime process exited; the text is like `exit status 1` or `signal: killed`.
    Exited(String),
    /// The response was over the synchronous payload limit.
    ResponseTooLarge(usize),
}

impl Outcome {
    /// Whether the environment can serve another invocation afterwards.
    pub fn keeps_environment(&self) -> bool {
        matches!(self, Outcome::Response(_) | Outcome::Error { .. } | Outcome::ResponseTooLarge(_))
    }
}

/// Init may take this long on demand before the invocation fails (AWS: 10 s).
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
