//! What item operations share: reading the expressions of a request (or
//! their legacy equivalents) with AWS's mixing and unused-substitution
//! checks, ReturnValues handling, ConsumedCapacity arithmetic and rendering,
//! and ItemCollectionMetrics.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use stratus_core::input::Input;

use super::legacy;
use crate::db::{Scope, decode_item, project_for_index};
use crate::error::{DdbError, condition_failed, validation};
use crate::expr::names::Names;
use crate::expr::parser::{Cond, Kind, Path, UpdateAction, parse_condition, parse_projection, parse_update};
use crate::keys::encode_value;
use crate::table::{IndexMeta, TableMeta};
use crate::types::{Item, item_from_json, item_size, item_to_json};

/// The expressions of one request, parsed.
#[derive(Default, Clone)]
pub struct Exprs {
    pub condition: Option<Cond>,
    pub update: Option<Vec<UpdateAction>>,
    pub projection: Option<Vec<Path>>,
    pub filter: Option<Cond>,
    pub key_condition: Option<Cond>,
}

fn mixing(non_expr: &[&str], expr: &[&str]) -> DdbError {
    validation(format!(
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
        non_expr.join(", "),
        expr.join(", ")
    ))
}

/// Parses whichever of the expression members `input` carries (and the
/// legacy members that map onto them), then checks substitutions.
pub fn parse_exprs(input: &Value) -> Result<Exprs, DdbError> {
    let expr_members = [
        "ConditionExpression",
        "UpdateExpression",
        "ProjectionExpression",
        "FilterExpression",
        "KeyConditionExpression",
    ];
    let legacy_members =
        ["Expected", "AttributeUpdates", "AttributesToGet", "QueryFilter", "ScanFilter", "KeyConditions"];
    let substitutions = ["ExpressionAttributeNames", "ExpressionAttributeValues", "ConditionalOperator"];
    // Most requests carry none of these: one pass over their few members
    // instead of a lookup per member name.
    let involved =
        |k: &String| expr_members.iter().chain(&legacy_members).chain(&substitutions).any(|m| *m == k.as_str());
    if input.as_object().is_some_and(|o| !o.keys().any(involved)) {
        return Ok(Exprs::default());
    }
    let used_expr: Vec<&str> =
        expr_members.iter().copied().filter(|m| input.get(*m).is_some_and(|v| !v.is_null())).collect();
    let used_legacy: Vec<&str> =
        legacy_members.iter().copied().filter(|m| input.get(*m).is_some_and(|v| !v.is_null())).collect();
    if !used_expr.is_empty() && !used_legacy.is_empty() {
        return Err(mixing(&used_legacy, &used_expr));
    }
    let mut names = Names::from_input(input)?;
    if used_expr.is_empty() {
        if names.has_names() {
            return Err(validation("ExpressionAttributeNames can only be specified when using expressions"));
        }
        if names.has_values() {
            return Err(validation("ExpressionAttributeValues can only be specified when using expressions"));
        }
    }
    let mut e = Exprs::default();
    if let Some(s) = input.str("UpdateExpression") {
        e.update = Some(parse_update(s, &mut names)?);
    }
    if let Some(s) = input.str("ConditionExpression") {
        e.condition = Some(parse_condition(s, Kind::Condition, &mut names)?);
    }
    if let Some(s) = input.str("KeyConditionExpression") {
        e.key_condition = Some(parse_condition(s, Kind::KeyCondition, &mut names)?);
    }
    if let Some(s) = input.str("FilterExpression") {
        e.filter = Some(parse_condition(s, Kind::Filter, &mut names)?);
    }
    if let Some(s) = input.str("ProjectionExpression") {
        e.projection = Some(parse_projection(s, &mut names)?);
    }
    names.check_unused()?;
    let op = input.str("ConditionalOperator");
    if let Some(exp) = input.get("Expected").filter(|v| !v.is_null()) {
        e.condition = legacy::expected(exp, op)?;
    }
    if let Some(u) = input.get("AttributeUpdates").filter(|v| !v.is_null()) {
        e.update = Some(legacy::attribute_updates(u)?);
    }
    let atg = input.str_list("AttributesToGet");
    if !atg.is_empty() {
        e.projection = Some(atg.into_iter().map(|a| vec![crate::expr::parser::PathElem::Attr(a)]).collect());
    }
    for m in ["QueryFilter", "ScanFilter"] {
        if let Some(f) = input.get(m).filter(|v| !v.is_null()) {
            e.filter = legacy::conditions(f, op)?;
        }
    }
    if let Some(k) = input.get("KeyConditions").filter(|v| !v.is_null()) {
        e.key_condition = legacy::conditions(k, None)?;
    }
    Ok(e)
}

