//! PartiQL operations: ExecuteStatement (SELECT with key lookups, filters,
//! projections, index targets and NextToken paging; INSERT, UPDATE and
//! DELETE as conditional single-item writes), BatchExecuteStatement and
//! ExecuteTransaction (all statements in one store transaction). Each is
//! charged and throttled like the item operation it stands for, and a
//! single-statement write to an item a transaction holds fails as PutItem
//! would.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_store::{KeyRange, prefix_successor};

use super::common::{Side, Units, capacity_entry, capacity_list, item_id, item_write_units, read_units};
use super::transact::{Action, Planned, check_capacity, read_all, run};
use crate::capacity::Gate;
use crate::db::{Scope, decode_item, item_key, read_item, write_item};
use crate::error::{DdbError, condition_failed, resource_not_found, validation};
use crate::expr::eval::{eval, project};
use crate::expr::parser::{Cmp, Cond, Operand, PathElem};
use crate::keys::encode_value;
use crate::partiql::{Statement, parse};
use crate::table::{KeyAttr, TableMeta};
use crate::types::{AttrValue, Item, MAX_ITEM_SIZE, item_size, item_to_json};

const PAGE_BYTES: usize = 1024 * 1024;

fn params(v: &Value) -> Result<Vec<AttrValue>, DdbError> {
    v.list("Parameters").iter().map(AttrValue::from_json).collect()
}

fn table(scope: &Scope, name: &str) -> Result<Arc<TableMeta>, DdbError> {
    scope.meta_opt(name)?.ok_or_else(resource_not_found)
}

fn conjuncts<'a>(c: &'a Cond, out: &mut Vec<&'a Cond>) {
    if let Cond::And(a, b) = c {
        conjuncts(a, out);
        conjuncts(b, out);
    } else {
        out.push(c);
    }
}

/// The value an equality conjunct gives attribute `name`, if any.
fn eq_value(filter: &Cond, name: &str) -> Option<AttrValue> {
    let mut parts = Vec::new();
    conjuncts(filter, &mut parts);
    parts.into_iter().find_map(|c| match c {
        Cond::Cmp(Operand::Path(p), Cmp::Eq, Operand::Value(v))
        | Cond::Cmp(Operand::Value(v), Cmp::Eq, Operand::Path(p))
            if p.as_slice() == [PathElem::Attr(name.to_string())] =>
        {
            Some(v.clone())
        }
        _ => None,
    })
}

/// The full primary key a WHERE clause pins down.
fn key_from(meta: &TableMeta, filter: &Cond) -> Result<Item, DdbError> {
    let mut key = Item::new();
    for ka in std::iter::once(&meta.hash).chain(meta.range.iter()) {
        let v = eq_value(filter, &ka.name)
            .ok_or_else(|| validation("Where clause does not contain a mandatory equality on all key attributes"))?;
        check_key_type(ka, &v)?;
        key.insert(ka.name.clone(), v);
    }
    Ok(key)
}

fn check_key_type(ka: &KeyAttr, v: &AttrValue) -> Result<(), DdbError> {
    if v.type_name() != ka.ty {
        return Err(validation(format!(
            "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {}",
            ka.name,
            ka.ty,
            v.type_name()
        )));
    }
    Ok(())
}

