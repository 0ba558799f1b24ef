//! Input validation from the model: required members, lengths, ranges, enums
//! and patterns, reported in AWS's exact words:
//! `1 validation error detected: Value 'ab' at 'tableName' failed to satisfy
//! constraint: Member must have length greater than or equal to 3`.
//!
//! The path of a value (`tableName`, `item.pk.member`) is only rendered when
//! a message needs it, so a valid input costs no allocations here.

use crate::model::{ServiceModel, ShapeId, ShapeKind};
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};
use stratus_core::input::lower_first;

/// Checks `value` against the input shape; on failure returns the whole
/// message (`N validation error(s) detected: ...`).
pub fn validate(model: &ServiceModel, shape: ShapeId, value: &Value) -> Result<(), String> {
    let mut errors = Vec::new();
    check_struct(model, shape, value, Path::Root, &mut errors);
    if errors.is_empty() {
        return Ok(());
    }
    let n = errors.len();
    let noun = if n == 1 { "error" } else { "errors" };
    Err(format!("{n} validation {noun} detected: {}", errors.join("; ")))
}

/// Where a value sits in the input, as AWS prints it: members by their
/// lower-camel name joined with `.`, list elements as `.{n}.member`
/// (1-based) and map values as `.{key}.member`.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Member(&'a Path<'a>, &'static str),
    Element(&'a Path<'a>, usize),
    Entry(&'a Path<'a>, &'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Member(Path::Root, name) => f.write_str(&lower_first(name)),
            Path::Member(parent, name) => write!(f, "{parent}.{}", lower_first(name)),
            Path::Element(parent, i) => write!(f, "{parent}.{}.member", i + 1),
            Path::Entry(parent, key) => write!(f, "{parent}.{key}.member"),
        }
    }
}

fn check_struct(model: &ServiceModel, shape: ShapeId, value: &Value, path: Path<'_>, errors: &mut Vec<String>) {
    let ShapeKind::Structure(st) = &model.shape(shape).kind else {
        return;
    };
    let Some(obj) = value.as_object() else {
        return;
    };
    for member in st.members {
        let member_path = Path::Member(&path, member.name);
        match obj.get(member.name) {
            None | Some(Value::Null) => {
                // A streaming payload (InvokeAsync's `InvokeArgs`) reaches the
                // service as the body stream, never inside the input.
                if st.is_required(member.name)
                    && crate::rest::streaming_payload(model, Some(shape)) != Some(member.name)
                {
                    errors.push(format!(
                        "Value null at '{member_path}' failed to satisfy constraint: Member must not be null"
                    ));
                }
            }
            Some(v) => check_value(model, member.shape, v, member_path, errors),
        }
    }
}

fn check_value(model: &ServiceModel, shape: ShapeId, value: &Value, path: Path<'_>, errors: &mut Vec<String>) {
    match &model.shape(shape).kind {
        ShapeKind::Structure(_) => check_struct(model, shape, value, path, errors),
        ShapeKind::List(list) => {
            let Some(items) = value.as_array() else { return };
            let shown = value_at(model, shape, value, path);
            length_checks(items.len() as i64, list.min, list.max, &shown, errors);
            let member_is_scalar = !matches!(
                model.shape(list.member).kind,
                ShapeKind::Structure(_) | ShapeKind::List(_) | ShapeKind::Map(_)
            );
            if member_is_scalar {
                // AWS reports element failures once, at the list, as a set.
                let mut inner = Vec::new();
                for item in items {
                    scalar_constraints(model, list.member, item, true, &mut inner);
                }
                if !inner.is_empty() {
                    inner.dedup();
                    errors.push(format!(
                        "{shown} failed to satisfy constraint: Member must satisfy constraint: [{}]",
                        inner.join(", ")
                    ));
                }
            } else {
                for (i, item) in items.iter().enumerate() {
                    check_value(model, list.member, item, Path::Element(&path, i), errors);
                }
            }
        }
        ShapeKind::Map(map) => {
            let Some(entries) = value.as_object() else { return };
            let shown = value_at(model, shape, value, path);
            length_checks(entries.len() as i64, map.min, map.max, &shown, errors);
            for (k, v) in entries {
                check_value(model, map.value, v, Path::Entry(&path, k), errors);
            }
        }
        _ => {
            let mut found = Vec::new();
            let own =
                matches!(path, Path::Member(Path::Root, name) if crate::conventions::service_checks_enum(model, name));
            scalar_constraints(model, shape, value, !own, &mut found);
            if !found.is_empty() {
                let shown = value_at(model, shape, value, path);
                errors.extend(found.into_iter().map(|msg| format!("{shown} failed to satisfy constraint: {msg}")));
            }
        }
    }
}

/// The subject of a message about `value`: `Value 'ab' at 'tableName'`,
/// or `Value at 'password'` when the model marks the value sensitive (AWS
/// never echoes a password or secret, nor a list of them).
fn value_at(model: &ServiceModel, shape: ShapeId, value: &Value, path: Path<'_>) -> String {
    let sensitive = |id: ShapeId| matches!(&model.shape(id).kind, ShapeKind::String(s) if s.sensitive);
    let hidden = match &model.shape(shape).kind {
        ShapeKind::List(list) => sensitive(list.member),
        ShapeKind::Map(map) => sensitive(map.value),
        _ => sensitive(shape),
    };
    if hidden { format!("Value at '{path}'") } else { format!("Value '{}' at '{path}'", render(value)) }
}

fn length_checks(len: i64, min: Option<i64>, max: Option<i64>, shown: &str, errors: &mut Vec<String>) {
    if let Some(min) = min.filter(|m| len < *m) {
        errors.push(format!(
            "{shown} failed to satisfy constraint: Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = max.filter(|m| len > *m) {
        errors
            .push(format!("{shown} failed to satisfy constraint: Member must have length less than or equal to {max}"));
    }
}

/// The constraint messages a scalar value breaks (`enums`: the enum too).
fn scalar_constraints(model: &ServiceModel, shape: ShapeId, value: &Value, enums: bool, out: &mut Vec<String>) {
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
            if enums
                && !s.enum_values.is_empty()
                && !s.enum_values.contains(&text)
                && crate::conventions::checks_enums(model)
            {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(service: &str, operation: &str, input: Value) -> String {
        let model = crate::model(service).expect("model");
        let shape = model.operation(operation).and_then(|op| op.input).expect("input shape");
        validate(model, shape, &input).err().unwrap_or_default()
    }

    #[test]
    fn sensitive_values_are_never_echoed() {
        let msg = check("cognito-idp", "SignUp", json!({"ClientId": "c", "Username": "u", "Password": "has space"}));
        assert_eq!(
            msg,
            "1 validation error detected: Value at 'password' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\S]+"
        );
        let msg = check("cognito-idp", "InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "bad id"}));
        assert!(msg.contains("Value at 'clientId' failed"), "{msg}");
        assert!(!msg.contains("bad id"), "{msg}");
    }

    #[test]
    fn nested_paths_name_members_elements_and_entries() {
        let msg = check(
            "dynamodb",
            "BatchWriteItem",
            json!({"RequestItems": {"tbl": [{"PutRequest": {"Item": {}}}, {"DeleteRequest": {}}]}}),
        );
        assert_eq!(
            msg,
            "1 validation error detected: Value null at 'requestItems.tbl.member.2.member.deleteRequest.key' failed to satisfy constraint: Member must not be null"
        );
        let msg = check("dynamodb", "GetItem", json!({"Key": {}, "ReturnConsumedCapacity": "ALL"}));
        assert_eq!(
            msg,
            "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
        );
    }
}