/// Parses the `Key` member.
pub fn key_member(input: &Value) -> Result<Item, DdbError> {
    item_from_json(input.get("Key").unwrap_or(&Value::Null))
}

/// ConditionalCheckFailedException, with the old item when asked for.
pub fn cond_failed(old: Option<&Item>, return_old: bool) -> DdbError {
    let e = condition_failed();
    match old {
        Some(item) if return_old => e.with_field("Item", item_to_json(item)),
        _ => e,
    }
}

/// Write capacity units for an item of `size` bytes: one per KB, at least one.
pub fn write_units(size: usize) -> f64 {
    size.div_ceil(1024).max(1) as f64
}

/// Read capacity units for `size` bytes read: one per 4 KB (at least one),
/// half that when eventually consistent.
pub fn read_units(size: usize, consistent: bool) -> f64 {
    let units = size.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

/// Transactional operations do every read or write twice (prepare, commit).
pub const TRANSACTION_FACTOR: f64 = 2.0;

/// The units one operation consumed on one table: the table's own and those
/// of each secondary index, kept apart because INDEXES itemizes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Units {
    pub table: f64,
    pub gsis: BTreeMap<String, f64>,
    pub lsis: BTreeMap<String, f64>,
}

impl Units {
    pub fn on_table(table: f64) -> Units {
        Units { table, ..Units::default() }
    }

    pub fn total(&self) -> f64 {
        self.table + self.gsis.values().sum::<f64>() + self.lsis.values().sum::<f64>()
    }

    pub fn add(&mut self, other: &Units) {
        self.table += other.table;
        for (mine, theirs) in [(&mut self.gsis, &other.gsis), (&mut self.lsis, &other.lsis)] {
            for (name, u) in theirs {
                *mine.entry(name.clone()).or_insert(0.0) += u;
            }
        }
    }

    /// The units of a ConsumedCapacity entry rendered with INDEXES.
    pub fn from_entry(entry: &Value) -> Units {
        let units = |v: &Value| v.get("CapacityUnits").and_then(Value::as_f64).unwrap_or(0.0);
        let map = |member: &str| -> BTreeMap<String, f64> {
            entry
                .get(member)
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), units(v))).collect())
                .unwrap_or_default()
        };
        Units {
            table: entry.get("Table").map(units).unwrap_or(0.0),
            gsis: map("GlobalSecondaryIndexes"),
            lsis: map("LocalSecondaryIndexes"),
        }
    }
}

/// How a ConsumedCapacity entry names its units. Single-item operations,
/// queries, scans and batches give CapacityUnits alone; transactions also
/// give them as ReadCapacityUnits or WriteCapacityUnits (what DynamoDB
/// answers, per the conformance captures of dynoxide and ExtendDB).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    Plain,
    Read,
    Write,
}

fn arm(units: f64, side: Side) -> Value {
    match side {
        Side::Plain => json!({"CapacityUnits": units}),
        Side::Read => json!({"CapacityUnits": units, "ReadCapacityUnits": units}),
        Side::Write => json!({"CapacityUnits": units, "WriteCapacityUnits": units}),
    }
}

fn arms(m: &BTreeMap<String, f64>, side: Side) -> Value {
    Value::Object(m.iter().map(|(n, u)| (n.clone(), arm(*u, side))).collect::<Map<String, Value>>())
}

