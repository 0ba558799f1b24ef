//! The notification outbox: every event record S3 owes a queue, topic or
//! function is written to the store (`s3/o/{seq}`) before the request that
//! caused it is answered, and a background sender delivers it, retrying
//! with backoff, and removes it once delivered. Records left by a crash are
//! sent after the restart, so delivery is at least once, as AWS's is.

use serde::{Deserialize, Serialize};
use std::ops::Bound;
use std::sync::Weak;
use std::time::Duration;
use stratus_store::{KeyRange, WriteBatch};
use tokio::task::JoinHandle;

use crate::destinations::{self, Kind};
use crate::shared::Shared;

const PREFIX: &[u8] = b"s3/o/";
/// Records read per pass of the sender.
const PAGE: usize = 256;
/// Retry delays grow from 1 s, doubling, up to 5 minutes.
const MAX_DELAY_MS: i64 = 300_000;
/// A record that failed this many times (about a day) is dropped.
const MAX_ATTEMPTS: u32 = 300;

/// One message owed to a destination.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub kind: Kind,
    pub arn: String,
    pub body: String,
    #[serde(default)]
    attempts: u32,
    /// Epoch milliseconds before which no retry is made.
    #[serde(default)]
    due: i64,
}

impl Pending {
    pub fn new(kind: Kind, arn: String, body: String) -> Pending {
        Pending { kind, arn, body, attempts: 0, due: 0 }
    }
}

fn key(seq: u64) -> Vec<u8> {
    let mut k = PREFIX.to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Records `messages` durably (one write) and wakes the sender.
pub async fn enqueue(sh: &Shared, messages: Vec<Pending>) {
    if messages.is_empty() {
        return;
    }
    let mut batch = WriteBatch::new();
    for m in &messages {
        match serde_json::to_vec(m) {
            Ok(bytes) => batch.put(key(sh.seq.next()), bytes),
            Err(e) => {
                tracing::warn!("S3 notification could not be encoded: {e}");
                continue;
            }
        };
    }
    if let Err(e) = sh.store.write(batch).await {
        tracing::warn!("S3 notifications could not be recorded: {e}");
    }
    sh.outbox_wake.notify_one();
}

/// The delay before retry number `attempts` (1 s, 2 s, 4 s, ... 5 min).
fn backoff_ms(attempts: u32) -> i64 {
    (1000i64 << attempts.saturating_sub(1).min(20)).min(MAX_DELAY_MS)
}

/// Sends every due record once, page by page; returns how long until the
/// next retry falls due (None when nothing waits for one).
async fn pass(sh: &Shared) -> Option<Duration> {
    let mut range = KeyRange::prefix(PREFIX);
    let mut next: Option<i64> = None;
    loop {
        let rows = match sh.store.scan(range.clone(), false, Some(PAGE)) {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!("S3 outbox could not be read: {e}");
                return Some(Duration::from_secs(1));
            }
        };
        let full = rows.len() == PAGE;
        let last = rows.last().map(|(k, _)| k.clone());
        for (k, raw) in rows {
            if let Some(due) = attempt(sh, k, &raw).await {
                next = Some(next.map_or(due, |n| n.min(due)));
            }
        }
        match last {
            Some(k) if full => range.start = Bound::Excluded(k),
            _ => break,
        }
    }
    next.map(|due| Duration::from_millis((due - stratus_core::clock::now_millis()).max(0) as u64))
}

/// Sends one record if it is due: removes it once delivered (or after
/// the last attempt), else schedules its retry; returns when it is next
/// due, if it stays.
async fn attempt(sh: &Shared, k: Vec<u8>, raw: &[u8]) -> Option<i64> {
    let Ok(mut p) = serde_json::from_slice::<Pending>(raw) else {
        let _ = sh.store.delete(k).await;
        return None;
    };
    let now = stratus_core::clock::now_millis();
    if p.due > now {
        return Some(p.due);
    }
    let (written, due) = match destinations::send(&sh.peers, &sh.endpoint, p.kind, &p.arn, &p.body).await {
        Ok(_) => (sh.store.delete(k).await, None),
        Err(e) if p.attempts + 1 >= MAX_ATTEMPTS => {
            tracing::warn!("S3 notification to {} dropped after {} attempts: {e}", p.arn, p.attempts + 1);
            (sh.store.delete(k).await, None)
        }
        Err(e) => {
            p.attempts += 1;
            p.due = now + backoff_ms(p.attempts);
            tracing::debug!("S3 notification to {} failed (attempt {}): {e}", p.arn, p.attempts);
            (sh.store.put(k, serde_json::to_vec(&p).unwrap_or_default()).await, Some(p.due))
        }
    };
    if let Err(e) = written {
        tracing::warn!("S3 outbox could not be updated: {e}");
    }
    due
}

/// The sender: drains the outbox at start (records a crash left behind),
/// then whenever woken or a retry falls due.
pub fn spawn_sender(shared: Weak<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Some(sh) = shared.upgrade() else { return };
            let wait = pass(&sh).await.unwrap_or(Duration::from_secs(60)).min(Duration::from_secs(60));
            let wake = sh.outbox_wake.clone();
            drop(sh);
            let _ = tokio::time::timeout(wait, wake.notified()).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff_ms(1), 1000);
        assert_eq!(backoff_ms(2), 2000);
        assert_eq!(backoff_ms(4), 8000);
        assert_eq!(backoff_ms(40), MAX_DELAY_MS);
    }

    #[test]
    fn records_sort_in_sequence_order() {
        assert!(key(255) < key(256));
    }
}
