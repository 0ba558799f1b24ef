//! Put/Get/Update/Delete/ListFunctionEventInvokeConfig: the retry policy of
//! asynchronous invocations per function version or alias, stored at
//! `lambda/{account}/{region}/eic/{name}/{qualifier}`.

use crate::db;
use crate::errors;
use crate::names::{self, FnRef};
use crate::resolve;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The retry policy that applies to an event.
pub struct Policy {
    pub max_retries: u32,
    pub max_age_s: i64,
    /// DestinationConfig.OnSuccess/OnFailure targets.
    pub on_success: Option<String>,
    pub on_failure: Option<String>,
}

fn key(ctx: &RequestContext, name: &str, qualifier: &str) -> String {
    format!("{}eic/{name}/{qualifier}", db::prefix(ctx))
}

fn qualifier(r: &FnRef) -> &str {
    r.qualifier.as_deref().unwrap_or("$LATEST")
}

pub fn policy(s: &Shared, ctx: &RequestContext, r: &FnRef) -> Policy {
    let cfg: Option<Value> =
        s.store.get(key(ctx, &r.name, qualifier(r))).ok().flatten().and_then(|b| db::decode(&b).ok());
    Policy {
        max_retries: cfg.as_ref().and_then(|c| c.i64("MaximumRetryAttempts")).unwrap_or(2) as u32,
        max_age_s: cfg.as_ref().and_then(|c| c.i64("MaximumEventAgeInSeconds")).unwrap_or(21_600),
        on_success: destination(cfg.as_ref(), "OnSuccess"),
        on_failure: destination(cfg.as_ref(), "OnFailure"),
    }
}

fn destination(cfg: Option<&Value>, which: &str) -> Option<String> {
    cfg?.get("DestinationConfig")?.get(which)?.str("Destination").map(str::to_string)
}

fn not_found(ctx: &RequestContext, r: &FnRef) -> AwsError {
    errors::not_found(format!(
        "The function {}:{} doesn't have an EventInvokeConfig",
        names::function_arn(ctx, &r.name),
        qualifier(r)
    ))
}

async fn write(s: &Shared, ctx: &RequestContext, input: &Value, merge: bool) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::version(s, ctx, &r, false)?;
    if input.get("MaximumRetryAttempts").is_none()
        && input.get("MaximumEventAgeInSeconds").is_none()
        && input.get("DestinationConfig").is_none()
    {
        return Err(errors::invalid("You must specify at least one of error handling or destination setting."));
    }
    let k = key(ctx, &r.name, qualifier(&r));
    let mut cfg = if merge {
        s.store.get(&k)?.map(|b| db::decode::<Value>(&b)).transpose()?.ok_or_else(|| not_found(ctx, &r))?
    } else {
        json!({})
    };
    cfg["FunctionArn"] = names::qualified_arn(ctx, &r.name, Some(qualifier(&r))).into();
    cfg["LastModified"] = stratus_core::clock::now_epoch().into();
    for m in ["MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"] {
        if let Some(v) = input.get(m) {
            cfg[m] = v.clone();
        }
    }
    if cfg.get("DestinationConfig").is_none() {
        cfg["DestinationConfig"] = json!({ "OnSuccess": {}, "OnFailure": {} });
    }
    s.store.put(k, db::encode(&cfg)).await?;
    Ok(cfg)
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    write(s, ctx, input, false).await
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    write(s, ctx, input, true).await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::function(&s.store, ctx, &r)?;
    s.store
        .get(key(ctx, &r.name, qualifier(&r)))?
        .map(|b| db::decode(&b))
        .transpose()?
        .ok_or_else(|| not_found(ctx, &r))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::function(&s.store, ctx, &r)?;
    let k = key(ctx, &r.name, qualifier(&r));
    if s.store.get(&k)?.is_none() {
        return Err(not_found(ctx, &r));
    }
    s.store.delete(k).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    resolve::function(&s.store, ctx, &r)?;
    let mut out = Vec::new();
    for (_, v) in s.store.scan_prefix(format!("{}eic/{}/", db::prefix(ctx), r.name), false, None)? {
        out.push(db::decode::<Value>(&v)?);
    }
    Ok(json!({ "FunctionEventInvokeConfigs": out }))
}
