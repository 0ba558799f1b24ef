//! Tags on log groups: TagLogGroup / UntagLogGroup / ListTagsLogGroup (by
//! name) and TagResource / UntagResource / ListTagsForResource (by ARN).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::{group_not_found, invalid, resource_not_found};
use crate::model::{Group, decode, encode};
use crate::names::group_from_arn;
use crate::ops::empty;
use crate::scope::Scope;

/// Most tags one resource may carry.
const MAX_TAGS: usize = 50;

/// A `Tags` map member as key → value.
pub fn tag_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

pub async fn tag_log_group(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?;
    change(scope, group, tag_map(input.get("tags")), Vec::new(), group_not_found).await
}

pub async fn untag_log_group(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?;
    change(scope, group, BTreeMap::new(), input.str_list("tags"), group_not_found).await
}

pub async fn list_tags_log_group(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = scope.group(input.req_str("logGroupName")?)?;
    Ok(json!({ "tags": group.tags }))
}

pub async fn tag_resource(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = arn_group(input)?;
    change(scope, group, tag_map(input.get("tags")), Vec::new(), resource_not_found).await
}

pub async fn untag_resource(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = arn_group(input)?;
    change(scope, group, BTreeMap::new(), input.str_list("tagKeys"), resource_not_found).await
}

pub async fn list_tags_for_resource(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = arn_group(input)?;
    let group = scope.group(group).map_err(|_| resource_not_found())?;
    Ok(json!({ "tags": group.tags }))
}

/// The log group a `resourceArn` names.
fn arn_group(input: &Value) -> Result<&str, AwsError> {
    let arn = input.req_str("resourceArn")?;
    if stratus_core::arn::parse(arn).is_none() {
        return Err(invalid(format!("Invalid ARN: {arn}")));
    }
    group_from_arn(arn).ok_or_else(resource_not_found)
}

/// Adds `add` and removes `remove` from a group's tags in one transaction.
async fn change(
    scope: &Scope,
    group: &str,
    add: BTreeMap<String, String>,
    remove: Vec<String>,
    missing: fn() -> AwsError,
) -> Result<Value, AwsError> {
    let key = scope.keys.group(group);
    scope
        .store
        .transact(move |txn| {
            let bytes = txn.get(&key)?.ok_or_else(missing)?;
            let mut record: Group = decode("log group", &bytes)?;
            record.tags.extend(add.clone());
            for k in &remove {
                record.tags.remove(k);
            }
            if record.tags.len() > MAX_TAGS {
                return Err(AwsError::bad_request(
                    "TooManyTagsException",
                    format!("A resource can have no more than {MAX_TAGS} tags."),
                ));
            }
            txn.put(key.clone(), encode("log group", &record)?);
            Ok(())
        })
        .await?;
    Ok(empty())
}
