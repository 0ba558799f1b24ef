//! Invoke: RequestResponse, Event and DryRun; qualifiers and alias routing;
//! admission against concurrency; running the event in a warm or new
//! environment (restored from a SnapStart template when the version has
//! one: `templates`); turning the outcome into AWS's payload, FunctionError,
//! ExecutedVersion and LogResult; START/END/REPORT log lines; metering.

use crate::envs::{self, StartError};
use crate::errors;
use crate::names;
use crate::resolve::{self, Resolved};
use crate::runlog;
use crate::state::Shared;
use base64::Engine;
use bytes::Bytes;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_runtime::environment::InvokeStats;
use stratus_runtime::{Invocation, Outcome};

/// Largest synchronous request payload (6 MB).
pub const MAX_SYNC: usize = 6_291_456;
/// Largest asynchronous request payload (1 MB since 2025).
pub const MAX_ASYNC: usize = 1_048_576;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// InvokeAsync (deprecated): the event in the body (`InvokeArgs`) queued
/// as Invoke with `InvocationType: Event` queues it, with the same checks;
/// AWS answers `Status: 202`.
pub async fn invoke_async(
    s: &Arc<Shared>,
    ctx: &RequestContext,
    input: &Value,
    mut body: stratus_core::BodyStream,
) -> Result<Value, AwsError> {
    let mut args = Vec::new();
    while let Some(chunk) = body.chunk().await {
        args.extend_from_slice(&chunk?);
        // Past the limit Invoke would refuse anyway: stop reading.
        if args.len() > MAX_ASYNC {
            break;
        }
    }
    let as_invoke = json!({ "FunctionName": input.req_str("FunctionName")?, "InvocationType": "Event", "Payload": B64.encode(&args) });
    invoke(s, ctx, &as_invoke).await?;
    Ok(json!({ "Status": 202 }))
}

/// What one run produced, ready for the Invoke response.
pub struct RunResult {
    pub payload: Bytes,
    pub function_error: Option<&'static str>,
    /// This invocation's log text (for `LogType: Tail`).
    pub log_text: String,
}

pub async fn invoke(s: &Arc<Shared>, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    let kind = input.str("InvocationType").unwrap_or("RequestResponse");
    let payload = match input.str("Payload") {
        Some(p) => Bytes::from(B64.decode(p).map_err(|_| {
            AwsError::bad_request("InvalidRequestContentException", "Could not parse request body into json")
        })?),
        None => Bytes::new(),
    };
    check_payload_size(kind, payload.len())?;
    if !payload.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(&payload).is_err() {
        return Err(AwsError::bad_request(
            "InvalidRequestContentException",
            "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value",
        ));
    }
    let client_context = match input.str("ClientContext") {
        Some(c) => Some(B64.decode(c).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(|| {
            AwsError::bad_request(
                "InvalidRequestContentException",
                "Client context must be a valid Base64-encoded JSON object.",
            )
        })?),
        None => None,
    };
    let res = resolve::version(s, ctx, &r, true)?;
    let invoked_arn = names::qualified_arn(ctx, &r.name, r.qualifier.as_deref());
    match kind {
        "DryRun" => Ok(json!({ "StatusCode": 204 })),
        "Event" => {
            crate::asynq::enqueue(s, ctx, &r, &invoked_arn, &payload).await?;
            Ok(json!({ "StatusCode": 202 }))
        }
        _ => {
            let version = res.version.clone();
            let out = run(s, ctx, &res, payload, &invoked_arn, &ctx.request_id, client_context).await?;
            let mut v = json!({
                "StatusCode": 200,
                "Payload": B64.encode(&out.payload),
                "ExecutedVersion": version,
            });
            if let Some(fe) = out.function_error {
                v["FunctionError"] = fe.into();
            }
            if input.str("LogType") == Some("Tail") {
                v["LogResult"] = B64.encode(tail(&out.log_text, 4096)).into();
            }
            Ok(v)
        }
    }
}

/// The request payload limits, in AWS's words: 6 MB for a synchronous
/// invocation, 1 MB for an asynchronous one.
fn check_payload_size(kind: &str, len: usize) -> Result<(), AwsError> {
    if kind == "Event" && len > MAX_ASYNC {
        return Err(errors::too_large(format!(
            "{len} byte payload is too large for the Event invocation type (limit {MAX_ASYNC} bytes)"
        )));
    }
    if len > MAX_SYNC {
        return Err(errors::too_large(format!(
            "Request must be smaller than {MAX_SYNC} bytes for the InvokeFunction operation"
        )));
    }
    Ok(())
}

/// The last `max` bytes of `text`, cut at a character boundary.
pub(crate) fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

fn trace_id() -> String {
    let secs = stratus_core::clock::now_millis() / 1000;
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("Root=1-{secs:08x}-{};Parent={};Sampled=0", &a[..24], &b[..16])
}

/// Runs one invocation synchronously; throttles with 429 when over concurrency.
pub async fn run(
    s: &Arc<Shared>,
    ctx: &RequestContext,
    res: &Resolved,
    payload: Bytes,
    invoked_arn: &str,
    request_id: &str,
    client_context: Option<String>,
) -> Result<RunResult, AwsError> {
    run_with(s, ctx, res, Call { payload, client_context, stream: None }, invoked_arn, request_id).await
}

/// What goes to the runtime with one invocation.
pub struct Call {
    pub payload: Bytes,
    pub client_context: Option<String>,
    /// Where a streamed response goes as the runtime writes it (InvokeWithResponseStream).
    pub stream: Option<stratus_runtime::ResponseStream>,
}

