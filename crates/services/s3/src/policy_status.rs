//! GetBucketPolicyStatus: whether the bucket policy makes the bucket public,
//! by S3's meaning of "public": a policy is public when it allows something
//! to every principal and no condition narrows that grant to a set of
//! CIDRs (`aws:SourceIp`) or to a fixed source, VPC, account, organization,
//! KMS key or user id.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::no_such_config;
use crate::shared::Shared;

/// Condition keys that, with fixed values, make a grant non-public.
const NARROWING: &[&str] = &[
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
];

pub fn get(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    let Some(text) = sh.bucket(name)?.policy else {
        return Err(no_such_config("NoSuchBucketPolicy", "The bucket policy does not exist", name));
    };
    let policy: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(json!({"PolicyStatus": {"IsPublic": is_public(&policy)}}))
}

pub fn is_public(policy: &Value) -> bool {
    let statements = match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    statements.into_iter().any(|s| s.str("Effect") == Some("Allow") && to_everyone(s) && !narrowed(s.get("Condition")))
}

fn to_everyone(statement: &Value) -> bool {
    let wildcard = |v: &Value| match v {
        Value::String(s) => s == "*",
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some("*")),
        _ => false,
    };
    match statement.get("Principal") {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => m.get("AWS").is_some_and(wildcard),
        _ => false,
    }
}

/// Whether the conditions pin the grant to fixed values of a narrowing key.
fn narrowed(conditions: Option<&Value>) -> bool {
    let Some(Value::Object(ops)) = conditions else { return false };
    ops.iter().any(|(op, keys)| {
        let op = op.to_ascii_lowercase();
        let Value::Object(keys) = keys else { return false };
        keys.iter().any(|(key, values)| {
            let key = key.to_ascii_lowercase();
            let values: Vec<&str> = match values {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let fixed = !values.is_empty() && values.iter().all(|v| !v.contains('*') && !v.contains('?'));
            if key == "aws:sourceip" {
                return op.starts_with("ipaddress") && !values.is_empty() && values.iter().all(|v| !v.ends_with("/0"));
            }
            NARROWING.contains(&key.as_str()) && fixed && !op.contains("not") && !op.contains("ifexists")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::is_public;
    use serde_json::json;

    #[test]
    fn public_means_everyone_without_fixed_conditions() {
        let allow = |extra: serde_json::Value| {
            let mut s =
                json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
            if let (Some(o), Some(e)) = (s.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            json!({"Statement": [s]})
        };
        assert!(is_public(&allow(json!({}))));
        assert!(is_public(&allow(json!({"Principal": {"AWS": ["*"]}}))));
        assert!(!is_public(&allow(json!({"Principal": {"AWS": "arn:aws:iam::1:root"}}))));
        assert!(!is_public(&allow(json!({"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}))));
        assert!(is_public(&allow(json!({"Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}))));
        assert!(!is_public(&allow(json!({"Condition": {"StringEquals": {"aws:SourceAccount": "123"}}}))));
        assert!(is_public(&allow(json!({"Condition": {"StringLike": {"aws:SourceArn": "arn:*"}}}))));
        assert!(!is_public(&json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*"}})));
    }
}
