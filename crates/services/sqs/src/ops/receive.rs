//! ReceiveMessage: picks visible messages (FIFO: in order, never past a
//! group with a message in flight), hides them for the visibility timeout,
//! moves messages past `maxReceiveCount` to the dead-letter queue, and long
//! polls (waking as soon as a send reaches the queue). On FIFO queues a
//! `ReceiveRequestAttemptId` retried within five minutes replays what its
//! first receive handed out (`attempts`).

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;
use tokio::time::Instant;

use crate::attempts::{Attempt, Handed};
use crate::checks;
use crate::digest::md5_of_attributes;
use crate::error::{invalid_param, no_queue};
use crate::messages::{self, nonce, parse_receipt, receipt_handle};
use crate::model::{Message, Queue, State, Timers, decode, encode};
use crate::ops::now_ms;
use crate::scope::{QueueRef, Scope};
use crate::seq;

/// How many messages one receive looks at before giving up on finding more.
const SCAN_LIMIT: usize = 5000;

/// What the caller asked to see of each message.
struct View {
    system: Vec<String>,
    user: Vec<String>,
}

fn check_range(input: &Value, name: &str, lo: i64, hi: i64, reason: &str) -> Result<Option<i64>, AwsError> {
    match input.i64(name) {
        Some(n) if !(lo..=hi).contains(&n) => Err(invalid_param(n, name, reason)),
        other => Ok(other),
    }
}

pub async fn receive(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, queue) = s.load(input)?;
    let max = check_range(input, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided.")?.unwrap_or(1);
    let visibility = check_range(input, "VisibilityTimeout", 0, 43_200, "Must be >= 0 and <= 43200, if provided.")?;
    let wait = check_range(input, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20, if provided.")?
        .unwrap_or_else(|| queue.wait_seconds());
    let mut system = input.str_list("AttributeNames");
    system.extend(input.str_list("MessageSystemAttributeNames"));
    let view = View { system, user: input.str_list("MessageAttributeNames") };
    let attempt_id = attempt_id(input, &queue)?;
    if let Some(id) = &attempt_id
        && let Some(got) = replay(s, &q, id, visibility).await?
    {
        return Ok(render(got, &view));
    }
    let deadline = Instant::now() + Duration::from_secs(wait.max(0) as u64);
    let notify = s.shared.waiters.get(&q.key());
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let (got, raced) = attempt(s, &q, max as usize, visibility).await?;
        let now = Instant::now();
        if !got.is_empty() || now >= deadline {
            if let Some(id) = &attempt_id {
                remember(s, &q, id, &got);
            }
            return Ok(render(got, &view));
        }
        if raced {
            // Other receivers took what this pass saw; look again at once.
            continue;
        }
        let nap = (deadline - now).min(Duration::from_millis(250));
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(nap) => {}
        }
    }
}

/// The validated `ReceiveRequestAttemptId` of a receive from a FIFO queue
/// (standard queues ignore it).
fn attempt_id(input: &Value, queue: &Queue) -> Result<Option<String>, AwsError> {
    let Some(id) = input.str("ReceiveRequestAttemptId").filter(|_| queue.fifo) else { return Ok(None) };
    checks::token(id, "ReceiveRequestAttemptId")?;
    Ok(Some(id.to_string()))
}

fn not_retryable(id: &str) -> AwsError {
    invalid_param(
        id,
        "ReceiveRequestAttemptId",
        "The receiveRequestAttemptId is not valid anymore since the receive call is not retryable.",
    )
}

/// Records what a receive with an attempt id handed out.
fn remember(s: &Scope, q: &QueueRef, id: &str, got: &[Message]) {
    if got.is_empty() {
        return;
    }
    let handed = got
        .iter()
        .filter_map(|m| {
            let (seq, nonce) = parse_receipt(m.receipt.as_deref()?)?;
            Some(Handed { key: q.keys.message(&q.name, seq), nonce, visible_at_ms: m.visible_at_ms })
        })
        .collect();
    s.shared.attempts.put(&q.key(), id, Attempt { at_ms: now_ms(), handed });
}

