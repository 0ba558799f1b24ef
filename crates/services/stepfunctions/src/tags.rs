//! Tags on state machines and activities: TagResource, UntagResource,
//! ListTagsForResource, and the `tags` member of the create operations.

use crate::errors;
use crate::model::{Activity, Keys, StateMachine, decode, encode};
use crate::names;
use crate::shared::Shared;
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

const MAX_TAGS: usize = 50;

/// A change to a resource's tags.
type Change = fn(&mut Vec<(String, String)>) -> Result<(), AwsError>;

/// The `tags` member as key/value pairs.
pub fn from_input(input: &Value) -> Vec<(String, String)> {
    input
        .list("tags")
        .iter()
        .map(|t| (t.str("key").unwrap_or("").to_string(), t.str("value").unwrap_or("").to_string()))
        .collect()
}

pub fn to_output(tags: &[(String, String)]) -> Value {
    Value::Array(tags.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect())
}

/// Applies `change` to the tags of the resource `arn`; stores the resource
/// when `change` is given.
async fn with_tags<F>(s: &Shared, arn: &str, change: Option<F>) -> Result<Vec<(String, String)>, AwsError>
where
    F: FnOnce(&mut Vec<(String, String)>) -> Result<(), AwsError>,
{
    let a = names::parse(arn)?;
    let keys = Keys::new(a.account, a.region);
    let name = a.parts.first().copied().unwrap_or_default();
    match a.kind {
        "stateMachine" if a.parts.len() == 1 => {
            let key = keys.machine(name);
            let mut sm: StateMachine = decode(&s.store.get(&key)?.ok_or_else(|| errors::resource_not_found(arn))?)?;
            if let Some(change) = change {
                change(&mut sm.tags)?;
                s.store.put(key, encode(&sm)).await?;
            }
            Ok(sm.tags)
        }
        "activity" if a.parts.len() == 1 => {
            let key = keys.activity(name);
            let mut act: Activity = decode(&s.store.get(&key)?.ok_or_else(|| errors::resource_not_found(arn))?)?;
            if let Some(change) = change {
                change(&mut act.tags)?;
                s.store.put(key, encode(&act)).await?;
            }
            Ok(act.tags)
        }
        _ => Err(errors::invalid_arn(arn)),
    }
}

pub async fn tag(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let new = from_input(input);
    with_tags(
        s,
        input.req_str("resourceArn")?,
        Some(|tags: &mut Vec<(String, String)>| {
            for (k, v) in new {
                match tags.iter_mut().find(|(x, _)| *x == k) {
                    Some(t) => t.1 = v,
                    None => tags.push((k, v)),
                }
            }
            if tags.len() > MAX_TAGS {
                return Err(AwsError::bad_request("TooManyTags", "Too many tags"));
            }
            Ok(())
        }),
    )
    .await?;
    Ok(json!({}))
}

pub async fn untag(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let keys = input.str_list("tagKeys");
    with_tags(
        s,
        input.req_str("resourceArn")?,
        Some(|tags: &mut Vec<(String, String)>| {
            tags.retain(|(k, _)| !keys.contains(k));
            Ok(())
        }),
    )
    .await?;
    Ok(json!({}))
}

pub async fn list(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let read_only: Option<Change> = None;
    let tags = with_tags(s, input.req_str("resourceArn")?, read_only).await?;
    Ok(json!({ "tags": to_output(&tags) }))
}
