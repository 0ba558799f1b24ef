//! Route: Create, Get, GetAll, Update, Delete. An HTTP API's route key is
//! `$default` or `{METHOD} {path}` (METHOD one of the HTTP verbs or `ANY`;
//! path segments literal, `{name}` or, last, `{name+}`); a WebSocket API's
//! is `$connect`, `$disconnect`, `$default` or any value its route
//! selection expression may yield.

use crate::errors::{bad_request, conflict};
use crate::state::Shared;
use crate::v2::db::{self, HttpApi};
use crate::v2::errors::no_route;
use crate::v2::{fields, store};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const METHODS: &[&str] = &["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

const UPDATABLE: &[&str] = &[
    "RouteKey",
    "Target",
    "AuthorizationType",
    "AuthorizerId",
    "AuthorizationScopes",
    "ApiKeyRequired",
    "OperationName",
    "RequestParameters",
    "RouteResponseSelectionExpression",
    "ModelSelectionExpression",
    "RequestModels",
];

/// A route key's method and path, or None for `$default`.
pub fn parse_key(key: &str) -> Result<Option<(&str, &str)>, AwsError> {
    if key == "$default" {
        return Ok(None);
    }
    let invalid = || bad_request(format!("Unable to parse route key: {key}"));
    let (method, path) = key.split_once(' ').ok_or_else(invalid)?;
    if !METHODS.contains(&method) || !path.starts_with('/') {
        return Err(invalid());
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in segments.iter().enumerate() {
        if seg.ends_with("+}") && i + 1 != segments.len() {
            return Err(bad_request("Greedy path variables must be the last path segment"));
        }
    }
    Ok(Some((method, path)))
}

fn check(api: &HttpApi, route: &Value, own_id: &str) -> Result<(), AwsError> {
    let key = route.str("RouteKey").unwrap_or_default();
    if !api.is_websocket() {
        parse_key(key)?;
    } else if key.is_empty() {
        return Err(bad_request("Route key must not be empty"));
    }
    if api.config.routes.iter().any(|(id, r)| id != own_id && r.str("RouteKey") == Some(key)) {
        return Err(conflict(format!("Route with key {key} already exists for this API")));
    }
    match route.str("AuthorizationType").unwrap_or("NONE") {
        "NONE" | "AWS_IAM" => {}
        "JWT" | "CUSTOM" => {
            let id = route.str("AuthorizerId").unwrap_or_default();
            if !api.config.authorizers.contains_key(id) {
                return Err(bad_request(format!("Unable to find Authorizer with id '{id}'")));
            }
        }
        other => return Err(bad_request(format!("Invalid authorization type {other}"))),
    }
    Ok(())
}

/// A new route of `api` from CreateRoute's input.
pub fn new_route(api: &HttpApi, input: &Value, managed: bool) -> Result<Value, AwsError> {
    let mut route = json!({
        "RouteId": db::new_id(7),
        "RouteKey": input.req_str("RouteKey")?,
        "ApiKeyRequired": false,
        "AuthorizationType": "NONE",
    });
    fields::copy(&mut route, input, UPDATABLE);
    if managed {
        route["ApiGatewayManaged"] = true.into();
    }
    check(api, &route, "")?;
    Ok(route)
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let route = new_route(api, &owned, false)?;
        api.config.routes.insert(route["RouteId"].as_str().unwrap_or_default().to_string(), route.clone());
        Ok(route)
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("RouteId")?;
    store::api(s, ctx, input.req_str("ApiId")?)?.config.routes.get(id).cloned().ok_or_else(|| no_route(id))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    Ok(fields::page(api.config.routes.values().cloned().collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("RouteId")?;
        let mut route = api.config.routes.get(id).cloned().ok_or_else(|| no_route(id))?;
        fields::copy(&mut route, &owned, UPDATABLE);
        check(api, &route, id)?;
        api.config.routes.insert(id.to_string(), route.clone());
        Ok(route)
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("RouteId")?;
        api.config.routes.remove(id).ok_or_else(|| no_route(id))?;
        api.config.route_responses.remove(id);
        Ok(json!({}))
    })
    .await
}
