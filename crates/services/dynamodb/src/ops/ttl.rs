//! The TTL reaper: a background task that deletes items whose TTL attribute
//! (epoch seconds) has passed, in every table with TTL enabled. Until it
//! runs, expired items are still returned, as on AWS. Each deletion
//! re-checks the item inside its own transaction. A pass reads a bounded
//! number of each table's items, resuming where the last pass stopped (a
//! cursor kept in the store), so a large table is covered over several
//! passes instead of being read whole every interval. The same pass keeps
//! the stream catalog current and trims stream records older than 24 hours.

use std::ops::Bound;
use std::sync::Weak;
use std::time::Duration;

use stratus_store::{KeyRange, Store};

use crate::db::{decode_item, decode_meta, read_item, write_item_as};
use crate::error::DdbError;
use crate::keys::Keys;
use crate::table::TableMeta;
use crate::types::AttrValue;

/// Items read per table per pass.
const ITEMS_PER_PASS: usize = 10_000;

/// Stream records trimmed per stream per pass.
const TRIM_PER_PASS: usize = 10_000;

fn expired(v: Option<&AttrValue>, now: f64) -> bool {
    match v {
        Some(AttrValue::N(n)) => n.to_canonical().parse::<f64>().is_ok_and(|t| t > 0.0 && t < now),
        _ => false,
    }
}

/// One pass over every table; returns the number of items deleted.
pub async fn sweep(store: &Store) -> usize {
    sweep_with(store, ITEMS_PER_PASS).await
}

async fn sweep_with(store: &Store, items_per_pass: usize) -> usize {
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
        if meta.stream_label.is_some()
            && let Err(e) = trim_streams(store, &keys, &meta, now).await
        {
            tracing::warn!(table = %meta.name, error = %e.message, "dynamodb stream trim");
        }
        if meta.ttl_enabled && meta.ttl_attr.is_some() {
            match reap_table(store, &keys, &meta, now, items_per_pass).await {
                Ok(n) => deleted += n,
                Err(e) => tracing::warn!(table = %meta.name, error = %e.message, "dynamodb ttl sweep"),
            }
        }
        tokio::task::yield_now().await;
    }
    deleted
}

/// Where the next pass resumes reading a table's items.
fn cursor_key(keys: &Keys, table: &str) -> String {
    format!("{}ttl-cursor", keys.table_prefix(table))
}

/// Reads the next `limit` items of a table after its cursor, deletes the
/// expired ones, and moves the cursor (back to the start at the end).
async fn reap_table(store: &Store, keys: &Keys, meta: &TableMeta, now: f64, limit: usize) -> Result<usize, DdbError> {
    let Some(attr) = meta.ttl_attr.clone() else { return Ok(0) };
    let prefix = keys.items_prefix(&meta.name);
    let cursor_key = cursor_key(keys, &meta.name);
    let start = match store.get(&cursor_key)? {
        Some(after) if after.starts_with(&prefix) => Bound::Excluded(after),
        _ => Bound::Included(prefix.clone()),
    };
    let rows = store.scan(KeyRange { start, end: KeyRange::prefix(&prefix).end }, false, Some(limit))?;
    match rows.last() {
        Some((last, _)) if rows.len() == limit => store.put(cursor_key, last.clone()).await?,
        _ => store.delete(cursor_key).await?,
    }
    let victims: Vec<_> = rows
        .iter()
        .filter_map(|(_, b)| decode_item(b).ok())
        .filter(|item| expired(item.get(&attr), now))
        .map(|item| meta.key_of(&item))
        .collect();
    let mut deleted = 0;
    for key in victims {
        let (keys, meta, attr) = (keys.clone(), meta.clone(), attr.clone());
        let r = store
            .transact(move |txn| {
                let Some(old) = read_item(txn, &keys, &meta, &key)? else { return Ok(false) };
                if !expired(old.get(&attr), now) {
                    return Ok(false);
                }
                write_item_as(txn, &keys, &meta, Some(&old), None, true)?;
                Ok::<bool, DdbError>(true)
            })
            .await;
        if matches!(r, Ok(true)) {
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Brings the table's stream catalog up to date and trims every stream's
/// records older than 24 hours.
async fn trim_streams(store: &Store, keys: &Keys, meta: &TableMeta, now: f64) -> Result<(), DdbError> {
    for info in crate::stream::streams(store, keys, meta, now).await? {
        crate::stream::trim(store, keys, &meta.name, &info, now, TRIM_PER_PASS).await?;
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DynamoDb;
    use serde_json::json;
    use stratus_core::{RequestContext, Service, Settings};

    #[tokio::test]
    async fn a_pass_reads_a_bounded_slice_and_the_next_resumes_after_it() {
        let store = Store::in_memory().expect("store");
        let d = DynamoDb::new(store.clone(), &Settings::default());
        let call = |op: &'static str, input: serde_json::Value| {
            let d = &d;
            async move { d.call(&RequestContext::internal("dynamodb", op), input).await.expect(op) }
        };
        call(
            "CreateTable",
            json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
        )
        .await;
        call(
            "UpdateTimeToLive",
            json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
        )
        .await;
        for i in 0..7 {
            let exp = if i % 2 == 0 { "5" } else { "99999999999" };
            call("PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": format!("k{i}")}, "exp": {"N": exp}}}))
                .await;
        }
        // Items k0..k6; expired: k0 k2 k4 k6. Three items per pass.
        assert_eq!(sweep_with(&store, 3).await, 2); // k0 k1 k2
        assert!(store.get("ddb/000000000000/us-east-1/t/tbl/ttl-cursor").expect("get").is_some());
        assert_eq!(sweep_with(&store, 3).await, 1); // k3 k4 k5
        assert_eq!(sweep_with(&store, 3).await, 1); // k6, then back to the start
        assert!(store.get("ddb/000000000000/us-east-1/t/tbl/ttl-cursor").expect("get").is_none());
        assert_eq!(sweep_with(&store, 3).await, 0);
        let scan = call("Scan", json!({"TableName": "tbl"})).await;
        assert_eq!(scan["Count"], json!(3));
    }
}
