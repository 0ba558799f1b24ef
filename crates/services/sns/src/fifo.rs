//! FIFO topics: deduplication (explicit ids or SHA-256 of the message for
//! content-based deduplication) over a 5-minute window, and the topic's
//! increasing sequence numbers.

use crate::keys::Keys;
use crate::model::{decode, encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use stratus_core::AwsError;
use stratus_store::Store;

/// The deduplication window.
const WINDOW_MS: i64 = 5 * 60 * 1000;

#[derive(Serialize, Deserialize)]
struct Seen {
    message_id: String,
    sequence: String,
    expires: i64,
}

/// The deduplication id content-based deduplication uses.
pub fn content_id(message: &str) -> String {
    hex::encode(Sha256::digest(message.as_bytes()))
}

/// What publishing one FIFO message came to.
pub struct Admitted {
    pub message_id: String,
    pub sequence: String,
    /// False when the message repeats one from the last 5 minutes.
    pub fresh: bool,
}

/// Records the message under its deduplication id and gives it the next
/// sequence number, or returns the earlier message's ids for a duplicate.
pub async fn admit(
    store: &Store,
    keys: &Keys,
    topic: &str,
    dedup_id: &str,
    message_id: &str,
) -> Result<Admitted, AwsError> {
    let dedup_key = keys.dedup(topic, dedup_id);
    let dedups = keys.dedups_of(topic);
    let seq_key = keys.seq(topic);
    let message_id = message_id.to_string();
    let now = stratus_core::clock::now_millis();
    store
        .transact(move |txn| {
            if let Some(bytes) = txn.get(&dedup_key)? {
                let seen: Seen = decode(&bytes)?;
                if seen.expires > now {
                    return Ok(Admitted { message_id: seen.message_id, sequence: seen.sequence, fresh: false });
                }
            }
            // Forget a few expired ids so the window does not grow forever.
            for (key, value) in txn.scan_prefix(&dedups, false, Some(16))? {
                if key != dedup_key.as_bytes() && decode::<Seen>(&value).is_ok_and(|s| s.expires <= now) {
                    txn.delete(key);
                }
            }
            let last: u128 = txn
                .get(&seq_key)?
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.parse().ok())
                .unwrap_or(10_000_000_000_000_000_000);
            let next = last + 1;
            let sequence = format!("{next:020}");
            txn.put(seq_key.clone(), sequence.clone().into_bytes());
            let seen = Seen { message_id: message_id.clone(), sequence: sequence.clone(), expires: now + WINDOW_MS };
            txn.put(dedup_key.clone(), encode(&seen));
            Ok::<_, AwsError>(Admitted { message_id: message_id.clone(), sequence, fresh: true })
        })
        .await
}