fn select(scope: &Scope, input: &Value, st: Statement, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let Statement::Select { table: name, index, projection, filter } = st else {
        return Err(validation("not a SELECT"));
    };
    let meta = table(scope, &name)?;
    if let Some(e) = gate.exhausted(&meta, index.as_deref(), false) {
        return Err(e.error());
    }
    let ix = match &index {
        Some(i) => Some(meta.readable_index(i)?.clone()),
        None => None,
    };
    let (prefix, hash) = match &ix {
        Some(i) => (scope.keys.index_prefix(&meta.name, &i.name), i.hash.clone()),
        None => (scope.keys.items_prefix(&meta.name), meta.hash.clone()),
    };
    let mut start = prefix.clone();
    if let Some(f) = &filter
        && let Some(v) = eq_value(f, &hash.name)
        && v.type_name() == hash.ty
    {
        encode_value(&v, &mut start);
    }
    let end = prefix_successor(&start).map(Bound::Excluded).unwrap_or(Bound::Unbounded);
    let mut range = KeyRange { start: Bound::Included(start.clone()), end };
    if let Some(tok) = input.str("NextToken") {
        let k = decode_token(tok).filter(|k| k.starts_with(&start)).ok_or_else(|| validation("Invalid NextToken"))?;
        range.start = Bound::Excluded(k);
    }
    let limit = input.i64("Limit").map(|l| l.max(1) as usize);
    let snap = scope.store.snapshot()?;
    let mut items = Vec::new();
    let mut evaluated = 0usize;
    let mut bytes = 0usize;
    let mut next = None;
    'outer: loop {
        let chunk = snap.scan(range.clone(), false, Some(256))?;
        let done = chunk.len() < 256;
        for (k, v) in chunk {
            if limit.is_some_and(|l| evaluated >= l) || bytes >= PAGE_BYTES {
                next = Some(encode_token(&k_prev(&range)));
                break 'outer;
            }
            let item = decode_item(&v)?;
            evaluated += 1;
            bytes += item_size(&item);
            if filter.as_ref().is_none_or(|f| eval(&item, f)) {
                let item = match &projection {
                    Some(p) => project(&item, p),
                    None => item,
                };
                items.push(item_to_json(&item));
            }
            range.start = Bound::Excluded(k);
        }
        if done {
            break;
        }
    }
    let mut out = json!({ "Items": items });
    if let Some(t) = next {
        out["NextToken"] = json!(t);
    }
    // Charged as the Query or Scan it stands for: on the index it reads, if any.
    let read = read_units(bytes, input.bool("ConsistentRead").unwrap_or(false));
    let mut units = Units::default();
    match &ix {
        Some(i) if meta.is_lsi(&i.name) => drop(units.lsis.insert(i.name.clone(), read)),
        Some(i) => drop(units.gsis.insert(i.name.clone(), read)),
        None => units.table = read,
    }
    if let Some(c) = capacity_entry(input, &meta.name, &units, Side::Plain) {
        out["ConsumedCapacity"] = c;
    }
    Ok(out)
}

fn k_prev(range: &KeyRange) -> Vec<u8> {
    match &range.start {
        Bound::Excluded(k) | Bound::Included(k) => k.clone(),
        Bound::Unbounded => Vec::new(),
    }
}

