//! Delivery to SQS queues through the SQS service of the same server:
//! SendMessage with the envelope or, for raw delivery, the bare message
//! with its attributes as SQS message attributes (at most 10, as AWS).

use crate::envelope::Outgoing;
use crate::model::Subscription;
use crate::shared::Shared;
use serde_json::{Map, Value, json};

/// The queue URL of `arn:aws:sqs:{region}:{account}:{name}` on this server.
pub fn queue_url(endpoint: &str, arn: &str) -> Option<(String, String, String)> {
    let (svc, region, account, name) = crate::arns::split(arn)?;
    if svc != "sqs" || name.is_empty() {
        return None;
    }
    Some((format!("{}/{account}/{name}", endpoint.trim_end_matches('/')), account, region))
}

pub async fn send(s: &Shared, sub: &Subscription, out: &Outgoing, body: &str) -> Result<(), String> {
    send_to(s, &sub.endpoint, out, body, sub.raw()).await
}

/// Sends `body` to the queue `queue_arn`; `raw` carries the attributes.
pub async fn send_to(s: &Shared, queue_arn: &str, out: &Outgoing, body: &str, raw: bool) -> Result<(), String> {
    let (url, account, region) = queue_url(&s.settings.endpoint, queue_arn).ok_or("not an SQS queue ARN")?;
    let mut input = json!({ "QueueUrl": url, "MessageBody": body });
    let Some(obj) = input.as_object_mut() else { return Err("internal".into()) };
    if raw && !out.attributes.is_empty() {
        if out.attributes.len() > 10 {
            return Err("raw delivery carries at most 10 message attributes".into());
        }
        let attrs: Map<String, Value> = out
            .attributes
            .iter()
            .map(|(name, a)| {
                let mut m = Map::new();
                if let Some(t) = a.get("DataType") {
                    m.insert("DataType".into(), t.clone());
                }
                if let Some(v) = a.get("StringValue") {
                    m.insert("StringValue".into(), v.clone());
                }
                if let Some(v) = a.get("BinaryValue") {
                    m.insert("BinaryValue".into(), v.clone());
                }
                (name.clone(), Value::Object(m))
            })
            .collect();
        obj.insert("MessageAttributes".into(), Value::Object(attrs));
    }
    if queue_arn.ends_with(".fifo") {
        if let Some(g) = &out.group_id {
            obj.insert("MessageGroupId".into(), json!(g));
        }
        if let Some(d) = &out.dedup_id {
            obj.insert("MessageDeduplicationId".into(), json!(d));
        } else {
            obj.insert("MessageDeduplicationId".into(), json!(out.message_id));
        }
    }
    s.settings
        .peers
        .call("sqs", "SendMessage", &account, &region, input)
        .await
        .map(|_| ())
        .map_err(|e| format!("{}: {}", e.code, e.message))
}
