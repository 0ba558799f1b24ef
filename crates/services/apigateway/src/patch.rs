//! AWS's `patchOperations`, implemented once for every Update call. Each
//! resource type declares its patchable paths ([`Rule`]s): plain members
//! (`/name`, `/throttling/rateLimit`), map entries (`/variables/{name}`,
//! `/requestParameters/{location}`) and set-like lists
//! (`/binaryMediaTypes/{type}`), with the ops each allows and the type of
//! their values (patch values are always strings on the wire). Path
//! segments are JSON-pointer escaped (`~1` for `/`, `~0` for `~`).

use crate::errors::bad_request;
use serde_json::{Map, Value};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// One operation of a request's `patchOperations`.
#[derive(Debug, Clone)]
pub struct PatchOp {
    pub op: String,
    pub path: String,
    pub value: Option<String>,
}

/// The operations of an Update call's input, in order.
pub fn ops(input: &Value) -> Vec<PatchOp> {
    input
        .list("patchOperations")
        .iter()
        .map(|o| PatchOp {
            op: o.str("op").unwrap_or_default().to_string(),
            path: o.str("path").unwrap_or_default().to_string(),
            value: o.str("value").map(str::to_string),
        })
        .collect()
}

/// The type a patch value is stored as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Str,
    Bool,
    Int,
    Float,
}

/// What a rule's path addresses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// The member at the path itself.
    Member(Scalar),
    /// An entry of the map at the path: `{path}/{key}`.
    Entry(Scalar),
    /// An item of the list at the path: `{path}/{item}`; `add` appends the
    /// item, `remove` drops it, `replace` puts the value in its place.
    Item,
}

/// A patchable path and the operations it takes.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub path: &'static str,
    pub ops: &'static [&'static str],
    pub kind: Kind,
}

pub const REPLACE: &[&str] = &["replace"];
pub const ADD_REMOVE: &[&str] = &["add", "remove"];
pub const ALL: &[&str] = &["add", "remove", "replace"];

/// How a resource type words a path it does not know.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// `Invalid patch path /x`.
    Plain,
    /// Replace: `Invalid patch path  '/x' specified for op 'replace'. Must
    /// be one of: [...]`; other ops: `... Please choose supported operations`.
    Listed,
}

/// The patchable paths of one resource type.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub rules: &'static [Rule],
    pub style: Style,
}

/// A path segment with its JSON-pointer escapes undone.
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

impl Rules {
    /// The rule `path` falls under, and the entry or item key it names.
    fn find(&self, path: &str) -> Option<(&Rule, Option<String>)> {
        self.rules.iter().find_map(|r| match r.kind {
            Kind::Member(_) => (r.path == path).then_some((r, None)),
            Kind::Entry(_) | Kind::Item => {
                let key = path.strip_prefix(r.path)?.strip_prefix('/')?;
                (!key.is_empty() && !key.contains('/')).then(|| (r, Some(unescape(key))))
            }
        })
    }

    fn unknown_path(&self, op: &PatchOp) -> AwsError {
        match self.style {
            Style::Plain => bad_request(format!("Invalid patch path {}", op.path)),
            Style::Listed if op.op == "replace" => {
                let paths: Vec<&str> =
                    self.rules.iter().filter(|r| r.ops.contains(&"replace")).map(|r| r.path).collect();
                bad_request(format!(
                    "Invalid patch path  '{}' specified for op 'replace'. Must be one of: [{}]",
                    op.path,
                    paths.join(", ")
                ))
            }
            Style::Listed => bad_request(format!(
                "Invalid patch path  '{}' specified for op '{}'. Please choose supported operations",
                op.path, op.op
            )),
        }
    }

    /// Applies `ops` to `target` (a resource's shape) in order.
    pub fn apply(&self, target: &mut Value, ops: &[PatchOp]) -> Result<(), AwsError> {
        for op in ops {
            self.apply_one(target, op)?;
        }
        Ok(())
    }

