//! Topic operations: CreateTopic (standard and FIFO, idempotent with AWS's
//! "already exists with different ..." errors), DeleteTopic, ListTopics,
//! GetTopicAttributes and SetTopicAttributes.

use crate::arns::{self, TopicRef};
use crate::errors::{invalid, topic_not_found};
use crate::keys::Keys;
use crate::model::{Tag, Topic, decode, encode};
use crate::shared::Shared;
use crate::{page, policies, tags};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// Attributes SetTopicAttributes accepts (FifoTopic only at creation).
const SETTABLE: &[&str] = &[
    "DisplayName",
    "Policy",
    "DeliveryPolicy",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
    "ContentBasedDeduplication",
    "ArchivePolicy",
    "FifoThroughputScope",
    "ApplicationSuccessFeedbackRoleArn",
    "ApplicationSuccessFeedbackSampleRate",
    "ApplicationFailureFeedbackRoleArn",
    "HTTPSuccessFeedbackRoleArn",
    "HTTPSuccessFeedbackSampleRate",
    "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn",
    "LambdaSuccessFeedbackSampleRate",
    "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn",
    "SQSSuccessFeedbackSampleRate",
    "SQSFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn",
    "FirehoseSuccessFeedbackSampleRate",
    "FirehoseFailureFeedbackRoleArn",
];

