//! Function URLs in InvokeMode RESPONSE_STREAM: the invocation runs with a
//! stream and the HTTP body is streamed as the function writes it. A stream
//! that begins with the HTTP integration prelude (JSON `{statusCode,
//! headers, cookies}`, then 8 NUL bytes) gives the status and headers;
//! any other stream is a 200 whose body is its bytes, typed as the runtime
//! typed its stream. An invocation that
//! ends before its first byte (a buffered answer, a function or init
//! error, a throttle) is handed back to be answered as a buffered URL
//! would; one that fails mid-stream ends the body. The Runtime API caps a
//! streamed response at 20 MB (AWS's soft limit): the body ends there.

use crate::invoke::{self, RunResult};
use crate::resolve::Resolved;
use crate::state::Shared;
use bytes::{Bytes, BytesMut};
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};
use stratus_core::{AwsError, HttpResponse, RequestContext};
use stratus_runtime::ResponseStream;
use tokio::sync::mpsc;

/// The NUL bytes that end the prelude.
const DELIMITER: usize = 8;

/// Bytes held back while they may still be a prelude; past this the
/// stream is taken as a body without one.
const PRELUDE_MAX: usize = 64 * 1024;

/// How a streamed invocation began.
pub enum Begun {
    /// It wrote: the answer, its body streaming on.
    Streaming(HttpResponse),
    /// It ended without writing a byte: its result, for the buffered rendering.
    Ended(Result<RunResult, AwsError>),
}

/// Runs the invocation for a RESPONSE_STREAM URL.
pub async fn invoke(s: &Arc<Shared>, ctx: &RequestContext, res: Resolved, payload: Bytes, arn: String) -> Begun {
    let mut chunks = Chunks::start(s, ctx, res, payload, arn);
    let Some(first) = chunks.next().await else { return Begun::Ended(chunks.result()) };
    let mut head = BytesMut::from(&first[..]);
    let prelude = loop {
        match prelude(&head) {
            Prelude::Pending if head.len() <= PRELUDE_MAX => match chunks.next().await {
                Some(more) => head.extend_from_slice(&more),
                None => break Prelude::Absent,
            },
            Prelude::Pending => break Prelude::Absent,
            decided => break decided,
        }
    };
    let mut resp = match prelude {
        Prelude::Found(meta, len) => {
            let _ = head.split_to(len);
            let mut resp = crate::urls::head(&meta, "application/octet-stream");
            // The body is chunked: a length the function announced no longer holds.
            resp.headers.retain(|(k, _)| {
                !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("transfer-encoding")
            });
            resp
        }
        // Without a prelude, the type the runtime streamed with.
        _ => HttpResponse::new(200, chunks.content_type().unwrap_or("application/octet-stream"), Bytes::new()),
    };
    resp.body = head.freeze();
    resp.stream = Some(chunks.forward());
    Begun::Streaming(resp)
}

type Job = tokio::task::JoinHandle<Result<RunResult, AwsError>>;

/// The chunks a running invocation streams, in order, until it ends.
struct Chunks {
    rx: mpsc::Receiver<Bytes>,
    /// The Content-Type the runtime gave its stream.
    content_type: Arc<OnceLock<String>>,
    job: Job,
    ended: Option<Result<RunResult, AwsError>>,
}

impl Chunks {
    fn start(s: &Arc<Shared>, ctx: &RequestContext, res: Resolved, payload: Bytes, arn: String) -> Chunks {
        let (stream, rx) = ResponseStream::new(16);
        let content_type = stream.content_type.clone();
        let (s, ctx) = (s.clone(), ctx.clone());
        let job = tokio::spawn(async move {
            let call = invoke::Call { payload, client_context: None, stream: Some(stream) };
            invoke::run_with(&s, &ctx, &res, call, &arn, &ctx.request_id).await
        });
        Chunks { rx, content_type, job, ended: None }
    }

    /// The Content-Type the runtime streamed with (set before its first chunk).
    fn content_type(&self) -> Option<&str> {
        self.content_type.get().map(String::as_str)
    }

