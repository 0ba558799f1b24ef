//! Attribute values: the typed form of DynamoDB's `{"S": …}` wire values,
//! their validation with AWS's messages (numbers, empty sets, duplicates,
//! nesting depth), conversion back to the wire, equality, and item size.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value};

use crate::error::{DdbError, validation};
use crate::number::Number;

/// An item: attribute name → value.
pub type Item = BTreeMap<String, AttrValue>;

#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    S(String),
    N(Number),
    B(Vec<u8>),
    Bool(bool),
    Null,
    Ss(Vec<String>),
    Ns(Vec<Number>),
    Bs(Vec<Vec<u8>>),
    L(Vec<AttrValue>),
    M(Item),
}

const MAX_DEPTH: usize = 32;

impl AttrValue {
    /// The type descriptor: `S`, `N`, `B`, `BOOL`, `NULL`, `SS`, `NS`, `BS`, `L`, `M`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttrValue::S(_) => "S",
            AttrValue::N(_) => "N",
            AttrValue::B(_) => "B",
            AttrValue::Bool(_) => "BOOL",
            AttrValue::Null => "NULL",
            AttrValue::Ss(_) => "SS",
            AttrValue::Ns(_) => "NS",
            AttrValue::Bs(_) => "BS",
            AttrValue::L(_) => "L",
            AttrValue::M(_) => "M",
        }
    }

    /// Parses a wire value, validating as DynamoDB does.
    pub fn from_json(v: &Value) -> Result<AttrValue, DdbError> {
        parse_value(v, 0)
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::with_capacity(1);
        let (k, v) = match self {
            AttrValue::S(s) => ("S", Value::String(s.clone())),
            AttrValue::N(n) => ("N", Value::String(n.to_canonical())),
            AttrValue::B(b) => ("B", Value::String(B64.encode(b))),
            AttrValue::Bool(b) => ("BOOL", Value::Bool(*b)),
            AttrValue::Null => ("NULL", Value::Bool(true)),
            AttrValue::Ss(v) => ("SS", Value::Array(v.iter().cloned().map(Value::String).collect())),
            AttrValue::Ns(v) => ("NS", Value::Array(v.iter().map(|n| Value::String(n.to_canonical())).collect())),
            AttrValue::Bs(v) => ("BS", Value::Array(v.iter().map(|b| Value::String(B64.encode(b))).collect())),
            AttrValue::L(v) => ("L", Value::Array(v.iter().map(AttrValue::to_json).collect())),
            AttrValue::M(m) => ("M", item_to_json(m)),
        };
        m.insert(k.to_string(), v);
        Value::Object(m)
    }

    /// Bytes of the value as counted toward item size.
    pub fn size(&self) -> usize {
        match self {
            AttrValue::S(s) => s.len(),
            AttrValue::N(n) => n.size(),
            AttrValue::B(b) => b.len(),
            AttrValue::Bool(_) | AttrValue::Null => 1,
            AttrValue::Ss(v) => v.iter().map(String::len).sum(),
            AttrValue::Ns(v) => v.iter().map(Number::size).sum(),
            AttrValue::Bs(v) => v.iter().map(Vec::len).sum(),
            AttrValue::L(v) => 3 + v.iter().map(|x| x.size() + 1).sum::<usize>(),
            AttrValue::M(m) => 3 + m.iter().map(|(k, x)| k.len() + x.size() + 1).sum::<usize>(),
        }
    }
}

