//! Subscription attributes: which ones exist, checking their values with
//! AWS's messages (RawMessageDelivery, FilterPolicy, FilterPolicyScope,
//! RedrivePolicy, DeliveryPolicy), and rendering GetSubscriptionAttributes.

use crate::filter::{self, Scope};
use crate::model::Subscription;
use crate::policies;
use serde_json::{Map, Value};

/// Attributes Subscribe and SetSubscriptionAttributes accept.
pub const SETTABLE: &[&str] = &[
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
];

/// A rejected attribute: its text, and whether AWS words it without the
/// `Attributes Reason:` lead-in.
#[derive(Debug)]
pub struct AttrError {
    pub text: String,
    pub bare: bool,
}

fn err(text: impl Into<String>) -> AttrError {
    AttrError { text: text.into(), bare: false }
}

/// Checks `name` = `value` for a subscription on a (FIFO?) topic whose
/// filter scope will be `scope`.
pub fn check(name: &str, value: &str, scope: Scope, topic_fifo: bool, endpoint: &str) -> Result<(), AttrError> {
    match name {
        "RawMessageDelivery" if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") => {
            return Err(err(format!("RawMessageDelivery: Invalid value [{value}]. Must be true or false.")));
        }
        "FilterPolicyScope" if value != "MessageAttributes" && value != "MessageBody" => {
            return Err(err(format!(
                "FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
            )));
        }
        "FilterPolicy" if !value.is_empty() => {
            filter::parse(value, scope).map_err(|e| {
                if e.bare {
                    AttrError { text: e.message, bare: true }
                } else {
                    err(format!("FilterPolicy: {}", e.message))
                }
            })?;
        }
        "RedrivePolicy" if !value.is_empty() => {
            let v: Value = serde_json::from_str(value)
                .map_err(|e| err(format!("RedrivePolicy: {}", filter::jackson_parse_error(value, &e))))?;
            let target = v.get("deadLetterTargetArn").and_then(Value::as_str).unwrap_or("");
            let ok = crate::arns::split(target).is_some_and(|(svc, _, _, res)| svc == "sqs" && !res.is_empty());
            if !ok {
                return Err(err("RedrivePolicy: deadLetterTargetArn is an invalid arn"));
            }
            if topic_fifo && endpoint.ends_with(".fifo") && !target.ends_with(".fifo") {
                return Err(err(
                    "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.",
                ));
            }
        }
        "DeliveryPolicy" if !value.is_empty() => {
            serde_json::from_str::<Value>(value)
                .map_err(|e| err(format!("DeliveryPolicy: {}", filter::jackson_parse_error(value, &e))))?;
        }
        _ => {}
    }
    Ok(())
}

/// GetSubscriptionAttributes' map for `sub`.
pub fn render(sub: &Subscription) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_string(), Value::String(v));
    };
    put("ConfirmationWasAuthenticated", sub.authenticated.to_string());
    put("Endpoint", sub.endpoint.clone());
    put("Owner", sub.owner.clone());
    put("PendingConfirmation", sub.pending.to_string());
    put("Protocol", sub.protocol.clone());
    put("RawMessageDelivery", if sub.raw() { "true".into() } else { "false".into() });
    put("SubscriptionArn", sub.arn.clone());
    put("SubscriptionPrincipal", format!("arn:aws:iam::{}:root", sub.owner));
    put("TopicArn", sub.topic_arn.clone());
    for (k, v) in &sub.attributes {
        match k.as_str() {
            "RawMessageDelivery" => {}
            "DeliveryPolicy" => {
                put(k, policies::normalize_subscription_policy(v).unwrap_or_else(|| v.clone()));
            }
            _ => put(k, v.clone()),
        }
    }
    if sub.attributes.contains_key("FilterPolicy") && !sub.attributes.contains_key("FilterPolicyScope") {
        put("FilterPolicyScope", "MessageAttributes".into());
    }
    let mut sorted: Vec<(String, Value)> = m.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.into_iter().collect()
}