    /// The next chunk; `None` once the invocation has ended and every
    /// chunk it wrote was taken (they are all queued before it ends).
    async fn next(&mut self) -> Option<Bytes> {
        if self.ended.is_none() {
            tokio::select! {
                biased;
                Some(chunk) = self.rx.recv() => return Some(chunk),
                out = &mut self.job => {
                    self.ended = Some(out.map_err(|e| AwsError::internal(format!("the invocation failed: {e}"))).and_then(|r| r));
                }
            }
        }
        self.rx.try_recv().ok()
    }

    /// The invocation's result, once [`Chunks::next`] has answered `None`.
    fn result(&mut self) -> Result<RunResult, AwsError> {
        self.ended.take().unwrap_or_else(|| Err(AwsError::internal("the invocation has not ended")))
    }

    /// The rest of the chunks as an HTTP body. A client that goes away
    /// stops the forwarding, not the function.
    fn forward(mut self) -> mpsc::Receiver<Bytes> {
        let (tx, rx) = mpsc::channel::<Bytes>(16);
        tokio::spawn(async move {
            while let Some(chunk) = self.next().await {
                if tx.send(chunk).await.is_err() {
                    return;
                }
            }
            if let Some(Ok(out)) = &self.ended
                && let Some(fe) = out.function_error
            {
                tracing::debug!("function URL stream ended by a {fe} function error");
            }
        });
        rx
    }
}

/// What the first bytes of a stream say about a prelude.
#[derive(Debug, PartialEq)]
enum Prelude {
    /// Not decided yet: more bytes are needed.
    Pending,
    Absent,
    /// The prelude's metadata, and how many bytes it takes with its delimiter.
    Found(Map<String, Value>, usize),
}

/// Whether `buf` begins with a JSON object followed by 8 NUL bytes (JSON
/// never holds a raw NUL, so the object's end is the prelude's end).
fn prelude(buf: &[u8]) -> Prelude {
    match buf.first() {
        None => return Prelude::Pending,
        Some(b'{') => {}
        Some(_) => return Prelude::Absent,
    }
    let mut values = serde_json::Deserializer::from_slice(buf).into_iter::<Map<String, Value>>();
    match values.next() {
        Some(Ok(meta)) => {
            let end = values.byte_offset();
            let after = &buf[end..];
            let seen = &after[..after.len().min(DELIMITER)];
            if seen.iter().any(|&b| b != 0) {
                Prelude::Absent
            } else if seen.len() < DELIMITER {
                Prelude::Pending
            } else {
                Prelude::Found(meta, end + DELIMITER)
            }
        }
        Some(Err(e)) if e.is_eof() => Prelude::Pending,
        _ => Prelude::Absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prelude_ends_at_its_eight_nul_bytes() {
        let buf = b"{\"statusCode\":201}\0\0\0\0\0\0\0\0body";
        let Prelude::Found(meta, len) = prelude(buf) else { panic!("no prelude in {buf:?}") };
        assert_eq!(meta.get("statusCode"), Some(&Value::from(201)));
        assert_eq!(&buf[len..], b"body");
    }

    #[test]
    fn a_partial_prelude_waits_for_more() {
        assert_eq!(prelude(b""), Prelude::Pending);
        assert_eq!(prelude(b"{\"statusCode\":2"), Prelude::Pending);
        assert_eq!(prelude(b"{\"statusCode\":200}\0\0\0"), Prelude::Pending);
    }

    #[test]
    fn other_bytes_are_a_body() {
        assert_eq!(prelude(b"hello"), Prelude::Absent);
        assert_eq!(prelude(b"{\"a\":1}\n{\"a\":2}"), Prelude::Absent);
        assert_eq!(prelude(b"{\"a\":1}\0\0x"), Prelude::Absent);
        assert_eq!(prelude(b"{nope"), Prelude::Absent);
        assert_eq!(prelude(b"[1]"), Prelude::Absent);
    }
}
