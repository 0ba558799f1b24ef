//! User attributes: the standard attributes every pool has, the custom
//! ones its schema adds, and checks of the attributes a caller writes.

use serde_json::{Value, json};
use stratus_core::AwsError;

use crate::errors::invalid_parameter;
use crate::model::Pool;

/// (name, type) of the OIDC standard attributes Cognito offers.
const STANDARD: &[(&str, &str)] = &[
    ("sub", "String"),
    ("name", "String"),
    ("given_name", "String"),
    ("family_name", "String"),
    ("middle_name", "String"),
    ("nickname", "String"),
    ("preferred_username", "String"),
    ("profile", "String"),
    ("picture", "String"),
    ("website", "String"),
    ("email", "String"),
    ("email_verified", "Boolean"),
    ("gender", "String"),
    ("birthdate", "String"),
    ("zoneinfo", "String"),
    ("locale", "String"),
    ("phone_number", "String"),
    ("phone_number_verified", "Boolean"),
    ("address", "String"),
    ("updated_at", "Number"),
];

pub fn is_standard(name: &str) -> bool {
    STANDARD.iter().any(|(n, _)| *n == name)
}

/// The `SchemaAttributes` of a pool: every standard attribute (with the
/// pool's Required/Mutable overrides), then the custom ones.
pub fn schema_attributes(pool: &Pool) -> Value {
    let given: Vec<Value> = pool.spec.get("Schema").and_then(Value::as_array).cloned().unwrap_or_default();
    let find = |name: &str| given.iter().find(|s| s.get("Name").and_then(Value::as_str) == Some(name));
    let mut out = Vec::new();
    for (name, ty) in STANDARD {
        let mut attr = json!({
            "Name": name,
            "AttributeDataType": ty,
            "DeveloperOnlyAttribute": false,
            "Mutable": *name != "sub",
            "Required": *name == "sub",
        });
        match *ty {
            "String" => {
                let (min, max) = match *name {
                    "sub" => ("1", "2048"),
                    "birthdate" => ("10", "10"),
                    _ => ("0", "2048"),
                };
                attr["StringAttributeConstraints"] = json!({"MinLength": min, "MaxLength": max});
            }
            "Number" => attr["NumberAttributeConstraints"] = json!({"MinValue": "0"}),
            _ => {}
        }
        if let Some(g) = find(name) {
            for k in ["Mutable", "Required"] {
                if let Some(v) = g.get(k) {
                    attr[k] = v.clone();
                }
            }
        }
        out.push(attr);
    }
    for (full, s) in pool.custom_attributes() {
        let mut attr = s.clone();
        attr["Name"] = json!(full);
        if attr.get("AttributeDataType").is_none() {
            attr["AttributeDataType"] = json!("String");
        }
        attr["DeveloperOnlyAttribute"] = s.get("DeveloperOnlyAttribute").cloned().unwrap_or(json!(false));
        attr["Mutable"] = s.get("Mutable").cloned().unwrap_or(json!(true));
        attr["Required"] = s.get("Required").cloned().unwrap_or(json!(false));
        if attr.get("AttributeDataType") == Some(&json!("String")) && attr.get("StringAttributeConstraints").is_none() {
            attr["StringAttributeConstraints"] = json!({});
        }
        out.push(attr);
    }
    Value::Array(out)
}

/// Reads an `AttributeListType` into pairs.
pub fn pairs(list: &[Value]) -> Vec<(String, String)> {
    list.iter()
        .filter_map(|a| {
            let name = a.get("Name")?.as_str()?;
            Some((name.to_string(), a.get("Value").and_then(Value::as_str).unwrap_or("").to_string()))
        })
        .collect()
}

/// Checks that every attribute exists in the pool's schema and may be
/// written (`sub` never may; immutable ones only at creation).
pub fn check_writable(pool: &Pool, attrs: &[(String, String)], creating: bool) -> Result<(), AwsError> {
    let custom = pool.custom_attributes();
    for (name, value) in attrs {
        if name == "sub" {
            return Err(invalid_parameter("Cannot modify the non-mutable attribute sub"));
        }
        let spec = if is_standard(name) {
            pool.spec
                .get("Schema")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find(|s| s.get("Name").and_then(Value::as_str) == Some(name)).cloned())
        } else if let Some((_, s)) = custom.iter().find(|(n, _)| n == name) {
            Some(s.clone())
        } else if name.starts_with("dev:custom:") && custom.iter().any(|(n, _)| name.ends_with(n.as_str())) {
            None
        } else {
            return Err(invalid_parameter(format!("Attribute does not exist in the schema.\n{name}")));
        };
        if !creating && spec.as_ref().and_then(|s| s.get("Mutable")).and_then(Value::as_bool) == Some(false) {
            return Err(invalid_parameter(format!("Cannot modify the non-mutable attribute {name}")));
        }
        if name == "email" && !value.is_empty() && !value.contains('@') {
            return Err(invalid_parameter("Invalid email address format."));
        }
        if name == "phone_number" && !value.is_empty() && !is_phone(value) {
            return Err(invalid_parameter("Invalid phone number format."));
        }
    }
    Ok(())
}

fn is_phone(v: &str) -> bool {
    v.starts_with('+') && v.len() > 2 && v[1..].chars().all(|c| c.is_ascii_digit())
}

/// Checks that every attribute the schema requires is present.
pub fn check_required(pool: &Pool, attrs: &[(String, String)]) -> Result<(), AwsError> {
    let all = schema_attributes(pool);
    for s in all.as_array().into_iter().flatten() {
        let name = s.get("Name").and_then(Value::as_str).unwrap_or("");
        if name != "sub"
            && s.get("Required").and_then(Value::as_bool) == Some(true)
            && !attrs.iter().any(|(n, _)| n == name)
        {
            return Err(invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: The attribute {name} is required"
            )));
        }
    }
    Ok(())
}
