//! Evaluating a parsed filter pattern against one event message, and the
//! values a match extracts (for TestMetricFilter).

use std::collections::BTreeMap;

use serde_json::Value;

use super::ast::{Condition, Field, JsonExpr, Literal, Op, Pattern, Step, Term, TermMatch};
use super::split;
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
        Pattern::Delimited(fields) => delimited(fields, message).is_some(),
    }
}

/// The values a match extracts: `$name` → field for space-delimited
/// patterns; nothing for the other kinds. `None` when there is no match.
pub fn extract(pattern: &Pattern, message: &str) -> Option<BTreeMap<String, String>> {
    match pattern {
        Pattern::Delimited(fields) => delimited(fields, message),
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

fn compare_number(n: f64, op: Op, lit: &Literal) -> bool {
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

/// Matches the event's fields against the pattern's, with `...` standing for
/// any run of fields; returns the named fields of the first match.
fn delimited(fields: &[Field], message: &str) -> Option<BTreeMap<String, String>> {
    let tokens = split::fields(message);
    let has_ellipsis = fields.iter().any(|f| matches!(f, Field::Ellipsis));
    if !has_ellipsis && tokens.len() != fields.len() {
        return None;
    }
    let mut failed = vec![false; (fields.len() + 1) * (tokens.len() + 1)];
    let mut bound = Vec::new();
    if !assign(fields, &tokens, 0, 0, &mut failed, &mut bound) {
        return None;
    }
    Some(bound.into_iter().map(|(name, value)| (format!("${name}"), value.to_string())).collect())
}

/// Depth-first assignment of event fields to pattern fields, remembering
/// (field, token) positions that cannot lead to a match. A field's
/// condition only looks at its own value, so a failed position fails for
/// every path that reaches it.
fn assign<'t>(
    fields: &[Field],
    tokens: &[&'t str],
    fi: usize,
    ti: usize,
    failed: &mut [bool],
    bound: &mut Vec<(String, &'t str)>,
) -> bool {
    let memo = fi * (tokens.len() + 1) + ti;
    if failed.get(memo).copied().unwrap_or(true) {
        return false;
    }
    let ok = match fields.get(fi) {
        None => ti == tokens.len(),
        Some(Field::Ellipsis) => (ti..=tokens.len()).any(|next| assign(fields, tokens, fi + 1, next, failed, bound)),
        Some(Field::Named { name, condition }) => match tokens.get(ti) {
            Some(tok) if condition.as_ref().is_none_or(|c| field_condition(c, tok)) => {
                bound.push((name.clone(), *tok));
                let rest = assign(fields, tokens, fi + 1, ti + 1, failed, bound);
                if !rest {
                    bound.pop();
                }
                rest
            }
            _ => false,
        },
    };
    if !ok {
        if let Some(slot) = failed.get_mut(memo) {
            *slot = true;
        }
    }
    ok
}

fn field_condition(c: &Condition, value: &str) -> bool {
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
