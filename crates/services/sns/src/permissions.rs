//! Topic access policy statements (AddPermission, RemovePermission) and
//! the stored data protection policy (Get/PutDataProtectionPolicy).

use crate::arns;
use crate::errors::invalid;
use crate::policies;
use crate::shared::Shared;
use crate::topics;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The actions a topic policy statement may grant.
const ACTIONS: &[&str] = &[
    "AddPermission",
    "DeleteTopic",
    "GetDataProtectionPolicy",
    "GetTopicAttributes",
    "ListSubscriptionsByTopic",
    "ListTagsForResource",
    "Publish",
    "PutDataProtectionPolicy",
    "RemovePermission",
    "SetTopicAttributes",
    "Subscribe",
    "TagResource",
    "UntagResource",
];

fn one_or_many(items: Vec<String>) -> Value {
    if items.len() == 1 { json!(items[0]) } else { json!(items) }
}

fn policy_of(topic: &crate::model::Topic) -> Value {
    topic
        .attr("Policy")
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_else(|| policies::default_policy(&topic.arn, &topic.account))
}

pub async fn add(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    let label = input.req_str("Label")?.to_string();
    let actions = input.str_list("ActionName");
    for a in &actions {
        let bare = a.strip_prefix("SNS:").or_else(|| a.strip_prefix("sns:")).unwrap_or(a);
        if !ACTIONS.contains(&bare) {
            return Err(invalid("Policy statement action out of service scope!"));
        }
    }
    let actions: Vec<String> = actions
        .iter()
        .map(|a| format!("SNS:{}", a.strip_prefix("SNS:").or_else(|| a.strip_prefix("sns:")).unwrap_or(a)))
        .collect();
    let principals: Vec<String> = input
        .str_list("AWSAccountId")
        .into_iter()
        .map(|id| if id.starts_with("arn:") { id } else { format!("arn:aws:iam::{id}:root") })
        .collect();
    s.topic(&t)?;
    topics::update(s, &t, move |topic| {
        let mut policy = policy_of(topic);
        let arn = topic.arn.clone();
        let Some(statements) = policy.get_mut("Statement").and_then(Value::as_array_mut) else {
            return Err(invalid("Policy"));
        };
        if statements.iter().any(|st| st.get("Sid").and_then(Value::as_str) == Some(label.as_str())) {
            return Err(invalid("Statement already exists"));
        }
        statements.push(json!({
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": one_or_many(principals.clone())},
            "Action": one_or_many(actions.clone()),
            "Resource": arn,
        }));
        topic.attributes.insert("Policy".into(), policy.to_string());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub async fn remove(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    let label = input.req_str("Label")?.to_string();
    s.topic(&t)?;
    topics::update(s, &t, move |topic| {
        let mut policy = policy_of(topic);
        if let Some(statements) = policy.get_mut("Statement").and_then(Value::as_array_mut) {
            statements.retain(|st| st.get("Sid").and_then(Value::as_str) != Some(label.as_str()));
        }
        topic.attributes.insert("Policy".into(), policy.to_string());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub async fn put_data_protection(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "ResourceArn", input.req_str("ResourceArn")?)?;
    let policy = input.req_str("DataProtectionPolicy")?.to_string();
    if serde_json::from_str::<Value>(&policy).is_err() {
        return Err(invalid("DataProtectionPolicy"));
    }
    topics::update(s, &t, move |topic| {
        topic.data_protection_policy = Some(policy.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub async fn get_data_protection(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "ResourceArn", input.req_str("ResourceArn")?)?;
    let topic = s.topic(&t)?;
    Ok(match topic.data_protection_policy {
        Some(p) => json!({ "DataProtectionPolicy": p }),
        None => json!({}),
    })
}
