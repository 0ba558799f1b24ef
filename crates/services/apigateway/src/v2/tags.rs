//! Tags of HTTP APIs, their stages and custom domain names (TagResource,
//! UntagResource, GetTags), addressed by ARN:
//! `arn:aws:apigateway:{region}::/apis/{id}`, `.../apis/{id}/stages/{name}`
//! and `.../domainnames/{name}` (the domain's record is v1's, `crate::domains`).

use crate::errors::not_found;
use crate::state::Shared;
use crate::tags::domain_of;
use crate::v2::db::HttpApi;
use crate::v2::errors::no_stage;
use crate::v2::store;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The API id and, for a stage, its name, that an ARN names.
fn target(arn: &str) -> Result<(String, Option<String>), AwsError> {
    let invalid = || not_found(format!("Invalid resource ARN {arn}"));
    let path = stratus_core::arn::parse(arn).map(|a| a.resource).ok_or_else(invalid)?;
    let rest = path.strip_prefix("/apis/").ok_or_else(invalid)?;
    match rest.split_once("/stages/") {
        Some((api, stage)) => Ok((api.to_string(), Some(stage.to_string()))),
        None if !rest.contains('/') => Ok((rest.to_string(), None)),
        None => Err(invalid()),
    }
}

/// The shape holding the tags of the target.
fn holder<'a>(api: &'a mut HttpApi, stage: Option<&str>) -> Result<&'a mut Value, AwsError> {
    match stage {
        Some(name) => api.stages.get_mut(name).ok_or_else(|| no_stage(name)),
        None => Ok(&mut api.info),
    }
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
    store::change(s, ctx, &api_id, move |api| {
        crate::tags::retag(holder(api, stage.as_deref())?, "Tags", &mut edit);
        Ok(json!({}))
    })
    .await
}

pub async fn tag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let add = input.get("Tags").and_then(Value::as_object).cloned().unwrap_or_default();
    change_tags(s, ctx, input.req_str("ResourceArn")?, move |tags| tags.extend(add.clone())).await
}

pub async fn untag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let keys = input.str_list("TagKeys");
    change_tags(s, ctx, input.req_str("ResourceArn")?, move |tags| tags.retain(|k, _| !keys.contains(k))).await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("ResourceArn")?;
    if let Some(domain) = domain_of(arn) {
        let tags = crate::domains::tags(s, ctx, &domain)?;
        return Ok(json!({ "Tags": tags.get("tags").cloned().unwrap_or_else(|| json!({})) }));
    }
    let (api_id, stage) = target(arn)?;
    let api = store::api(s, ctx, &api_id)?;
    let shape = match stage {
        Some(name) => api.stages.get(&name).ok_or_else(|| no_stage(&name))?,
        None => &api.info,
    };
    Ok(json!({ "Tags": shape.get("Tags").cloned().unwrap_or_else(|| json!({})) }))
}
