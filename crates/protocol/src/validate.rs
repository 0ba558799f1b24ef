//! Input validation from the model: required members, lengths, ranges, enums
//! and patterns, reported in AWS's exact words:
//! `1 validation error detected: Value 'ab' at 'tableName' failed to satisfy
//! constraint: Member must have length greater than or equal to 3`.

use crate::model::{ServiceModel, ShapeId, ShapeKind};
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use stratus_core::input::lower_first;

/// Checks `value` against the input shape; on failure returns the whole
/// message (`N validation error(s) detected: ...`).
pub fn validate(model: &ServiceModel, shape: ShapeId, value: &Value) -> Result<(), String> {
    let mut errors = Vec::new();
    check_struct(model, shape, value, "", &mut errors);
    if errors.is_empty() {
        return Ok(());
    }
    let n = errors.len();
    let noun = if n == 1 { "error" } else { "errors" };
    Err(format!("{n} validation {noun} detected: {}", errors.join("; ")))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") }
}

fn check_struct(model: &ServiceModel, shape: ShapeId, value: &Value, path: &str, errors: &mut Vec<String>) {
    let ShapeKind::Structure(st) = &model.shape(shape).kind else {
        return;
    };
    let Some(obj) = value.as_object() else {
        return;
    };
    for member in st.members {
        let member_path = join(path, &lower_first(member.name));
        match obj.get(member.name) {
            None | Some(Value::Null) => {
                if st.is_required(member.name) {
                    errors.push(format!(
                        "Value null at '{member_path}' failed to satisfy constraint: Member must not be null"
                    ));
                }
            }
            Some(v) => check_value(model, member.shape, v, &member_path, errors),
        }
    }
}

fn check_value(model: &ServiceModel, shape: ShapeId, value: &Value, path: &str, errors: &mut Vec<String>) {
    match &model.shape(shape).kind {
        ShapeKind::Structure(_) => check_struct(model, shape, value, path, errors),
        ShapeKind::List(list) => {
            let Some(items) = value.as_array() else { return };
            length_checks(items.len() as i64, list.min, list.max, value, path, errors);
            let member_is_scalar = !matches!(
                model.shape(list.member).kind,
                ShapeKind::Structure(_) | ShapeKind::List(_) | ShapeKind::Map(_)
            );
            if member_is_scalar {
                // AWS reports element failures once, at the list, as a set.
                let mut inner = Vec::new();
                for item in items {
                    scalar_constraints(model, list.member, item, &mut inner);
                }
                if !inner.is_empty() {
                    inner.dedup();
                    errors.push(format!(
                        "Value '{}' at '{path}' failed to satisfy constraint: Member must satisfy constraint: [{}]",
                        render(value),
                        inner.join(", ")
                    ));
                }
            } else {
                for (i, item) in items.iter().enumerate() {
                    check_value(model, list.member, item, &format!("{path}.{}.member", i + 1), errors);
                }
            }
        }
        ShapeKind::Map(map) => {
            let Some(entries) = value.as_object() else { return };
            length_checks(entries.len() as i64, map.min, map.max, value, path, errors);
            for (k, v) in entries {
                check_value(model, map.value, v, &format!("{path}.{k}.member"), errors);
            }
        }
        _ => {
            let mut found = Vec::new();
            scalar_constraints(model, shape, value, &mut found);
            for msg in found {
                errors.push(format!("Value '{}' at '{path}' failed to satisfy constraint: {msg}", render(value)));
            }
        }
    }
}

fn length_checks(len: i64, min: Option<i64>, max: Option<i64>, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(min) = min.filter(|m| len < *m) {
        errors.push(format!(
            "Value '{}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min}",
            render(value)
        ));
    }
    if let Some(max) = max.filter(|m| len > *m) {
        errors.push(format!(
            "Value '{}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}",
            render(value)
        ));
    }
}

/// The constraint messages a scalar value breaks.
fn scalar_constraints(model: &ServiceModel, shape: ShapeId, value: &Value, out: &mut Vec<String>) {
    match &model.shape(shape).kind {
        ShapeKind::String(s) => {
            let Some(text) = value.as_str() else { return };
            let len = text.chars().count() as i64;
            if let Some(max) = s.max.filter(|m| len > *m) {
                out.push(format!("Member must have length less than or equal to {max}"));
            }
            if let Some(min) = s.min.filter(|m| len < *m) {
                out.push(format!("Member must have length greater than or equal to {min}"));
            }
            if !s.enum_values.is_empty() && !s.enum_values.contains(&text) && crate::conventions::checks_enums(model) {
                out.push(format!("Member must satisfy enum value set: [{}]", s.enum_values.join(", ")));
            }
            if let Some(pattern) = s.pattern
                && compiled(pattern).is_some_and(|re| !re.is_match(text))
            {
                out.push(format!("Member must satisfy regular expression pattern: {pattern}"));
            }
        }
        ShapeKind::Integer(r) | ShapeKind::Long(r) | ShapeKind::Float(r) | ShapeKind::Double(r) => {
            let Some(n) = value.as_f64() else { return };
            if let Some(min) = r.min.filter(|m| n < *m) {
                out.push(format!("Member must have value greater than or equal to {}", number(min)));
            }
            if let Some(max) = r.max.filter(|m| n > *m) {
                out.push(format!("Member must have value less than or equal to {}", number(max)));
            }
        }
        ShapeKind::Blob(b) => {
            let Some(text) = value.as_str() else { return };
            let len = (text.trim_end_matches('=').len() * 3 / 4) as i64;
            if let Some(max) = b.max.filter(|m| len > *m) {
                out.push(format!("Member must have length less than or equal to {max}"));
            }
            if let Some(min) = b.min.filter(|m| len < *m) {
                out.push(format!("Member must have length greater than or equal to {min}"));
            }
        }
        _ => {}
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e18 { format!("{}", n as i64) } else { format!("{n}") }
}

/// How AWS prints a value inside a validation message.
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Object(o) => {
            format!("{{{}}}", o.iter().map(|(k, v)| format!("{k}={}", render(v))).collect::<Vec<_>>().join(", "))
        }
    }
}

/// Model patterns are Java regular expressions matched against the whole
/// value; the ones Rust's engine cannot express (look-arounds) are skipped.
/// Shared, not cloned: a cloned `Regex` starts with an empty lazy-DFA cache
/// and would rebuild it on every request.
fn compiled(pattern: &'static str) -> Option<Arc<Regex>> {
    type Compiled = HashMap<&'static str, Option<Arc<Regex>>>;
    static CACHE: OnceLock<RwLock<Compiled>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.read().ok().and_then(|c| c.get(pattern).cloned()) {
        return found;
    }
    let re = Regex::new(&format!("^(?:{pattern})$")).ok().map(Arc::new);
    if let Ok(mut c) = cache.write() {
        c.insert(pattern, re.clone());
    }
    re
}
