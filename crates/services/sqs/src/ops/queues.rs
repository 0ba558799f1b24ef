//! Queue lifecycle and attributes: CreateQueue (idempotent with equal
//! attributes), GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes,
//! PurgeQueue and ListDeadLetterSourceQueues.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::attrs::{self, Counts};
use crate::error::{invalid, invalid_attr_name, no_queue};
use crate::keys::parse_queue_key;
use crate::messages;
use crate::model::{Queue, decode, encode};
use crate::ops::{empty, now_ms, now_secs, paging};
use crate::scope::Scope;

const NAME_RULE: &str = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
const FIFO_NAME_RULE: &str = "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.";

fn valid_base(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a queue name against its FifoQueue attribute; returns whether the
/// queue is FIFO.
fn check_name(name: &str, fifo_attr: Option<bool>) -> Result<bool, AwsError> {
    let fifo = name.ends_with(".fifo");
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    if fifo_attr == Some(true) && !fifo {
        return Err(invalid(FIFO_NAME_RULE));
    }
    if name.len() > 80 || !valid_base(base) {
        return Err(invalid(if fifo { FIFO_NAME_RULE } else { NAME_RULE }));
    }
    if fifo && fifo_attr != Some(true) {
        return Err(invalid(NAME_RULE));
    }
    Ok(fifo)
}

fn str_map(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

pub async fn create(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("QueueName")?.to_string();
    let given = str_map(input.get("Attributes"));
    let fifo_attr = given.get("FifoQueue").map(|v| v.as_str().unwrap_or_default().eq_ignore_ascii_case("true"));
    let fifo = check_name(&name, fifo_attr)?;
    let arn = s.named(&name).arn();
    let normalized = attrs::validate(&given, attrs::Subject { arn: &arn, fifo, create: true }, s)?;
    let tags: BTreeMap<String, String> =
        str_map(input.get("tags")).into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())).collect();
    let q = s.named(&name);
    let key = q.key();
    let tombstone = q.keys.deleted(&name);
    let now = now_secs();
    let (now_ms, delay_ms) = (now_ms(), s.shared.recreate_delay.as_millis() as i64);
    s.store()
        .transact(move |txn| {
            if let Some(at) = txn.get(&tombstone)? {
                let deleted_ms = std::str::from_utf8(&at).ok().and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
                if now_ms - deleted_ms < delay_ms {
                    return Err(AwsError::bad_request(
                        "QueueDeletedRecently",
                        "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
                    ));
                }
                txn.delete(tombstone.clone());
            }
            if let Some(bytes) = txn.get(&key)? {
                let existing: Queue = decode("queue", &bytes)?;
                for (k, v) in &normalized {
                    if k == "FifoQueue" {
                        continue;
                    }
                    if existing.attributes.get(k).map(String::as_str).unwrap_or("") != v {
                        return Err(AwsError::bad_request(
                            "QueueNameExists",
                            format!(
                                "A queue already exists with the same name and a different value for attribute {k}"
                            ),
                        ));
                    }
                }
                return Ok(());
            }
            let mut attributes = attrs::defaults(fifo);
            merge(&mut attributes, &normalized);
            let queue = Queue {
                name: name.clone(),
                fifo,
                attributes,
                created: now,
                modified: now,
                tags: tags.clone(),
                last_purge_ms: None,
            };
            txn.put(key.clone(), encode(&queue));
            Ok(())
        })
        .await?;
    Ok(json!({ "QueueUrl": s.url(&q) }))
}

/// Applies validated values: empty ones remove the attribute.
fn merge(attributes: &mut BTreeMap<String, String>, values: &BTreeMap<String, String>) {
    for (k, v) in values {
        if v.is_empty() {
            attributes.remove(k);
        } else {
            attributes.insert(k.clone(), v.clone());
        }
    }
}

pub fn get_url(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("QueueName")?;
    let mut q = s.named(name);
    if let Some(owner) = input.str("QueueOwnerAWSAccountId") {
        q.keys = crate::keys::Keys::new(owner, &s.region);
    }
    q.load(s.store())?;
    Ok(json!({ "QueueUrl": s.url(&q) }))
}

/// Names of the caller's queues starting with `prefix`, sorted.
fn queue_names(s: &Scope, prefix: &str) -> Result<Vec<(String, Queue)>, AwsError> {
    let rows = s.store().scan_prefix(s.keys().queues(prefix), false, None)?;
    let mut out = Vec::new();
    for (k, v) in rows {
        if let Some((_, _, name)) = parse_queue_key(&k) {
            out.push((name, decode::<Queue>("queue", &v)?));
        }
    }
    Ok(out)
}

