//! `$context`: the request context API Gateway supplies, plus the writable
//! `requestOverride.{header,querystring,path}` and `responseOverride.{status,header}` maps
//! whose content becomes [`Overrides`] after rendering.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use crate::Overrides;
use crate::ast::Access;
use crate::value::Value;

const REQUEST_OVERRIDE: &str = "requestOverride";
const RESPONSE_OVERRIDE: &str = "responseOverride";

/// The `$context` map, with the override maps present (keeping values the caller passed in).
pub fn materialize(context: &serde_json::Value) -> Value {
    let value = match Value::from_json(context) {
        map @ Value::Map(_) => map,
        _ => Value::map(IndexMap::new()),
    };
    if let Value::Map(map) = &value {
        let mut map = map.borrow_mut();
        let request = ensure_map(&mut map, REQUEST_OVERRIDE);
        let response = ensure_map(&mut map, RESPONSE_OVERRIDE);
        if let Value::Map(request) = request {
            let mut request = request.borrow_mut();
            for part in ["header", "querystring", "path"] {
                ensure_map(&mut request, part);
            }
        }
        if let Value::Map(response) = response {
            ensure_map(&mut response.borrow_mut(), "header");
        }
    }
    value
}

fn ensure_map(map: &mut IndexMap<String, Value>, key: &str) -> Value {
    let entry = map.entry(key.to_string()).or_insert_with(|| Value::map(IndexMap::new()));
    if !matches!(entry, Value::Map(_)) {
        *entry = Value::map(IndexMap::new());
    }
    entry.clone()
}

/// Whether `#set` on this reference writes an override (`$context.requestOverride...`,
/// `$context.responseOverride...`).
pub fn is_override(root: &str, path: &[Access]) -> bool {
    root == "context"
        && matches!(path.first(), Some(Access::Property(name)) if name == REQUEST_OVERRIDE || name == RESPONSE_OVERRIDE)
}

/// The overrides the caller passed in, for a template that never used `$context`.
pub fn passed_through(context: &serde_json::Value) -> Overrides {
    if context.get(REQUEST_OVERRIDE).is_none() && context.get(RESPONSE_OVERRIDE).is_none() {
        return Overrides::default();
    }
    overrides(&materialize(context))
}

/// What the template left in the override maps.
pub fn overrides(context: &Value) -> Overrides {
    let mut overrides = Overrides::default();
    let Some(request) = member(context, REQUEST_OVERRIDE) else { return overrides };
    overrides.request_headers = strings(member(&request, "header"));
    overrides.request_querystring = strings(member(&request, "querystring"));
    overrides.request_path = strings(member(&request, "path"));
    if let Some(response) = member(context, RESPONSE_OVERRIDE) {
        overrides.response_headers = strings(member(&response, "header"));
        overrides.status = member(&response, "status").and_then(|status| status_code(&status));
    }
    overrides
}

fn member(value: &Value, key: &str) -> Option<Value> {
    match value {
        Value::Map(map) => map.borrow().get(key).cloned(),
        _ => None,
    }
}

fn strings(value: Option<Value>) -> BTreeMap<String, String> {
    let Some(Value::Map(map)) = value else { return BTreeMap::new() };
    let map = map.borrow();
    map.iter().filter(|(_, v)| !v.is_null()).filter_map(|(k, v)| Some((k.clone(), v.to_java_string().ok()?))).collect()
}

fn status_code(value: &Value) -> Option<u16> {
    match value {
        Value::Int(i) => u16::try_from(*i).ok(),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}
