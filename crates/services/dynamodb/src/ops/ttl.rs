//! The TTL reaper: a background task that deletes items whose TTL attribute
//! (epoch seconds) has passed, in every table with TTL enabled. Until it
//! runs, expired items are still returned, as on AWS. Each deletion
//! re-checks the item inside its own transaction. The same sweep trims
//! stream records older than 24 hours.

use std::sync::Weak;
use std::time::Duration;

use stratus_store::Store;

use crate::db::{decode_item, decode_meta, read_item, write_item_as};
use crate::keys::Keys;
use crate::types::AttrValue;

/// Items deleted per table per sweep, so one sweep stays short.
const PER_SWEEP: usize = 1000;

fn expired(v: Option<&AttrValue>, now: f64) -> bool {
    match v {
        Some(AttrValue::N(n)) => n.to_canonical().parse::<f64>().is_ok_and(|t| t > 0.0 && t < now),
        _ => false,
    }
}

/// One pass over every table; returns the number of items deleted.
pub async fn sweep(store: &Store) -> usize {
    let now = stratus_core::clock::now_epoch();
    let Ok(metas) = store.scan_prefix("ddbm/", false, None) else { return 0 };
    let mut deleted = 0;
    for (k, v) in metas {
        let Ok(meta) = decode_meta(&v) else { continue };
        // ddbm/{account}/{region}/{table}
        let key = String::from_utf8_lossy(&k).to_string();
        let parts: Vec<&str> = key.splitn(4, '/').collect();
        if parts.len() != 4 {
            continue;
        }
        let keys = Keys::new(parts[1], parts[2]);
        if let Some(label) = &meta.stream_label {
            trim_stream(store, &keys.stream_prefix(&meta.name, label), now).await;
        }
        let (Some(attr), true) = (meta.ttl_attr.clone(), meta.ttl_enabled) else { continue };
        let Ok(items) = store.scan_prefix(keys.items_prefix(&meta.name), false, None) else { continue };
        let mut victims = Vec::new();
        for (_, b) in items {
            if let Ok(item) = decode_item(&b)
                && expired(item.get(&attr), now)
            {
                victims.push(meta.key_of(&item));
                if victims.len() >= PER_SWEEP {
                    break;
                }
            }
        }
        for key in victims {
            let (keys, meta, attr) = (keys.clone(), meta.clone(), attr.clone());
            let r = store
                .transact(move |txn| {
                    let Some(old) = read_item(txn, &keys, &meta, &key)? else { return Ok(false) };
                    if !expired(old.get(&attr), now) {
                        return Ok(false);
                    }
                    write_item_as(txn, &keys, &meta, Some(&old), None, true)?;
                    Ok::<bool, crate::error::DdbError>(true)
                })
                .await;
            if matches!(r, Ok(true)) {
                deleted += 1;
            }
        }
    }
    deleted
}

/// Deletes stream records past the 24-hour retention (oldest first).
async fn trim_stream(store: &Store, prefix: &[u8], now: f64) {
    let Ok(rows) = store.scan_prefix(prefix, false, Some(PER_SWEEP)) else { return };
    let mut batch = stratus_store::WriteBatch::new();
    for (k, v) in rows {
        let at = serde_json::from_slice::<serde_json::Value>(&v)
            .ok()
            .and_then(|r| r["dynamodb"]["ApproximateCreationDateTime"].as_f64())
            .unwrap_or(now);
        if now - at <= STREAM_RETENTION_SECS {
            break;
        }
        batch.delete(k);
    }
    let _ = store.write(batch).await;
}

/// Stream records are kept this long.
const STREAM_RETENTION_SECS: f64 = 24.0 * 3600.0;

/// Runs `sweep` every `interval` until the service (the only strong
/// holder of `store`) is dropped, so a shut-down server releases its store.
pub fn spawn(store: Weak<Store>, interval: Duration) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let Some(store) = store.upgrade() else { return };
            let n = sweep(&store).await;
            if n > 0 {
                tracing::debug!(deleted = n, "dynamodb ttl sweep");
            }
        }
    });
}