/// Whether the request asks for a ConsumedCapacity member.
pub fn wants_consumed(input: &Value) -> bool {
    matches!(input.str("ReturnConsumedCapacity"), Some("TOTAL" | "INDEXES"))
}

/// The ConsumedCapacity entry of `table` as `ReturnConsumedCapacity` asks
/// (TOTAL: the sum; INDEXES: also the table and each index), or None.
pub fn capacity_entry(input: &Value, table: &str, u: &Units, side: Side) -> Option<Value> {
    let kind = input.str("ReturnConsumedCapacity")?;
    if !matches!(kind, "TOTAL" | "INDEXES") {
        return None;
    }
    let mut v = arm(u.total(), side);
    v["TableName"] = json!(table);
    if kind == "INDEXES" {
        v["Table"] = arm(u.table, side);
        if !u.gsis.is_empty() {
            v["GlobalSecondaryIndexes"] = arms(&u.gsis, side);
        }
        if !u.lsis.is_empty() {
            v["LocalSecondaryIndexes"] = arms(&u.lsis, side);
        }
    }
    Some(v)
}

/// The ConsumedCapacity list of a batch or transaction: one entry per table.
pub fn capacity_list(input: &Value, per_table: &BTreeMap<String, Units>, side: Side) -> Option<Value> {
    if !wants_consumed(input) {
        return None;
    }
    Some(Value::Array(per_table.iter().filter_map(|(t, u)| capacity_entry(input, t, u, side)).collect()))
}

/// ConsumedCapacity of a Query or Scan: `units` on the table, or on the
/// index read (under GlobalSecondaryIndexes or LocalSecondaryIndexes).
pub fn read_consumed(input: &Value, meta: &TableMeta, index: Option<&IndexMeta>, units: f64) -> Option<Value> {
    let mut u = Units::default();
    match index {
        Some(ix) if meta.is_lsi(&ix.name) => u.lsis.insert(ix.name.clone(), units),
        Some(ix) => u.gsis.insert(ix.name.clone(), units),
        None => {
            u.table = units;
            None
        }
    };
    capacity_entry(input, &meta.name, &u, Side::Plain)
}

/// Write units each secondary index is charged for replacing `old` by `new`
/// (either may be absent), as DynamoDB charges them: an item entering or
/// leaving the index costs its projected entry; an entry moved to another
/// index key (partition or sort) is a delete plus a put, each rounded on its
/// own; an entry rewritten in place costs the larger of its two images; an
/// update that leaves the entry as it was costs the index nothing, whereas a
/// put that replaces a different item rewrites it all the same.
pub fn index_write_units(meta: &TableMeta, old: Option<&Item>, new: Option<&Item>, replace: bool) -> Units {
    let mut out = Units::default();
    for (ix, is_lsi) in meta.gsis.iter().map(|i| (i, false)).chain(meta.lsis.iter().map(|i| (i, true))) {
        if let Some(u) = one_index_units(meta, ix, old, new, replace) {
            let map = if is_lsi { &mut out.lsis } else { &mut out.gsis };
            map.insert(ix.name.clone(), u);
        }
    }
    out
}

fn index_keys<'a>(ix: &IndexMeta, item: &'a Item) -> Option<Vec<&'a crate::types::AttrValue>> {
    std::iter::once(&ix.hash).chain(ix.range.iter()).map(|k| item.get(&k.name)).collect()
}

fn one_index_units(
    meta: &TableMeta,
    ix: &IndexMeta,
    old: Option<&Item>,
    new: Option<&Item>,
    replace: bool,
) -> Option<f64> {
    let entry = |i: Option<&Item>| {
        let item = i?;
        index_keys(ix, item)?;
        Some(project_for_index(meta, ix, item))
    };
    match (entry(old), entry(new)) {
        (None, None) => None,
        (Some(e), None) | (None, Some(e)) => Some(write_units(item_size(&e))),
        (Some(o), Some(n)) => {
            let (o_size, n_size) = (write_units(item_size(&o)), write_units(item_size(&n)));
            let moved = old.and_then(|i| index_keys(ix, i)) != new.and_then(|i| index_keys(ix, i));
            if moved {
                return Some(o_size + n_size);
            }
            let unchanged = match (replace, old, new) {
                (true, Some(a), Some(b)) => same_item(a, b),
                _ => same_item(&o, &n),
            };
            if unchanged { None } else { Some(o_size.max(n_size)) }
        }
    }
}

