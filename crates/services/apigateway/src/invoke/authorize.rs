//! Authorization on the data plane: IAM (`iam`), Cognito user pools
//! (`user_pool`) and Lambda authorizers (methods with authorization type CUSTOM): the identity sources read from the request, the TOKEN or
//! REQUEST event, the function's answer cached per identity for
//! `authorizerResultTtlInSeconds` (300 by default, 0 disables), and the
//! returned policy enforced for the request's method ARN. What the
//! authorizer grants becomes `requestContext.authorizer`.

use crate::db::Api;
use crate::invoke::call::Call;
use crate::invoke::gateway_responses::{answer, typed};
use crate::invoke::iam;
use crate::invoke::lambda::{self, Outcome};
use crate::invoke::params;
use crate::invoke::patterns;
use crate::invoke::policy::{self, Decision};
use crate::invoke::proxy;
use crate::invoke::user_pool;
use crate::state::Shared;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use stratus_core::HttpResponse;
use stratus_core::input::Input;
use stratus_core::settings::Signer;

/// What an authorizer granted: `requestContext.authorizer`, the API key to
/// meter the request by (`usageIdentifierKey`), and the IAM signer.
#[derive(Default)]
pub struct Granted {
    pub context: Option<Value>,
    pub usage_key: Option<String>,
    pub signer: Option<Signer>,
}

/// Authorizer answers by authorizer and identity, until they expire.
#[derive(Default)]
pub struct Cache(Mutex<HashMap<String, (Instant, Value)>>);

