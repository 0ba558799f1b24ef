//! BatchGetItem (with UnprocessedKeys past 16 MB) and BatchWriteItem with
//! their limits. A BatchWriteItem is
//! applied in one store transaction (stricter than AWS, which only promises
//! per-item atomicity). Under `--enforce-capacity` the requests of a table
//! whose bucket is empty come back unprocessed, and a batch none of whose
//! requests could run fails with ProvisionedThroughputExceededException.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use stratus_core::input::Input;

use super::common::{
    Exprs, Side, Units, capacity_list, collection_metrics_per_table, item_write_units, parse_exprs, read_units,
};
use crate::capacity::{Exhausted, Gate};
use crate::db::{Scope, decode_item, item_key, read_item, write_item};
use crate::error::{DdbError, resource_not_found, validation};
use crate::expr::eval::project;
use crate::table::TableMeta;
use crate::types::{Item, MAX_ITEM_SIZE, item_from_json, item_size, item_to_json};

/// BatchGetItem answers at most this much data at once.
const MAX_BATCH_GET_BYTES: usize = 16 * 1024 * 1024;

fn meta_or_missing(scope: &Scope, name: &str) -> Result<Arc<TableMeta>, DdbError> {
    scope.meta_opt(name)?.ok_or_else(resource_not_found)
}

/// Fails a batch none of whose tables could be served; None when some could
/// (or the batch was empty to begin with).
fn all_throttled(tables: usize, throttled: &[Exhausted]) -> Option<DdbError> {
    (tables > 0 && throttled.len() == tables).then(|| throttled[0].error())
}

pub async fn get(scope: &Scope, input: &Value, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let req = input.get("RequestItems").and_then(Value::as_object).cloned().unwrap_or_default();
    let total: usize = req.values().map(|t| t.list("Keys").len()).sum();
    if total > 100 {
        return Err(validation("Too many items requested for the BatchGetItem call"));
    }
    let mut plans = Vec::new();
    for (name, spec) in &req {
        let meta = meta_or_missing(scope, name)?;
        let Exprs { projection, .. } = parse_exprs(spec)?;
        let mut keys: Vec<Item> = Vec::new();
        for k in spec.list("Keys") {
            let key = item_from_json(k)?;
            meta.check_key(&key)?;
            if keys.iter().any(|x| {
                crate::types::values_equal(
                    &crate::types::AttrValue::M(x.clone()),
                    &crate::types::AttrValue::M(key.clone()),
                )
            }) {
                return Err(validation("Provided list of item keys contains duplicates"));
            }
            keys.push(key);
        }
        plans.push((meta, keys, projection, spec.bool("ConsistentRead").unwrap_or(false)));
    }
    let mut unprocessed = Map::new();
    let mut throttled = Vec::new();
    let tables = plans.len();
    plans.retain(|(meta, ..)| match gate.exhausted(meta, None, false) {
        Some(e) => {
            throttled.push(e);
            unprocessed.insert(meta.name.clone(), req.get(&meta.name).cloned().unwrap_or_else(|| json!({})));
            false
        }
        None => true,
    });
    if let Some(e) = all_throttled(tables, &throttled) {
        return Err(e);
    }
    let snap = scope.store.snapshot()?;
    let mut responses = Map::new();
    let mut units = BTreeMap::new();
    let mut bytes = 0usize;
    for (meta, keys, projection, consistent) in plans {
        let mut items = Vec::new();
        let mut u = 0.0;
        for key in keys {
            // Past 16 MB of response, the rest comes back as UnprocessedKeys.
            if bytes > MAX_BATCH_GET_BYTES {
                let mut spec = req.get(&meta.name).cloned().unwrap_or_else(|| json!({}));
                let entry = unprocessed.entry(meta.name.clone()).or_insert_with(|| {
                    spec["Keys"] = json!([]);
                    spec
                });
                if let Some(Value::Array(list)) = entry.get_mut("Keys") {
                    list.push(item_to_json(&key));
                }
                continue;
            }
            let found = snap.get(item_key(&scope.keys, &meta, &key))?;
            let size = match found {
                Some(b) => {
                    let item = decode_item(&b)?;
                    let size = item_size(&item);
                    bytes += size;
                    let item = match &projection {
                        Some(p) => project(&item, p),
                        None => item,
                    };
                    items.push(item_to_json(&item));
                    size
                }
                None => 0,
            };
            u += read_units(size, consistent);
        }
        units.insert(meta.name.clone(), Units::on_table(u));
        responses.insert(meta.name.clone(), Value::Array(items));
    }
    let mut out = json!({ "Responses": responses, "UnprocessedKeys": unprocessed });
    if let Some(c) = capacity_list(input, &units, Side::Plain) {
        out["ConsumedCapacity"] = c;
    }
    Ok(out)
}

