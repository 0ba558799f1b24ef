//! Message attribute checks with AWS's `ParameterValueInvalid` messages,
//! and their size as counted toward the 256 KiB message limit.

use crate::errors::value_invalid;
use serde_json::{Map, Value};
use stratus_core::AwsError;

/// Checks every attribute of a Publish or PublishBatch entry.
pub fn check(attrs: &Map<String, Value>) -> Result<(), AwsError> {
    for (name, attr) in attrs {
        check_name(name)?;
        let data_type = attr.get("DataType").and_then(Value::as_str).unwrap_or("");
        let base = data_type.split('.').next().unwrap_or("");
        let string = attr.get("StringValue").and_then(Value::as_str);
        let binary = attr.get("BinaryValue").and_then(Value::as_str);
        match base {
            "String" | "Number" => {
                if string.is_none() && binary.is_some() {
                    return Err(value_invalid(format!(
                        "The message attribute '{name}' with type '{base}' must use field 'String'."
                    )));
                }
                let value = string.unwrap_or("");
                if value.is_empty() {
                    return Err(value_invalid(format!(
                        "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{base}'."
                    )));
                }
                if base == "Number" && value.trim().parse::<f64>().is_err() {
                    return Err(value_invalid(format!("Could not cast message attribute '{name}' value to number.")));
                }
            }
            "Binary" => {
                if binary.is_none() && string.is_some() {
                    return Err(value_invalid(format!(
                        "The message attribute '{name}' with type 'Binary' must use field 'Binary'."
                    )));
                }
                if binary.unwrap_or("").is_empty() {
                    return Err(value_invalid(format!(
                        "The message attribute '{name}' must contain non-empty message attribute value for message attribute type 'Binary'."
                    )));
                }
            }
            _ => {
                return Err(value_invalid(format!(
                    "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
                )));
            }
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), AwsError> {
    if name.len() >= 256 {
        return Err(value_invalid("Length of message attribute name must be less than 256 bytes."));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(value_invalid(format!(
            "Invalid non-alphanumeric character '#x{:X}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
            c as u32
        )));
    }
    if name.starts_with('.') {
        return Err(value_invalid("Invalid message attribute name starting with character '.' was found."));
    }
    if name.ends_with('.') {
        return Err(value_invalid("Invalid message attribute name ending with character '.' was found."));
    }
    if name.contains("..") {
        return Err(value_invalid("Message attribute name can not have successive '.' character."));
    }
    Ok(())
}

/// Bytes the attributes add to a message: name, type and value.
pub fn size(attrs: &Map<String, Value>) -> usize {
    attrs
        .iter()
        .map(|(name, a)| {
            let t = a.get("DataType").and_then(Value::as_str).map_or(0, str::len);
            let v = a.get("StringValue").and_then(Value::as_str).map_or(0, str::len)
                + a.get("BinaryValue").and_then(Value::as_str).map_or(0, |b| b.len() * 3 / 4);
            name.len() + t + v
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> String {
        check(v.as_object().expect("object")).expect_err("invalid").message
    }

    #[test]
    fn messages_match_aws() {
        assert_eq!(
            err(json!({"attr1": {"DataType": "String", "StringValue": ""}})),
            "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."
        );
        assert_eq!(
            err(json!({"attr1": {"DataType": "String", "BinaryValue": "AQ=="}})),
            "The message attribute 'attr1' with type 'String' must use field 'String'."
        );
        assert_eq!(
            err(json!({"attr1": {"DataType": "Binary", "StringValue": "x"}})),
            "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."
        );
        assert!(
            err(json!({"attr1": {"DataType": "Strin", "StringValue": "x"}})).contains("invalid message attribute type")
        );
        assert_eq!(
            err(json!({"a^b": {"DataType": "String", "StringValue": "x"}})),
            "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."
        );
        assert!(err(json!({".a": {"DataType": "String", "StringValue": "x"}})).contains("starting with"));
        assert!(err(json!({"a.": {"DataType": "String", "StringValue": "x"}})).contains("ending with"));
        assert!(err(json!({"a..b": {"DataType": "String", "StringValue": "x"}})).contains("successive"));
        assert!(
            check(json!({"a.b": {"DataType": "Number.float", "StringValue": "1.5"}}).as_object().expect("o")).is_ok()
        );
        assert!(
            check(json!({"b": {"DataType": "String.Array", "StringValue": "[\"a\"]"}}).as_object().expect("o")).is_ok()
        );
    }
}
