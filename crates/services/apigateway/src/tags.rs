//! Tags of REST APIs, stages and custom domain names (TagResource,
//! UntagResource, GetTags), addressed by ARN:
//! `arn:aws:apigateway:{region}::/restapis/{id}`,
//! `.../restapis/{id}/stages/{name}` and `.../domainnames/{name}`; and the
//! tag edit HTTP APIs share.

use crate::db::Api;
use crate::errors;
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The API id and, for a stage, its name, that an ARN names.
fn target(arn: &str) -> Result<(String, Option<String>), AwsError> {
    let path = stratus_core::arn::parse(arn).map(|a| a.resource).ok_or_else(errors::no_resource)?;
    let rest = path.strip_prefix("/restapis/").ok_or_else(errors::no_resource)?;
    match rest.split_once("/stages/") {
        Some((api, stage)) => Ok((api.to_string(), Some(stage.to_string()))),
        None if !rest.contains('/') => Ok((rest.to_string(), None)),
        None => Err(errors::no_resource()),
    }
}

/// The custom domain name an ARN names, if it names one.
pub fn domain_of(arn: &str) -> Option<String> {
    let path = stratus_core::arn::parse(arn)?.resource;
    path.strip_prefix("/domainnames/").filter(|d| !d.is_empty() && !d.contains('/')).map(str::to_string)
}

/// The shape holding the tags of the target.
fn holder<'a>(api: &'a mut Api, stage: Option<&str>) -> Result<&'a mut Value, AwsError> {
    match stage {
        Some(name) => api.stages.get_mut(name).ok_or_else(|| errors::not_found("Invalid Stage identifier specified")),
        None => Ok(&mut api.info),
    }
}

/// Runs `edit` on the tag map under `key` of `shape` (REST APIs say
/// `tags`, HTTP APIs `Tags`).
pub fn retag(shape: &mut Value, key: &str, edit: &mut impl FnMut(&mut Map<String, Value>)) {
    let mut tags = shape.get(key).and_then(Value::as_object).cloned().unwrap_or_default();
    edit(&mut tags);
    shape[key] = Value::Object(tags);
}

async fn change_tags(
    s: &Shared,
    ctx: &RequestContext,
    arn: &str,
    mut edit: impl FnMut(&mut Map<String, Value>) + Send + 'static,
) -> Result<Value, AwsError> {
    if let Some(domain) = domain_of(arn) {
        return crate::domains::change_tags(s, ctx, &domain, &mut edit).await;
    }
    let (api_id, stage) = target(arn)?;
    s.change(ctx, &api_id, errors::no_api(ctx, &api_id), move |api| {
        retag(holder(api, stage.as_deref())?, "tags", &mut edit);
        Ok(json!({}))
    })
    .await
}

pub async fn tag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let add = input.get("tags").and_then(Value::as_object).cloned().unwrap_or_default();
    change_tags(s, ctx, input.req_str("resourceArn")?, move |tags| tags.extend(add.clone())).await
}

pub async fn untag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let keys = input.str_list("tagKeys");
    change_tags(s, ctx, input.req_str("resourceArn")?, move |tags| tags.retain(|k, _| !keys.contains(k))).await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("resourceArn")?;
    if let Some(domain) = domain_of(arn) {
        return crate::domains::tags(s, ctx, &domain);
    }
    let (api_id, stage) = target(arn)?;
    let api = s.api(ctx, &api_id)?;
    let shape = match stage {
        Some(name) => api.stages.get(&name).ok_or_else(|| errors::not_found("Invalid Stage identifier specified"))?,
        None => &api.info,
    };
    Ok(json!({ "tags": shape.get("tags").cloned().unwrap_or_else(|| json!({})) }))
}
