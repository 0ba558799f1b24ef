//! `RedriveAllowPolicy`: the validation of the JSON a dead-letter queue is
//! given (`redrivePermission` allowAll / denyAll / byQueue, up to 10
//! `sourceQueueArns` and only with byQueue), with AWS's texts, and the
//! decision whether a source queue may name that queue in its
//! `RedrivePolicy`.

use serde_json::{Map, Value};
use stratus_core::AwsError;

use crate::error::invalid_param;

const PARAM: &str = "RedriveAllowPolicy";
const MAX_SOURCES: usize = 10;

/// Any malformed policy: not a JSON object, an unknown permission or member,
/// sourceQueueArns not a list of strings.
fn unsupported() -> AwsError {
    AwsError::bad_request(
        "InvalidAttributeValue",
        "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.",
    )
}

fn cannot_create(value: &str, why: &str) -> AwsError {
    invalid_param(value, PARAM, &format!("Amazon SQS can't create the redrive allow policy. {why}"))
}

/// Checks a RedriveAllowPolicy value; returns it as stored (compact JSON;
/// empty removes the policy).
pub fn validate(value: &str) -> Result<String, AwsError> {
    if value.is_empty() {
        return Ok(String::new());
    }
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(value) else { return Err(unsupported()) };
    if map.keys().any(|k| k != "redrivePermission" && k != "sourceQueueArns") {
        return Err(unsupported());
    }
    let permission = match map.get("redrivePermission").and_then(Value::as_str) {
        Some(p @ ("allowAll" | "denyAll" | "byQueue")) => p,
        _ => return Err(unsupported()),
    };
    let sources = match map.get("sourceQueueArns") {
        None => None,
        Some(Value::Array(arns)) if arns.iter().all(Value::is_string) => Some(arns.len()),
        Some(_) => return Err(unsupported()),
    };
    match (permission, sources) {
        ("byQueue", None | Some(0)) => Err(cannot_create(
            value,
            "When you specify the byQueue permission type, you must also specify one or more sourceQueueArns values.",
        )),
        ("byQueue", Some(n)) if n > MAX_SOURCES => {
            Err(cannot_create(value, "The maximum number of source queue ARNs you can specify is 10."))
        }
        ("allowAll" | "denyAll", Some(_)) => Err(cannot_create(
            value,
            "To specify one or more source queue ARNs, you must set redrivePermission to byQueue.",
        )),
        _ => Ok(Value::Object(map).to_string()),
    }
}

/// Whether a queue whose stored RedriveAllowPolicy is `policy` (None or
/// empty: none, which allows all) lets the queue `source_arn` use it as
/// its dead-letter queue.
pub fn allows(policy: Option<&str>, source_arn: &str) -> bool {
    let Some(Ok(Value::Object(map))) = policy.filter(|p| !p.is_empty()).map(serde_json::from_str::<Value>) else {
        return true;
    };
    match map.get("redrivePermission").and_then(Value::as_str) {
        Some("denyAll") => false,
        Some("byQueue") => listed(&map, source_arn),
        _ => true,
    }
}

fn listed(map: &Map<String, Value>, arn: &str) -> bool {
    map.get("sourceQueueArns").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v.as_str() == Some(arn)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(value: &str) -> Option<String> {
        validate(value).err().map(|e| format!("{}: {}", e.code, e.message))
    }

    #[test]
    fn formats_follow_aws() {
        assert_eq!(
            validate(r#"{"redrivePermission": "denyAll"}"#).ok().as_deref(),
            Some(r#"{"redrivePermission":"denyAll"}"#)
        );
        for bad in [
            "nope",
            "[]",
            "{}",
            r#"{"redrivePermission":"some"}"#,
            r#"{"redrivePermission":"allowAll","x":1}"#,
            r#"{"redrivePermission":"byQueue","sourceQueueArns":"arn"}"#,
            r#"{"redrivePermission":"byQueue","sourceQueueArns":[1]}"#,
        ] {
            assert!(
                message(bad).is_some_and(
                    |m| m.starts_with("InvalidAttributeValue: Invalid value for the parameter RedriveAllowPolicy.")
                ),
                "{bad}"
            );
        }
        let v = r#"{"redrivePermission":"byQueue"}"#;
        assert_eq!(
            message(v).as_deref(),
            Some(
                "InvalidParameterValueException: Value {\"redrivePermission\":\"byQueue\"} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the redrive allow policy. When you specify the byQueue permission type, you must also specify one or more sourceQueueArns values."
            )
        );
        let eleven: Vec<String> = (0..11).map(|i| format!("\"arn:aws:sqs:r:1:q{i}\"")).collect();
        let v = format!(r#"{{"redrivePermission":"byQueue","sourceQueueArns":[{}]}}"#, eleven.join(","));
        assert!(
            message(&v).is_some_and(|m| m.ends_with("The maximum number of source queue ARNs you can specify is 10."))
        );
        let v = r#"{"redrivePermission":"denyAll","sourceQueueArns":["arn:aws:sqs:r:1:q"]}"#;
        assert!(message(v).is_some_and(|m| m.ends_with("you must set redrivePermission to byQueue.")));
    }

    #[test]
    fn permissions() {
        let src = "arn:aws:sqs:r:1:src";
        assert!(allows(None, src) && allows(Some(""), src));
        assert!(allows(Some(r#"{"redrivePermission":"allowAll"}"#), src));
        assert!(!allows(Some(r#"{"redrivePermission":"denyAll"}"#), src));
        assert!(allows(Some(r#"{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:r:1:src"]}"#), src));
        assert!(!allows(Some(r#"{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:r:1:other"]}"#), src));
    }
}