fn same_item(a: &Item, b: &Item) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| crate::types::values_equal(v, w)))
}

/// The units of one item write (PutItem, UpdateItem, DeleteItem and their
/// batch, transaction and PartiQL forms): the table is charged the larger
/// of the two images (a missing one counts as empty), the indexes their
/// entries; `transactional` doubles the table's share only.
pub fn item_write_units(
    meta: &TableMeta,
    old: Option<&Item>,
    new: Option<&Item>,
    replace: bool,
    transactional: bool,
) -> Units {
    let size = |i: Option<&Item>| i.map(item_size).unwrap_or(0);
    let factor = if transactional { TRANSACTION_FACTOR } else { 1.0 };
    let mut u = index_write_units(meta, old, new, replace);
    u.table = factor * write_units(size(old).max(size(new)));
    u
}

/// The lock name of the item with key `key` of `meta` (see `locks`).
pub fn item_id(scope: &Scope, meta: &TableMeta, key: &Item) -> crate::locks::ItemId {
    crate::locks::ItemId::new(&scope.account, &scope.region, &meta.name, meta.encode_key(key))
}

/// Whether the request asks for ItemCollectionMetrics and the table has
/// item collections (only tables with local secondary indexes do).
pub fn wants_collection_metrics(input: &Value, meta: &TableMeta) -> bool {
    input.str("ReturnItemCollectionMetrics") == Some("SIZE") && !meta.lsis.is_empty()
}

const GB: f64 = (1u64 << 30) as f64;

/// The ItemCollectionMetrics of the collection `item` belongs to: its
/// partition key and the estimated size range in GB of its items and their
/// local index entries, as whole-GB bounds (`[0.0, 1.0]` under 1 GB).
pub fn collection_metrics(scope: &Scope, meta: &TableMeta, item: &Item) -> Result<Value, DdbError> {
    let mut key = Item::new();
    let mut bytes = 0usize;
    if let Some(v) = item.get(&meta.hash.name) {
        key.insert(meta.hash.name.clone(), v.clone());
        let snap = scope.store.snapshot()?;
        let prefixes = std::iter::once(scope.keys.items_prefix(&meta.name))
            .chain(meta.lsis.iter().map(|ix| scope.keys.index_prefix(&meta.name, &ix.name)));
        for mut prefix in prefixes {
            encode_value(v, &mut prefix);
            for (_, raw) in snap.scan_prefix(&prefix, false, None)? {
                bytes += item_size(&decode_item(&raw)?);
            }
        }
    }
    let low = (bytes as f64 / GB).floor();
    Ok(json!({"ItemCollectionKey": item_to_json(&key), "SizeEstimateRangeGB": [low, low + 1.0]}))
}

/// ItemCollectionMetrics of a batch or transaction: per table, one entry
/// per item collection written to, for tables that have collections.
pub fn collection_metrics_per_table(
    scope: &Scope,
    input: &Value,
    written: &[(std::sync::Arc<TableMeta>, Item)],
) -> Result<Option<Value>, DdbError> {
    if input.str("ReturnItemCollectionMetrics") != Some("SIZE") {
        return Ok(None);
    }
    let mut out: Map<String, Value> = Map::new();
    let mut seen: Vec<(String, Vec<u8>)> = Vec::new();
    for (meta, item) in written {
        let Some(hash) = item.get(&meta.hash.name) else { continue };
        let mut id = Vec::new();
        encode_value(hash, &mut id);
        if meta.lsis.is_empty() || seen.contains(&(meta.name.clone(), id.clone())) {
            continue;
        }
        seen.push((meta.name.clone(), id));
        let m = collection_metrics(scope, meta, item)?;
        if let Value::Array(list) = out.entry(meta.name.clone()).or_insert_with(|| json!([])) {
            list.push(m);
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}
