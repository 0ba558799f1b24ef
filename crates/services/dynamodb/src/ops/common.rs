//! What item operations share: reading the expressions of a request (or
//! their legacy equivalents) with AWS's mixing and unused-substitution
//! checks, ReturnValues handling, and ConsumedCapacity arithmetic.

use serde_json::{Value, json};
use stratus_core::input::Input;

use super::legacy;
use crate::error::{DdbError, condition_failed, validation};
use crate::expr::names::Names;
use crate::expr::parser::{Cond, Kind, Path, UpdateAction, parse_condition, parse_projection, parse_update};
use crate::types::{Item, item_from_json, item_to_json};

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

/// Write capacity units for an item of `size` bytes.
pub fn write_units(size: usize) -> f64 {
    size.div_ceil(1024).max(1) as f64
}

/// Read capacity units for `size` bytes read.
pub fn read_units(size: usize, consistent: bool) -> f64 {
    let units = size.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

/// The ConsumedCapacity member for `ReturnConsumedCapacity`, or None.
pub fn consumed(input: &Value, table: &str, units: f64, is_write: bool) -> Option<Value> {
    consumed_with(input, table, units, &[], is_write)
}

/// Whether the request asks for a ConsumedCapacity member.
pub fn wants_consumed(input: &Value) -> bool {
    matches!(input.str("ReturnConsumedCapacity"), Some("TOTAL" | "INDEXES"))
}

/// ConsumedCapacity with the units charged to global secondary indexes:
/// TOTAL adds them up, INDEXES also itemizes the table and each index.
pub fn consumed_with(
    input: &Value,
    table: &str,
    units: f64,
    indexes: &[(String, f64)],
    is_write: bool,
) -> Option<Value> {
    let kind = input.str("ReturnConsumedCapacity")?;
    let side = if is_write { "WriteCapacityUnits" } else { "ReadCapacityUnits" };
    let total = units + indexes.iter().map(|(_, u)| u).sum::<f64>();
    match kind {
        "TOTAL" => Some(json!({"TableName": table, "CapacityUnits": total, side: total})),
        "INDEXES" => {
            let mut v = json!({"TableName": table, "CapacityUnits": total, side: total, "Table": {"CapacityUnits": units, side: units}});
            if !indexes.is_empty() {
                let m: serde_json::Map<String, Value> =
                    indexes.iter().map(|(n, u)| (n.clone(), json!({"CapacityUnits": u, side: u}))).collect();
                v["GlobalSecondaryIndexes"] = Value::Object(m);
            }
            Some(v)
        }
        _ => None,
    }
}

/// Write units each GSI is charged for replacing `old` by `new`.
pub fn gsi_write_units(meta: &crate::table::TableMeta, old: Option<&Item>, new: Option<&Item>) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for ix in &meta.gsis {
        let has = |i: Option<&Item>| {
            i.filter(|i| i.contains_key(&ix.hash.name) && ix.range.as_ref().is_none_or(|r| i.contains_key(&r.name)))
                .map(|i| crate::types::item_size(&crate::db::project_for_index(meta, ix, i)))
        };
        let (o, n) = (has(old), has(new));
        if o.is_none() && n.is_none() {
            continue;
        }
        // An index key change is a delete plus a put in the index.
        let changed = match (old, new) {
            (Some(a), Some(b)) => a.get(&ix.hash.name) != b.get(&ix.hash.name),
            _ => false,
        };
        let units = write_units(o.unwrap_or(0).max(n.unwrap_or(0)))
            * if changed && o.is_some() && n.is_some() { 2.0 } else { 1.0 };
        out.push((ix.name.clone(), units));
    }
    out
}
