//! Authorizers of a REST API: Create, Get, GetAll, Update, Delete, kept in
//! the API record (and frozen into each deployment).

use crate::db;
use crate::errors::{self, conflict, not_found};
use crate::patch::{self, ADD_REMOVE, ALL, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/name", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/type", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/authType", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/authorizerUri", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/authorizerCredentials", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/identitySource", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/identityValidationExpression", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/authorizerResultTtlInSeconds", ops: REPLACE, kind: Kind::Member(Scalar::Int) },
        Rule { path: "/providerARNs", ops: ADD_REMOVE, kind: Kind::Item },
    ],
    style: Style::Plain,
};

fn no_authorizer() -> AwsError {
    not_found("Invalid Authorizer identifier specified")
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api_id = input.req_str("restApiId")?;
    let id = db::new_id();
    let mut a = json!({ "id": id, "name": input.req_str("name")?, "type": input.req_str("type")? });
    for k in [
        "providerARNs",
        "authType",
        "authorizerUri",
        "authorizerCredentials",
        "identitySource",
        "identityValidationExpression",
        "authorizerResultTtlInSeconds",
    ] {
        if let Some(v) = input.get(k) {
            a[k] = v.clone();
        }
    }
    let missing = conflict("Unable to complete operation due to concurrent modification. Please try again later.");
    s.change(ctx, api_id, missing, move |api| {
        api.authorizers.insert(id.clone(), a.clone());
        Ok(a.clone())
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    api.authorizers.get(input.req_str("authorizerId")?).cloned().ok_or_else(no_authorizer)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    let mut items: Vec<Value> = api.authorizers.values().cloned().collect();
    items.sort_by(|a, b| a.str("name").cmp(&b.str("name")));
    Ok(crate::paging::page(items, input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("authorizerId")?.to_string());
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        let a = api.authorizers.get_mut(&id).ok_or_else(no_authorizer)?;
        RULES.apply(a, &ops)?;
        Ok(a.clone())
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("authorizerId")?.to_string());
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        api.authorizers.remove(&id).ok_or_else(no_authorizer)?;
        Ok(json!({}))
    })
    .await
}