fn encode_token(k: &[u8]) -> String {
    k.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(t: &str) -> Option<Vec<u8>> {
    if !t.len().is_multiple_of(2) {
        return None;
    }
    (0..t.len()).step_by(2).map(|i| t.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// Turns a write statement into a planned transactional action.
fn plan_write(scope: &Scope, st: Statement) -> Result<Planned, DdbError> {
    match st {
        Statement::Insert { table: name, item } => {
            let meta = table(scope, &name)?;
            meta.check_item_key(&item)?;
            if item_size(&item) > MAX_ITEM_SIZE {
                return Err(validation("Item size has exceeded the maximum allowed size"));
            }
            let cond = Cond::NotExists(vec![PathElem::Attr(meta.hash.name.clone())]);
            Ok(Planned {
                key: meta.key_of(&item),
                meta,
                cond: Some(cond),
                return_old: false,
                action: Action::Put(item),
            })
        }
        Statement::Update { table: name, actions, filter } => {
            let meta = table(scope, &name)?;
            let key = key_from(&meta, &filter)?;
            for a in &actions {
                if let crate::expr::parser::UpdateAction::Set(p, _) | crate::expr::parser::UpdateAction::Remove(p) = a
                    && let Some(PathElem::Attr(first)) = p.first()
                    && meta.is_key_attr(first)
                {
                    return Err(validation(format!(
                        "One or more parameter values were invalid: Cannot update attribute {first}. This attribute is part of the key"
                    )));
                }
            }
            let cond =
                Cond::And(Box::new(Cond::Exists(vec![PathElem::Attr(meta.hash.name.clone())])), Box::new(filter));
            Ok(Planned { meta, key, cond: Some(cond), return_old: false, action: Action::Update(actions) })
        }
        Statement::Delete { table: name, filter } => {
            let meta = table(scope, &name)?;
            let key = key_from(&meta, &filter)?;
            Ok(Planned { meta, key, cond: Some(filter), return_old: false, action: Action::Delete })
        }
        Statement::Select { .. } => Err(validation("not a write")),
    }
}

/// Runs one write statement on its own, as the item write it stands for:
/// refused while a transaction holds the item or the table has no write
/// capacity left; returns the table and the units consumed.
async fn write_one(scope: &Scope, st: Statement, gate: &Gate<'_>) -> Result<(String, Units), DdbError> {
    let is_insert = matches!(st, Statement::Insert { .. });
    let is_delete = matches!(st, Statement::Delete { .. });
    let p = plan_write(scope, st)?;
    if let Some(e) = gate.exhausted(&p.meta, None, true) {
        return Err(e.error());
    }
    scope.locks.check_free(&item_id(scope, &p.meta, &p.key))?;
    let keys = scope.keys.clone();
    let name = p.meta.name.clone();
    let units = scope
        .store
        .transact(move |txn| {
            let old = read_item(txn, &keys, &p.meta, &p.key)?;
            if is_delete && old.is_none() {
                return Ok(item_write_units(&p.meta, None, None, false, false));
            }
            if let Some(c) = &p.cond
                && !eval(old.as_ref().unwrap_or(&Item::new()), c)
            {
                return Err(if is_insert {
                    DdbError::bad_request("DuplicateItemException", "Duplicate primary key exists in table")
                } else {
                    condition_failed()
                });
            }
            let new = match &p.action {
                Action::Put(item) => Some(item.clone()),
                Action::Update(acts) => Some(super::items::updated_item(&p.meta, &p.key, old.as_ref(), acts)?),
                _ => None,
            };
            write_item(txn, &keys, &p.meta, old.as_ref(), new.as_ref())?;
            Ok(item_write_units(&p.meta, old.as_ref(), new.as_ref(), is_insert, false))
        })
        .await?;
    Ok((name, units))
}

pub async fn execute_statement(scope: &Scope, input: &Value, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let st = parse(input.req_str("Statement")?, &params(input)?)?;
    if matches!(st, Statement::Select { .. }) {
        return select(scope, input, st, gate);
    }
    let (name, units) = write_one(scope, st, gate).await?;
    let mut out = json!({ "Items": [] });
    if let Some(c) = capacity_entry(input, &name, &units, Side::Plain) {
        out["ConsumedCapacity"] = c;
    }
    Ok(out)
}

fn table_of(st: &Statement) -> &str {
    match st {
        Statement::Select { table, .. }
        | Statement::Insert { table, .. }
        | Statement::Update { table, .. }
        | Statement::Delete { table, .. } => table,
    }
}

fn error_entry(e: &DdbError) -> Value {
    let code = e.code.trim_end_matches("Exception");
    let code = match code {
        "ConditionalCheckFailed"
        | "DuplicateItem"
        | "ResourceNotFound"
        | "ProvisionedThroughputExceeded"
        | "TransactionConflict" => code,
        _ => "ValidationError",
    };
    json!({"Code": code, "Message": e.message})
}

/// One read statement of a batch: the item its full key names, if it
/// passes the filter, and the units the read consumed.
fn batch_read(
    scope: &Scope,
    s: &Value,
    gate: &Gate<'_>,
    (t, index, projection, filter): (String, Option<String>, Option<Vec<crate::expr::parser::Path>>, Option<Cond>),
) -> Result<(Option<Item>, Units), DdbError> {
    let meta = table(scope, &t)?;
    if index.is_some() {
        return Err(validation("Batch read statements cannot target an index"));
    }
    let f =
        filter.ok_or_else(|| validation("Where clause does not contain a mandatory equality on all key attributes"))?;
    let key = key_from(&meta, &f)?;
    if let Some(e) = gate.exhausted(&meta, None, false) {
        return Err(e.error());
    }
    let found = match scope.store.get(item_key(&scope.keys, &meta, &key))? {
        Some(b) => Some(decode_item(&b)?),
        None => None,
    };
    let size = found.as_ref().map(item_size).unwrap_or(0);
    let units = Units::on_table(read_units(size, s.bool("ConsistentRead").unwrap_or(false)));
    let item = found.filter(|i| eval(i, &f)).map(|i| match &projection {
        Some(p) => project(&i, p),
        None => i,
    });
    Ok((item, units))
}

pub async fn batch_execute(scope: &Scope, input: &Value, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let statements = input.list("Statements");
    if statements.len() > 25 {
        return Err(validation(
            "1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25",
        ));
    }
    let mut responses = Vec::with_capacity(statements.len());
    let mut units: BTreeMap<String, Units> = BTreeMap::new();
    for s in statements {
        let parsed = parse(s.req_str("Statement")?, &params(s)?);
        let st = match parsed {
            Ok(st) => st,
            Err(e) => {
                responses.push(json!({ "Error": error_entry(&e) }));
                continue;
            }
        };
        let name = table_of(&st).to_string();
        // Batch reads must name a single item by its full key.
        let done = match st {
            Statement::Select { table: t, index, projection, filter } => {
                batch_read(scope, s, gate, (t, index, projection, filter)).map(|(item, u)| (item, name.clone(), u))
            }
            other => write_one(scope, other, gate).await.map(|(t, u)| (None, t, u)),
        };
        responses.push(match done {
            Ok((item, t, u)) => {
                units.entry(t).or_default().add(&u);
                match item {
                    Some(item) => json!({"TableName": name, "Item": item_to_json(&item)}),
                    None => json!({"TableName": name}),
                }
            }
            Err(e) => json!({"TableName": name, "Error": error_entry(&e)}),
        });
    }
    let mut out = json!({ "Responses": responses });
    if let Some(c) = capacity_list(input, &units, Side::Plain) {
        out["ConsumedCapacity"] = c;
    }
    Ok(out)
}

pub async fn execute_transaction(scope: &Scope, input: &Value, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let statements = input.list("TransactStatements");
    let mut plans = Vec::new();
    let mut reads = Vec::new();
    for s in statements {
        let st = parse(s.req_str("Statement")?, &params(s)?)?;
        match st {
            Statement::Select { table: t, projection, filter, .. } => {
                let meta = table(scope, &t)?;
                let f = filter.ok_or_else(|| {
                    validation("Where clause does not contain a mandatory equality on all key attributes")
                })?;
                let key = key_from(&meta, &f)?;
                reads.push((meta, key, projection));
            }
            other => plans.push(plan_write(scope, other)?),
        }
    }
    if !reads.is_empty() && !plans.is_empty() {
        return Err(validation("Transaction must contain either only reads or only writes"));
    }
    if !reads.is_empty() {
        check_capacity(gate, reads.iter().map(|(m, ..)| m.as_ref()), false)?;
        let (responses, units) = read_all(scope, reads)?;
        let mut out = json!({ "Responses": responses });
        if let Some(c) = capacity_list(input, &units, Side::Read) {
            out["ConsumedCapacity"] = c;
        }
        return Ok(out);
    }
    let token = input.str("ClientRequestToken").map(|t| (scope.keys.token(t), format!("{input}")));
    let ran = run(scope, plans, token, gate).await?;
    let mut out = json!({ "Responses": [] });
    ran.metrics(scope, input, &mut out)?;
    Ok(out)
}