/// A retry of attempt `id`: the same messages with the same receipt
/// handles, their visibility timeout restarted; None when the id is new
/// (or its five minutes are over); an error when one of its messages was
/// deleted, had its visibility changed or was received again since.
async fn replay(s: &Scope, q: &QueueRef, id: &str, visibility: Option<i64>) -> Result<Option<Vec<Message>>, AwsError> {
    let now = now_ms();
    let Some(attempt) = s.shared.attempts.get(&q.key(), id, now) else { return Ok(None) };
    let (qr, owned_id) = (q.clone(), id.to_string());
    let (got, handed) = s
        .store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(qr.key())? else { return Err(no_queue()) };
            let queue: Queue = decode("queue", &bytes)?;
            let vis_ms = visibility.unwrap_or_else(|| queue.visibility_timeout()) * 1000;
            let mut got = Vec::new();
            let mut handed = Vec::new();
            for h in &attempt.handed {
                let Some(bytes) = txn.get(&h.key)? else { return Err(not_retryable(&owned_id)) };
                let mut m: Message = decode("message", &bytes)?;
                if m.receipt.as_deref() != Some(h.nonce.as_str()) || m.visible_at_ms != h.visible_at_ms {
                    return Err(not_retryable(&owned_id));
                }
                m.visible_at_ms = now + vis_ms;
                txn.put(h.key.clone(), encode(&m));
                handed.push(Handed { visible_at_ms: m.visible_at_ms, ..h.clone() });
                let seq = crate::keys::message_seq(&h.key).unwrap_or(0);
                m.receipt = Some(receipt_handle(seq, &h.nonce));
                got.push(m);
            }
            Ok((got, handed))
        })
        .await?;
    s.shared.attempts.refresh(&q.key(), id, handed);
    Ok(Some(got))
}

/// One pass: finds candidates in a snapshot that no concurrent receive is
/// handing out, then takes them in a transaction that re-checks each one. Also says whether it saw candidates
/// but lost them all to concurrent receivers.
async fn attempt(
    s: &Scope,
    q: &QueueRef,
    max: usize,
    visibility: Option<i64>,
) -> Result<(Vec<Message>, bool), AwsError> {
    let queue = q.load(s.store())?;
    let now = now_ms();
    let retention = queue.retention_seconds();
    let redrive = queue.redrive();
    let mut blocked: HashSet<String> = HashSet::new();
    let mut candidates = Vec::new();
    let mut expired = Vec::new();
    let mut deliverable = 0;
    let mut seen = 0;
    let mut held = s.shared.claims.holder();
    messages::walk(s.store(), q, |key, m: Timers| {
        seen += 1;
        if m.expired(retention, now) {
            expired.push(key);
            return seen < SCAN_LIMIT;
        }
        let group_blocked = queue.fifo && m.group.as_ref().is_some_and(|g| blocked.contains(g));
        match m.state(now) {
            State::Visible if !group_blocked && held.claim(&key) => {
                let to_dlq = redrive.as_ref().is_some_and(|r| m.receive_count >= r.max_receive_count);
                candidates.push(key);
                if !to_dlq {
                    deliverable += 1;
                }
            }
            _ => {
                if let (true, Some(g)) = (queue.fifo, &m.group) {
                    blocked.insert(g.clone());
                }
            }
        }
        deliverable < max && seen < SCAN_LIMIT
    })?;
    if candidates.is_empty() && expired.is_empty() {
        return Ok((Vec::new(), false));
    }
    let had_candidates = !candidates.is_empty();
    let dlq = redrive.as_ref().and_then(|r| s.by_arn(&r.dead_letter_arn).map(|d| (d, r.max_receive_count)));
    let (qr, source_arn) = (q.clone(), q.arn());
    let vis_ms = visibility.unwrap_or_else(|| queue.visibility_timeout()) * 1000;
    let (got, moved) = s
        .store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(qr.key())? else { return Err(no_queue()) };
            let queue: Queue = decode("queue", &bytes)?;
            for key in &expired {
                txn.delete(key.clone());
            }
            let dlq_exists = match &dlq {
                Some((d, _)) => txn.get(d.key())?.is_some(),
                None => false,
            };
            let mut blocked: HashSet<String> = HashSet::new();
            let mut got = Vec::new();
            let mut moved = false;
            for key in &candidates {
                if got.len() >= max {
                    break;
                }
                let Some(bytes) = txn.get(key)? else { continue };
                let mut m: Message = decode("message", &bytes)?;
                let group = m.group.clone().filter(|_| queue.fifo);
                if group.as_ref().is_some_and(|g| blocked.contains(g)) {
                    continue;
                }
                if m.state(now) != State::Visible {
                    if let Some(g) = group {
                        blocked.insert(g);
                    }
                    continue;
                }
                if let (Some((d, max_count)), true) = (&dlq, dlq_exists)
                    && m.receive_count >= *max_count
                {
                    txn.delete(key.clone());
                    m.receive_count = 0;
                    m.first_receive_ms = None;
                    m.receipt = None;
                    m.visible_at_ms = now;
                    m.dlq_source = Some(source_arn.clone());
                    txn.put(d.keys.message(&d.name, seq::next()), encode(&m));
                    moved = true;
                    continue;
                }
                let n = nonce();
                m.receive_count += 1;
                m.first_receive_ms.get_or_insert(now);
                m.visible_at_ms = now + vis_ms;
                m.receipt = Some(n.clone());
                txn.put(key.clone(), encode(&m));
                let seq = crate::keys::message_seq(key).unwrap_or(0);
                m.receipt = Some(receipt_handle(seq, &n));
                got.push(m);
            }
            Ok((got, moved))
        })
        .await?;
    if moved
        && let Some(r) = &redrive
        && let Some(d) = s.by_arn(&r.dead_letter_arn)
    {
        s.shared.waiters.notify(&d.key());
    }
    let raced = had_candidates && got.is_empty() && !moved;
    Ok((got, raced))
}

