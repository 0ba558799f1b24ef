//! One page of a listing: the records under a key prefix after a cursor
//! key, in key order (or reversed), that a filter keeps.

use std::ops::Bound;

use stratus_core::AwsError;
use stratus_store::{KeyRange, Snapshot};

use crate::error::store;
use crate::keys::prefix_end;

/// How many pairs one scan step reads.
const CHUNK: usize = 256;

/// A page of items and, when more follow, the key of the last item.
pub struct Page<T> {
    pub items: Vec<T>,
    pub last_key: Option<Vec<u8>>,
}

/// Up to `limit` items under `prefix` strictly after `after` (in scan
/// order), as `keep` maps them (`None` skips a pair).
pub fn scan<T>(
    snap: &Snapshot,
    prefix: &[u8],
    after: Option<Vec<u8>>,
    reverse: bool,
    limit: usize,
    mut keep: impl FnMut(&[u8], &[u8]) -> Result<Option<T>, AwsError>,
) -> Result<Page<T>, AwsError> {
    let mut items = Vec::new();
    let mut last_key = None;
    let mut cursor = after;
    loop {
        let range = match (&cursor, reverse) {
            (None, false) => {
                KeyRange { start: Bound::Included(prefix.to_vec()), end: Bound::Excluded(prefix_end(prefix)) }
            }
            (Some(c), false) => {
                KeyRange { start: Bound::Excluded(c.clone()), end: Bound::Excluded(prefix_end(prefix)) }
            }
            (None, true) => {
                KeyRange { start: Bound::Included(prefix.to_vec()), end: Bound::Excluded(prefix_end(prefix)) }
            }
            (Some(c), true) => KeyRange { start: Bound::Included(prefix.to_vec()), end: Bound::Excluded(c.clone()) },
        };
        let pairs = snap.scan(range, reverse, Some(CHUNK)).map_err(store)?;
        let exhausted = pairs.len() < CHUNK;
        for (k, v) in &pairs {
            if let Some(item) = keep(k, v)? {
                if items.len() == limit {
                    // One more item exists: the page ends at the last kept key.
                    return Ok(Page { items, last_key });
                }
                items.push(item);
                last_key = Some(k.clone());
            }
        }
        match pairs.last() {
            Some((k, _)) if !exhausted => cursor = Some(k.clone()),
            _ => return Ok(Page { items, last_key: None }),
        }
    }
}
