//! JSON bodies (awsJson 1.0/1.1 and restJson1): wire JSON to the model-keyed
//! input value, and output values back to wire JSON. Member names follow the
//! model's `locationName`; timestamps default to epoch seconds.

use crate::model::{Location, ServiceModel, ShapeId, ShapeKind, TimestampFormat};
use crate::timestamp;
use serde_json::{Map, Value};

/// A body that does not match the model's types (`SerializationException`).
#[derive(Debug, PartialEq)]
pub struct SerializationError(pub String);

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "STRING_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
        Value::Null => "VALUE_NULL",
    }
}

fn mismatch(v: &Value, target: &str) -> SerializationError {
    match v {
        Value::Object(_) => SerializationError("Start of structure or map found where not expected.".into()),
        Value::Array(_) => SerializationError("Start of list found where not expected".into()),
        Value::Number(_) if target == "String" => SerializationError(
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String".into(),
        ),
        _ => SerializationError(format!("{} can not be converted to an {target}", type_name(v))),
    }
}

/// Converts a wire JSON value of `shape` to the model-keyed form. With
/// `body_only`, members bound to headers, query or URI are ignored. The
/// value is taken apart, not copied: strings and keys move into the result.
pub fn from_wire(model: &ServiceModel, shape: ShapeId, v: Value, body_only: bool) -> Result<Value, SerializationError> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match &model.shape(shape).kind {
        ShapeKind::Structure(st) => {
            let Value::Object(obj) = v else {
                return Err(SerializationError(format!("Expected a structure but found {}", type_name(&v))));
            };
            let mut out = Map::with_capacity(obj.len());
            for (key, val) in obj {
                let member =
                    st.members.iter().find(|m| m.wire_name() == key && (!body_only || m.location == Location::Body));
                if let Some(member) = member {
                    let decoded = from_wire(model, member.shape, val, false)?;
                    if !decoded.is_null() {
                        let name = if member.name == key { key } else { member.name.to_string() };
                        out.insert(name, decoded);
                    }
                }
            }
            Value::Object(out)
        }
        ShapeKind::List(list) => {
            let Value::Array(items) = v else { return Err(mismatch(&v, "List")) };
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(from_wire(model, list.member, item, false)?);
            }
            Value::Array(out)
        }
        ShapeKind::Map(map) => {
            let Value::Object(obj) = v else { return Err(mismatch(&v, "Map")) };
            let mut out = Map::with_capacity(obj.len());
            for (k, val) in obj {
                out.insert(k, from_wire(model, map.value, val, false)?);
            }
            Value::Object(out)
        }
        ShapeKind::String(_) => match v {
            Value::String(_) => v,
            _ => return Err(mismatch(&v, "String")),
        },
        ShapeKind::Integer(_) | ShapeKind::Long(_) => match v {
            Value::Number(ref n) if n.is_i64() || n.is_u64() => v,
            Value::Number(n) => Value::from(n.as_f64().unwrap_or(0.0) as i64),
            _ => {
                return Err(mismatch(
                    &v,
                    if matches!(model.shape(shape).kind, ShapeKind::Long(_)) { "Long" } else { "Integer" },
                ));
            }
        },
        ShapeKind::Float(_) | ShapeKind::Double(_) => match v {
            Value::Number(_) => v,
            Value::String(ref s) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => v,
            _ => return Err(mismatch(&v, "Double")),
        },
        ShapeKind::Boolean => match v {
            Value::Bool(_) => v,
            _ => return Err(mismatch(&v, "Boolean")),
        },
        ShapeKind::Blob(_) => match v {
            Value::String(_) => v,
            _ => return Err(mismatch(&v, "ByteBuffer")),
        },
        ShapeKind::Timestamp(_) => match v {
            Value::Number(_) => v,
            Value::String(s) => match timestamp::parse(&s) {
                Some(t) => Value::from(t),
                None => return Err(SerializationError(format!("Unable to parse timestamp value: {s}"))),
            },
            _ => return Err(mismatch(&v, "Date")),
        },
    })
}

/// Converts a model-keyed output value of `shape` to wire JSON. With
/// `body_only`, members bound elsewhere (headers, status code) are left out.
pub fn to_wire(model: &ServiceModel, shape: ShapeId, v: &Value, body_only: bool) -> Value {
    to_wire_with(model, shape, v, body_only, None)
}

fn to_wire_with(
    model: &ServiceModel,
    shape: ShapeId,
    v: &Value,
    body_only: bool,
    ts: Option<TimestampFormat>,
) -> Value {
    match &model.shape(shape).kind {
        ShapeKind::Structure(st) => {
            let Value::Object(obj) = v else { return Value::Null };
            let mut out = Map::new();
            for member in st.members {
                if body_only && member.location != Location::Body {
                    continue;
                }
                if let Some(val) = obj.get(member.name).filter(|x| !x.is_null()) {
                    out.insert(
                        member.wire_name().to_string(),
                        to_wire_with(model, member.shape, val, false, member.timestamp_format),
                    );
                }
            }
            Value::Object(out)
        }
        ShapeKind::List(list) => match v {
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| to_wire_with(model, list.member, i, false, None)).collect())
            }
            _ => Value::Null,
        },
        ShapeKind::Map(map) => match v {
            Value::Object(obj) => Value::Object(
                obj.iter().map(|(k, val)| (k.clone(), to_wire_with(model, map.value, val, false, None))).collect(),
            ),
            _ => Value::Null,
        },
        ShapeKind::Timestamp(shape_fmt) => {
            let Some(epoch) = v.as_f64() else { return v.clone() };
            match ts.or(*shape_fmt).unwrap_or(TimestampFormat::UnixTimestamp) {
                TimestampFormat::UnixTimestamp => serde_json::Number::from_f64((epoch * 1000.0).round() / 1000.0)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                TimestampFormat::Iso8601 => Value::from(timestamp::to_iso8601(epoch)),
                TimestampFormat::Rfc822 => Value::from(timestamp::to_http_date(epoch)),
            }
        }
        _ => v.clone(),
    }
}