impl Cache {
    pub fn get(&self, key: &str) -> Option<Value> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match map.get(key) {
            Some((until, v)) if *until > Instant::now() => Some(v.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    /// Forgets every answer cached for API `api_id`.
    pub fn flush(&self, api_id: &str) {
        let prefix = format!("{api_id}/");
        self.0.lock().unwrap_or_else(PoisonError::into_inner).retain(|k, _| !k.starts_with(&prefix));
    }

    pub fn put(&self, key: String, ttl: u64, v: Value) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(key, (Instant::now() + Duration::from_secs(ttl), v));
    }
}

fn unauthorized(api: &Api) -> HttpResponse {
    answer(api, "UNAUTHORIZED", "Unauthorized")
}

/// AUTHORIZER_CONFIGURATION_ERROR: 500 `{"message": null}`.
fn configuration_error(api: &Api) -> HttpResponse {
    typed(api, "AUTHORIZER_CONFIGURATION_ERROR", 500, None)
}

/// The ARN of the method a request invokes.
pub fn method_arn(call: &Call) -> String {
    format!(
        "arn:aws:execute-api:{}:{}:{}/{}/{}{}",
        call.api.region,
        call.api.account,
        call.api.id(),
        call.address.stage,
        call.req.method.as_str(),
        call.path()
    )
}

/// The event for authorizer `a`, and the identity its answer is cached by;
/// Err when the request lacks an identity the authorizer needs.
fn event(call: &Call, a: &Value, arn: &str) -> Result<(Value, String), HttpResponse> {
    let sources: Vec<&str> =
        a.str("identitySource").unwrap_or_default().split(',').filter(|s| !s.trim().is_empty()).collect();
    let values: Vec<Option<String>> = sources.iter().map(|s| params::value_of(call, s)).collect();
    if a.str("type") == Some("TOKEN") {
        let token =
            values.first().cloned().flatten().filter(|t| !t.is_empty()).ok_or_else(|| unauthorized(call.api))?;
        if let Some(expr) = a.str("identityValidationExpression")
            && !patterns::full_match(expr, &token)
        {
            return Err(unauthorized(call.api));
        }
        let event = json!({ "type": "TOKEN", "authorizationToken": token, "methodArn": arn });
        return Ok((event, token));
    }
    let caching = a.i64("authorizerResultTtlInSeconds").unwrap_or(300) > 0;
    if caching && values.iter().any(Option::is_none) {
        return Err(unauthorized(call.api));
    }
    let mut event = proxy::event(call);
    if let Some(o) = event.as_object_mut() {
        o.remove("body");
        o.remove("isBase64Encoded");
        o.insert("type".into(), "REQUEST".into());
        o.insert("methodArn".into(), arn.into());
    }
    let identity = values.into_iter().map(Option::unwrap_or_default).collect::<Vec<_>>().join("\u{1f}");
    Ok((event, identity))
}

/// Runs authorizer `a` for `call` (or takes its cached answer): the
/// authorizer's answer, or the response refusing the request.
async fn answer_of(s: &Shared, call: &Call<'_>, a: &Value, arn: &str) -> Result<Value, HttpResponse> {
    let (event, identity) = event(call, a, arn)?;
    let key = format!("{}/{}/{identity}", call.api.id(), a.str("id").unwrap_or_default());
    if let Some(hit) = s.authorizer_results.get(&key) {
        return Ok(hit);
    }
    let uri = a.str("authorizerUri").unwrap_or_default();
    let function = lambda::function_arn(uri, &call.stage_variables).ok_or_else(|| configuration_error(call.api))?;
    match lambda::invoke(s, &function, &event).await {
        Outcome::Returned(payload) => {
            let v: Value = serde_json::from_slice(&payload).map_err(|_| configuration_error(call.api))?;
            if v.get("principalId").is_none() || !v.get("policyDocument").is_some_and(Value::is_object) {
                return Err(configuration_error(call.api));
            }
            let ttl = a.i64("authorizerResultTtlInSeconds").unwrap_or(300);
            if ttl > 0 {
                s.authorizer_results.put(key, ttl.unsigned_abs(), v.clone());
            }
            Ok(v)
        }
        Outcome::Raised(payload) => {
            let error: Value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
            if error.str("errorMessage") == Some("Unauthorized") {
                Err(unauthorized(call.api))
            } else {
                Err(configuration_error(call.api))
            }
        }
        Outcome::Failed => Err(configuration_error(call.api)),
    }
}

/// Authorizes `call` when its method uses IAM, a Lambda or a Cognito
/// user-pool authorizer: what it grants, or the response refusing it.
pub async fn check(
    s: &Shared,
    call: &Call<'_>,
    authorizers: &std::collections::BTreeMap<String, Value>,
) -> Result<Option<Granted>, HttpResponse> {
    let kind = call.method.str("authorizationType").unwrap_or("NONE");
    if kind == "AWS_IAM" {
        let signer = iam::signer(s, call.req).map_err(|r| answer(call.api, r.kind, r.message))?;
        return Ok(Some(Granted { signer: Some(signer), ..Granted::default() }));
    }
    if !["CUSTOM", "COGNITO_USER_POOLS"].contains(&kind) {
        return Ok(None);
    }
    let a = call
        .method
        .str("authorizerId")
        .and_then(|id| authorizers.get(id))
        .ok_or_else(|| configuration_error(call.api))?;
    if kind == "COGNITO_USER_POOLS" {
        let context = user_pool::check(s, call, a).await?;
        return Ok(Some(Granted { context: Some(context), ..Granted::default() }));
    }
    let arn = method_arn(call);
    let granted = answer_of(s, call, a, &arn).await?;
    match policy::evaluate(&granted["policyDocument"], &arn) {
        Decision::Allow => {}
        Decision::ExplicitDeny => {
            return Err(answer(
                call.api,
                "ACCESS_DENIED",
                "User is not authorized to access this resource with an explicit deny",
            ));
        }
        Decision::NoAllow => {
            return Err(answer(call.api, "ACCESS_DENIED", "User is not authorized to access this resource"));
        }
    }
    let mut context = Map::new();
    context.insert("principalId".into(), granted["principalId"].clone());
    for (k, v) in granted.get("context").and_then(Value::as_object).into_iter().flatten() {
        context.insert(k.clone(), v.clone());
    }
    let usage_key = granted.str("usageIdentifierKey").map(str::to_string);
    Ok(Some(Granted { context: Some(Value::Object(context)), usage_key, signer: None }))
}