fn wants(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n == "All" || n == name)
}

fn user_wanted(patterns: &[String], name: &str) -> bool {
    patterns.iter().any(|p| {
        p == "All"
            || p == ".*"
            || p == name
            || p.strip_suffix(".*").is_some_and(|prefix| name.starts_with(&format!("{prefix}.")))
    })
}

fn render(got: Vec<Message>, view: &View) -> Value {
    if got.is_empty() {
        return json!({});
    }
    let msgs: Vec<Value> = got.into_iter().map(|m| render_one(m, view)).collect();
    json!({ "Messages": msgs })
}

fn render_one(m: Message, view: &View) -> Value {
    let mut out = Map::new();
    out.insert("MessageId".into(), Value::from(m.id.clone()));
    out.insert("ReceiptHandle".into(), Value::from(m.receipt.clone().unwrap_or_default()));
    out.insert("MD5OfBody".into(), Value::from(m.md5_body.clone()));
    out.insert("Body".into(), Value::from(m.body.clone()));
    let mut attrs = Map::new();
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v
            && wants(&view.system, name)
        {
            attrs.insert(name.to_string(), Value::from(v));
        }
    };
    put("SenderId", Some(m.sender.clone()));
    put("SentTimestamp", Some(m.sent_ms.to_string()));
    put("ApproximateReceiveCount", Some(m.receive_count.to_string()));
    put("ApproximateFirstReceiveTimestamp", m.first_receive_ms.map(|t| t.to_string()));
    put("MessageGroupId", m.group.clone());
    put("MessageDeduplicationId", m.dedup.clone());
    put("SequenceNumber", m.sequence.clone());
    put("DeadLetterQueueSourceArn", m.dlq_source.clone());
    let trace = m.system.get("AWSTraceHeader").and_then(|v| v.get("StringValue")).and_then(Value::as_str);
    put("AWSTraceHeader", trace.map(str::to_string));
    if !attrs.is_empty() {
        out.insert("Attributes".into(), Value::Object(attrs));
    }
    let user: Map<String, Value> = m.attributes.into_iter().filter(|(name, _)| user_wanted(&view.user, name)).collect();
    if let Some(md5) = md5_of_attributes(&user) {
        out.insert("MD5OfMessageAttributes".into(), Value::from(md5));
        out.insert("MessageAttributes".into(), Value::Object(user));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_name_patterns() {
        let p = vec!["foo.*".to_string(), "exact".to_string()];
        assert!(user_wanted(&p, "foo.bar"));
        assert!(!user_wanted(&p, "foobar"));
        assert!(user_wanted(&p, "exact"));
        assert!(!user_wanted(&p, "other"));
        assert!(user_wanted(&[".*".to_string()], "x"));
        assert!(user_wanted(&["All".to_string()], "x"));
    }
}
