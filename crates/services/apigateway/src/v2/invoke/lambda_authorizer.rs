//! REQUEST (Lambda) authorizers of HTTP APIs: the identity sources must
//! all be present (else 401); the function gets the request's event
//! (payload format 2.0 or 1.0) with `type`, `routeArn`/`methodArn` and
//! `identitySource`, and answers either simply (`isAuthorized`, `context`)
//! or with an IAM policy for the route ARN (else 403). The answer is cached
//! per identity for `AuthorizerResultTtlInSeconds` (0, the default, turns
//! caching off). Its `context` reaches the integration as
//! `requestContext.authorizer.lambda`.

use crate::invoke::lambda::{self, Outcome};
use crate::invoke::policy::{self, Decision};
use crate::state::Shared;
use crate::v2::invoke::{Request, answer, event};
use serde_json::{Value, json};
use stratus_core::HttpResponse;
use stratus_core::input::Input;

fn forbidden() -> HttpResponse {
    HttpResponse::new(403, "application/json", r#"{"message":"Forbidden"}"#)
}

/// The value of one identity source (`$request.header.X`,
/// `$request.querystring.x`, `$stageVariables.x`, `$context.x`).
fn source(r: &Request, expr: &str) -> Option<String> {
    if let Some(h) = expr.strip_prefix("$request.header.") {
        return r.req.header(h).map(str::to_string);
    }
    if let Some(q) = expr.strip_prefix("$request.querystring.") {
        return r.req.query_pairs().into_iter().find(|(k, _)| k == q).map(|(_, v)| v);
    }
    if let Some(v) = expr.strip_prefix("$stageVariables.") {
        return r.stage_variables.get(v).and_then(Value::as_str).map(str::to_string);
    }
    None
}

/// The context an admitted request carries, or the refusal.
pub async fn check(s: &Shared, r: &Request<'_>, authorizer: &Value) -> Result<Value, HttpResponse> {
    let sources: Option<Vec<String>> =
        authorizer.list("IdentitySource").iter().filter_map(Value::as_str).map(|e| source(r, e)).collect();
    let unauthorized = || HttpResponse::new(401, "application/json", r#"{"message":"Unauthorized"}"#);
    let sources = sources.ok_or_else(unauthorized)?;
    let uri = authorizer.str("AuthorizerUri").unwrap_or_default();
    let function = match uri.starts_with("arn:aws:lambda:") {
        true => Some(uri.to_string()),
        false => lambda::function_arn(uri, &r.stage_variables),
    };
    let function = function.ok_or_else(answer::internal_error)?;
    let arn = format!(
        "arn:aws:execute-api:{}:{}:{}/{}/{}{}",
        r.api.region,
        r.api.account,
        r.api.id(),
        r.stage,
        r.req.method.as_str(),
        r.raw_path
    );
    let v2 = authorizer.str("AuthorizerPayloadFormatVersion") == Some("2.0");
    let mut ev = if v2 { event::v2(r) } else { event::v1(r) };
    ev["type"] = "REQUEST".into();
    ev[if v2 { "routeArn" } else { "methodArn" }] = arn.clone().into();
    ev["identitySource"] = if v2 { json!(sources) } else { sources.join(",").into() };
    let ttl = authorizer.i64("AuthorizerResultTtlInSeconds").unwrap_or(0);
    let key =
        format!("{}/{}/{}", r.api.id(), authorizer.str("AuthorizerId").unwrap_or_default(), sources.join("\u{1f}"));
    let result = match s.authorizer_results.get(&key).filter(|_| ttl > 0 && !sources.is_empty()) {
        Some(hit) => hit,
        None => {
            let payload = match lambda::invoke(s, &function, &ev).await {
                Outcome::Returned(p) => p,
                Outcome::Raised(_) | Outcome::Failed => return Err(answer::internal_error()),
            };
            let result: Value = serde_json::from_slice(&payload).map_err(|_| answer::internal_error())?;
            if ttl > 0 && !sources.is_empty() {
                s.authorizer_results.put(key, ttl.unsigned_abs(), result.clone());
            }
            result
        }
    };
    let admitted = if v2 && authorizer.bool("EnableSimpleResponses") == Some(true) {
        result.bool("isAuthorized") == Some(true)
    } else {
        let doc = result.get("policyDocument").ok_or_else(answer::internal_error)?;
        policy::evaluate(doc, &arn) == Decision::Allow
    };
    if !admitted {
        return Err(forbidden());
    }
    Ok(json!({ "lambda": result.get("context").cloned().unwrap_or_else(|| json!({})) }))
}
