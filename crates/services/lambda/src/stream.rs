//! InvokeWithResponseStream: runs the invocation with a stream, so a runtime
//! that answers in streaming mode reaches the caller as PayloadChunk events
//! as it writes them (a buffered answer is sent whole when it ends), and
//! ends with InvokeComplete (ErrorCode/ErrorDetails on a function error,
//! including one reported mid-stream; LogResult with LogType Tail).

use crate::invoke;
use crate::names;
use crate::resolve;
use crate::state::Shared;
use base64::Engine;
use bytes::Bytes;
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::input::Input;
use stratus_core::{AwsError, Event, EventSender, RequestContext};
use tokio::sync::mpsc;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const CHUNK: usize = 64 * 1024;

pub async fn invoke(
    s: &Arc<Shared>,
    ctx: &RequestContext,
    input: &Value,
    events: EventSender,
) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    let payload = match input.str("Payload") {
        Some(p) => Bytes::from(B64.decode(p).map_err(|_| {
            AwsError::bad_request("InvalidRequestContentException", "Could not parse request body into json")
        })?),
        None => Bytes::new(),
    };
    if payload.len() > invoke::MAX_SYNC {
        return Err(crate::errors::too_large(format!(
            "Request must be smaller than {} bytes for the InvokeFunction operation",
            invoke::MAX_SYNC
        )));
    }
    let res = resolve::version(s, ctx, &r, true)?;
    let version = res.version.clone();
    let arn = names::qualified_arn(ctx, &r.name, r.qualifier.as_deref());
    if input.str("InvocationType") == Some("DryRun") {
        return Ok(json!({ "StatusCode": 204, "ExecutedVersion": version }));
    }
    let tail = input.str("LogType") == Some("Tail");
    let (stream, mut rx) = stratus_runtime::ResponseStream::new(16);
    let (s2, ctx2) = (s.clone(), ctx.clone());
    let mut job = tokio::spawn(async move {
        let call = invoke::Call { payload, client_context: None, stream: Some(stream) };
        invoke::run_with(&s2, &ctx2, &res, call, &arn, &ctx2.request_id).await
    });
    // Errors before the first chunk (throttling, init failures of the
    // service itself) answer the request, as AWS does.
    let first = tokio::select! {
        biased;
        Some(chunk) = rx.recv() => Started::Chunk(chunk),
        out = &mut job => Started::Done(joined(out)?),
    };
    tokio::spawn(forward(first, rx, job, events, tail));
    Ok(json!({
        "StatusCode": 200,
        "ExecutedVersion": version,
        "ResponseStreamContentType": "application/octet-stream",
    }))
}

type Job = tokio::task::JoinHandle<Result<invoke::RunResult, AwsError>>;

/// How the invocation began: with a streamed chunk, or by ending.
enum Started {
    Chunk(Bytes),
    Done(invoke::RunResult),
}

fn joined(
    out: Result<Result<invoke::RunResult, AwsError>, tokio::task::JoinError>,
) -> Result<invoke::RunResult, AwsError> {
    out.map_err(|e| AwsError::internal(format!("the invocation failed: {e}")))?
}

/// Sends each chunk the runtime streams as a PayloadChunk while the
/// invocation runs, then the whole payload of a buffered response, then
/// InvokeComplete. A caller that goes away stops the forwarding, not the
/// function.
async fn forward(first: Started, mut rx: mpsc::Receiver<Bytes>, mut job: Job, events: EventSender, tail: bool) {
    let out = match first {
        Started::Done(out) => Ok(out),
        Started::Chunk(chunk) => {
            if send_chunk(&events, &chunk).await.is_err() {
                return;
            }
            loop {
                tokio::select! {
                    biased;
                    Some(chunk) = rx.recv() => {
                        if send_chunk(&events, &chunk).await.is_err() {
                            return;
                        }
                    }
                    out = &mut job => break joined(out),
                }
            }
        }
    };
    // Chunks are queued before the invocation ends: take the last of them.
    while let Ok(chunk) = rx.try_recv() {
        if send_chunk(&events, &chunk).await.is_err() {
            return;
        }
    }
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            let done = json!({ "ErrorCode": e.code, "ErrorDetails": e.message });
            let _ = events.send(Event { member: "InvokeComplete".into(), body: done }).await;
            return;
        }
    };
    if out.function_error.is_none() {
        for chunk in out.payload.chunks(CHUNK) {
            if send_chunk(&events, chunk).await.is_err() {
                return;
            }
        }
    }
    let _ = events.send(Event { member: "InvokeComplete".into(), body: complete(&out, tail) }).await;
}

async fn send_chunk(events: &EventSender, chunk: &[u8]) -> Result<(), ()> {
    let ev = Event { member: "PayloadChunk".into(), body: json!({ "Payload": B64.encode(chunk) }) };
    events.send(ev).await.map_err(|_| ())
}

/// The InvokeComplete event: ErrorCode/ErrorDetails on a function error,
/// LogResult (the last 4 KB of the log) with LogType Tail.
fn complete(out: &invoke::RunResult, tail: bool) -> Value {
    let mut done = json!({});
    if let Some(fe) = out.function_error {
        let details: Value = serde_json::from_slice(&out.payload).unwrap_or(Value::Null);
        done["ErrorCode"] = details.str("errorType").unwrap_or(fe).into();
        done["ErrorDetails"] = String::from_utf8_lossy(&out.payload).to_string().into();
    }
    if tail {
        done["LogResult"] = B64.encode(invoke::tail(&out.log_text, 4096)).into();
    }
    done
}
