//! Request validators of a REST API: Create, Get, GetAll, Update, Delete.

use crate::errors::{bad_request, not_found};
use crate::patch::{self, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/name", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/validateRequestParameters", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
        Rule { path: "/validateRequestBody", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
    ],
    style: Style::Listed,
};

pub fn no_validator() -> AwsError {
    not_found("Invalid Request Validator identifier specified")
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api_id = input.req_str("restApiId")?;
    let v = json!({
        "id": crate::db::new_id(),
        "name": input.str("name").unwrap_or_default(),
        "validateRequestBody": input.bool("validateRequestBody").unwrap_or(false),
        "validateRequestParameters": input.bool("validateRequestParameters").unwrap_or(false),
    });
    s.change(ctx, api_id, bad_request("Invalid REST API identifier specified"), move |api| {
        api.validators.insert(v["id"].as_str().unwrap_or_default().to_string(), v.clone());
        Ok(v.clone())
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?).map_err(|_| no_validator())?;
    api.validators.get(input.req_str("requestValidatorId")?).cloned().ok_or_else(no_validator)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    Ok(crate::paging::page(api.validators.values().cloned().collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("requestValidatorId")?.to_string());
    let ops = patch::ops(input);
    s.change(ctx, api_id, no_validator(), move |api| {
        let v = api.validators.get_mut(&id).ok_or_else(no_validator)?;
        let mut changed = v.clone();
        RULES.apply(&mut changed, &ops)?;
        if changed.str("name").is_none_or(str::is_empty) {
            return Err(bad_request("Request Validator name cannot be blank"));
        }
        *v = changed;
        Ok(v.clone())
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("requestValidatorId")?.to_string());
    s.change(ctx, api_id, no_validator(), move |api| {
        api.validators.remove(&id).ok_or_else(no_validator)?;
        Ok(json!({}))
    })
    .await
}

/// The parameters a validator that checks them finds missing from a
/// request, named as AWS lists them.
pub fn missing_parameters(method: &Value, present: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let required = method.get("requestParameters").and_then(Value::as_object).into_iter().flatten();
    required
        .filter(|(_, req)| req.as_bool() == Some(true))
        .filter_map(|(k, _)| {
            let (location, name) = k.strip_prefix("method.request.")?.split_once('.')?;
            (!present(location, name)).then(|| name.to_string())
        })
        .collect()
}
