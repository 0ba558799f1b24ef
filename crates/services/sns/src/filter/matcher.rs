//! Matching a parsed policy against a document: the message body (JSON)
//! or the message attributes turned into one (`attributes_document`).
//! Arrays in the document match when any element does.

use super::{AnythingBut, Clause, Cond, NumOp, Policy, Rule};
use serde_json::{Map, Value};

/// Message attributes as a document: String → string, Number → number,
/// String.Array → its JSON array; Binary attributes are left out (AWS
/// never matches them).
pub fn attributes_document(attributes: &Map<String, Value>) -> Value {
    let mut doc = Map::new();
    for (name, attr) in attributes {
        let data_type = attr.get("DataType").and_then(Value::as_str).unwrap_or("");
        let Some(text) = attr.get("StringValue").and_then(Value::as_str) else { continue };
        let base = data_type.split('.').next().unwrap_or("");
        let value = if data_type == "String.Array" {
            serde_json::from_str::<Value>(text).ok().filter(Value::is_array).unwrap_or(Value::String(text.into()))
        } else if base == "Number" {
            text.trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::String(text.into()))
        } else if base == "String" {
            Value::String(text.into())
        } else {
            continue;
        };
        doc.insert(name.clone(), value);
    }
    Value::Object(doc)
}

/// Whether `doc` satisfies `policy`.
pub fn matches(policy: &Policy, doc: &Value) -> bool {
    policy.clauses.iter().all(|clause| match clause {
        Clause::Or(branches) => branches.iter().any(|b| matches(b, doc)),
        Clause::Key(key, rule) => key_matches(rule, doc.get(key)),
    })
}

fn key_matches(rule: &Rule, value: Option<&Value>) -> bool {
    match rule {
        Rule::Nested(inner) => match value {
            Some(Value::Object(_)) => value.is_some_and(|v| matches(inner, v)),
            Some(Value::Array(items)) => items.iter().any(|i| i.is_object() && matches(inner, i)),
            _ => matches(inner, &Value::Object(Map::new())),
        },
        Rule::Leaf(conds) => {
            let leaves = value.map(flatten);
            conds.iter().any(|cond| match cond {
                Cond::Exists(want) => *want == leaves.is_some(),
                _ => leaves.as_ref().is_some_and(|vals| vals.iter().any(|v| value_matches(cond, v))),
            })
        }
    }
}

fn flatten(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn value_matches(cond: &Cond, v: &Value) -> bool {
    let s = v.as_str();
    match cond {
        Cond::Exact(want) => same(want, v),
        Cond::Prefix(p) => s.is_some_and(|s| s.starts_with(p.as_str())),
        Cond::Suffix(p) => s.is_some_and(|s| s.ends_with(p.as_str())),
        Cond::EqualsIgnoreCase(p) => s.is_some_and(|s| s.to_lowercase() == p.to_lowercase()),
        Cond::Cidr(net) => s.is_some_and(|s| net.contains(s)),
        Cond::Numeric(ops) => v.as_f64().is_some_and(|n| ops.iter().all(|(op, bound)| numeric(*op, n, *bound))),
        Cond::Exists(_) => true,
        Cond::AnythingBut(ab) => match ab {
            AnythingBut::Values(list) => (v.is_string() || v.is_number()) && !list.iter().any(|l| same(l, v)),
            AnythingBut::Prefix(p) => s.is_some_and(|s| !s.starts_with(p.as_str())),
            AnythingBut::Suffix(p) => s.is_some_and(|s| !s.ends_with(p.as_str())),
            AnythingBut::EqualsIgnoreCase(list) => {
                s.is_some_and(|s| !list.iter().any(|l| l.to_lowercase() == s.to_lowercase()))
            }
        },
    }
}

fn numeric(op: NumOp, n: f64, bound: f64) -> bool {
    match op {
        NumOp::Eq => n == bound,
        NumOp::Lt => n < bound,
        NumOp::Le => n <= bound,
        NumOp::Gt => n > bound,
        NumOp::Ge => n >= bound,
    }
}
