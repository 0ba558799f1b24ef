//! The Query protocol's request side: flattened form parameters
//! (`Tags.member.1.Key=k`, `Attributes.entry.1.key=k`) decoded into a
//! model-keyed input value. Responses are XML (see `xml` and `encode`).

use crate::conventions;
use crate::model::{ServiceModel, ShapeId, ShapeKind};
use crate::xml;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Decoded form parameters, ordered so prefixes can be range-scanned.
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Params(pairs.into_iter().collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Whether any parameter is `prefix` itself or starts with `prefix.`.
    fn has(&self, prefix: &str) -> bool {
        let nested = format!("{prefix}.");
        self.0.contains_key(prefix)
            || self.0.range(nested.clone()..).next().is_some_and(|(k, _)| k.starts_with(&nested))
    }
}

/// Decodes the input structure `shape` from `params`; errors name the
/// parameter whose text does not fit its type.
pub fn decode(model: &ServiceModel, shape: ShapeId, params: &Params) -> Result<Value, String> {
    decode_struct(model, shape, "", params)
}

fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") }
}

fn decode_struct(model: &ServiceModel, shape: ShapeId, prefix: &str, params: &Params) -> Result<Value, String> {
    let ShapeKind::Structure(st) = &model.shape(shape).kind else {
        return Ok(Value::Null);
    };
    let mut out = Map::new();
    for member in st.members {
        let k = key(prefix, member.wire_name());
        if let Some(v) = decode_value(model, member.shape, &k, params, member.flattened)? {
            out.insert(member.name.to_string(), v);
        }
    }
    Ok(Value::Object(out))
}

fn decode_value(
    model: &ServiceModel,
    shape: ShapeId,
    k: &str,
    params: &Params,
    flattened: bool,
) -> Result<Option<Value>, String> {
    match &model.shape(shape).kind {
        ShapeKind::Structure(_) => {
            if !params.has(k) {
                return Ok(None);
            }
            decode_struct(model, shape, k, params).map(Some)
        }
        ShapeKind::List(list) => {
            if params.get(k) == Some("") {
                return Ok(Some(Value::Array(Vec::new())));
            }
            let base = if flattened || list.flattened {
                match list.member_name.or_else(|| conventions::query_list_item(model, model.shape(shape).name)) {
                    Some(name) => match k.rfind('.') {
                        Some(i) => format!("{}.{name}", &k[..i]),
                        None => name.to_string(),
                    },
                    None => k.to_string(),
                }
            } else {
                format!("{k}.{}", list.member_name.unwrap_or("member"))
            };
            let mut items = Vec::new();
            for i in 1.. {
                let item_key = format!("{base}.{i}");
                if !params.has(&item_key) {
                    break;
                }
                if let Some(v) = decode_value(model, list.member, &item_key, params, false)? {
                    items.push(v);
                }
            }
            Ok((!items.is_empty()).then_some(Value::Array(items)))
        }
        ShapeKind::Map(map) => {
            let legacy = conventions::query_map_names(model, model.shape(shape).name);
            let base = match legacy {
                Some((element, _, _)) => match k.rfind('.') {
                    Some(i) => format!("{}.{element}", &k[..i]),
                    None => element.to_string(),
                },
                None if flattened || map.flattened => k.to_string(),
                None => format!("{k}.entry"),
            };
            let key_name = map.key_name.or(legacy.map(|l| l.1)).unwrap_or("key");
            let value_name = map.value_name.or(legacy.map(|l| l.2)).unwrap_or("value");
            let mut out = Map::new();
            for i in 1.. {
                let entry = format!("{base}.{i}");
                if !params.has(&entry) {
                    break;
                }
                let key_text = params.get(&format!("{entry}.{key_name}")).unwrap_or("");
                let value_key = format!("{entry}.{value_name}");
                if let Some(v) = decode_value(model, map.value, &value_key, params, false)? {
                    out.insert(key_text.to_string(), v);
                }
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
        _ => match params.get(k) {
            Some(text) => xml::scalar(model, shape, text)
                .map(Some)
                .map_err(|_| format!("Invalid value '{text}' for parameter {k}")),
            None => Ok(None),
        },
    }
}
