//! TransactGetItems (one consistent snapshot) and TransactWriteItems: every
//! check and write of a transaction runs inside one store transaction, so
//! it applies wholly or not at all and is serializable with every other
//! write. CancellationReasons come back in request order;
//! ClientRequestToken makes a request idempotent for 10 minutes.
//! Transactions are charged twice the units of the same reads and writes
//! (on the table; index writes cost what they cost outside a transaction),
//! and a transaction touching a table whose bucket is empty under
//! `--enforce-capacity` is cancelled.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};
use stratus_core::input::Input;

use super::common::{
    Exprs, Side, TRANSACTION_FACTOR, Units, capacity_list, collection_metrics_per_table, item_id, item_write_units,
    parse_exprs, read_units, write_units,
};
use super::items::updated_item;
use crate::capacity::Gate;
use crate::db::{Scope, decode_item, item_key, read_item, write_item};
use crate::error::{DdbError, invalid, resource_not_found, validation};
use crate::expr::eval::{eval, project};
use crate::expr::parser::{Cond, PathElem, UpdateAction};
use crate::table::TableMeta;
use crate::types::{Item, MAX_ITEM_SIZE, item_from_json, item_size, item_to_json};

const TOKEN_TTL_SECS: f64 = 600.0;
/// The aggregate size of the items of one transaction.
const MAX_TRANSACTION_SIZE: usize = 4 * 1024 * 1024;

pub enum Action {
    Check,
    Put(Item),
    Delete,
    Update(Vec<UpdateAction>),
}

/// One checked action of a transaction, ready to run.
pub struct Planned {
    pub meta: Arc<TableMeta>,
    pub key: Item,
    pub cond: Option<Cond>,
    pub return_old: bool,
    pub action: Action,
}

fn plan(scope: &Scope, entry: &Value) -> Result<Planned, DdbError> {
    let (kind, body) = ["ConditionCheck", "Put", "Delete", "Update"]
        .iter()
        .find_map(|k| entry.get(*k).filter(|v| !v.is_null()).map(|b| (*k, b)))
        .ok_or_else(|| validation("TransactItems can only contain one of Check, Put, Update or Delete"))?;
    let meta = scope.meta_opt(body.req_str("TableName")?)?.ok_or_else(resource_not_found)?;
    let Exprs { condition, update, .. } = parse_exprs(body)?;
    let return_old = body.str("ReturnValuesOnConditionCheckFailure") == Some("ALL_OLD");
    let (key, action) = match kind {
        "Put" => {
            let item = item_from_json(body.get("Item").unwrap_or(&Value::Null))?;
            meta.check_item_key(&item)?;
            if item_size(&item) > MAX_ITEM_SIZE {
                return Err(validation("Item size has exceeded the maximum allowed size"));
            }
            (meta.key_of(&item), Action::Put(item))
        }
        other => {
            let key = item_from_json(body.get("Key").unwrap_or(&Value::Null))?;
            meta.check_key(&key)?;
            let action = match other {
                "ConditionCheck" => {
                    if condition.is_none() {
                        return Err(validation("The ConditionCheck request must contain a ConditionExpression"));
                    }
                    Action::Check
                }
                "Delete" => Action::Delete,
                _ => {
                    let acts = update.unwrap_or_default();
                    for a in &acts {
                        let p = match a {
                            UpdateAction::Set(p, _)
                            | UpdateAction::Remove(p)
                            | UpdateAction::Add(p, _)
                            | UpdateAction::Delete(p, _) => p,
                        };
                        if let Some(PathElem::Attr(first)) = p.first()
                            && meta.is_key_attr(first)
                        {
                            return Err(invalid(format!(
                                "Cannot update attribute {first}. This attribute is part of the key"
                            )));
                        }
                    }
                    Action::Update(acts)
                }
            };
            (key, action)
        }
    };
    Ok(Planned { meta, key, cond: condition, return_old, action })
}

fn canceled(reasons: Vec<Value>) -> DdbError {
    let codes: Vec<&str> = reasons.iter().map(|r| r.get("Code").and_then(Value::as_str).unwrap_or("None")).collect();
    DdbError::bad_request(
        "TransactionCanceledException",
        format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", ")),
    )
    .with_field("CancellationReasons", Value::Array(reasons))
}

/// What a transaction did: the units it consumed per table, how they are
/// named, and the items it wrote (for ItemCollectionMetrics).
pub struct Ran {
    pub units: BTreeMap<String, Units>,
    pub side: Side,
    pub written: Vec<(Arc<TableMeta>, Item)>,
}