/// As [`run`], with the invocation's stream.
pub async fn run_with(
    s: &Arc<Shared>,
    ctx: &RequestContext,
    res: &Resolved,
    call: Call,
    invoked_arn: &str,
    request_id: &str,
) -> Result<RunResult, AwsError> {
    let Call { payload, client_context, stream } = call;
    let name = res.config.str("FunctionName").unwrap_or("").to_string();
    let _slot = s.counters.admit(&s.store, ctx, &name, res.record.reserved, s.settings.lambda_concurrency as i64)?;
    let timeout_s = res.config.i64("Timeout").unwrap_or(3).max(1) as u64;
    let memory = res.config.i64("MemorySize").unwrap_or(128);
    let key = pool_key(ctx, res);
    let mut log = runlog::RunLog::new(request_id, &res.version);
    let (mut env, fresh) = match s.pool.acquire(&key) {
        Some(env) => (env, false),
        None => match crate::templates::start_env(s, ctx, res, &mut log).await {
            Ok(st) => {
                if let Some(w) = st.warning {
                    log.init_line(w);
                }
                (st.env, true)
            }
            Err(StartError::Internal(e)) => return Err(e),
            Err(StartError::Init { error_type, message }) => {
                let message = message.replace("{rid}", request_id);
                log.finish_failed(&message, memory, &error_type);
                let body = json!({ "errorType": error_type, "errorMessage": message });
                let text = log.text();
                runlog::ship_detached(s, ctx, &res.config, &envs::stream_name(&res.version), log.into_events(), true);
                return Ok(RunResult {
                    payload: Bytes::from(body.to_string()),
                    function_error: Some("Unhandled"),
                    log_text: text,
                });
            }
        },
    };
    let inv = Invocation {
        request_id: request_id.to_string(),
        payload: if payload.is_empty() { Bytes::from_static(b"{}") } else { payload },
        timeout: Duration::from_secs(timeout_s),
        invoked_function_arn: invoked_arn.to_string(),
        trace_id: trace_id(),
        client_context,
        cognito_identity: None,
        stream,
    };
    let begun = runlog::now_ms();
    let (outcome, stats) = env.invoke(inv).await;
    // A spawned runtime's init output may still be in its pipes; a restored
    // one wrote nothing before its first event (its init ran in the template).
    let spawned = fresh && !env.restored();
    let settle = if spawned || !outcome.keeps_environment() { Duration::from_millis(5) } else { Duration::ZERO };
    let lines = env.take_logs(settle).await;
    let (payload, function_error) = shape(&outcome, request_id, timeout_s);
    log.finish(lines, begun, &outcome, &stats, memory, timeout_s);
    let text = log.text();
    let billed = billed_ms(&stats);
    s.meter.record(
        &names::function_arn(ctx, &name),
        res.config.get("Architectures").and_then(|a| a.get(0)).and_then(Value::as_str).unwrap_or("x86_64"),
        memory,
        billed,
    );
    runlog::ship_detached(s, ctx, &res.config, env.label(), log.into_events(), fresh);
    if outcome.keeps_environment() {
        s.pool.release(&key, env);
    }
    Ok(RunResult { payload, function_error, log_text: text })
}

/// The pool key of a version's environments: a new code or configuration
/// revision never reuses an environment of the old one.
pub fn pool_key(ctx: &RequestContext, res: &Resolved) -> String {
    format!(
        "{}/{}/{}/{}/{}/{}",
        ctx.account_id,
        ctx.region,
        res.config.str("FunctionName").unwrap_or(""),
        res.version,
        res.code_hex,
        res.config.str("RevisionId").unwrap_or("")
    )
}

fn billed_ms(stats: &InvokeStats) -> u64 {
    let d = stats.duration + stats.init_duration.unwrap_or_default();
    let restore = stats.billed_restore_duration.map_or(0, |r| (r.as_micros() as u64).div_ceil(1000));
    (d.as_micros() as u64).div_ceil(1000).max(1) + restore
}

/// The Invoke payload and FunctionError for an outcome, as AWS writes them.
fn shape(outcome: &Outcome, rid: &str, timeout_s: u64) -> (Bytes, Option<&'static str>) {
    let err = |t: &str, m: String| Bytes::from(json!({ "errorType": t, "errorMessage": m }).to_string());
    match outcome {
        Outcome::Response(b) => (b.clone(), None),
        Outcome::Error { body, .. } | Outcome::InitError { body, .. } => (body.clone(), Some("Unhandled")),
        Outcome::Timeout => (
            err("Sandbox.Timedout", format!("RequestId: {rid} Error: Task timed out after {timeout_s}.00 seconds")),
            Some("Unhandled"),
        ),
        Outcome::OutOfMemory => (
            err("Runtime.OutOfMemory", format!("RequestId: {rid} Error: Runtime exited with error: signal: killed")),
            Some("Unhandled"),
        ),
        Outcome::Exited(text) => (
            err("Runtime.ExitError", format!("RequestId: {rid} Error: Runtime exited with error: {text}")),
            Some("Unhandled"),
        ),
        Outcome::ResponseTooLarge(n) => (
            err(
                "Function.ResponseSizeTooLarge",
                format!("Response payload size exceeded maximum allowed payload size ({n} bytes)."),
            ),
            Some("Unhandled"),
        ),
    }
}
