//! Queue attributes: defaults, validation of the values CreateQueue and
//! SetQueueAttributes receive (with AWS's errors), and the rendering of
//! GetQueueAttributes.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use stratus_core::AwsError;

use crate::error::{invalid_attr_name, invalid_attr_value, invalid_param, unknown_attr};
use crate::model::Queue;
use crate::redrive_allow;

/// Counts of a queue's messages by state.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
}

/// The attributes every new queue starts with.
pub fn defaults(fifo: bool) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = [
        ("DelaySeconds", "0"),
        ("MaximumMessageSize", "1048576"),
        ("MessageRetentionPeriod", "345600"),
        ("ReceiveMessageWaitTimeSeconds", "0"),
        ("VisibilityTimeout", "30"),
        ("SqsManagedSseEnabled", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if fifo {
        m.insert("FifoQueue".into(), "true".into());
        m.insert("ContentBasedDeduplication".into(), "false".into());
        m.insert("DeduplicationScope".into(), "queue".into());
        m.insert("FifoThroughputLimit".into(), "perQueue".into());
    }
    m
}

fn range(name: &str) -> Option<(i64, i64)> {
    Some(match name {
        "DelaySeconds" => (0, 900),
        "MaximumMessageSize" => (1024, 1_048_576),
        "MessageRetentionPeriod" => (60, 1_209_600),
        "ReceiveMessageWaitTimeSeconds" => (0, 20),
        "VisibilityTimeout" => (0, 43_200),
        "KmsDataKeyReusePeriodSeconds" => (60, 86_400),
        _ => return None,
    })
}

/// A queue named as a dead-letter target, as validation sees it.
pub struct Target {
    pub fifo: bool,
    pub redrive_allow_policy: Option<String>,
}

/// What validation needs to know about another queue (a dead-letter target).
pub trait Lookup {
    /// The queue of `arn`, if it exists.
    fn dead_letter_target(&self, arn: &str) -> Option<Target>;
}

/// The queue whose attributes are validated.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub arn: &'a str,
    /// Whether it is (or will be) FIFO.
    pub fifo: bool,
    /// CreateQueue rather than SetQueueAttributes.
    pub create: bool,
}

/// Checks `given` for the queue `subject`; returns the normalized values to
/// store (an empty value removes Policy and the redrive policies).
pub fn validate(
    given: &Map<String, Value>,
    subject: Subject,
    lookup: &dyn Lookup,
) -> Result<BTreeMap<String, String>, AwsError> {
    let mut out = BTreeMap::new();
    for (name, v) in given {
        let value = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let norm = normalize(name, &value, subject, lookup)?;
        out.insert(name.clone(), norm);
    }
    Ok(out)
}

fn boolean(name: &str, value: &str) -> Result<String, AwsError> {
    match value.to_ascii_lowercase().as_str() {
        v @ ("true" | "false") => Ok(v.to_string()),
        _ => Err(invalid_attr_value(name)),
    }
}

fn normalize(name: &str, value: &str, subject: Subject, lookup: &dyn Lookup) -> Result<String, AwsError> {
    let Subject { fifo, create, .. } = subject;
    if let Some((lo, hi)) = range(name) {
        return match value.trim().parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n.to_string()),
            _ => Err(invalid_attr_value(name)),
        };
    }
    match name {
        "FifoQueue" => {
            if !create {
                return Err(if fifo {
                    AwsError::bad_request(
                        "InvalidAttributeValue",
                        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
                    )
                } else {
                    unknown_attr(name)
                });
            }
            boolean(name, value)
        }
        "ContentBasedDeduplication" if !fifo => Err(unknown_attr(name)),
        "ContentBasedDeduplication" | "SqsManagedSseEnabled" => boolean(name, value),
        "DeduplicationScope" | "FifoThroughputLimit" if !fifo => {
            Err(invalid_attr_name(format!("You can specify the {name} only when FifoQueue is set to true.")))
        }
        "DeduplicationScope" => match value {
            "queue" | "messageGroup" => Ok(value.to_string()),
            _ => Err(invalid_attr_value(name)),
        },
        "FifoThroughputLimit" => match value {
            "perQueue" | "perMessageGroupId" => Ok(value.to_string()),
            _ => Err(invalid_attr_value(name)),
        },
        "KmsMasterKeyId" => Ok(value.to_string()),
        "Policy" => {
            if value.is_empty() {
                return Ok(String::new());
            }
            match serde_json::from_str::<Value>(value) {
                Ok(v @ Value::Object(_)) => Ok(v.to_string()),
                _ => Err(invalid_attr_value(name)),
            }
        }
        "RedrivePolicy" => redrive_policy(value, subject, lookup),
        "RedriveAllowPolicy" => redrive_allow::validate(value),
        _ => Err(unknown_attr(name)),
    }
}

