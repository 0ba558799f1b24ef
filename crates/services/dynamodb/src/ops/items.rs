//! Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem. Each
//! write is a read-check-write inside one store transaction, so conditions
//! hold atomically under concurrent clients.

use serde_json::{Map, Value};
use stratus_core::input::Input;

use super::common::{
    Exprs, Side, Units, capacity_entry, collection_metrics, cond_failed, item_id, item_write_units, key_member,
    parse_exprs, read_units, wants_collection_metrics, wants_consumed,
};
use crate::db::{Scope, read_item, write_item};
use crate::error::{DdbError, invalid, validation};
use crate::expr::eval::{eval, project};
use crate::expr::parser::{Path, PathElem, UpdateAction};
use crate::expr::update::apply;
use crate::types::{Item, MAX_ITEM_SIZE, item_from_json, item_size, item_to_json};

fn return_values(input: &Value, allowed: &[&str]) -> Result<String, DdbError> {
    let rv = input.str("ReturnValues").unwrap_or("NONE").to_string();
    if !allowed.contains(&rv.as_str()) {
        return Err(validation("Return values set to invalid value"));
    }
    Ok(rv)
}

fn return_old_on_failure(input: &Value) -> bool {
    input.str("ReturnValuesOnConditionCheckFailure") == Some("ALL_OLD")
}

/// ConsumedCapacity and ItemCollectionMetrics (`ReturnItemCollectionMetrics=SIZE`
/// on tables with local secondary indexes) of a single-item write.
fn write_metrics(
    out: &mut Map<String, Value>,
    scope: &Scope,
    input: &Value,
    meta: &crate::table::TableMeta,
    key: &Item,
    (old, new): (Option<&Item>, Option<&Item>),
    replace: bool,
) -> Result<(), DdbError> {
    let units = item_write_units(meta, old, new, replace, false);
    if let Some(c) = capacity_entry(input, &meta.name, &units, Side::Plain) {
        out.insert("ConsumedCapacity".into(), c);
    }
    if wants_collection_metrics(input, meta) {
        out.insert("ItemCollectionMetrics".into(), collection_metrics(scope, meta, key)?);
    }
    Ok(())
}

fn attrs_out(out: &mut Map<String, Value>, item: Option<&Item>) {
    if let Some(i) = item
        && !i.is_empty()
    {
        out.insert("Attributes".into(), item_to_json(i));
    }
}

pub async fn put(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let meta = scope.meta(input.req_str("TableName")?)?;
    let item = item_from_json(input.get("Item").unwrap_or(&Value::Null))?;
    meta.check_item_key(&item)?;
    let size = item_size(&item);
    if size > MAX_ITEM_SIZE {
        return Err(validation("Item size has exceeded the maximum allowed size"));
    }
    let rv = return_values(input, &["NONE", "ALL_OLD"])?;
    let Exprs { condition, .. } = parse_exprs(input)?;
    let ret_old = return_old_on_failure(input);
    scope.locks.check_free(&item_id(scope, &meta, &item))?;
    let keys = scope.keys.clone();
    let m2 = meta.clone();
    let item = std::sync::Arc::new(item);
    let new = item.clone();
    let old = scope
        .store
        .transact(move |txn| {
            let old = read_item(txn, &keys, &m2, &new)?;
            if let Some(c) = &condition
                && !eval(old.as_ref().unwrap_or(&Item::new()), c)
            {
                return Err(cond_failed(old.as_ref(), ret_old));
            }
            write_item(txn, &keys, &m2, old.as_ref(), Some(&new))?;
            Ok(old)
        })
        .await?;
    let mut out = Map::new();
    if rv == "ALL_OLD" {
        attrs_out(&mut out, old.as_ref());
    }
    write_metrics(&mut out, scope, input, &meta, &item, (old.as_ref(), Some(&item)), true)?;
    Ok(Value::Object(out))
}