fn parse_value(v: &Value, depth: usize) -> Result<AttrValue, DdbError> {
    if depth > MAX_DEPTH {
        return Err(validation("Nesting Levels have exceeded supported limits"));
    }
    let obj = match v.as_object() {
        Some(o) => o,
        None => {
            return Err(validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            ));
        }
    };
    let present: Vec<(&String, &Value)> = obj.iter().filter(|(_, x)| !x.is_null()).collect();
    if present.is_empty() {
        return Err(validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ));
    }
    if present.len() > 1 {
        return Err(validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ));
    }
    let (k, x) = present[0];
    let strs = |x: &Value| -> Result<Vec<String>, DdbError> {
        x.as_array()
            .ok_or_else(|| validation("Invalid attribute value"))?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(|| validation("Invalid attribute value")))
            .collect()
    };
    Ok(match k.as_str() {
        "S" => AttrValue::S(x.as_str().ok_or_else(|| validation("Invalid attribute value"))?.to_string()),
        "N" => AttrValue::N(parse_num(x.as_str().unwrap_or_default())?),
        "B" => AttrValue::B(parse_b64(x)?),
        "BOOL" => AttrValue::Bool(x.as_bool().ok_or_else(|| validation("Invalid attribute value"))?),
        "NULL" => {
            if x.as_bool() != Some(true) {
                return Err(validation(
                    "One or more parameter values were invalid: Null attribute value types must have the value of true",
                ));
            }
            AttrValue::Null
        }
        "SS" => {
            let v = strs(x)?;
            check_set(&v, "string")?;
            AttrValue::Ss(v)
        }
        "NS" => {
            let raw = strs(x)?;
            let v = raw.iter().map(|s| parse_num(s)).collect::<Result<Vec<_>, _>>()?;
            check_set(&v, "number")?;
            AttrValue::Ns(v)
        }
        "BS" => {
            let v = x
                .as_array()
                .ok_or_else(|| validation("Invalid attribute value"))?
                .iter()
                .map(parse_b64)
                .collect::<Result<Vec<_>, _>>()?;
            check_set(&v, "binary")?;
            AttrValue::Bs(v)
        }
        "L" => AttrValue::L(
            x.as_array()
                .ok_or_else(|| validation("Invalid attribute value"))?
                .iter()
                .map(|e| parse_value(e, depth + 1))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        "M" => AttrValue::M(parse_map(x, depth + 1)?),
        _ => {
            return Err(validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            ));
        }
    })
}

fn parse_map(x: &Value, depth: usize) -> Result<Item, DdbError> {
    let o = x.as_object().ok_or_else(|| validation("Invalid attribute value"))?;
    let mut m = Item::new();
    for (k, v) in o {
        m.insert(k.clone(), parse_value(v, depth)?);
    }
    Ok(m)
}

fn parse_num(s: &str) -> Result<Number, DdbError> {
    Number::parse(s).map_err(|e| validation(e.message(s)))
}

fn parse_b64(x: &Value) -> Result<Vec<u8>, DdbError> {
    let s = x.as_str().ok_or_else(|| validation("Invalid attribute value"))?;
    B64.decode(s).map_err(|_| validation("Invalid attribute value"))
}

fn check_set<T: PartialEq>(v: &[T], kind: &str) -> Result<(), DdbError> {
    if v.is_empty() {
        return Err(validation(format!("One or more parameter values were invalid: An {kind} set  may not be empty")));
    }
    for (i, a) in v.iter().enumerate() {
        if v[..i].contains(a) {
            return Err(validation("Input collection contains duplicates"));
        }
    }
    Ok(())
}

/// Parses a wire item (`{"name": {"S": …}, …}`).
pub fn item_from_json(v: &Value) -> Result<Item, DdbError> {
    parse_map(v, 0)
}

pub fn item_to_json(item: &Item) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
}

/// Item size in bytes: names plus values.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + v.size()).sum()
}

/// The 400 KB limit.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Set equality ignores order; everything else is structural.
pub fn values_equal(a: &AttrValue, b: &AttrValue) -> bool {
    match (a, b) {
        (AttrValue::Ss(x), AttrValue::Ss(y)) => x.len() == y.len() && x.iter().all(|e| y.contains(e)),
        (AttrValue::Ns(x), AttrValue::Ns(y)) => x.len() == y.len() && x.iter().all(|e| y.contains(e)),
        (AttrValue::Bs(x), AttrValue::Bs(y)) => x.len() == y.len() && x.iter().all(|e| y.contains(e)),
        (AttrValue::L(x), AttrValue::L(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q)),
        (AttrValue::M(x), AttrValue::M(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}