fn redrive_policy(value: &str, subject: Subject, lookup: &dyn Lookup) -> Result<String, AwsError> {
    if value.is_empty() {
        return Ok(String::new());
    }
    let bad = |reason: &str| invalid_param(value, "RedrivePolicy", reason);
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(value) else {
        return Err(bad("Redrive policy is not a valid JSON map."));
    };
    let Some(arn) = map.get("deadLetterTargetArn").and_then(Value::as_str) else {
        return Err(bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn."));
    };
    let count = match map.get("maxReceiveCount") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
        None => return Err(bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.")),
    };
    let count = match count {
        Some(n) if (1..=1000).contains(&n) => n,
        _ => {
            let shown = map.get("maxReceiveCount").map(|v| v.as_str().map(str::to_string).unwrap_or(v.to_string()));
            return Err(bad(&format!(
                "Invalid value for maxReceiveCount: {}, valid values are from 1 to 1000 both inclusive.",
                shown.unwrap_or_default()
            )));
        }
    };
    let Some(target) = lookup.dead_letter_target(arn) else {
        return Err(bad("Dead letter target does not exist."));
    };
    if target.fifo != subject.fifo {
        return Err(bad("Dead-letter queue must be same type of queue as the source."));
    }
    if !redrive_allow::allows(target.redrive_allow_policy.as_deref(), subject.arn) {
        return Err(bad(&format!(
            "The RedriveAllowPolicy of {arn} does not allow this queue to use it as a dead-letter queue."
        )));
    }
    Ok(json!({"deadLetterTargetArn": arn, "maxReceiveCount": count}).to_string())
}

/// Every attribute GetQueueAttributes can return, in AWS's order for `All`.
const READABLE: &[&str] = &[
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
    "ContentBasedDeduplication",
    "CreatedTimestamp",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "LastModifiedTimestamp",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "QueueArn",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
];

/// The attributes named in `names` (`All` for every one) of `queue`.
pub fn render(queue: &Queue, arn: &str, counts: Counts, names: &[String]) -> Map<String, Value> {
    let all = names.iter().any(|n| n == "All");
    let mut out = Map::new();
    for &name in READABLE {
        if !all && !names.iter().any(|n| n == name) {
            continue;
        }
        let value = match name {
            "ApproximateNumberOfMessages" => Some(counts.visible.to_string()),
            "ApproximateNumberOfMessagesDelayed" => Some(counts.delayed.to_string()),
            "ApproximateNumberOfMessagesNotVisible" => Some(counts.in_flight.to_string()),
            "CreatedTimestamp" => Some(queue.created.to_string()),
            "LastModifiedTimestamp" => Some(queue.modified.to_string()),
            "QueueArn" => Some(arn.to_string()),
            other => queue.attributes.get(other).filter(|v| !v.is_empty()).cloned(),
        };
        if let Some(v) = value {
            out.insert(name.to_string(), Value::String(v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoQueues;
    impl Lookup for NoQueues {
        fn dead_letter_target(&self, arn: &str) -> Option<Target> {
            let closed = r#"{"redrivePermission":"denyAll"}"#.to_string();
            let policy = arn.ends_with(":closed").then_some(closed);
            (arn.ends_with(":dlq") || policy.is_some()).then_some(Target { fifo: false, redrive_allow_policy: policy })
        }
    }

    fn check(name: &str, value: &str, fifo: bool) -> Result<BTreeMap<String, String>, AwsError> {
        let mut m = Map::new();
        m.insert(name.to_string(), Value::String(value.to_string()));
        validate(&m, Subject { arn: "arn:aws:sqs:r:1:src", fifo, create: true }, &NoQueues)
    }

    #[test]
    fn ranges_use_aws_messages() {
        let e = check("VisibilityTimeout", "43201", false).err().map(|e| (e.code, e.message));
        assert_eq!(
            e,
            Some((
                "InvalidAttributeValue".to_string(),
                "Invalid value for the parameter VisibilityTimeout.".to_string()
            ))
        );
        assert!(check("DelaySeconds", "900", false).is_ok());
        assert!(check("MaximumMessageSize", "1023", false).is_err());
    }

    #[test]
    fn fifo_only_attributes_on_standard_queues() {
        let e = check("ContentBasedDeduplication", "true", false).err().map(|e| e.message);
        assert_eq!(e.as_deref(), Some("Unknown Attribute ContentBasedDeduplication."));
        let e = check("DeduplicationScope", "queue", false).err().map(|e| e.message);
        assert_eq!(e.as_deref(), Some("You can specify the DeduplicationScope only when FifoQueue is set to true."));
        assert!(check("FifoThroughputLimit", "perMessageGroupId", true).is_ok());
    }

    #[test]
    fn redrive_policy_is_normalized_and_checked() {
        let ok =
            check("RedrivePolicy", r#"{"deadLetterTargetArn":"arn:aws:sqs:r:1:dlq","maxReceiveCount":"3"}"#, false);
        assert_eq!(
            ok.ok().and_then(|m| m.get("RedrivePolicy").cloned()).as_deref(),
            Some(r#"{"deadLetterTargetArn":"arn:aws:sqs:r:1:dlq","maxReceiveCount":3}"#)
        );
        let missing =
            check("RedrivePolicy", r#"{"deadLetterTargetArn":"arn:aws:sqs:r:1:nope","maxReceiveCount":3}"#, false);
        assert!(missing.err().is_some_and(|e| e.message.ends_with("Reason: Dead letter target does not exist.")));
        assert!(check("RedrivePolicy", "nope", false).is_err());
        let denied =
            check("RedrivePolicy", r#"{"deadLetterTargetArn":"arn:aws:sqs:r:1:closed","maxReceiveCount":3}"#, false);
        assert!(denied.err().is_some_and(|e| e.message.contains("does not allow this queue")));
    }
}
