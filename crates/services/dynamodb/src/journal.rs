//! The change journal kept while point-in-time recovery is enabled: one
//! record per item change (when, the item before it, and the item's key),
//! trimmed to the recovery period as new changes come in, so a restore to
//! an earlier time can undo the changes made after it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use stratus_store::{Snapshot, Txn};

use crate::db::encode_item;
use crate::error::DdbError;
use crate::keys::Keys;
use crate::table::TableMeta;
use crate::types::{Item, item_from_json};
use crate::wire::WireItem;

/// One item change.
#[derive(Serialize, Deserialize)]
pub struct Change {
    /// When it was made (epoch seconds).
    pub at: f64,
    /// The item before the change; None when it did not exist.
    pub old: Option<Value>,
    /// The key attributes of the item changed.
    pub key: Value,
}

fn wire(item: &Item) -> Value {
    serde_json::to_value(WireItem(item)).unwrap_or(Value::Null)
}

fn decode(b: &[u8]) -> Result<Change, DdbError> {
    serde_json::from_slice(b).map_err(|e| DdbError::internal(format!("corrupt journal record: {e}")))
}

/// Records a change of an item of `meta`'s table when PITR is enabled, in
/// the caller's transaction, and drops the oldest record once it is older
/// than the recovery period.
pub fn record(
    txn: &mut Txn<'_>,
    keys: &Keys,
    meta: &TableMeta,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<(), DdbError> {
    let (Some(pitr), Some(item)) = (&meta.pitr, old.or(new)) else { return Ok(()) };
    let now = stratus_core::clock::now_epoch();
    let seq_key = keys.journal_seq(&meta.name);
    let seq = txn.get(&seq_key)?.and_then(|b| String::from_utf8_lossy(&b).parse::<u64>().ok()).unwrap_or(0) + 1;
    txn.put(seq_key, seq.to_string());
    let prefix = keys.journal_prefix(&meta.name);
    if let Some((k, v)) = txn.scan_prefix(&prefix, false, Some(1))?.into_iter().next()
        && decode(&v)?.at < now - pitr.days as f64 * 86400.0
    {
        txn.delete(k);
    }
    let change = Change { at: now, old: old.map(wire), key: wire(&meta.key_of(item)) };
    let mut key = prefix;
    key.extend_from_slice(format!("{seq:020}").as_bytes());
    txn.put(key, serde_json::to_vec(&change).unwrap_or_default());
    Ok(())
}

/// Turns `items` (stored item bytes by encoded key, as of `snap`) back into
/// the table as it was at `at`, by undoing the journal's later changes,
/// newest first.
pub fn rewind(
    snap: &Snapshot,
    keys: &Keys,
    meta: &TableMeta,
    items: &mut BTreeMap<Vec<u8>, Vec<u8>>,
    at: f64,
) -> Result<(), DdbError> {
    let records = snap.scan_prefix(keys.journal_prefix(&meta.name), true, None)?;
    for (_, raw) in records {
        let c = decode(&raw)?;
        if c.at <= at {
            break;
        }
        let key = meta.encode_key(&item_from_json(&c.key)?);
        match c.old {
            Some(old) => items.insert(key, encode_item(&item_from_json(&old)?)),
            None => items.remove(&key),
        };
    }
    Ok(())
}
