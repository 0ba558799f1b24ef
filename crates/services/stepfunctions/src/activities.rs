//! Activities: CreateActivity (idempotent on its name), DescribeActivity,
//! DeleteActivity, ListActivities.

use crate::errors;
use crate::model::{Activity, Keys, decode, encode};
use crate::names;
use crate::shared::Shared;
use crate::tags;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("name")?;
    names::check(name)?;
    let keys = Keys::new(&ctx.account_id, &ctx.region);
    if let Some(b) = s.store.get(keys.activity(name))? {
        let old: Activity = decode(&b)?;
        return Ok(json!({ "activityArn": old.arn, "creationDate": old.creation_date }));
    }
    let act = Activity {
        name: name.to_string(),
        arn: names::arn(&ctx.region, &ctx.account_id, &format!("activity:{name}")),
        creation_date: stratus_core::clock::now_epoch(),
        tags: tags::from_input(input),
    };
    s.store.put(keys.activity(name), encode(&act)).await?;
    Ok(json!({ "activityArn": act.arn, "creationDate": act.creation_date }))
}

/// The activity an ARN names.
pub fn get(s: &Shared, arn: &str) -> Result<Activity, AwsError> {
    let a = names::parse(arn)?;
    if a.kind != "activity" || a.parts.len() != 1 {
        return Err(errors::invalid_arn(arn));
    }
    match s.store.get(Keys::new(a.account, a.region).activity(a.parts[0]))? {
        Some(b) => decode(&b),
        None => Err(errors::activity_not_found(arn)),
    }
}

pub fn describe(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let act = get(s, input.req_str("activityArn")?)?;
    Ok(json!({
        "activityArn": act.arn,
        "name": act.name,
        "creationDate": act.creation_date,
        "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
    }))
}

pub async fn delete(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("activityArn")?;
    let a = names::parse(arn)?;
    if a.kind != "activity" || a.parts.len() != 1 {
        return Err(errors::invalid_arn(arn));
    }
    s.store.delete(Keys::new(a.account, a.region).activity(a.parts[0])).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let keys = Keys::new(&ctx.account_id, &ctx.region);
    let (rows, next) = crate::page::scan(&s.store, &keys.activities(), input)?;
    let acts: Vec<Value> = rows
        .iter()
        .map(|(_, v)| decode::<Activity>(v))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .map(|a| json!({ "activityArn": a.arn, "name": a.name, "creationDate": a.creation_date }))
        .collect();
    let mut out = json!({ "activities": acts });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}
