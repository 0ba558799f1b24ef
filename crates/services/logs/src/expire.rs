//! Deleting events that fell out of a group's retention, inside the
//! transaction that noticed them. Reads never return such events (they
//! start at the retention cutoff); this reclaims their space and keeps the
//! group's `storedBytes` honest. A bounded number goes per call; the rest
//! goes on a later write.

use std::ops::Bound;

use stratus_store::{KeyRange, StoreError, Txn};

use crate::keys::event_time_key;
use crate::model::{Event, Stream};

/// Most expired events one transaction deletes from one stream.
pub const MAX_PER_CALL: usize = 10_000;

/// Deletes up to [`MAX_PER_CALL`] events older than `cutoff` from the stream
/// whose event prefix is `events`, and subtracts their bytes from `stream`.
pub fn purge(txn: &mut Txn<'_>, events: &[u8], stream: &mut Stream, cutoff: i64) -> Result<(), StoreError> {
    if cutoff <= 0 {
        return Ok(());
    }
    let range = KeyRange {
        start: Bound::Included(events.to_vec()),
        end: Bound::Excluded(event_time_key(events, cutoff as u64)),
    };
    let expired = txn.scan(range, false, Some(MAX_PER_CALL))?;
    for (key, value) in expired {
        let size = serde_json::from_slice::<Event>(&value).map(|e| Event::size(&e.message)).unwrap_or(0);
        stream.stored_bytes = (stream.stored_bytes - size).max(0);
        txn.delete(key);
    }
    Ok(())
}
