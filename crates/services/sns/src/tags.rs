//! Topic tags: TagResource, UntagResource, ListTagsForResource, and the
//! `Tags` member of CreateTopic.

use crate::arns::{self, TopicRef};
use crate::errors::{self, invalid};
use crate::model::Tag;
use crate::shared::Shared;
use crate::topics;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const MAX_TAGS: usize = 50;

/// The `Tags` member, rejecting repeated keys.
pub fn from_input(input: &Value) -> Result<Vec<Tag>, AwsError> {
    let mut tags: Vec<Tag> = Vec::new();
    for t in input.list("Tags") {
        let key = t.str("Key").unwrap_or("").to_string();
        let value = t.str("Value").unwrap_or("").to_string();
        if tags.iter().any(|x| x.key == key) {
            return Err(invalid("Duplicated keys are not allowed."));
        }
        tags.push(Tag { key, value });
    }
    Ok(tags)
}

fn resource(ctx: &RequestContext, input: &Value) -> Result<TopicRef, AwsError> {
    let arn = input.req_str("ResourceArn")?;
    arns::topic(ctx, "ResourceArn", arn).map_err(|e| {
        if e.code == "InvalidParameter" && !e.message.contains("Reason") { errors::resource_not_found() } else { e }
    })
}

fn not_found_as_resource(e: AwsError) -> AwsError {
    if e.code == "NotFound" { errors::resource_not_found() } else { e }
}

pub async fn tag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = resource(ctx, input)?;
    let new = from_input(input)?;
    topics::update(s, &t, move |topic| {
        for tag in &new {
            match topic.tags.iter_mut().find(|x| x.key == tag.key) {
                Some(x) => x.value = tag.value.clone(),
                None => topic.tags.push(tag.clone()),
            }
        }
        if topic.tags.len() > MAX_TAGS {
            return Err(AwsError::bad_request(
                "TagLimitExceeded",
                "Could not complete request: tag quota of per resource exceeded",
            ));
        }
        Ok(())
    })
    .await
    .map_err(not_found_as_resource)?;
    Ok(json!({}))
}

pub async fn untag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = resource(ctx, input)?;
    let keys = input.str_list("TagKeys");
    topics::update(s, &t, move |topic| {
        topic.tags.retain(|x| !keys.contains(&x.key));
        Ok(())
    })
    .await
    .map_err(not_found_as_resource)?;
    Ok(json!({}))
}

pub async fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = resource(ctx, input)?;
    let topic = s.topic(&t).map_err(not_found_as_resource)?;
    Ok(json!({ "Tags": topic.tags }))
}
