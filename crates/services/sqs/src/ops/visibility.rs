//! DeleteMessage and ChangeMessageVisibility by receipt handle. The checks
//! run inside a store transaction (`delete_in`, `change_in`), so the batch
//! forms settle all their entries in one transaction.

use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_store::Txn;

use crate::error::{invalid_param, no_queue, not_in_flight, receipt_invalid};
use crate::messages::parse_receipt;
use crate::model::{Message, Queue, State, decode, encode};
use crate::ops::{empty, now_ms};
use crate::scope::{QueueRef, Scope};

/// The queue record inside a transaction, or QueueDoesNotExist.
pub fn queue_in(txn: &mut Txn<'_>, q: &QueueRef) -> Result<Queue, AwsError> {
    match txn.get(q.key())? {
        Some(bytes) => decode("queue", &bytes),
        None => Err(no_queue()),
    }
}

/// Deletes the message `handle` names, if it is still the latest receive.
pub fn delete_in(txn: &mut Txn<'_>, q: &QueueRef, queue: &Queue, handle: &str, now: i64) -> Result<(), AwsError> {
    let (seq, nonce) = parse_receipt(handle).ok_or_else(|| receipt_invalid(handle))?;
    let key = q.keys.message(&q.name, seq);
    let Some(bytes) = txn.get(&key)? else { return Ok(()) };
    let m: Message = decode("message", &bytes)?;
    let current = m.receipt.as_deref() == Some(nonce.as_str());
    let in_flight = m.state(now) == State::InFlight;
    if queue.fifo && !(current && in_flight) {
        return Err(invalid_param(handle, "ReceiptHandle", "The receipt handle has expired."));
    }
    if current {
        txn.delete(key);
    }
    Ok(())
}

pub async fn delete(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let handle = input.req_str("ReceiptHandle")?.to_string();
    parse_receipt(&handle).ok_or_else(|| receipt_invalid(&handle))?;
    let now = now_ms();
    s.store()
        .transact(move |txn| {
            let queue = queue_in(txn, &q)?;
            delete_in(txn, &q, &queue, &handle, now)
        })
        .await?;
    Ok(empty())
}

pub fn check_timeout(timeout: i64) -> Result<(), AwsError> {
    if (0..=43_200).contains(&timeout) {
        return Ok(());
    }
    Err(invalid_param(timeout, "VisibilityTimeout", "Must be between 0 and 43200, if provided."))
}

/// Sets the visibility of the in-flight message `handle` names.
pub fn change_in(txn: &mut Txn<'_>, q: &QueueRef, handle: &str, timeout: i64, now: i64) -> Result<(), AwsError> {
    check_timeout(timeout)?;
    let (seq, nonce) = parse_receipt(handle).ok_or_else(|| receipt_invalid(handle))?;
    let key = q.keys.message(&q.name, seq);
    let Some(bytes) = txn.get(&key)? else { return Err(not_in_flight()) };
    let mut m: Message = decode("message", &bytes)?;
    if m.receipt.as_deref() != Some(nonce.as_str()) || m.state(now) != State::InFlight {
        return Err(not_in_flight());
    }
    m.visible_at_ms = now + timeout * 1000;
    txn.put(key, encode(&m));
    Ok(())
}

pub async fn change(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let handle = input.req_str("ReceiptHandle")?.to_string();
    let timeout = input.i64("VisibilityTimeout").unwrap_or(0);
    check_timeout(timeout)?;
    let now = now_ms();
    let qr = q.clone();
    s.store()
        .transact(move |txn| {
            queue_in(txn, &qr)?;
            change_in(txn, &qr, &handle, timeout, now)
        })
        .await?;
    if timeout == 0 {
        s.shared.waiters.notify(&q.key());
    }
    Ok(empty())
}
