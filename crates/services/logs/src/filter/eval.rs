//! Evaluating a parsed filter pattern against one event message, and the
//! values a match extracts (for TestMetricFilter).

use std::collections::BTreeMap;

use serde_json::Value;

use super::ast::{Condition, JsonExpr, Literal, Op, Pattern, Step, Term, TermMatch};
use super::fields;
use super::text::parse_number;

/// True when `message` matches `pattern`.
pub fn matches(pattern: &Pattern, message: &str) -> bool {
    match pattern {
        Pattern::MatchAll => true,
        Pattern::Terms(groups) => groups.iter().any(|g| g.iter().all(|t| term(t, message))),
        Pattern::Json(expr) => match serde_json::from_str::<Value>(message.trim()) {
            Ok(doc @ (Value::Object(_) | Value::Array(_))) => json(expr, &doc),
            _ => false,
        },
        Pattern::Delimited(f) => fields::matches(f, message),
    }
}

/// The values a match extracts: `$name` → field for space-delimited
/// patterns; nothing for the other kinds. `None` when there is no match.
pub fn extract(pattern: &Pattern, message: &str) -> Option<BTreeMap<String, String>> {
    match pattern {
        Pattern::Delimited(f) => fields::extract(f, message),
        _ => matches(pattern, message).then(BTreeMap::new),
    }
}

fn term(t: &Term, message: &str) -> bool {
    let found = match &t.matcher {
        // A blank phrase (`" "`) matches every event.
        TermMatch::Text(s) if s.trim().is_empty() => true,
        TermMatch::Text(s) => message.contains(s.as_str()),
        TermMatch::Regex(re) => re.is_match(message),
    };
    found != t.negated
}

fn json(expr: &JsonExpr, doc: &Value) -> bool {
    match expr {
        JsonExpr::And(a, b) => json(a, doc) && json(b, doc),
        JsonExpr::Or(a, b) => json(a, doc) || json(b, doc),
        JsonExpr::Compare { path, op, value } => {
            let found = select(doc, path);
            match op {
                // `!=` holds when the property exists and no value equals.
                Op::Ne => !found.is_empty() && !found.iter().any(|v| json_eq(v, value)),
                Op::Eq => found.iter().any(|v| json_eq(v, value)),
                _ => found.iter().any(|v| v.as_f64().is_some_and(|n| compare_number(n, *op, value))),
            }
        }
        JsonExpr::IsNull(path) => select(doc, path).iter().any(|v| v.is_null()),
        JsonExpr::NotExists(path) => select(doc, path).is_empty(),
        JsonExpr::IsBool(path, b) => select(doc, path).iter().any(|v| v.as_bool() == Some(*b)),
    }
}

/// Every value `path` reaches in `doc` (several through `[*]`).
fn select<'a>(doc: &'a Value, path: &[Step]) -> Vec<&'a Value> {
    let mut current = vec![doc];
    for step in path {
        current = current
            .into_iter()
            .flat_map(|v| -> Vec<&Value> {
                match (step, v) {
                    (Step::Key(k), Value::Object(map)) => map.get(k).into_iter().collect(),
                    (Step::Index(i), Value::Array(items)) => items.get(*i).into_iter().collect(),
                    (Step::AnyIndex, Value::Array(items)) => items.iter().collect(),
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    current
}

fn json_eq(v: &Value, lit: &Literal) -> bool {
    match (lit, v) {
        (Literal::Number(n, _), Value::Number(x)) => x.as_f64() == Some(*n),
        (Literal::Number(_, text), Value::String(s)) => s == text,
        (Literal::Number(..), _) => false,
        (Literal::Text(g), _) if g.is_any() => true,
        (Literal::Text(g), Value::String(s)) => g.matches(s),
        (Literal::Text(g), Value::Number(_) | Value::Bool(_)) => g.matches(&v.to_string()),
        (Literal::Text(_), _) => false,
        (Literal::Regex(re), Value::String(s)) => re.is_match(s),
        (Literal::Regex(_), _) => false,
    }
}

pub(super) fn compare_number(n: f64, op: Op, lit: &Literal) -> bool {
    let Literal::Number(x, _) = lit else {
        return false;
    };
    match op {
        Op::Eq => n == *x,
        Op::Ne => n != *x,
        Op::Lt => n < *x,
        Op::Le => n <= *x,
        Op::Gt => n > *x,
        Op::Ge => n >= *x,
    }
}

pub(super) fn field_condition(c: &Condition, value: &str) -> bool {
    match c {
        Condition::And(a, b) => field_condition(a, value) && field_condition(b, value),
        Condition::Or(a, b) => field_condition(a, value) || field_condition(b, value),
        Condition::Compare(op, lit) => {
            let equal = match lit {
                Literal::Number(x, text) => parse_number(value).map_or(value == text, |n| n == *x),
                Literal::Text(g) => g.matches(value),
                Literal::Regex(re) => re.is_match(value),
            };
            match op {
                Op::Eq => equal,
                Op::Ne => !equal,
                _ => parse_number(value).is_some_and(|n| compare_number(n, *op, lit)),
            }
        }
    }
}