pub async fn get(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    // One snapshot for the table and the item: one read transaction, and
    // the item is read under the definition it was checked against.
    let snap = scope.store.snapshot()?;
    let meta = scope.meta_in(&snap, input.req_str("TableName")?)?;
    let key = key_member(input)?;
    meta.check_key(&key)?;
    let Exprs { projection, .. } = parse_exprs(input)?;
    let raw = snap.get(crate::db::item_key(&scope.keys, &meta, &key))?;
    drop(snap);
    let mut out = Map::new();
    let mut size = 0;
    if let Some(b) = raw {
        // The stored bytes are the item's wire form: without a projection
        // they are the answer, and the typed item is needed only for its size.
        let stored = crate::db::decode_item_wire(&b)?;
        let item = if projection.is_some() || wants_consumed(input) { Some(item_from_json(&stored)?) } else { None };
        size = item.as_ref().map(item_size).unwrap_or(0);
        let wire = match (&projection, item) {
            (Some(p), Some(i)) => item_to_json(&project(&i, p)),
            _ => stored,
        };
        out.insert("Item".into(), wire);
    }
    let units = Units::on_table(read_units(size, input.bool("ConsistentRead").unwrap_or(false)));
    if let Some(c) = capacity_entry(input, &meta.name, &units, Side::Plain) {
        out.insert("ConsumedCapacity".into(), c);
    }
    Ok(Value::Object(out))
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let meta = scope.meta(input.req_str("TableName")?)?;
    let key = key_member(input)?;
    meta.check_key(&key)?;
    let rv = return_values(input, &["NONE", "ALL_OLD"])?;
    let Exprs { condition, .. } = parse_exprs(input)?;
    let ret_old = return_old_on_failure(input);
    scope.locks.check_free(&item_id(scope, &meta, &key))?;
    let keys = scope.keys.clone();
    let m2 = meta.clone();
    let key_copy = key.clone();
    let old = scope
        .store
        .transact(move |txn| {
            let old = read_item(txn, &keys, &m2, &key)?;
            if let Some(c) = &condition
                && !eval(old.as_ref().unwrap_or(&Item::new()), c)
            {
                return Err(cond_failed(old.as_ref(), ret_old));
            }
            write_item(txn, &keys, &m2, old.as_ref(), None)?;
            Ok(old)
        })
        .await?;
    let mut out = Map::new();
    if rv == "ALL_OLD" {
        attrs_out(&mut out, old.as_ref());
    }
    write_metrics(&mut out, scope, input, &meta, &key_copy, (old.as_ref(), None), false)?;
    Ok(Value::Object(out))
}

fn action_path(a: &UpdateAction) -> &Path {
    match a {
        UpdateAction::Set(p, _) | UpdateAction::Remove(p) | UpdateAction::Add(p, _) | UpdateAction::Delete(p, _) => p,
    }
}

/// Applies an update to `old` for a table, with the key checks.
pub fn updated_item(
    meta: &crate::table::TableMeta,
    key: &Item,
    old: Option<&Item>,
    actions: &[UpdateAction],
) -> Result<Item, DdbError> {
    let base = old.cloned().unwrap_or_else(|| key.clone());
    let new = apply(&base, actions)?;
    if item_size(&new) > MAX_ITEM_SIZE {
        return Err(validation("Item size to update has exceeded the maximum allowed size"));
    }
    meta.check_item_key(&new)?;
    Ok(new)
}

pub async fn update(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let meta = scope.meta(input.req_str("TableName")?)?;
    let key = key_member(input)?;
    meta.check_key(&key)?;
    let rv = return_values(input, &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])?;
    let Exprs { condition, update, .. } = parse_exprs(input)?;
    let actions = update.unwrap_or_default();
    for a in &actions {
        if let Some(PathElem::Attr(first)) = action_path(a).first()
            && meta.is_key_attr(first)
        {
            return Err(invalid(format!("Cannot update attribute {first}. This attribute is part of the key")));
        }
    }
    let ret_old = return_old_on_failure(input);
    scope.locks.check_free(&item_id(scope, &meta, &key))?;
    let keys = scope.keys.clone();
    let m2 = meta.clone();
    let acts = actions.clone();
    let (old, new) = scope
        .store
        .transact(move |txn| {
            let old = read_item(txn, &keys, &m2, &key)?;
            if let Some(c) = &condition
                && !eval(old.as_ref().unwrap_or(&Item::new()), c)
            {
                return Err(cond_failed(old.as_ref(), ret_old));
            }
            let new = updated_item(&m2, &key, old.as_ref(), &acts)?;
            write_item(txn, &keys, &m2, old.as_ref(), Some(&new))?;
            Ok((old, new))
        })
        .await?;
    let mut out = Map::new();
    let paths: Vec<Path> = actions.iter().map(|a| action_path(a).clone()).collect();
    match rv.as_str() {
        "ALL_OLD" => attrs_out(&mut out, old.as_ref()),
        "ALL_NEW" => attrs_out(&mut out, Some(&new)),
        "UPDATED_OLD" => attrs_out(&mut out, old.as_ref().map(|o| project(o, &paths)).as_ref()),
        "UPDATED_NEW" => attrs_out(&mut out, Some(&project(&new, &paths))),
        _ => {}
    }
    write_metrics(&mut out, scope, input, &meta, &new, (old.as_ref(), Some(&new)), false)?;
    Ok(Value::Object(out))
}
