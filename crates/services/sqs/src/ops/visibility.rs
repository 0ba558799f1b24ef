//! DeleteMessage and ChangeMessageVisibility by receipt handle, one message
//! at a time (the batch forms reuse `delete_one` and `change_one`).

use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::{invalid_param, no_queue, not_in_flight, receipt_invalid};
use crate::messages::parse_receipt;
use crate::model::{Message, Queue, State, decode, encode};
use crate::ops::{empty, now_ms};
use crate::scope::{QueueRef, Scope};

pub async fn delete_one(s: &Scope, q: &QueueRef, handle: &str) -> Result<(), AwsError> {
    let (seq, nonce) = parse_receipt(handle).ok_or_else(|| receipt_invalid(handle))?;
    let (qkey, key) = (q.key(), q.keys.message(&q.name, seq));
    let handle = handle.to_string();
    let now = now_ms();
    s.store()
        .transact(move |txn| {
            let Some(qbytes) = txn.get(&qkey)? else { return Err(no_queue()) };
            let queue: Queue = decode("queue", &qbytes)?;
            let Some(bytes) = txn.get(&key)? else { return Ok(()) };
            let m: Message = decode("message", &bytes)?;
            let current = m.receipt.as_deref() == Some(nonce.as_str());
            let in_flight = m.state(now) == State::InFlight;
            if queue.fifo && !(current && in_flight) {
                return Err(invalid_param(&handle, "ReceiptHandle", "The receipt handle has expired."));
            }
            if current {
                txn.delete(key.clone());
            }
            Ok(())
        })
        .await
}

pub async fn delete(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    delete_one(s, &q, input.req_str("ReceiptHandle")?).await?;
    Ok(empty())
}

pub fn check_timeout(timeout: i64) -> Result<(), AwsError> {
    if (0..=43_200).contains(&timeout) {
        return Ok(());
    }
    Err(invalid_param(timeout, "VisibilityTimeout", "Must be between 0 and 43200, if provided."))
}

pub async fn change_one(s: &Scope, q: &QueueRef, handle: &str, timeout: i64) -> Result<(), AwsError> {
    check_timeout(timeout)?;
    let (seq, nonce) = parse_receipt(handle).ok_or_else(|| receipt_invalid(handle))?;
    let (qkey, key) = (q.key(), q.keys.message(&q.name, seq));
    let now = now_ms();
    s.store()
        .transact(move |txn| {
            if txn.get(&qkey)?.is_none() {
                return Err(no_queue());
            }
            let Some(bytes) = txn.get(&key)? else { return Err(not_in_flight()) };
            let mut m: Message = decode("message", &bytes)?;
            if m.receipt.as_deref() != Some(nonce.as_str()) || m.state(now) != State::InFlight {
                return Err(not_in_flight());
            }
            m.visible_at_ms = now + timeout * 1000;
            txn.put(key.clone(), encode(&m));
            Ok(())
        })
        .await?;
    if timeout == 0 {
        s.shared.waiters.notify(&q.key());
    }
    Ok(())
}

pub async fn change(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let handle = input.req_str("ReceiptHandle")?;
    let timeout = input.i64("VisibilityTimeout").unwrap_or(0);
    change_one(s, &q, handle, timeout).await?;
    Ok(empty())
}
