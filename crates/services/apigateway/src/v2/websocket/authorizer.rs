//! Admission on `$connect`: the route's REQUEST (Lambda) authorizer gets
//! the CONNECT event with `type` and `methodArn`, once every identity
//! source (`route.request.header.X`, `route.request.querystring.x`,
//! `stageVariables.x`) is present (else 401), and must answer with an IAM
//! policy allowing the route's ARN (else 403). Its `principalId` and
//! `context` reach every event of the connection as
//! `requestContext.authorizer`.

use super::route::Deployed;
use crate::invoke::lambda::{self, Outcome};
use crate::invoke::policy::{self, Decision};
use crate::state::Shared;
use serde_json::{Map, Value};
use stratus_core::input::Input;
use stratus_core::{HttpRequest, HttpResponse};

fn refusal(status: u16, message: &str) -> HttpResponse {
    HttpResponse::new(status, "application/json", serde_json::json!({ "message": message }).to_string())
}

/// The value of one identity source.
fn source(req: &HttpRequest, vars: &Map<String, Value>, expr: &str) -> Option<String> {
    if let Some(h) = expr.strip_prefix("route.request.header.") {
        return req.header(h).map(str::to_string);
    }
    if let Some(q) = expr.strip_prefix("route.request.querystring.") {
        return req.query_pairs().into_iter().find(|(k, _)| k == q).map(|(_, v)| v);
    }
    let v = expr.strip_prefix("stageVariables.")?;
    vars.get(v).and_then(Value::as_str).map(str::to_string)
}

/// The authorizer context of an admitted connection (None when the route
/// has no authorizer), or the refusal. `event` is the CONNECT event.
pub async fn admit(
    s: &Shared,
    deployed: &Deployed,
    route: &Value,
    req: &HttpRequest,
    event: &Value,
) -> Result<Option<Value>, HttpResponse> {
    let config = deployed.config().ok_or_else(|| refusal(403, "Forbidden"))?;
    let authorizer = match route.str("AuthorizationType").unwrap_or("NONE") {
        "NONE" => return Ok(None),
        "CUSTOM" => route.str("AuthorizerId").and_then(|id| config.authorizers.get(id)),
        _ => None,
    };
    let Some(authorizer) = authorizer else {
        tracing::warn!("WebSocket API {}: this $connect authorization is not served", deployed.api.id());
        return Err(refusal(500, "Internal server error"));
    };
    let vars = deployed.stage_variables();
    for expr in authorizer.list("IdentitySource").iter().filter_map(Value::as_str) {
        if source(req, &vars, expr).is_none() {
            return Err(refusal(401, "Unauthorized"));
        }
    }
    let uri = authorizer.str("AuthorizerUri").unwrap_or_default();
    let function = lambda::target(uri, &vars).ok_or_else(|| refusal(500, "Internal server error"))?;
    let api = &deployed.api;
    let arn = format!("arn:aws:execute-api:{}:{}:{}/{}/$connect", api.region, api.account, api.id(), deployed.stage);
    let mut event = event.clone();
    event["type"] = "REQUEST".into();
    event["methodArn"] = arn.clone().into();
    let payload = match lambda::invoke(s, &function, &event).await {
        Outcome::Returned(p) => p,
        Outcome::Raised(_) | Outcome::Failed => return Err(refusal(500, "Internal server error")),
    };
    let answer: Value = serde_json::from_slice(&payload).map_err(|_| refusal(500, "Internal server error"))?;
    let allowed = answer.get("policyDocument").is_some_and(|doc| policy::evaluate(doc, &arn) == Decision::Allow);
    if !allowed {
        return Err(refusal(403, "Forbidden"));
    }
    let mut context = answer.get("context").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Some(principal) = answer.get("principalId") {
        context.insert("principalId".into(), principal.clone());
    }
    Ok(Some(Value::Object(context)))
}
