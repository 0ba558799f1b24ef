//! TagResource, UntagResource, ListTags on functions (not versions or
//! aliases) and on code signing configurations (`codesigning`).

use crate::db::{self, FunctionRecord};
use crate::errors;
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The function name of an unqualified function ARN.
fn function_of(ctx: &RequestContext, arn: &str) -> Result<String, AwsError> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name] => Ok(name.to_string()),
        ["arn", _, "lambda", _, _, "function", _, _] => Err(errors::invalid(
            "Tags on function aliases and versions are not supported. Please specify a function ARN.",
        )),
        _ => Err(errors::function_not_found(&format!("{arn} ({})", ctx.region))),
    }
}

/// Changes the tags of the function or code signing configuration `arn` names.
async fn modify(
    s: &Shared,
    ctx: &RequestContext,
    arn: &str,
    f: impl Fn(&mut Map<String, Value>) -> Result<(), AwsError> + Send + 'static,
) -> Result<(), AwsError> {
    if crate::codesigning::names_one(arn) {
        return crate::codesigning::modify_tags(s, ctx, arn, f).await;
    }
    let name = function_of(ctx, arn)?;
    let key = db::fn_key(ctx, &name);
    let arn = arn.to_string();
    s.store
        .transact(move |txn| {
            let mut rec: FunctionRecord = match txn.get(&key)? {
                Some(b) => db::decode(&b)?,
                None => return Err(errors::function_not_found(&arn)),
            };
            f(&mut rec.tags)?;
            txn.put(key.clone(), db::encode(&rec));
            Ok(())
        })
        .await
}

pub async fn tag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("Resource")?;
    let new = input.get("Tags").and_then(Value::as_object).cloned().unwrap_or_default();
    if new.is_empty() {
        return Err(errors::invalid("An error occurred and the request cannot be processed."));
    }
    modify(s, ctx, arn, move |tags| {
        for (k, v) in &new {
            tags.insert(k.clone(), v.clone());
        }
        if tags.len() > 50 {
            return Err(errors::invalid("Number of tags exceeds resource tag limit."));
        }
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub async fn untag(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("Resource")?;
    let keys = input.str_list("TagKeys");
    modify(s, ctx, arn, move |tags| {
        for k in &keys {
            tags.remove(k);
        }
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("Resource")?;
    if crate::codesigning::names_one(arn) {
        return Ok(json!({ "Tags": crate::codesigning::tags(s, ctx, arn)? }));
    }
    let name = function_of(ctx, arn)?;
    let rec = db::get_function(&s.store, ctx, &name)?.ok_or_else(|| errors::function_not_found(arn))?;
    Ok(json!({ "Tags": rec.tags }))
}
