//! Output values written as wire JSON bytes straight from the model-keyed
//! value: the same result as serializing `json::to_wire`, without building
//! (and copying every string into) the wire value first.

use crate::model::{Location, ServiceModel, ShapeId, ShapeKind, TimestampFormat};
use crate::timestamp;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// The wire JSON bytes of output value `v` of `shape` (see `json::to_wire`).
pub fn to_wire_bytes(model: &ServiceModel, shape: ShapeId, v: &Value, body_only: bool) -> Vec<u8> {
    serde_json::to_vec(&Wire { model, shape, v, body_only, ts: None }).unwrap_or_default()
}

/// One value of a shape, serialized in its wire form.
struct Wire<'a> {
    model: &'a ServiceModel,
    shape: ShapeId,
    v: &'a Value,
    body_only: bool,
    ts: Option<TimestampFormat>,
}

impl<'a> Wire<'a> {
    fn inner(&self, shape: ShapeId, v: &'a Value, ts: Option<TimestampFormat>) -> Wire<'a> {
        Wire { model: self.model, shape, v, body_only: false, ts }
    }
}

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.model.shape(self.shape).kind {
            ShapeKind::Structure(st) => {
                let Value::Object(obj) = self.v else { return s.serialize_unit() };
                let mut out = s.serialize_map(None)?;
                for member in st.members {
                    if self.body_only && member.location != Location::Body {
                        continue;
                    }
                    if let Some(val) = obj.get(member.name).filter(|x| !x.is_null()) {
                        out.serialize_entry(
                            member.wire_name(),
                            &self.inner(member.shape, val, member.timestamp_format),
                        )?;
                    }
                }
                out.end()
            }
            ShapeKind::List(list) => {
                let Value::Array(items) = self.v else { return s.serialize_unit() };
                let mut out = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&self.inner(list.member, item, None))?;
                }
                out.end()
            }
            ShapeKind::Map(map) => {
                let Value::Object(obj) = self.v else { return s.serialize_unit() };
                let mut out = s.serialize_map(Some(obj.len()))?;
                for (k, val) in obj {
                    out.serialize_entry(k, &self.inner(map.value, val, None))?;
                }
                out.end()
            }
            ShapeKind::Timestamp(shape_fmt) => {
                let Some(epoch) = self.v.as_f64() else { return self.v.serialize(s) };
                match self.ts.or(*shape_fmt).unwrap_or(TimestampFormat::UnixTimestamp) {
                    TimestampFormat::UnixTimestamp => {
                        match serde_json::Number::from_f64((epoch * 1000.0).round() / 1000.0) {
                            Some(n) => n.serialize(s),
                            None => s.serialize_unit(),
                        }
                    }
                    TimestampFormat::Iso8601 => s.serialize_str(&timestamp::to_iso8601(epoch)),
                    TimestampFormat::Rfc822 => s.serialize_str(&timestamp::to_http_date(epoch)),
                }
            }
            _ => self.v.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_wire;
    use serde_json::json;

    fn same_as_to_wire(service: &str, operation: &str, v: Value) {
        let model = crate::model(service).expect("model");
        let op = model.operation(operation).expect("operation");
        let shape = op.output.expect("output shape");
        for body_only in [false, true] {
            let expected = serde_json::to_vec(&to_wire(model, shape, &v, body_only)).expect("json");
            assert_eq!(
                String::from_utf8_lossy(&to_wire_bytes(model, shape, &v, body_only)),
                String::from_utf8_lossy(&expected)
            );
        }
    }

    #[test]
    fn matches_to_wire() {
        same_as_to_wire(
            "dynamodb",
            "GetItem",
            json!({"Item": {"pk": {"S": "a\"\\u{1}"}, "n": {"N": "1.5"}, "l": {"L": [{"BOOL": true}, {"NULL": true}]},
                   "m": {"M": {"x": {"SS": ["a", "b"]}}}},
                   "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5}}),
        );
        same_as_to_wire(
            "dynamodb",
            "DescribeTable",
            json!({"Table": {"TableName": "t", "CreationDateTime": 1700000000.1234, "ItemCount": 3,
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "Unknown": 1, "TableArn": null}}),
        );
        same_as_to_wire("dynamodb", "ListTables", json!({"TableNames": "not a list"}));
        same_as_to_wire("lambda", "GetFunction", json!({"Configuration": {"FunctionName": "f", "LastModified": "x"}}));
        same_as_to_wire("s3", "ListBuckets", json!({"Buckets": [{"Name": "b", "CreationDate": 1700000000.5}]}));
    }
}
