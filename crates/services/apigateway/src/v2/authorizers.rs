//! Authorizer: Create, Get, GetAll, Update, Delete. HTTP APIs have JWT
//! authorizers (an issuer and its audiences) and REQUEST authorizers (a
//! Lambda function, payload format 1.0 or 2.0, optionally simple responses);
//! WebSocket APIs have REQUEST authorizers (a Lambda function answering
//! with an IAM policy).

use crate::errors::bad_request;
use crate::state::Shared;
use crate::v2::db;
use crate::v2::errors::no_authorizer;
use crate::v2::{fields, store};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const UPDATABLE: &[&str] = &[
    "Name",
    "AuthorizerType",
    "IdentitySource",
    "JwtConfiguration",
    "AuthorizerUri",
    "AuthorizerPayloadFormatVersion",
    "EnableSimpleResponses",
    "AuthorizerResultTtlInSeconds",
    "AuthorizerCredentialsArn",
    "IdentityValidationExpression",
];

fn check(a: &Value, websocket: bool) -> Result<(), AwsError> {
    match a.str("AuthorizerType").unwrap_or_default() {
        "REQUEST" if websocket => match a.str("AuthorizerUri") {
            Some(_) => Ok(()),
            None => Err(bad_request("AuthorizerUri is required for REQUEST authorizers")),
        },
        "JWT" if websocket => Err(bad_request("JWT authorizers are not supported for WEBSOCKET APIs")),
        "JWT" => {
            if a.get("JwtConfiguration").and_then(|j| j.str("Issuer")).is_none() {
                return Err(bad_request("JwtConfiguration.Issuer is required for JWT authorizers"));
            }
            if a.list("IdentitySource").is_empty() {
                return Err(bad_request("IdentitySource is required for JWT authorizers"));
            }
            Ok(())
        }
        "REQUEST" => {
            if a.str("AuthorizerUri").is_none() {
                return Err(bad_request("AuthorizerUri is required for REQUEST authorizers"));
            }
            match a.str("AuthorizerPayloadFormatVersion") {
                Some("1.0") if a.bool("EnableSimpleResponses") == Some(true) => {
                    Err(bad_request("Simple responses are only supported for payload format version 2.0"))
                }
                Some("1.0" | "2.0") => Ok(()),
                _ => Err(bad_request("AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for REQUEST authorizers")),
            }
        }
        other => Err(bad_request(format!("Invalid authorizer type {other}"))),
    }
}

/// A new authorizer from CreateAuthorizer's input, for a WebSocket API
/// when `websocket`.
pub fn new_authorizer(input: &Value, websocket: bool) -> Result<Value, AwsError> {
    let mut authorizer = json!({ "AuthorizerId": db::new_id(6), "Name": input.req_str("Name")? });
    fields::copy(&mut authorizer, input, UPDATABLE);
    if authorizer.str("AuthorizerType") == Some("REQUEST") && authorizer.get("AuthorizerResultTtlInSeconds").is_none() {
        authorizer["AuthorizerResultTtlInSeconds"] = 0.into();
    }
    check(&authorizer, websocket)?;
    Ok(authorizer)
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let authorizer = new_authorizer(&owned, api.is_websocket())?;
        let id = authorizer["AuthorizerId"].as_str().unwrap_or_default().to_string();
        api.config.authorizers.insert(id, authorizer.clone());
        Ok(authorizer)
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("AuthorizerId")?;
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    api.config.authorizers.get(id).cloned().ok_or_else(|| no_authorizer(id))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    Ok(fields::page(api.config.authorizers.values().cloned().collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("AuthorizerId")?;
        let mut authorizer = api.config.authorizers.get(id).cloned().ok_or_else(|| no_authorizer(id))?;
        fields::copy(&mut authorizer, &owned, UPDATABLE);
        check(&authorizer, api.is_websocket())?;
        api.config.authorizers.insert(id.to_string(), authorizer.clone());
        Ok(authorizer)
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("AuthorizerId")?;
        if !api.config.authorizers.contains_key(id) {
            return Err(no_authorizer(id));
        }
        if let Some(route) = api.config.routes.values().find(|r| r.str("AuthorizerId") == Some(id)) {
            let key = route.str("RouteKey").unwrap_or_default();
            return Err(bad_request(format!("Cannot delete authorizer '{id}', is referenced in route: {key}")));
        }
        api.config.authorizers.remove(id);
        Ok(json!({}))
    })
    .await
}
