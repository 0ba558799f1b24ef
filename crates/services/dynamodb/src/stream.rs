//! Stream records: built and written by `db::write_item` in the same store
//! transaction as the change they describe, numbered by a per-table
//! sequence counter (also in that transaction, so per-item order is the
//! commit order). Holds the record shape GetRecords returns.

use serde_json::{Map, Value, json};
use stratus_store::Txn;

use crate::error::DdbError;
use crate::keys::Keys;
use crate::table::TableMeta;
use crate::types::{Item, item_size, item_to_json};

/// Sequence numbers are zero-padded so byte order is numeric order.
pub fn seq_text(n: u64) -> String {
    format!("{n:021}")
}

/// Appends the record for `old` → `new` to the table's current stream.
pub fn append(
    txn: &mut Txn<'_>,
    keys: &Keys,
    meta: &TableMeta,
    old: Option<&Item>,
    new: Option<&Item>,
    by_service: bool,
) -> Result<(), DdbError> {
    let (Some(view), Some(label)) = (&meta.stream_view, &meta.stream_label) else { return Ok(()) };
    let event = match (old, new) {
        (None, Some(_)) => "INSERT",
        (Some(_), Some(_)) => "MODIFY",
        (Some(_), None) => "REMOVE",
        (None, None) => return Ok(()),
    };
    let seq_key = keys.stream_seq(&meta.name);
    let last: u64 = match txn.get(&seq_key)? {
        Some(b) => String::from_utf8_lossy(&b).parse().unwrap_or(0),
        None => 0,
    };
    let seq = last + 1;
    txn.put(seq_key, seq.to_string());
    let any = new.or(old).cloned().unwrap_or_default();
    let mut d = Map::new();
    d.insert("ApproximateCreationDateTime".into(), json!(stratus_core::clock::now_epoch().floor()));
    d.insert("Keys".into(), item_to_json(&meta.key_of(&any)));
    if matches!(view.as_str(), "NEW_IMAGE" | "NEW_AND_OLD_IMAGES")
        && let Some(n) = new
    {
        d.insert("NewImage".into(), item_to_json(n));
    }
    if matches!(view.as_str(), "OLD_IMAGE" | "NEW_AND_OLD_IMAGES")
        && let Some(o) = old
    {
        d.insert("OldImage".into(), item_to_json(o));
    }
    d.insert("SequenceNumber".into(), json!(seq_text(seq)));
    let size = new.map(item_size).unwrap_or(0) + old.map(item_size).unwrap_or(0);
    d.insert("SizeBytes".into(), json!(size.max(1)));
    d.insert("StreamViewType".into(), json!(view));
    let mut r = json!({
        "eventID": uuid::Uuid::new_v4().simple().to_string(),
        "eventName": event,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": keys.region,
        "dynamodb": Value::Object(d),
    });
    if by_service {
        r["userIdentity"] = json!({"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"});
    }
    let mut k = keys.stream_prefix(&meta.name, label);
    k.extend(seq_text(seq).into_bytes());
    txn.put(k, serde_json::to_vec(&r).unwrap_or_default());
    Ok(())
}
