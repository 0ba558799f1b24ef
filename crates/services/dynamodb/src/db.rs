//! Item storage on the store: loading table metadata and items, and writing
//! an item together with its index entries inside one transaction (so an
//! item and its GSI/LSI entries always commit atomically).

use std::sync::{Arc, Weak};

use crate::locks::ItemLocks;
use serde_json::Value;
use stratus_core::{DecodedCache, RequestContext};
use stratus_store::{Snapshot, Store, Txn};

use crate::error::{DdbError, no_table};
use crate::keys::{Keys, encode_value};
use crate::table::{IndexMeta, TableMeta};
use crate::types::{Item, item_from_json};

/// What every call of a service shares.
#[derive(Clone, Default)]
pub struct Shared {
    /// Items held by transactions in flight.
    pub locks: ItemLocks,
    /// Decoded table metadata.
    pub metas: DecodedCache<TableMeta>,
    /// Held only by the service: background work (index builds) stops once
    /// the service is dropped, so it never keeps a closed server's store.
    alive: Arc<()>,
}

impl Shared {
    /// A handle that lives as long as the service does.
    pub fn liveness(&self) -> Weak<()> {
        Arc::downgrade(&self.alive)
    }
}

/// What one call works with.
pub struct Scope {
    pub store: Store,
    pub keys: Keys,
    pub account: String,
    pub region: String,
    /// Items held by transactions in flight.
    pub locks: ItemLocks,
    metas: DecodedCache<TableMeta>,
    /// See [`Shared::liveness`].
    pub alive: Weak<()>,
}

impl Scope {
    pub fn new(store: &Store, shared: &Shared, ctx: &RequestContext) -> Scope {
        Scope {
            store: store.clone(),
            keys: Keys::new(&ctx.account_id, &ctx.region),
            account: ctx.account_id.clone(),
            region: ctx.region.clone(),
            locks: shared.locks.clone(),
            metas: shared.metas.clone(),
            alive: shared.liveness(),
        }
    }

    pub fn table_arn(&self, name: &str) -> String {
        stratus_core::arn::arn("dynamodb", &self.region, &self.account, &format!("table/{name}"))
    }

    /// Table metadata, or None.
    pub fn meta_opt(&self, name: &str) -> Result<Option<Arc<TableMeta>>, DdbError> {
        let key = self.keys.meta(name);
        self.metas.load(&self.store, &key, decode_meta)
    }

    /// Table metadata for a data-plane call (missing → "Cannot do operations on a non-existent table").
    pub fn meta(&self, name: &str) -> Result<Arc<TableMeta>, DdbError> {
        self.meta_opt(name)?.ok_or_else(|| missing_table(name))
    }

    /// [`Scope::meta`] as of `snap`, for a read that takes the item from
    /// the same snapshot.
    pub fn meta_in(&self, snap: &Snapshot, name: &str) -> Result<Arc<TableMeta>, DdbError> {
        let key = self.keys.meta(name);
        snap.get(&key)?
            .map(|raw| self.metas.get(&key, raw, decode_meta))
            .transpose()?
            .ok_or_else(|| missing_table(name))
    }
}

/// Why a data-plane call names no table: a name no table can have is the
/// ValidationException AWS answers (PutItem on `/name`: "... at 'tableName'
/// failed to satisfy constraint: Member must satisfy regular expression
/// pattern: [a-zA-Z0-9_.-]+"); any other name is a missing table.
fn missing_table(name: &str) -> DdbError {
    if name.starts_with("arn:") {
        return no_table();
    }
    crate::ops::tables::check_name(name, "tableName").err().unwrap_or_else(no_table)
}

pub fn decode_meta(b: &[u8]) -> Result<TableMeta, DdbError> {
    let mut m: TableMeta =
        serde_json::from_slice(b).map_err(|e| DdbError::internal(format!("corrupt table metadata: {e}")))?;
    m.raw_hash = fnv(b);
    Ok(m)
}

/// FNV-1a, for cheap change detection of stored records.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

pub fn encode_meta(m: &TableMeta) -> Vec<u8> {
    serde_json::to_vec(m).unwrap_or_default()
}

pub fn decode_item(b: &[u8]) -> Result<Item, DdbError> {
    item_from_json(&decode_item_wire(b)?)
}

/// A stored item as the wire JSON it was written as (see `encode_item`).
pub fn decode_item_wire(b: &[u8]) -> Result<Value, DdbError> {
    serde_json::from_slice(b).map_err(|e| DdbError::internal(format!("corrupt item: {e}")))
}

pub fn encode_item(item: &Item) -> Vec<u8> {
    serde_json::to_vec(&crate::wire::WireItem(item)).unwrap_or_default()
}

pub fn item_key(keys: &Keys, meta: &TableMeta, item: &Item) -> Vec<u8> {
    let mut k = keys.items_prefix(&meta.name);
    k.extend(meta.encode_key(item));
    k
}

