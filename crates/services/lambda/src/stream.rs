//! InvokeWithResponseStream: runs the invocation, then sends its payload as
//! PayloadChunk events and ends with InvokeComplete (ErrorCode/ErrorDetails
//! on a function error, LogResult with LogType Tail). The runtime's
//! response is buffered first, so chunks arrive after the function ends
//! rather than as it writes them.

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
    let out = invoke::run(s, ctx, &res, payload, &arn, &ctx.request_id, None).await?;
    let tail = input.str("LogType") == Some("Tail");
    tokio::spawn(async move {
        if out.function_error.is_none() {
            for chunk in out.payload.chunks(CHUNK) {
                let ev = Event { member: "PayloadChunk".into(), body: json!({ "Payload": B64.encode(chunk) }) };
                if events.send(ev).await.is_err() {
                    return;
                }
            }
        }
        let mut done = json!({});
        if let Some(fe) = out.function_error {
            let details: Value = serde_json::from_slice(&out.payload).unwrap_or(Value::Null);
            done["ErrorCode"] = details.str("errorType").unwrap_or(fe).into();
            done["ErrorDetails"] = String::from_utf8_lossy(&out.payload).to_string().into();
        }
        if tail {
            let text = &out.log_text;
            let start = text.len().saturating_sub(4096);
            let start = (start..text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
            done["LogResult"] = B64.encode(&text[start..]).into();
        }
        let _ = events.send(Event { member: "InvokeComplete".into(), body: done }).await;
    });
    Ok(json!({
        "StatusCode": 200,
        "ExecutedVersion": version,
        "ResponseStreamContentType": "application/octet-stream",
    }))
}
