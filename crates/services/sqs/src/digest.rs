//! The digests SQS returns and SDKs verify: `MD5OfMessageBody`, the
//! documented binary encoding behind `MD5OfMessageAttributes` and
//! `MD5OfMessageSystemAttributes`, and the SHA-256 of content-based
//! deduplication.

use base64::Engine;
use md5::Md5;
use serde_json::{Map, Value};
use sha2::Sha256;

pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(<Md5 as md5::Digest>::digest(data))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(<Sha256 as sha2::Digest>::digest(data))
}

fn push_len_prefixed(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    buf.extend_from_slice(bytes);
}

/// The MD5 of a message attribute map (model-keyed `MessageAttributeValue`s):
/// for each name in byte order, the length-prefixed name, the
/// length-prefixed data type, a transport byte (1 string, 2 binary) and the
/// length-prefixed value. None for an empty map.
pub fn md5_of_attributes(attrs: &Map<String, Value>) -> Option<String> {
    if attrs.is_empty() {
        return None;
    }
    let mut names: Vec<&String> = attrs.keys().collect();
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let mut buf = Vec::new();
    for name in names {
        let v = &attrs[name];
        let data_type = v.get("DataType").and_then(Value::as_str).unwrap_or("");
        push_len_prefixed(&mut buf, name.as_bytes());
        push_len_prefixed(&mut buf, data_type.as_bytes());
        if let Some(s) = v.get("StringValue").and_then(Value::as_str) {
            buf.push(1);
            push_len_prefixed(&mut buf, s.as_bytes());
        } else if let Some(b) = v.get("BinaryValue").and_then(Value::as_str) {
            buf.push(2);
            let raw = base64::engine::general_purpose::STANDARD.decode(b).unwrap_or_default();
            push_len_prefixed(&mut buf, &raw);
        } else if let Some(list) = v.get("StringListValues").and_then(Value::as_array) {
            buf.push(3);
            for s in list.iter().filter_map(Value::as_str) {
                push_len_prefixed(&mut buf, s.as_bytes());
            }
        } else if let Some(list) = v.get("BinaryListValues").and_then(Value::as_array) {
            buf.push(4);
            for b in list.iter().filter_map(Value::as_str) {
                let raw = base64::engine::general_purpose::STANDARD.decode(b).unwrap_or_default();
                push_len_prefixed(&mut buf, &raw);
            }
        }
    }
    Some(md5_hex(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_md5_matches_aws() {
        assert_eq!(md5_hex(b"msg"), "6e2baaf3b97dbeef01c0043275f9a0e7");
    }

    #[test]
    fn attribute_md5_matches_aws() {
        // Recorded against AWS: Foo = String "Bar".
        let attrs = json!({"Foo": {"DataType": "String", "StringValue": "Bar"}});
        let Value::Object(m) = attrs else { return };
        assert_eq!(md5_of_attributes(&m).as_deref(), Some("ae7155c6026991b6d54b11589678bf9c"));
        assert_eq!(md5_of_attributes(&Map::new()), None);
    }

    #[test]
    fn attribute_order_does_not_matter() {
        let a = json!({"b": {"DataType": "Number", "StringValue": "1"}, "a": {"DataType": "Binary", "BinaryValue": "AAE="}});
        let b = json!({"a": {"DataType": "Binary", "BinaryValue": "AAE="}, "b": {"DataType": "Number", "StringValue": "1"}});
        let (Value::Object(a), Value::Object(b)) = (a, b) else { return };
        assert_eq!(md5_of_attributes(&a), md5_of_attributes(&b));
    }
}
