//! Publish and PublishBatch: AWS's checks (empty message, subject, JSON
//! message structure, attributes, 256 KiB, FIFO group and deduplication
//! ids, batch ids and sizes), then delivery in the background so the call
//! returns at once. Publishing to a phone number records the SMS.

use crate::arns::{self, TopicRef};
use crate::deliver;
use crate::envelope::Outgoing;
use crate::errors::{batch, invalid};
use crate::keys::Keys;
use crate::model::Topic;
use crate::shared::Shared;
use crate::{fifo, msg_attrs};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// AWS's limit on a message with its attributes.
pub const MAX_SIZE: usize = 262_144;

/// A checked entry, ready to deliver.
struct Checked {
    message: String,
    per_protocol: Option<Map<String, Value>>,
    subject: Option<String>,
    attributes: Map<String, Value>,
    group_id: Option<String>,
    dedup_id: Option<String>,
}

fn check_entry(entry: &Value, topic: Option<&Topic>) -> Result<Checked, AwsError> {
    let message = entry.str("Message").unwrap_or("").to_string();
    if message.is_empty() {
        return Err(invalid("Empty message"));
    }
    let subject = entry.str("Subject").map(str::to_string);
    if let Some(s) = &subject
        && (s.is_empty() || s.len() > 100 || !s.is_ascii() || s.contains(['\n', '\r']))
    {
        return Err(invalid("Subject"));
    }
    let per_protocol = if entry.str("MessageStructure") == Some("json") {
        let parsed: Value = serde_json::from_str(&message)
            .map_err(|_| invalid("Message Structure - JSON message body failed to parse"))?;
        let obj = parsed.as_object().cloned().unwrap_or_default();
        if !obj.get("default").is_some_and(Value::is_string) {
            return Err(invalid("Message Structure - No default entry in JSON message body"));
        }
        Some(obj)
    } else {
        None
    };
    let attributes = entry.get("MessageAttributes").and_then(Value::as_object).cloned().unwrap_or_default();
    msg_attrs::check(&attributes)?;
    if message.len() + msg_attrs::size(&attributes) > MAX_SIZE {
        return Err(invalid("Message too long"));
    }
    let group_id = entry.str("MessageGroupId").map(str::to_string);
    let mut dedup_id = entry.str("MessageDeduplicationId").map(str::to_string);
    match topic {
        Some(t) if t.is_fifo() => {
            if group_id.is_none() {
                return Err(invalid("The MessageGroupId parameter is required for FIFO topics"));
            }
            if dedup_id.is_none() {
                if !t.content_dedup() {
                    return Err(invalid(
                        "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                    ));
                }
                dedup_id = Some(fifo::content_id(&message));
            }
        }
        _ => {
            if dedup_id.is_some() {
                return Err(invalid(
                    "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
                ));
            }
        }
    }
    Ok(Checked { message, per_protocol, subject, attributes, group_id, dedup_id })
}

/// Admits a checked message to the topic and starts its delivery; returns
/// `(MessageId, SequenceNumber)`.
async fn send(s: &Arc<Shared>, t: &TopicRef, topic: &Topic, c: Checked) -> Result<(String, Option<String>), AwsError> {
    let mut message_id = uuid::Uuid::new_v4().to_string();
    let mut sequence = None;
    if topic.is_fifo() {
        let dedup = c.dedup_id.clone().unwrap_or_default();
        let admitted = fifo::admit(&s.store, &Keys::new(&t.account, &t.region), &t.name, &dedup, &message_id).await?;
        if !admitted.fresh {
            return Ok((admitted.message_id, Some(admitted.sequence)));
        }
        message_id = admitted.message_id;
        sequence = Some(admitted.sequence);
    }
    let out = Outgoing {
        topic_arn: topic.arn.clone(),
        fifo: topic.is_fifo(),
        signature_version: topic.signature_version().to_string(),
        message_id: message_id.clone(),
        message: c.message,
        per_protocol: c.per_protocol,
        subject: c.subject,
        attributes: c.attributes,
        timestamp: stratus_core::clock::iso8601(stratus_core::clock::now_epoch()),
        group_id: c.group_id,
        dedup_id: c.dedup_id,
        sequence: sequence.clone(),
    };
    let subs = s.subscriptions_of(t)?;
    deliver::fan_out(s.clone(), topic.clone(), out, subs);
    Ok((message_id, sequence))
}

pub async fn publish(s: &Arc<Shared>, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    if let Some(phone) = input.str("PhoneNumber") {
        if !arns::valid_phone(phone) {
            return Err(invalid(format!("PhoneNumber Reason: {phone} is not valid to publish to")));
        }
        let c = check_entry(input, None)?;
        let message_id = uuid::Uuid::new_v4().to_string();
        let to = deliver::outbox::SmsTo { account: &ctx.account_id, region: &ctx.region, phone };
        deliver::outbox::record_sms(s, to, &c.message, None, &message_id).await;
        return Ok(json!({ "MessageId": message_id }));
    }
    if let Some(target) = input.str("TargetArn").filter(|a| a.contains(":endpoint/")) {
        return publish_to_endpoint(s, target, input).await;
    }
    let (param, arn) = match (input.str("TopicArn"), input.str("TargetArn")) {
        (Some(a), _) => ("TopicArn", a),
        (None, Some(a)) => ("TargetArn", a),
        (None, None) => return Err(invalid("TopicArn or TargetArn Reason: no value for required parameter")),
    };
    let t = arns::topic(ctx, param, arn).map_err(|e| {
        if param == "TargetArn" && !e.message.contains("elements") {
            invalid("TargetArn Reason: No endpoint found for the target arn specified")
        } else {
            e
        }
    })?;
    let topic = s.topic(&t).map_err(|e| {
        if param == "TargetArn" {
            invalid("TargetArn Reason: No endpoint found for the target arn specified")
        } else {
            e
        }
    })?;
    let c = check_entry(input, Some(&topic))?;
    let (message_id, sequence) = send(s, &t, &topic, c).await?;
    let mut out = json!({ "MessageId": message_id });
    if let (Some(seq), Some(o)) = (sequence, out.as_object_mut()) {
        o.insert("SequenceNumber".into(), json!(seq));
    }
    Ok(out)
}

/// Publish to a platform endpoint: recorded with its platform's payload.
async fn publish_to_endpoint(s: &Shared, target: &str, input: &Value) -> Result<Value, AwsError> {
    let (_, endpoint) = crate::platform::load_endpoint(s, target)
        .map_err(|_| invalid("TargetArn Reason: No endpoint found for the target arn specified"))?;
    if !endpoint.enabled() {
        return Err(AwsError::bad_request("EndpointDisabled", "Endpoint is disabled"));
    }
    let c = check_entry(input, None)?;
    let message = c
        .per_protocol
        .as_ref()
        .and_then(|m| m.get(endpoint.platform()).or_else(|| m.get("default")))
        .and_then(Value::as_str)
        .unwrap_or(&c.message);
    let message_id = uuid::Uuid::new_v4().to_string();
    deliver::outbox::record_push(s, &endpoint, message, None, &message_id).await;
    Ok(json!({ "MessageId": message_id }))
}

fn check_batch_ids(entries: &[Value]) -> Result<(), AwsError> {
    if entries.is_empty() {
        return Err(batch("EmptyBatchRequest", "The batch request doesn't contain any entries."));
    }
    if entries.len() > 10 {
        return Err(batch("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible."));
    }
    let mut seen = Vec::new();
    for e in entries {
        let id = e.str("Id").unwrap_or("");
        if id.len() > 80 {
            return Err(batch(
                "InvalidBatchEntryId",
                format!("The Id of a batch entry in the batch request is too long: {id}"),
            ));
        }
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(batch(
                "InvalidBatchEntryId",
                format!("The Id of a batch entry in the batch request contains an impermissible character: {id}"),
            ));
        }
        if seen.contains(&id) {
            return Err(batch(
                "BatchEntryIdsNotDistinct",
                "Two or more batch entries in the request have the same Id.",
            ));
        }
        seen.push(id);
    }
    Ok(())
}

pub async fn publish_batch(s: &Arc<Shared>, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    let entries = input.list("PublishBatchRequestEntries");
    check_batch_ids(entries)?;
    let topic = s.topic(&t)?;
    let total: usize = entries
        .iter()
        .map(|e| {
            e.str("Message").map_or(0, str::len)
                + e.get("MessageAttributes").and_then(Value::as_object).map_or(0, msg_attrs::size)
        })
        .sum();
    if total > MAX_SIZE {
        return Err(batch(
            "BatchRequestTooLong",
            "The length of all the messages put together is more than the limit.",
        ));
    }
    let checked: Vec<Checked> = entries.iter().map(|e| check_entry(e, Some(&topic))).collect::<Result<_, _>>()?;
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for (entry, c) in entries.iter().zip(checked) {
        let id = entry.str("Id").unwrap_or("").to_string();
        match send(s, &t, &topic, c).await {
            Ok((message_id, sequence)) => {
                let mut ok = json!({ "Id": id, "MessageId": message_id });
                if let (Some(seq), Some(o)) = (sequence, ok.as_object_mut()) {
                    o.insert("SequenceNumber".into(), json!(seq));
                }
                successful.push(ok);
            }
            Err(e) => {
                failed.push(json!({ "Id": id, "Code": e.code, "Message": e.message, "SenderFault": e.sender_fault }))
            }
        }
    }
    Ok(json!({ "Successful": successful, "Failed": failed }))
}