    fn apply_one(&self, target: &mut Value, op: &PatchOp) -> Result<(), AwsError> {
        let Some((rule, key)) = self.find(&op.path) else { return Err(self.unknown_path(op)) };
        if !rule.ops.contains(&op.op.as_str()) {
            if ["add", "remove", "replace"].contains(&op.op.as_str()) && self.style == Style::Listed {
                return Err(self.unknown_path(op));
            }
            return Err(bad_request(format!(
                "Invalid patch operation specified. Must be one of: [{}]",
                rule.ops.join(", ")
            )));
        }
        let Some((parent, member)) = member_slot(target, rule.path) else { return Err(self.unknown_path(op)) };
        match (rule.kind, key) {
            (Kind::Member(scalar), _) => match (op.op.as_str(), &op.value) {
                ("remove", _) | (_, None) => {
                    parent.remove(member);
                }
                (_, Some(v)) => {
                    parent.insert(member.to_string(), typed(scalar, v, &op.path)?);
                }
            },
            (Kind::Entry(scalar), Some(key)) => {
                let map = parent.entry(member.to_string()).or_insert_with(|| Value::Object(Map::new()));
                let Some(map) = map.as_object_mut() else { return Err(self.unknown_path(op)) };
                match op.op.as_str() {
                    "remove" => {
                        map.remove(&key);
                    }
                    _ => {
                        let v = op.value.as_deref().unwrap_or_default();
                        map.insert(key, typed(scalar, v, &op.path)?);
                    }
                }
                if map.is_empty() {
                    parent.remove(member);
                }
            }
            (Kind::Item, Some(item)) => {
                let list = parent.entry(member.to_string()).or_insert_with(|| Value::Array(Vec::new()));
                let Some(list) = list.as_array_mut() else { return Err(self.unknown_path(op)) };
                let at = list.iter().position(|v| v.as_str() == Some(&item));
                match (op.op.as_str(), at) {
                    ("add", None) => list.push(item.into()),
                    ("remove", Some(i)) => {
                        list.remove(i);
                    }
                    ("replace", Some(i)) => list[i] = op.value.clone().unwrap_or_default().into(),
                    _ => {}
                }
                if list.is_empty() {
                    parent.remove(member);
                }
            }
            _ => return Err(self.unknown_path(op)),
        }
        Ok(())
    }
}

/// The object holding the member a rule path names (`/a/b` → object `a`,
/// member `b`), created as needed; None when `target` is not an object.
fn member_slot<'a>(target: &'a mut Value, path: &'static str) -> Option<(&'a mut Map<String, Value>, &'static str)> {
    let mut segments: Vec<&'static str> = path.trim_start_matches('/').split('/').collect();
    let member = segments.pop()?;
    let mut at = target.as_object_mut()?;
    for s in segments {
        let v = at.entry(s.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if !v.is_object() {
            *v = Value::Object(Map::new());
        }
        at = v.as_object_mut()?;
    }
    Some((at, member))
}

/// `value` as the member's type.
fn typed(scalar: Scalar, value: &str, path: &str) -> Result<Value, AwsError> {
    let invalid = || bad_request(format!("Invalid value '{value}' for patch path {path}"));
    Ok(match scalar {
        Scalar::Str => value.into(),
        Scalar::Bool => Value::Bool(value.eq_ignore_ascii_case("true")),
        Scalar::Int => value.trim().parse::<i64>().map_err(|_| invalid())?.into(),
        Scalar::Float => value.trim().parse::<f64>().map_err(|_| invalid())?.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RULES: Rules = Rules {
        rules: &[
            Rule { path: "/name", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
            Rule { path: "/description", ops: ALL, kind: Kind::Member(Scalar::Str) },
            Rule { path: "/binaryMediaTypes", ops: ALL, kind: Kind::Item },
            Rule { path: "/variables", ops: ALL, kind: Kind::Entry(Scalar::Str) },
            Rule { path: "/throttling/rateLimit", ops: REPLACE, kind: Kind::Member(Scalar::Float) },
        ],
        style: Style::Listed,
    };

    fn op(op: &str, path: &str, value: Option<&str>) -> PatchOp {
        PatchOp { op: op.into(), path: path.into(), value: value.map(str::to_string) }
    }

    #[test]
    fn members_entries_and_items() {
        let mut v = json!({"name": "a", "description": "d"});
        let ops = [
            op("replace", "/name", Some("b")),
            op("remove", "/description", None),
            op("add", "/binaryMediaTypes/image~1png", None),
            op("add", "/binaryMediaTypes/image~1jpeg", None),
            op("replace", "/binaryMediaTypes/image~1png", Some("image/gif")),
            op("add", "/variables/v1", Some("x")),
            op("replace", "/throttling/rateLimit", Some("12.5")),
        ];
        RULES.apply(&mut v, &ops).unwrap();
        assert_eq!(
            v,
            json!({"name": "b", "binaryMediaTypes": ["image/gif", "image/jpeg"], "variables": {"v1": "x"},
                   "throttling": {"rateLimit": 12.5}})
        );
        RULES.apply(&mut v, &[op("remove", "/variables/v1", None)]).unwrap();
        assert!(v.get("variables").is_none());
    }

    #[test]
    fn aws_messages_for_unknown_paths_and_ops() {
        let mut v = json!({});
        let e = RULES.apply(&mut v, &[op("replace", "/invalid", Some("x"))]).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/name, /description, /binaryMediaTypes, /variables, /throttling/rateLimit]"
        );
        let e = RULES.apply(&mut v, &[op("add", "/name", Some("x"))]).unwrap_err();
        assert_eq!(e.message, "Invalid patch path  '/name' specified for op 'add'. Please choose supported operations");
        let e = RULES.apply(&mut v, &[op("move", "/name", Some("x"))]).unwrap_err();
        assert_eq!(e.message, "Invalid patch operation specified. Must be one of: [replace]");
        let plain = Rules { style: Style::Plain, ..RULES };
        let e = plain.apply(&mut v, &[op("add", "/binaryMediaTypes", None)]).unwrap_err();
        assert_eq!(e.message, "Invalid patch path /binaryMediaTypes");
        assert_eq!(e.code, "BadRequestException");
    }
}
