//! Items serialized as wire JSON (`{"name": {"S": …}}`) straight from their
//! typed form: the store's encoding of items and index entries. The bytes
//! are those of `serde_json::to_vec(&item_to_json(item))`, without building
//! that intermediate value.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::types::{AttrValue, Item};

/// An item in its wire form.
pub struct WireItem<'a>(pub &'a Item);

impl Serialize for WireItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            out.serialize_entry(k, &WireValue(v))?;
        }
        out.end()
    }
}

/// One attribute value in its wire form.
struct WireValue<'a>(&'a AttrValue);

/// A list of strings, numbers or binaries of a set, as wire strings.
struct Strings<'a, T>(&'a [T], fn(&T) -> String);

impl<T> Serialize for Strings<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_seq(Some(self.0.len()))?;
        for x in self.0 {
            out.serialize_element(&(self.1)(x))?;
        }
        out.end()
    }
}

/// The elements of an `L`.
struct List<'a>(&'a [AttrValue]);

impl Serialize for List<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_seq(Some(self.0.len()))?;
        for x in self.0 {
            out.serialize_element(&WireValue(x))?;
        }
        out.end()
    }
}

impl Serialize for WireValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_map(Some(1))?;
        match self.0 {
            AttrValue::S(x) => out.serialize_entry("S", x)?,
            AttrValue::N(n) => out.serialize_entry("N", &n.to_canonical())?,
            AttrValue::B(b) => out.serialize_entry("B", &B64.encode(b))?,
            AttrValue::Bool(b) => out.serialize_entry("BOOL", b)?,
            AttrValue::Null => out.serialize_entry("NULL", &true)?,
            AttrValue::Ss(v) => out.serialize_entry("SS", v)?,
            AttrValue::Ns(v) => out.serialize_entry("NS", &Strings(v, |n| n.to_canonical()))?,
            AttrValue::Bs(v) => out.serialize_entry("BS", &Strings(v, |b| B64.encode(b)))?,
            AttrValue::L(v) => out.serialize_entry("L", &List(v))?,
            AttrValue::M(m) => out.serialize_entry("M", &WireItem(m))?,
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{item_from_json, item_to_json};
    use serde_json::json;

    #[test]
    fn same_bytes_as_the_json_value() {
        let wire = json!({
            "pk": {"S": "a\"b\u{0}é"}, "n": {"N": "-001.50"}, "b": {"B": "AAEC"}, "t": {"BOOL": false},
            "z": {"NULL": true}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2e3"]}, "bs": {"BS": ["AA==", "AQ=="]},
            "l": {"L": [{"S": ""}, {"M": {"k": {"N": "0"}}}, {"L": []}]}, "m": {"M": {}}
        });
        let item = item_from_json(&wire).expect("item");
        let expected = serde_json::to_vec(&item_to_json(&item)).expect("json");
        assert_eq!(serde_json::to_vec(&WireItem(&item)).expect("json"), expected);
    }
}