/// A string-to-string map member (`Attributes`).
pub fn string_map(input: &Value, member: &str) -> BTreeMap<String, String> {
    input
        .get(member)
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

fn is_true(v: Option<&String>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Checks one attribute's value.
fn check_value(name: &str, value: &str, fifo: bool) -> Result<(), AwsError> {
    match name {
        "Policy" | "DeliveryPolicy" | "ArchivePolicy" if !value.is_empty() => {
            serde_json::from_str::<Value>(value).map_err(|_| invalid(format!("{name}: failed to parse JSON")))?;
        }
        "SignatureVersion" if value != "1" && value != "2" => {
            return Err(invalid(format!("SignatureVersion Reason: Invalid value [{value}]. Must be 1 or 2.")));
        }
        "ContentBasedDeduplication" => {
            if !fifo {
                return Err(invalid(
                    "ContentBasedDeduplication Reason: Content based deduplication can only be set for FIFO topics",
                ));
            }
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                return Err(invalid(format!(
                    "ContentBasedDeduplication Reason: Invalid value [{value}]. Must be true or false."
                )));
            }
        }
        "FifoThroughputScope" if !fifo || (value != "Topic" && value != "MessageGroup") => {
            return Err(invalid("FifoThroughputScope"));
        }
        _ => {}
    }
    Ok(())
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Name")?.to_string();
    let mut attributes = string_map(input, "Attributes");
    let fifo = is_true(attributes.get("FifoTopic"));
    arns::check_topic_name(&name, fifo)?;
    for (k, v) in &attributes {
        if k != "FifoTopic" && !SETTABLE.contains(&k.as_str()) {
            return Err(invalid("AttributeName"));
        }
        check_value(k, v, fifo)?;
    }
    if fifo {
        attributes.insert("FifoTopic".into(), "true".into());
        attributes.entry("ContentBasedDeduplication".into()).or_insert_with(|| "false".into());
    } else {
        attributes.remove("FifoTopic");
    }
    let given = string_map(input, "Attributes");
    let new_tags = tags::from_input(input)?;
    let data_protection = input.str("DataProtectionPolicy").map(str::to_string);
    let topic_ref = TopicRef { account: ctx.account_id.clone(), region: ctx.region.clone(), name: name.clone() };
    let arn = topic_ref.arn();
    let key = Keys::new(&ctx.account_id, &ctx.region).topic(&name);
    let topic = Topic {
        name,
        arn: arn.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        attributes,
        tags: new_tags.clone(),
        data_protection_policy: data_protection,
    };
    s.store
        .transact(move |txn| {
            if let Some(bytes) = txn.get(&key)? {
                let existing: Topic = decode(&bytes)?;
                let same_attrs = given.iter().all(|(k, v)| match k.as_str() {
                    "FifoTopic" => is_true(Some(v)) == existing.is_fifo(),
                    _ => existing.attr(k).unwrap_or("") == v,
                });
                if !same_attrs {
                    return Err(invalid("Attributes Reason: Topic already exists with different attributes"));
                }
                if !new_tags.is_empty() && !same_tags(&existing.tags, &new_tags) {
                    return Err(invalid("Tags Reason: Topic already exists with different tags"));
                }
                return Ok(());
            }
            txn.put(key.clone(), encode(&topic));
            Ok(())
        })
        .await?;
    Ok(json!({ "TopicArn": arn }))
}

fn same_tags(a: &[Tag], b: &[Tag]) -> bool {
    a.len() == b.len() && b.iter().all(|t| a.contains(t))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    let keys = Keys::new(&t.account, &t.region);
    s.store
        .transact(move |txn| {
            txn.delete(keys.topic(&t.name));
            txn.delete_prefix(keys.subs_of(&t.name));
            txn.delete_prefix(keys.dedups_of(&t.name));
            txn.delete(keys.seq(&t.name));
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

pub async fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = Keys::new(&ctx.account_id, &ctx.region).topics();
    let (rows, next) = page::scan(&s.store, &prefix, input.str("NextToken"))?;
    let topics: Vec<Value> =
        rows.iter().map(|(_, v)| decode::<Topic>(v).map(|t| json!({"TopicArn": t.arn}))).collect::<Result<_, _>>()?;
    let mut out = json!({ "Topics": topics });
    if let (Some(n), Some(o)) = (next, out.as_object_mut()) {
        o.insert("NextToken".into(), json!(n));
    }
    Ok(out)
}

pub async fn get_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    let topic = s.topic(&t)?;
    let subs = s.subscriptions_of(&t)?;
    let pending = subs.iter().filter(|x| x.pending).count();
    let mut attrs: BTreeMap<String, String> = topic.attributes.clone();
    attrs.entry("DisplayName".into()).or_default();
    attrs.entry("Policy".into()).or_insert_with(|| policies::default_policy(&topic.arn, &topic.account).to_string());
    attrs.insert("EffectiveDeliveryPolicy".into(), policies::effective(topic.attr("DeliveryPolicy")).to_string());
    attrs.insert("Owner".into(), topic.account.clone());
    attrs.insert("TopicArn".into(), topic.arn.clone());
    attrs.insert("SubscriptionsConfirmed".into(), (subs.len() - pending).to_string());
    attrs.insert("SubscriptionsPending".into(), pending.to_string());
    attrs.insert("SubscriptionsDeleted".into(), "0".into());
    let map: Map<String, Value> = attrs.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    Ok(json!({ "Attributes": map }))
}

pub async fn set_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    let name = input.req_str("AttributeName")?.to_string();
    let value = input.str("AttributeValue").unwrap_or("").to_string();
    if !SETTABLE.contains(&name.as_str()) {
        return Err(invalid("AttributeName"));
    }
    let topic = s.topic(&t)?;
    check_value(&name, &value, topic.is_fifo())?;
    let key = Keys::new(&t.account, &t.region).topic(&t.name);
    s.store
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(topic_not_found()) };
            let mut topic: Topic = decode(&bytes)?;
            if value.is_empty() && name != "DisplayName" {
                topic.attributes.remove(&name);
            } else {
                topic.attributes.insert(name.clone(), value.clone());
            }
            txn.put(key.clone(), encode(&topic));
            Ok(())
        })
        .await?;
    Ok(json!({}))
}

/// Updates a topic record in one transaction.
pub async fn update(
    s: &Shared,
    t: &TopicRef,
    f: impl Fn(&mut Topic) -> Result<(), AwsError> + Send + Sync + 'static,
) -> Result<(), AwsError> {
    let key = Keys::new(&t.account, &t.region).topic(&t.name);
    s.store
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(topic_not_found()) };
            let mut topic: Topic = decode(&bytes)?;
            f(&mut topic)?;
            txn.put(key.clone(), encode(&topic));
            Ok(())
        })
        .await
}