impl Ran {
    /// ConsumedCapacity and ItemCollectionMetrics as the request asks.
    pub fn metrics(&self, scope: &Scope, input: &Value, out: &mut Value) -> Result<(), DdbError> {
        if let Some(c) = capacity_list(input, &self.units, self.side) {
            out["ConsumedCapacity"] = c;
        }
        if let Some(m) = collection_metrics_per_table(scope, input, &self.written)? {
            out["ItemCollectionMetrics"] = m;
        }
        Ok(())
    }
}

/// Cancels a transaction when an item's table (or one of its GSIs) has no
/// capacity left; reasons name the throttled items.
pub fn check_capacity<'m>(
    gate: &Gate<'_>,
    metas: impl Iterator<Item = &'m TableMeta>,
    write: bool,
) -> Result<(), DdbError> {
    let verdicts: Vec<_> = metas.map(|m| gate.exhausted(m, None, write)).collect();
    if verdicts.iter().all(Option::is_none) {
        return Ok(());
    }
    Err(canceled(
        verdicts.into_iter().map(|v| v.map(|e| e.reason()).unwrap_or_else(|| json!({"Code": "None"}))).collect(),
    ))
}

pub async fn write(scope: &Scope, input: &Value, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let entries = input.list("TransactItems");
    if entries.len() > 100 {
        return Err(validation(format!(
            "1 validation error detected: Value '[{}]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
            entries.len()
        )));
    }
    let mut plans = Vec::with_capacity(entries.len());
    for e in entries {
        plans.push(plan(scope, e)?);
    }
    let total: usize = plans
        .iter()
        .map(|p| match &p.action {
            Action::Put(item) => item_size(item),
            _ => item_size(&p.key),
        })
        .sum();
    if total > MAX_TRANSACTION_SIZE {
        return Err(validation("Transaction request cannot be larger than 4 MB"));
    }
    let token = input.str("ClientRequestToken").map(|t| (scope.keys.token(t), fingerprint(input)));
    let ran = run(scope, plans, token, gate).await?;
    let mut out = json!({});
    ran.metrics(scope, input, &mut out)?;
    Ok(out)
}

/// Units a replayed request (same ClientRequestToken) is charged: the
/// transactional read of each item as it is now.
fn replay_units(
    txn: &stratus_store::Txn<'_>,
    keys: &crate::keys::Keys,
    plans: &[Planned],
) -> Result<BTreeMap<String, Units>, DdbError> {
    let mut units: BTreeMap<String, Units> = BTreeMap::new();
    for p in plans {
        let size = read_item(txn, keys, &p.meta, &p.key)?.as_ref().map(item_size).unwrap_or(0);
        units
            .entry(p.meta.name.clone())
            .or_default()
            .add(&Units::on_table(TRANSACTION_FACTOR * read_units(size, true)));
    }
    Ok(units)
}

