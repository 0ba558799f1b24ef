//! Stream records: built and written by `db::write_item` in the same store
//! transaction as the change they describe, numbered by a per-table
//! sequence counter (also in that transaction, so per-item order is the
//! commit order). Holds the record shape GetRecords returns, and the
//! catalog of the streams a table has had (the enabled one and those
//! disabled less than 24 hours ago) with their trimming.

use std::ops::Bound;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_store::{KeyRange, Store, Txn, WriteBatch};

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

/// Stream records are kept this long, and a disabled stream stays listable
/// and readable this long after it was disabled (AWS: 24 hours).
pub const RETENTION_SECS: f64 = 24.0 * 3600.0;

/// One stream a table has had: the enabled one, or one disabled (turned
/// off, or replaced by a new stream) and kept for 24 hours. Kept at
/// `t/{table}/sd/{label}` until the table is deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamInfo {
    pub label: String,
    pub view: String,
    /// When the stream was found disabled; None while it is enabled.
    #[serde(default)]
    pub disabled: Option<f64>,
    /// The highest sequence number trimmed from it (0: none yet).
    #[serde(default)]
    pub trimmed: u64,
}

impl StreamInfo {
    /// Still listed and readable: enabled, or disabled less than 24 h ago.
    pub fn readable(&self, now: f64) -> bool {
        self.disabled.is_none_or(|at| now - at <= RETENTION_SECS)
    }

    fn key(&self, keys: &Keys, table: &str) -> Vec<u8> {
        let mut k = catalog_prefix(keys, table);
        k.extend(self.label.as_bytes());
        k
    }
}

fn catalog_prefix(keys: &Keys, table: &str) -> Vec<u8> {
    format!("{}sd/", keys.table_prefix(table)).into_bytes()
}

/// Every stream the table has had (readable or not), oldest label first,
/// after bringing the catalog up to date with the table's definition: the
/// enabled stream is added, a stream no longer enabled is stamped disabled
/// (now), and a stream that has records but no entry yet (turned off and on
/// between two looks) is added as disabled. The catalog is refreshed by
/// every Streams call and every reaper pass, so a disabled stream's 24
/// hours start at most one reaper interval late.
pub async fn streams(store: &Store, keys: &Keys, meta: &TableMeta, now: f64) -> Result<Vec<StreamInfo>, DdbError> {
    let mut list: Vec<StreamInfo> = store
        .scan_prefix(catalog_prefix(keys, &meta.name), false, None)?
        .iter()
        .filter_map(|(_, v)| serde_json::from_slice(v).ok())
        .collect();
    let before = list.clone();
    let live = meta.stream_label.as_deref().filter(|_| meta.stream_view.is_some());
    for s in list.iter_mut().filter(|s| s.disabled.is_none() && live != Some(s.label.as_str())) {
        s.disabled = Some(now);
    }
    let labels = labels_with_records(store, keys, &meta.name)?;
    for label in labels.into_iter().chain(meta.stream_label.clone()) {
        if list.iter().any(|s| s.label == label) {
            continue;
        }
        let enabled = live == Some(label.as_str());
        let view = match (&meta.stream_view, enabled) {
            (Some(v), true) => v.clone(),
            _ => first_record_view(store, &keys.stream_prefix(&meta.name, &label))?,
        };
        list.push(StreamInfo { label, view, disabled: (!enabled).then_some(now), trimmed: 0 });
    }
    let mut batch = WriteBatch::new();
    for s in list.iter().filter(|s| !before.contains(s)) {
        batch.put(s.key(keys, &meta.name), serde_json::to_vec(s).unwrap_or_default());
    }
    if !batch.is_empty() {
        store.write(batch).await?;
    }
    list.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(list)
}

/// The labels of the streams that have records, one seek per label.
fn labels_with_records(store: &Store, keys: &Keys, table: &str) -> Result<Vec<String>, DdbError> {
    let prefix = format!("{}s/", keys.table_prefix(table)).into_bytes();
    let end = KeyRange::prefix(&prefix).end;
    let mut from = Bound::Included(prefix.clone());
    let mut labels = Vec::new();
    while let Some((k, _)) = store.scan(KeyRange { start: from, end: end.clone() }, false, Some(1))?.pop() {
        let rest = &k[prefix.len()..];
        let label = String::from_utf8_lossy(rest.split(|b| *b == b'/').next().unwrap_or_default()).to_string();
        let mut label_prefix = prefix.clone();
        label_prefix.extend(label.as_bytes());
        label_prefix.push(b'/');
        from = match KeyRange::prefix(&label_prefix).end {
            Bound::Excluded(next) => Bound::Included(next),
            _ => break,
        };
        labels.push(label);
    }
    Ok(labels)
}

/// The view type a stream's records were written with (a stream without
/// records and without an entry: DynamoDB's default view).
fn first_record_view(store: &Store, prefix: &[u8]) -> Result<String, DdbError> {
    let first = store.scan_prefix(prefix, false, Some(1))?;
    Ok(first
        .first()
        .and_then(|(_, v)| serde_json::from_slice::<Value>(v).ok())
        .and_then(|r| r["dynamodb"]["StreamViewType"].as_str().map(str::to_string))
        .unwrap_or_else(|| "NEW_AND_OLD_IMAGES".into()))
}

/// Seconds since the epoch at which a record was written.
pub fn record_time(v: &[u8]) -> Option<f64> {
    serde_json::from_slice::<Value>(v).ok()?["dynamodb"]["ApproximateCreationDateTime"].as_f64()
}

/// The sequence number a record key ends with.
pub fn key_seq(prefix: &[u8], key: &[u8]) -> u64 {
    key.get(prefix.len()..).and_then(|s| std::str::from_utf8(s).ok()).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Deletes up to `max` of a stream's records older than 24 hours (oldest
/// first) and remembers the last sequence number trimmed; returns how many
/// were deleted.
pub async fn trim(
    store: &Store,
    keys: &Keys,
    table: &str,
    info: &StreamInfo,
    now: f64,
    max: usize,
) -> Result<usize, DdbError> {
    let prefix = keys.stream_prefix(table, &info.label);
    let rows = store.scan_prefix(&prefix, false, Some(max))?;
    let old: Vec<Vec<u8>> = rows
        .into_iter()
        .take_while(|(_, v)| record_time(v).is_some_and(|at| now - at > RETENTION_SECS))
        .map(|(k, _)| k)
        .collect();
    let Some(last) = old.last() else { return Ok(0) };
    let trimmed = StreamInfo { trimmed: key_seq(&prefix, last).max(info.trimmed), ..info.clone() };
    let mut batch = WriteBatch::new();
    batch.put(trimmed.key(keys, table), serde_json::to_vec(&trimmed).unwrap_or_default());
    let n = old.len();
    for k in old {
        batch.delete(k);
    }
    store.write(batch).await?;
    Ok(n)
}