/// The index entry key of `item` in `ix`, or None when the item lacks the index keys.
pub fn index_key(keys: &Keys, meta: &TableMeta, ix: &IndexMeta, item: &Item) -> Option<Vec<u8>> {
    let mut k = keys.index_prefix(&meta.name, &ix.name);
    encode_value(item.get(&ix.hash.name)?, &mut k);
    if let Some(r) = &ix.range {
        encode_value(item.get(&r.name)?, &mut k);
    }
    k.extend(meta.encode_key(item));
    Some(k)
}

/// The attributes of `item` that `ix` projects.
pub fn project_for_index(meta: &TableMeta, ix: &IndexMeta, item: &Item) -> Item {
    match ix.projection_type.as_str() {
        "ALL" => item.clone(),
        other => {
            let mut out = meta.key_of(item);
            for ka in std::iter::once(&ix.hash).chain(ix.range.iter()) {
                if let Some(v) = item.get(&ka.name) {
                    out.insert(ka.name.clone(), v.clone());
                }
            }
            if other == "INCLUDE" {
                for n in &ix.non_key {
                    if let Some(v) = item.get(n) {
                        out.insert(n.clone(), v.clone());
                    }
                }
            }
            out
        }
    }
}

/// Replaces `old` by `new` (either may be absent) with its index entries
/// and its stream record, all in the caller's transaction.
pub fn write_item(
    txn: &mut Txn<'_>,
    keys: &Keys,
    meta: &TableMeta,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<(), DdbError> {
    write_item_as(txn, keys, meta, old, new, false)
}

/// `write_item`, with `by_service` marking changes DynamoDB itself made
/// (TTL deletions) in the stream record's userIdentity.
pub fn write_item_as(
    txn: &mut Txn<'_>,
    keys: &Keys,
    meta: &TableMeta,
    old: Option<&Item>,
    new: Option<&Item>,
    by_service: bool,
) -> Result<(), DdbError> {
    // The table as of this transaction: gone means the write is refused; a
    // changed definition (an index or stream added meanwhile) is re-read so
    // the new index and stream get this change too.
    let fresh;
    let meta = match txn.get(keys.meta(&meta.name))? {
        None => return Err(no_table()),
        Some(b) if fnv(&b) == meta.raw_hash => meta,
        Some(b) => {
            fresh = decode_meta(&b)?;
            &fresh
        }
    };
    crate::stream::append(txn, keys, meta, old, new, by_service)?;
    if old.is_some() || new.is_some() {
        let size = |i: Option<&Item>| i.map(crate::types::item_size).unwrap_or(0) as i64;
        let dc = i64::from(new.is_some()) - i64::from(old.is_some());
        add_stats(txn, keys.stats(&meta.name), dc, size(new) - size(old))?;
        crate::journal::record(txn, keys, meta, old, new)?;
    }
    for ix in meta.live_indexes() {
        let (mut dc, mut db) = (0i64, 0i64);
        // The old entry may not exist yet while a new index is backfilled.
        if let Some(o) = old
            && let Some(k) = index_key(keys, meta, ix, o)
            && txn.contains(&k)?
        {
            txn.delete(k);
            dc -= 1;
            db -= crate::types::item_size(&project_for_index(meta, ix, o)) as i64;
        }
        if let Some(n) = new
            && let Some(k) = index_key(keys, meta, ix, n)
        {
            let entry = project_for_index(meta, ix, n);
            dc += 1;
            db += crate::types::item_size(&entry) as i64;
            txn.put(k, encode_item(&entry));
        }
        if dc != 0 || db != 0 {
            add_stats(txn, keys.index_stats(&meta.name, &ix.name), dc, db)?;
        }
    }
    match (new, old) {
        (Some(n), _) => txn.put(item_key(keys, meta, n), encode_item(n)),
        (None, Some(o)) => txn.delete(item_key(keys, meta, o)),
        (None, None) => {}
    }
    Ok(())
}

/// Reads the current item with `key` inside a transaction.
pub fn read_item(txn: &Txn<'_>, keys: &Keys, meta: &TableMeta, key: &Item) -> Result<Option<Item>, DdbError> {
    match txn.get(item_key(keys, meta, key))? {
        Some(b) => Ok(Some(decode_item(&b)?)),
        None => Ok(None),
    }
}

/// Adds to a `{count} {bytes}` stats record inside the transaction.
pub fn add_stats(txn: &mut Txn<'_>, key: String, count: i64, bytes: i64) -> Result<(), DdbError> {
    let (c, b) = read_stats(txn.get(&key)?.as_deref());
    txn.put(key, format!("{} {}", (c + count).max(0), (b + bytes).max(0)));
    Ok(())
}

/// Parses a table's `{count} {bytes}` stats record (zeros when absent).
pub fn read_stats(b: Option<&[u8]>) -> (i64, i64) {
    let text = b.map(String::from_utf8_lossy).unwrap_or_default();
    let mut it = text.split(' ').map(|x| x.parse::<i64>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}
