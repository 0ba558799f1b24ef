//! JSON Schema draft-04, as request validators check bodies against
//! models: `type`, `enum`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`/`maxItems`,
//! `minLength`/`maxLength`, `pattern`, `minimum`/`maximum` (with the
//! draft-04 boolean `exclusiveMinimum`/`exclusiveMaximum`),
//! `allOf`/`anyOf`/`oneOf`/`not`, and `$ref` to another model of the API
//! (`.../models/{name}` or `#/definitions/{name}`).

use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::input::Input;

/// How deep `$ref`s may nest (a guard against cycles).
const MAX_DEPTH: usize = 32;

/// Validates instances against one model, resolving references among `models`.
pub struct Validator<'a> {
    pub models: &'a BTreeMap<String, Value>,
}

fn type_matches(kind: &str, v: &Value) -> bool {
    match kind {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => true,
    }
}

impl Validator<'_> {
    /// The schema model `name` holds, parsed.
    fn model(&self, name: &str) -> Option<Value> {
        self.models.get(name).and_then(|m| m.str("schema")).and_then(|s| serde_json::from_str(s).ok())
    }

    /// Whether `v` satisfies `schema`.
    pub fn valid(&self, schema: &Value, v: &Value) -> bool {
        self.check(schema, v, 0)
    }

    fn check(&self, schema: &Value, v: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if let Some(r) = schema.str("$ref") {
            let name = r.rsplit('/').next().unwrap_or_default();
            return self.model(name).is_some_and(|s| self.check(&s, v, depth + 1));
        }
        let sub = |s: &Value, x: &Value| self.check(s, x, depth + 1);
        let types_ok = match schema.get("type") {
            Some(Value::String(t)) => type_matches(t, v),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(|t| type_matches(t, v)),
            _ => true,
        };
        let enum_ok = schema.get("enum").and_then(Value::as_array).is_none_or(|e| e.contains(v));
        let all_ok = schema.list("allOf").iter().all(|s| sub(s, v));
        let any_ok = schema.get("anyOf").and_then(Value::as_array).is_none_or(|a| a.iter().any(|s| sub(s, v)));
        let one_ok =
            schema.get("oneOf").and_then(Value::as_array).is_none_or(|a| a.iter().filter(|s| sub(s, v)).count() == 1);
        let not_ok = schema.get("not").is_none_or(|s| !sub(s, v));
        types_ok && enum_ok && all_ok && any_ok && one_ok && not_ok && self.specific(schema, v, depth)
    }

    /// The keywords of `v`'s own type.
    fn specific(&self, schema: &Value, v: &Value, depth: usize) -> bool {
        let sub = |s: &Value, x: &Value| self.check(s, x, depth + 1);
        let num = |k: &str| schema.get(k).and_then(Value::as_f64);
        match v {
            Value::Object(o) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let required = schema.list("required").iter().filter_map(Value::as_str).all(|k| o.contains_key(k));
                let each = o.iter().all(|(k, x)| match props.and_then(|p| p.get(k)) {
                    Some(s) => sub(s, x),
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => false,
                        Some(s @ Value::Object(_)) => sub(s, x),
                        _ => true,
                    },
                });
                required && each
            }
            Value::Array(a) => {
                let items = match schema.get("items") {
                    Some(s @ Value::Object(_)) => a.iter().all(|x| sub(s, x)),
                    Some(Value::Array(ss)) => a.iter().zip(ss).all(|(x, s)| sub(s, x)),
                    _ => true,
                };
                items
                    && num("minItems").is_none_or(|n| a.len() as f64 >= n)
                    && num("maxItems").is_none_or(|n| a.len() as f64 <= n)
            }
            Value::String(s) => {
                let len = s.chars().count() as f64;
                num("minLength").is_none_or(|n| len >= n)
                    && num("maxLength").is_none_or(|n| len <= n)
                    && schema.str("pattern").is_none_or(|p| regex::Regex::new(p).is_ok_and(|re| re.is_match(s)))
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or_default();
                let exclusive = |k: &str| schema.bool(k) == Some(true);
                num("minimum").is_none_or(|m| if exclusive("exclusiveMinimum") { x > m } else { x >= m })
                    && num("maximum").is_none_or(|m| if exclusive("exclusiveMaximum") { x < m } else { x <= m })
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn draft_04_keywords_and_model_references() {
        let models = BTreeMap::from([(
            "Pet".to_string(),
            json!({"schema": r#"{"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}"#}),
        )]);
        let v = Validator { models: &models };
        let schema = json!({
            "type": "object",
            "required": ["pets", "count"],
            "additionalProperties": false,
            "properties": {
                "pets": {"type": "array", "items": {"$ref": "https://apigateway.amazonaws.com/restapis/x/models/Pet"}, "minItems": 1},
                "count": {"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMaximum": true},
                "kind": {"enum": ["dog", "cat"]}
            }
        });
        assert!(v.valid(&schema, &json!({"pets": [{"name": "rex"}], "count": 1, "kind": "dog"})));
        assert!(!v.valid(&schema, &json!({"pets": [{"name": ""}], "count": 1})));
        assert!(!v.valid(&schema, &json!({"pets": [{"name": "rex"}], "count": 10})));
        assert!(!v.valid(&schema, &json!({"pets": [], "count": 1})));
        assert!(!v.valid(&schema, &json!({"pets": [{"name": "a"}], "count": 1, "other": true})));
        assert!(!v.valid(&schema, &json!({"pets": [{"name": "a"}], "count": 1, "kind": "fish"})));
        assert!(!v.valid(&schema, &json!({"count": 1})));
    }
}
