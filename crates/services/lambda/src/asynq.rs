//! Asynchronous (Event) invocations through a durable queue in the store:
//! `lambda/q/{due ms:016}/{id}` → queued event. Invoke writes the event and
//! returns 202 once it is durable; a worker runs due events and applies
//! AWS's retry policy — function errors retried MaximumRetryAttempts times
//! (default 2) after 1 and then 2 minutes; throttles and Stratus errors
//! retried with backoff from 1 s up to 5 min — until the event is older
//! than MaximumEventAgeInSeconds (default 6 hours). Events are delivered at
//! least once: one pending at a restart runs again after it. A success is
//! reported to the OnSuccess destination; a discarded event to the
//! OnFailure destination and the function's dead-letter target.

use crate::destinations;
use crate::eventconfig;
use crate::invoke;
use crate::names::FnRef;
use crate::resolve;
use crate::state::Shared;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use tokio::sync::Notify;

const PREFIX: &str = "lambda/q/";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Queued {
    pub id: String,
    pub account: String,
    pub region: String,
    pub function: String,
    pub qualifier: Option<String>,
    pub invoked_arn: String,
    pub payload_b64: String,
    pub born_ms: i64,
    /// Function-error retries used so far.
    pub retries: u32,
    /// Current throttle/error backoff in ms.
    pub backoff_ms: u64,
    /// Runs of the function so far.
    #[serde(default)]
    pub attempts: u32,
    /// The outcome of the last run, for destination records.
    #[serde(default)]
    pub last: Option<LastRun>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LastRun {
    pub version: String,
    pub function_error: Option<String>,
    pub payload_b64: String,
}

/// The queue's in-memory side: wake-ups and the events being run.
#[derive(Default)]
pub struct Queue {
    pub notify: Notify,
    running: Mutex<HashSet<String>>,
}

fn key(due_ms: i64, id: &str) -> String {
    format!("{PREFIX}{:016}/{id}", due_ms.max(0))
}

fn now_ms() -> i64 {
    stratus_core::clock::now_millis()
}

/// Queues one event durably.
pub async fn enqueue(
    s: &Shared,
    ctx: &RequestContext,
    r: &FnRef,
    invoked_arn: &str,
    payload: &Bytes,
) -> Result<(), AwsError> {
    let q = Queued {
        id: ctx.request_id.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        function: r.name.clone(),
        qualifier: r.qualifier.clone(),
        invoked_arn: invoked_arn.to_string(),
        payload_b64: B64.encode(payload),
        born_ms: now_ms(),
        retries: 0,
        backoff_ms: 1000,
        attempts: 0,
        last: None,
    };
    s.store.put(key(q.born_ms, &q.id), crate::db::encode(&q)).await?;
    s.queue.notify.notify_one();
    Ok(())
}

/// Runs forever: starts due events, sleeps until the next one or a wake-up.
pub async fn worker(s: Arc<Shared>) {
    loop {
        let now = now_ms();
        let mut next_due: Option<i64> = None;
        let items = s.store.scan_prefix(PREFIX, false, Some(256)).unwrap_or_default();
        for (k, v) in items {
            let ks = String::from_utf8_lossy(&k).to_string();
            let due: i64 = ks[PREFIX.len()..].split('/').next().and_then(|d| d.parse().ok()).unwrap_or(0);
            if due > now {
                next_due = Some(due);
                break;
            }
            let Ok(q) = crate::db::decode::<Queued>(&v) else {
                let _ = s.store.delete(k).await;
                continue;
            };
            let fresh = s.queue.running.lock().map(|mut r| r.insert(q.id.clone())).unwrap_or(false);
            if fresh {
                let s2 = s.clone();
                tokio::spawn(async move {
                    let id = q.id.clone();
                    run_one(&s2, ks, q).await;
                    if let Ok(mut r) = s2.queue.running.lock() {
                        r.remove(&id);
                    }
                    s2.queue.notify.notify_one();
                });
            }
        }
        let wait = match next_due {
            Some(d) => Duration::from_millis((d - now).clamp(1, 60_000) as u64),
            None => Duration::from_secs(60),
        };
        let _ = tokio::time::timeout(wait, s.queue.notify.notified()).await;
    }
}

async fn run_one(s: &Arc<Shared>, key_now: String, mut q: Queued) {
    let mut ctx = RequestContext::internal("lambda", "Invoke");
    ctx.account_id = q.account.clone();
    ctx.region = q.region.clone();
    ctx.request_id = q.id.clone();
    let r = FnRef { name: q.function.clone(), qualifier: q.qualifier.clone() };
    let policy = eventconfig::policy(s, &ctx, &r);
    let payload = Bytes::from(B64.decode(&q.payload_b64).unwrap_or_default());
    let age_ms = now_ms() - q.born_ms;
    if age_ms > policy.max_age_s * 1000 {
        tracing::info!(id = q.id, "asynchronous event exceeded its maximum age; discarded");
        report(s, &ctx, &q, &policy, &payload, "EventAgeExceeded").await;
        let _ = s.store.delete(key_now).await;
        return;
    }
    let outcome = match resolve::version(s, &ctx, &r, true) {
        Ok(res) => {
            let out = invoke::run(s, &ctx, &res, payload.clone(), &q.invoked_arn, &q.id, None).await;
            if let Ok(o) = &out {
                q.attempts += 1;
                q.last = Some(LastRun {
                    version: res.version.clone(),
                    function_error: o.function_error.map(str::to_string),
                    payload_b64: B64.encode(&o.payload),
                });
            }
            out
        }
        Err(e) if e.code == "ResourceNotFoundException" => {
            // The function is gone: nothing left to deliver to.
            let _ = s.store.delete(key_now).await;
            return;
        }
        Err(e) => Err(e),
    };
    let mut outcome_condition = None;
    let next_due = match outcome {
        Ok(r) if r.function_error.is_none() => {
            outcome_condition = Some("Success");
            None
        }
        Ok(_) => {
            if q.retries >= policy.max_retries {
                tracing::info!(id = q.id, "asynchronous invocation failed after its retries; discarded");
                outcome_condition = Some("RetriesExhausted");
                None
            } else {
                q.retries += 1;
                Some(now_ms() + 60_000 * q.retries as i64)
            }
        }
        Err(_) => {
            let due = now_ms() + q.backoff_ms as i64;
            q.backoff_ms = (q.backoff_ms * 2).min(300_000);
            Some(due)
        }
    };
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(key_now);
    if let Some(due) = next_due {
        if due - q.born_ms <= policy.max_age_s * 1000 {
            batch.put(key(due, &q.id), crate::db::encode(&q));
        } else {
            outcome_condition = Some("EventAgeExceeded");
        }
    }
    if let Some(condition) = outcome_condition {
        report(s, &ctx, &q, &policy, &payload, condition).await;
    }
    let _ = s.store.write(batch).await;
}

/// Sends the invocation record to the OnSuccess/OnFailure destination and,
/// for a discarded event, the event to the function's dead-letter target.
async fn report(
    s: &Shared,
    ctx: &RequestContext,
    q: &Queued,
    policy: &eventconfig::Policy,
    payload: &[u8],
    condition: &str,
) {
    let last_payload = q.last.as_ref().map(|l| B64.decode(&l.payload_b64).unwrap_or_default()).unwrap_or_default();
    let target = if condition == "Success" { policy.on_success.as_ref() } else { policy.on_failure.as_ref() };
    if let Some(target) = target {
        let version = q.last.as_ref().map(|l| l.version.as_str()).unwrap_or("$LATEST");
        let function_arn = match &q.qualifier {
            Some(_) => q.invoked_arn.clone(),
            None => format!("{}:{version}", crate::names::function_arn(ctx, &q.function)),
        };
        let attempt = destinations::Attempt {
            request_id: &q.id,
            function_arn,
            condition,
            invoke_count: q.attempts,
            request: payload,
            response: q
                .last
                .as_ref()
                .map(|l| (200, l.version.as_str(), l.function_error.as_deref(), last_payload.as_slice())),
        };
        if let Err(e) = destinations::deliver(s, target, &destinations::async_record(&attempt)).await {
            tracing::warn!(id = q.id, "destination {target} failed: {}", e.message);
        }
    }
    if condition == "Success" {
        return;
    }
    let r = FnRef { name: q.function.clone(), qualifier: q.qualifier.clone() };
    let dlq = resolve::version(s, ctx, &r, false)
        .ok()
        .and_then(|res| res.config.get("DeadLetterConfig").and_then(|d| d.str("TargetArn")).map(str::to_string));
    if let Some(dlq) = dlq {
        let message = destinations::error_message(&last_payload);
        if let Err(e) = destinations::dead_letter(s, &dlq, payload, &q.id, &message).await {
            tracing::warn!(id = q.id, "dead-letter target {dlq} failed: {}", e.message);
        }
    }
}