pub fn list(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let max = paging::max_results(input)?;
    let after = paging::after(input)?;
    let names = queue_names(s, input.str("QueueNamePrefix").unwrap_or(""))?.into_iter().map(|(n, _)| n).collect();
    let (page, next) = paging::page(names, after.as_deref(), max);
    let mut out = Map::new();
    if !page.is_empty() {
        let urls: Vec<Value> = page.iter().map(|n| Value::from(s.url(&s.named(n)))).collect();
        out.insert("QueueUrls".into(), Value::Array(urls));
    }
    if let Some(t) = next {
        out.insert("NextToken".into(), Value::from(t));
    }
    Ok(Value::Object(out))
}

pub async fn delete(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let (key, messages, dedups) = (q.key(), q.keys.messages(&q.name), q.keys.dedups(&q.name));
    let tombstone = q.keys.deleted(&q.name);
    let deleted_at = now_ms().to_string().into_bytes();
    s.store()
        .transact(move |txn| {
            if txn.get(&key)?.is_none() {
                return Err(no_queue());
            }
            txn.put(tombstone.clone(), deleted_at.clone());
            txn.delete(key.clone());
            txn.delete_prefix(&messages);
            txn.delete_prefix(&dedups);
            Ok(())
        })
        .await?;
    s.shared.waiters.notify(&q.key());
    Ok(empty())
}

pub fn get_attributes(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, queue) = s.load(input)?;
    let names = input.str_list("AttributeNames");
    for n in &names {
        if !VALID_NAMES.contains(&n.as_str()) {
            return Err(invalid_attr_name(format!("Unknown Attribute {n}.")));
        }
    }
    let wants_counts = names.iter().any(|n| n == "All" || n.starts_with("ApproximateNumberOfMessages"));
    let counts = if wants_counts {
        messages::counts(s.store(), &q, queue.retention_seconds(), now_ms())?
    } else {
        Counts::default()
    };
    let rendered = attrs::render(&queue, &q.arn(), counts, &names);
    if rendered.is_empty() {
        return Ok(empty());
    }
    Ok(json!({ "Attributes": rendered }))
}

const VALID_NAMES: &[&str] = &[
    "All",
    "Policy",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
    "ApproximateNumberOfMessagesDelayed",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "RedriveAllowPolicy",
    "SqsManagedSseEnabled",
];

pub async fn set_attributes(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, queue) = s.load(input)?;
    let given = str_map(input.get("Attributes"));
    let arn = q.arn();
    let normalized = attrs::validate(&given, attrs::Subject { arn: &arn, fifo: queue.fifo, create: false }, s)?;
    let key = q.key();
    let now = now_secs();
    s.store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(no_queue()) };
            let mut queue: Queue = decode("queue", &bytes)?;
            merge(&mut queue.attributes, &normalized);
            queue.modified = now;
            txn.put(key.clone(), encode(&queue));
            Ok(())
        })
        .await?;
    // A shorter delay or wait may make messages receivable sooner.
    s.shared.waiters.notify(&q.key());
    Ok(empty())
}

pub async fn purge(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let (key, messages, name) = (q.key(), q.keys.messages(&q.name), q.name.clone());
    let now = now_ms();
    s.store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(no_queue()) };
            let mut queue: Queue = decode("queue", &bytes)?;
            if queue.last_purge_ms.is_some_and(|t| now - t < 60_000) {
                return Err(AwsError::new(
                    403,
                    "PurgeQueueInProgress",
                    format!("Only one PurgeQueue operation on {name} is allowed every 60 seconds."),
                ));
            }
            queue.last_purge_ms = Some(now);
            txn.put(key.clone(), encode(&queue));
            txn.delete_prefix(&messages);
            Ok(())
        })
        .await?;
    Ok(empty())
}

pub fn dead_letter_sources(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let arn = q.arn();
    let max = paging::max_results(input)?;
    let after = paging::after(input)?;
    let names = queue_names(s, "")?
        .into_iter()
        .filter(|(_, queue)| queue.redrive().is_some_and(|r| r.dead_letter_arn == arn))
        .map(|(n, _)| n)
        .collect();
    let (page, next) = paging::page(names, after.as_deref(), max);
    let urls: Vec<Value> = page.iter().map(|n| Value::from(s.url(&s.named(n)))).collect();
    let mut out = Map::new();
    out.insert("queueUrls".into(), Value::Array(urls));
    if let Some(t) = next {
        out.insert("NextToken".into(), Value::from(t));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_rules() {
        assert_eq!(check_name("ok-name_1", None).ok(), Some(false));
        assert_eq!(check_name("q.fifo", Some(true)).ok(), Some(true));
        assert!(check_name("q.fifo", None).is_err());
        assert!(check_name("q", Some(true)).err().is_some_and(|e| e.message == FIFO_NAME_RULE));
        assert!(check_name("bad name", None).is_err());
        assert!(check_name(&"a".repeat(81), None).is_err());
        assert!(check_name(&"a".repeat(80), None).is_ok());
    }
}