enum WriteReq {
    Put(Item),
    Delete(Item),
}

impl WriteReq {
    /// The item put, or the key deleted.
    fn item(&self) -> &Item {
        match self {
            WriteReq::Put(i) | WriteReq::Delete(i) => i,
        }
    }
}

pub async fn write(scope: &Scope, input: &Value, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let req = input.get("RequestItems").and_then(Value::as_object).cloned().unwrap_or_default();
    let total: usize = req.values().map(|t| t.as_array().map(Vec::len).unwrap_or(0)).sum();
    if total > 25 {
        return Err(validation("Too many items requested for the BatchWriteItem call"));
    }
    let mut plans: Vec<(Arc<TableMeta>, Vec<WriteReq>)> = Vec::new();
    for (name, reqs) in &req {
        let meta = meta_or_missing(scope, name)?;
        let mut list = Vec::new();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for r in reqs.as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let w = if let Some(p) = r.get("PutRequest").filter(|v| !v.is_null()) {
                let item = item_from_json(p.get("Item").unwrap_or(&Value::Null))?;
                meta.check_key(&meta.key_of(&item))?;
                meta.check_item_key(&item)?;
                if item_size(&item) > MAX_ITEM_SIZE {
                    return Err(validation("Item size has exceeded the maximum allowed size"));
                }
                WriteReq::Put(item)
            } else if let Some(d) = r.get("DeleteRequest").filter(|v| !v.is_null()) {
                let key = item_from_json(d.get("Key").unwrap_or(&Value::Null))?;
                meta.check_key(&key)?;
                WriteReq::Delete(key)
            } else {
                return Err(validation(
                    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
                ));
            };
            let k = meta.encode_key(w.item());
            if seen.contains(&k) {
                return Err(validation("Provided list of item keys contains duplicates"));
            }
            seen.push(k);
            list.push(w);
        }
        plans.push((meta, list));
    }
    let mut unprocessed = Map::new();
    let mut throttled = Vec::new();
    let tables = plans.len();
    plans.retain(|(meta, _)| match gate.exhausted(meta, None, true) {
        Some(e) => {
            throttled.push(e);
            unprocessed.insert(meta.name.clone(), req.get(&meta.name).cloned().unwrap_or_else(|| json!([])));
            false
        }
        None => true,
    });
    if let Some(e) = all_throttled(tables, &throttled) {
        return Err(e);
    }
    let written: Vec<(Arc<TableMeta>, Item)> =
        plans.iter().flat_map(|(m, list)| list.iter().map(|w| (m.clone(), w.item().clone()))).collect();
    let keys = scope.keys.clone();
    let units: BTreeMap<String, Units> = scope
        .store
        .transact(move |txn| {
            let mut units = BTreeMap::new();
            for (meta, list) in &plans {
                let mut u = Units::default();
                for w in list {
                    let old = read_item(txn, &keys, meta, w.item())?;
                    let new = match w {
                        WriteReq::Put(item) => Some(item),
                        WriteReq::Delete(_) => None,
                    };
                    u.add(&item_write_units(meta, old.as_ref(), new, new.is_some(), false));
                    write_item(txn, &keys, meta, old.as_ref(), new)?;
                }
                units.insert(meta.name.clone(), u);
            }
            Ok::<_, DdbError>(units)
        })
        .await?;
    let mut out = json!({ "UnprocessedItems": unprocessed });
    if let Some(c) = capacity_list(input, &units, Side::Plain) {
        out["ConsumedCapacity"] = c;
    }
    if let Some(m) = collection_metrics_per_table(scope, input, &written)? {
        out["ItemCollectionMetrics"] = m;
    }
    Ok(out)
}
