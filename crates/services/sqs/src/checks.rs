//! Checks on what a message carries, with AWS's errors: body characters,
//! message (user) and system attributes, group and deduplication ids, the
//! size a message counts for, and batch entry ids.

use std::collections::HashSet;

use base64::Engine;
use serde_json::{Map, Value};
use stratus_core::AwsError;

use crate::error::{invalid, invalid_param};

/// Rejects characters outside `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`.
pub fn body_chars(body: &str) -> Result<(), AwsError> {
    let bad = body.chars().find(|&c| {
        let n = c as u32;
        !(n == 0x9
            || n == 0xA
            || n == 0xD
            || (0x20..=0xD7FF).contains(&n)
            || (0xE000..=0xFFFD).contains(&n)
            || n >= 0x10000)
    });
    match bad {
        None => Ok(()),
        Some(c) => Err(AwsError::bad_request(
            "InvalidMessageContents",
            format!(
                "Invalid binary character '#x{:X}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                c as u32
            ),
        )),
    }
}

fn valid_attribute_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !name.is_empty()
        && name.len() <= 256
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !lower.starts_with("aws.")
        && !lower.starts_with("amazon.")
}

/// Checks message attributes (`kind` is `user` or `system`); returns the
/// bytes they count for in the message size.
pub fn attributes(attrs: &Map<String, Value>, kind: &str) -> Result<usize, AwsError> {
    if attrs.len() > 10 {
        return Err(invalid(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [10].",
            attrs.len()
        )));
    }
    let mut size = 0;
    for (name, v) in attrs {
        if kind == "user" && !valid_attribute_name(name) {
            return Err(invalid(format!("Message (user) attribute name '{name}' is invalid.")));
        }
        let data_type = v.get("DataType").and_then(Value::as_str).unwrap_or("");
        let base = data_type.split('.').next().unwrap_or("");
        if !matches!(base, "String" | "Number" | "Binary") || data_type.len() > 256 {
            return Err(invalid(format!(
                "The type of message ({kind}) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
            )));
        }
        let string = v.get("StringValue").and_then(Value::as_str);
        let binary = v.get("BinaryValue").and_then(Value::as_str);
        let value_len = match base {
            "Binary" => {
                let raw = binary.and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
                match raw {
                    Some(r) if !r.is_empty() => r.len(),
                    _ => {
                        return Err(invalid(format!(
                            "Message ({kind}) attribute '{name}' must contain a non-empty value of type 'Binary'."
                        )));
                    }
                }
            }
            _ => {
                let Some(text) = string.filter(|t| !t.is_empty()) else {
                    return Err(invalid(format!(
                        "Message ({kind}) attribute '{name}' must contain a non-empty value of type '{base}'."
                    )));
                };
                if base == "Number" && text.trim().parse::<f64>().is_err() {
                    return Err(invalid(format!(
                        "Can't cast the value of message ({kind}) attribute '{name}' to a number."
                    )));
                }
                body_chars(text).map_err(|_| {
                    invalid(format!("Message ({kind}) attribute '{name}' contains invalid characters."))
                })?;
                text.len()
            }
        };
        size += name.len() + data_type.len() + value_len;
    }
    Ok(size)
}

fn valid_token(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= 128
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b.is_ascii_punctuation())
}

/// MessageGroupId and MessageDeduplicationId: 1–128 alphanumeric and
/// punctuation characters.
pub fn token(value: &str, param: &str) -> Result<(), AwsError> {
    if valid_token(value) {
        return Ok(());
    }
    Err(invalid_param(
        value,
        param,
        &format!("{param} can only include alphanumeric and punctuation characters. 1 to 128 in length."),
    ))
}

/// Batch-level checks: at least one and at most ten entries, valid and
/// distinct ids. `entry` names the entry type in the empty-batch message.
pub fn batch(entries: &[Value], entry: &str) -> Result<(), AwsError> {
    if entries.is_empty() {
        return Err(AwsError::bad_request(
            "EmptyBatchRequest",
            format!("There should be at least one {entry} in the request."),
        ));
    }
    if entries.len() > 10 {
        return Err(AwsError::bad_request(
            "TooManyEntriesInBatchRequest",
            format!("Maximum number of entries per request are 10. You have sent {}.", entries.len()),
        ));
    }
    let mut seen = HashSet::new();
    for e in entries {
        let id = e.get("Id").and_then(Value::as_str).unwrap_or("");
        let ok =
            !id.is_empty() && id.len() <= 80 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(AwsError::bad_request(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ));
        }
        if !seen.insert(id) {
            return Err(AwsError::bad_request("BatchEntryIdsNotDistinct", format!("Id {id} repeated.")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn body_characters() {
        assert!(body_chars("hello\n\t\r ✓ 🎉").is_ok());
        let e = body_chars("a\u{1}b").err().map(|e| e.code);
        assert_eq!(e.as_deref(), Some("InvalidMessageContents"));
        assert!(body_chars("\u{FFFF}").is_err());
    }

    #[test]
    fn attribute_rules() {
        let empty = obj(json!({"ErrorDetails": {"DataType": "String", "StringValue": ""}}));
        let e = attributes(&empty, "user").err().map(|e| e.message);
        assert_eq!(
            e.as_deref(),
            Some("Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.")
        );
        let ok = obj(
            json!({"n": {"DataType": "Number.int", "StringValue": "12"}, "b": {"DataType": "Binary", "BinaryValue": "AAE="}}),
        );
        assert_eq!(attributes(&ok, "user").ok(), Some(1 + 10 + 2 + 1 + 6 + 2));
        let nan = obj(json!({"n": {"DataType": "Number", "StringValue": "x"}}));
        assert!(attributes(&nan, "user").is_err());
        let bad_type = obj(json!({"n": {"DataType": "Int", "StringValue": "1"}}));
        assert!(attributes(&bad_type, "user").is_err());
    }

    #[test]
    fn tokens_and_batches() {
        assert!(token("group-1!", "MessageGroupId").is_ok());
        let e = token("group 123", "MessageGroupId").err().map(|e| e.message);
        assert_eq!(
            e.as_deref(),
            Some(
                "Value group 123 for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length."
            )
        );
        assert!(token("", "MessageDeduplicationId").is_err());
        let dup = [json!({"Id": "a"}), json!({"Id": "a"})];
        assert_eq!(batch(&dup, "x").err().map(|e| e.code).as_deref(), Some("BatchEntryIdsNotDistinct"));
        let many: Vec<Value> = (0..20).map(|i| json!({"Id": format!("m{i}")})).collect();
        assert_eq!(
            batch(&many, "x").err().map(|e| e.message).as_deref(),
            Some("Maximum number of entries per request are 10. You have sent 20.")
        );
        assert_eq!(batch(&[], "x").err().map(|e| e.code).as_deref(), Some("EmptyBatchRequest"));
        assert_eq!(batch(&[json!({"Id": "a.b"})], "x").err().map(|e| e.code).as_deref(), Some("InvalidBatchEntryId"));
    }
}