/// Runs planned actions as one transaction: every condition is checked
/// and every write applied inside one store transaction, or none is.
pub async fn run(
    scope: &Scope,
    plans: Vec<Planned>,
    token: Option<(String, String)>,
    gate: &Gate<'_>,
) -> Result<Ran, DdbError> {
    let mut seen = Vec::new();
    for p in &plans {
        let k = item_id(scope, &p.meta, &p.key);
        if seen.contains(&k) {
            return Err(validation("Transaction request cannot include multiple operations on one item"));
        }
        seen.push(k);
    }
    check_capacity(gate, plans.iter().map(|p| p.meta.as_ref()), true)?;
    let _held = scope.locks.acquire(&seen).map_err(|busy| {
        canceled(
            busy.iter()
                .map(|b| match b {
                    true => json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item."}),
                    false => json!({"Code": "None"}),
                })
                .collect(),
        )
    })?;
    let keys = scope.keys.clone();
    scope
        .store
        .transact(move |txn| {
            let now = stratus_core::clock::now_epoch();
            if let Some((tk, fp)) = &token
                && let Some(b) = txn.get(tk)?
            {
                let rec: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
                if rec.get("expires").and_then(Value::as_f64).unwrap_or(0.0) > now {
                    if rec.get("fp").and_then(Value::as_str) == Some(fp.as_str()) {
                        let units = replay_units(txn, &keys, &plans)?;
                        return Ok(Ran { units, side: Side::Read, written: Vec::new() });
                    }
                    return Err(DdbError::bad_request(
                        "IdempotentParameterMismatchException",
                        "Request token parameters do not match the original request",
                    ));
                }
            }
            let mut reasons = Vec::with_capacity(plans.len());
            let mut writes: Vec<(usize, Option<Item>, Option<Item>)> = Vec::new();
            let mut units: BTreeMap<String, Units> = BTreeMap::new();
            let mut failed = false;
            for (i, p) in plans.iter().enumerate() {
                let old = read_item(txn, &keys, &p.meta, &p.key)?;
                let charged = units.entry(p.meta.name.clone()).or_default();
                if let Some(c) = &p.cond
                    && !eval(old.as_ref().unwrap_or(&Item::new()), c)
                {
                    failed = true;
                    let mut r = json!({"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"});
                    if p.return_old
                        && let Some(o) = &old
                    {
                        r["Item"] = item_to_json(o);
                    }
                    reasons.push(r);
                    continue;
                }
                let new = match &p.action {
                    Action::Check => {
                        // A check writes nothing and is charged on the image it read.
                        let size = old.as_ref().map(item_size).unwrap_or(0);
                        charged.add(&Units::on_table(TRANSACTION_FACTOR * write_units(size)));
                        reasons.push(json!({"Code": "None"}));
                        continue;
                    }
                    Action::Put(item) => Some(item.clone()),
                    Action::Delete => None,
                    Action::Update(acts) => match updated_item(&p.meta, &p.key, old.as_ref(), acts) {
                        Ok(n) => Some(n),
                        Err(e) => {
                            failed = true;
                            reasons.push(json!({"Code": "ValidationError", "Message": e.message}));
                            continue;
                        }
                    },
                };
                let replace = matches!(p.action, Action::Put(_));
                charged.add(&item_write_units(&p.meta, old.as_ref(), new.as_ref(), replace, true));
                reasons.push(json!({"Code": "None"}));
                writes.push((i, old, new));
            }
            if failed {
                return Err(canceled(reasons));
            }
            let mut written = Vec::with_capacity(writes.len());
            for (i, old, new) in &writes {
                let p = &plans[*i];
                write_item(txn, &keys, &p.meta, old.as_ref(), new.as_ref())?;
                written.push((p.meta.clone(), p.key.clone()));
            }
            if let Some((tk, fp)) = &token {
                txn.put(
                    tk.clone(),
                    serde_json::to_vec(&json!({"fp": fp, "expires": now + TOKEN_TTL_SECS})).unwrap_or_default(),
                );
            }
            Ok(Ran { units, side: Side::Write, written })
        })
        .await
}

/// A stable digest of the request's parameters (minus capacity options).
fn fingerprint(input: &Value) -> String {
    let mut v = input.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("ReturnConsumedCapacity");
        o.remove("ReturnItemCollectionMetrics");
    }
    let s = serde_json::to_string(&v).unwrap_or_default();
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}{}", s.len())
}

/// Reads items from one snapshot: each item (or None when absent) and the
/// transactional read units charged per table (twice a strongly consistent
/// read, also for a missing item).
pub fn read_all(
    scope: &Scope,
    reads: Vec<(Arc<TableMeta>, Item, Option<Vec<crate::expr::parser::Path>>)>,
) -> Result<(Vec<Value>, BTreeMap<String, Units>), DdbError> {
    let snap = scope.store.snapshot()?;
    let mut out = Vec::with_capacity(reads.len());
    let mut units: BTreeMap<String, Units> = BTreeMap::new();
    for (meta, key, projection) in reads {
        let found = snap.get(item_key(&scope.keys, &meta, &key))?.map(|b| decode_item(&b)).transpose()?;
        let size = found.as_ref().map(item_size).unwrap_or(0);
        units.entry(meta.name.clone()).or_default().add(&Units::on_table(TRANSACTION_FACTOR * read_units(size, true)));
        out.push(match found {
            Some(item) => {
                let item = match &projection {
                    Some(p) => project(&item, p),
                    None => item,
                };
                json!({ "Item": item_to_json(&item) })
            }
            None => json!({}),
        });
    }
    Ok((out, units))
}

pub async fn get(scope: &Scope, input: &Value, gate: &Gate<'_>) -> Result<Value, DdbError> {
    let entries = input.list("TransactItems");
    let mut plans = Vec::with_capacity(entries.len());
    for e in entries {
        let body = e.get("Get").ok_or_else(|| validation("TransactItems can only contain Get"))?;
        let meta = scope.meta_opt(body.req_str("TableName")?)?.ok_or_else(resource_not_found)?;
        let key = item_from_json(body.get("Key").unwrap_or(&Value::Null))?;
        meta.check_key(&key)?;
        let Exprs { projection, .. } = parse_exprs(body)?;
        plans.push((meta, key, projection));
    }
    check_capacity(gate, plans.iter().map(|(m, ..)| m.as_ref()), false)?;
    let (responses, units) = read_all(scope, plans)?;
    let mut out = json!({ "Responses": responses });
    if let Some(c) = capacity_list(input, &units, Side::Read) {
        out["ConsumedCapacity"] = c;
    }
    Ok(out)
}
