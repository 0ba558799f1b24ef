//! A queue's messages in the store: scans, counts by state, and receipt
//! handles (`base64("{seq}:{nonce}")`, naming the message and the receive
//! that handed it out).

use base64::Engine;
use serde::de::DeserializeOwned;
use std::ops::Bound;
use stratus_core::AwsError;

use stratus_store::{KeyRange, Store};

use crate::attrs::Counts;
use crate::model::{Message, State, Timers, decode};
use crate::scope::QueueRef;

/// Every message of the queue, in send order, with its key.
pub fn scan(store: &Store, q: &QueueRef, limit: Option<usize>) -> Result<Vec<(Vec<u8>, Message)>, AwsError> {
    let rows = store.scan_prefix(q.keys.messages(&q.name), false, limit)?;
    let mut out = Vec::with_capacity(rows.len());
    for (k, v) in rows {
        out.push((k, decode::<Message>("message", &v)?));
    }
    Ok(out)
}

/// Rows read per store scan by `walk`.
const CHUNK: usize = 64;

/// Calls `f` on the queue's messages in send order, decoded as `T` (a
/// whole `Message`, or only its `Timers`), reading them a chunk at a time,
/// until `f` returns false.
pub fn walk<T: DeserializeOwned>(
    store: &Store,
    q: &QueueRef,
    mut f: impl FnMut(Vec<u8>, T) -> bool,
) -> Result<(), AwsError> {
    let mut range = KeyRange::prefix(q.keys.messages(&q.name));
    loop {
        let rows = store.scan(range.clone(), false, Some(CHUNK))?;
        let full = rows.len() == CHUNK;
        let Some(last) = rows.last().map(|(k, _)| k.clone()) else { return Ok(()) };
        for (k, v) in rows {
            if !f(k, decode::<T>("message", &v)?) {
                return Ok(());
            }
        }
        if !full {
            return Ok(());
        }
        range.start = Bound::Excluded(last);
    }
}

/// The queue's messages counted by state; expired ones are not counted.
pub fn counts(store: &Store, q: &QueueRef, retention: i64, now_ms: i64) -> Result<Counts, AwsError> {
    let mut c = Counts::default();
    let rows = store.scan_prefix(q.keys.messages(&q.name), false, None)?;
    for (_, v) in rows {
        let m: Timers = decode("message", &v)?;
        if m.expired(retention, now_ms) {
            continue;
        }
        match m.state(now_ms) {
            State::Visible => c.visible += 1,
            State::InFlight => c.in_flight += 1,
            State::Delayed => c.delayed += 1,
        }
    }
    Ok(c)
}

pub fn receipt_handle(seq: u64, nonce: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{seq}:{nonce}"))
}

/// `(seq, nonce)` of a receipt handle, or None when it is not one of ours.
pub fn parse_receipt(handle: &str) -> Option<(u64, String)> {
    let raw = base64::engine::general_purpose::STANDARD.decode(handle.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (seq, nonce) = text.split_once(':')?;
    if nonce.is_empty() {
        return None;
    }
    Some((seq.parse().ok()?, nonce.to_string()))
}

/// A fresh nonce for one receive.
pub fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_handles_round_trip() {
        let h = receipt_handle(42, "abc");
        assert_eq!(parse_receipt(&h), Some((42, "abc".to_string())));
        assert_eq!(parse_receipt("garbage"), None);
        assert_eq!(parse_receipt(""), None);
    }
}
