//! Running a WebSocket route: the configuration a stage serves now, the
//! route a message selects (the API's route selection expression evaluated
//! against the message's JSON), and the route's integration (Lambda proxy,
//! MOCK, or HTTP, HTTP_PROXY and AWS ones, `outbound`), whose answer is
//! what a two-way route replies.

use crate::invoke::lambda::{self, Outcome};
use crate::state::Shared;
use crate::v2::db::{Config, HttpApi};
use serde_json::{Map, Value};
use std::sync::Arc;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// A WebSocket API's stage, as deployed at the time of asking.
pub struct Deployed {
    pub api: Arc<HttpApi>,
    pub stage: String,
}

impl Deployed {
    /// Stage `stage` of WebSocket API `api_id`, if it has a deployment.
    pub fn find(s: &Shared, api_id: &str, stage: &str) -> Option<Deployed> {
        let api = crate::v2::store::any_api(s, api_id).ok().flatten().filter(|a| a.is_websocket())?;
        let deployed = Deployed { api, stage: stage.to_string() };
        deployed.config()?;
        Some(deployed)
    }

    fn stage_shape(&self) -> Option<&Value> {
        self.api.stages.get(&self.stage)
    }

    /// The routes and integrations the stage's deployment froze.
    pub fn config(&self) -> Option<&Config> {
        let id = self.stage_shape()?.str("DeploymentId")?;
        Some(&self.api.deployments.get(id)?.config)
    }

    pub fn stage_variables(&self) -> Map<String, Value> {
        self.stage_shape().and_then(|s| s.get("StageVariables")).and_then(Value::as_object).cloned().unwrap_or_default()
    }

    pub fn route_selection_expression(&self) -> &str {
        self.api.info.str("RouteSelectionExpression").unwrap_or_default()
    }
}

/// The route with key `key`.
pub fn by_key<'a>(config: &'a Config, key: &str) -> Option<&'a Value> {
    config.routes.values().find(|r| r.str("RouteKey") == Some(key))
}

/// The route key `expression` selects for a message: `$request.body.{path}`
/// (or `${request.body.{path}}`) read from the message's JSON, or a
/// constant expression itself.
pub fn select_key(expression: &str, message: &[u8]) -> Option<String> {
    let expression = expression.trim();
    let expression = match expression.strip_prefix("${").and_then(|e| e.strip_suffix('}')) {
        Some(inner) => format!("${inner}"),
        None => expression.to_string(),
    };
    let Some(path) = expression.strip_prefix("$request.body.") else {
        return (!expression.contains('$')).then_some(expression);
    };
    let message: Value = serde_json::from_slice(message).ok()?;
    match path.split('.').try_fold(&message, |v, segment| v.get(segment))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The route a message selects: its key's, else `$default`.
pub fn select<'a>(deployed: &Deployed, config: &'a Config, message: &[u8]) -> Option<&'a Value> {
    select_key(deployed.route_selection_expression(), message)
        .and_then(|key| by_key(config, &key).filter(|_| !key.starts_with('$')))
        .or_else(|| by_key(config, "$default"))
}

/// Whether the route sends its integration's answer back to the client.
pub fn is_two_way(config: &Config, route: &Value) -> bool {
    let id = route.str("RouteId").unwrap_or_default();
    route.str("RouteResponseSelectionExpression").is_some()
        || config.route_responses.get(id).is_some_and(|r| !r.is_empty())
}

/// Runs the route's integration with `event`: the answer, or None when the
/// integration failed (API Gateway's internal server error).
pub async fn integrate(
    s: &Shared,
    deployed: &Deployed,
    config: &Config,
    route: &Value,
    event: &Value,
) -> Option<HttpResponse> {
    let target = route.str("Target").and_then(|t| t.strip_prefix("integrations/"));
    let integration = target.and_then(|t| config.integrations.get(t))?;
    match integration.str("IntegrationType").unwrap_or_default() {
        "MOCK" => Some(HttpResponse { status: 200, ..Default::default() }),
        "AWS_PROXY" => {
            let uri = integration.str("IntegrationUri").unwrap_or_default();
            let function = lambda::target(uri, &deployed.stage_variables())?;
            match lambda::invoke(s, &function, event).await {
                Outcome::Returned(payload) => Some(answer(&payload)),
                Outcome::Raised(_) | Outcome::Failed => None,
            }
        }
        "AWS" | "HTTP" | "HTTP_PROXY" => super::outbound::integrate(s, deployed, config, integration, event).await,
        other => {
            tracing::warn!("WebSocket API {}: unknown integration type {other}", deployed.api.id());
            None
        }
    }
}

/// A Lambda's answer: the proxy response shape (`statusCode`, `headers`,
/// `body`), or any other JSON as the body itself.
fn answer(payload: &[u8]) -> HttpResponse {
    if let Some(resp) = crate::invoke::proxy::response(payload) {
        return resp;
    }
    let body = match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Null) => Vec::new(),
        Ok(Value::String(s)) => s.into_bytes(),
        _ => payload.to_vec(),
    };
    HttpResponse { status: 200, body: body.into(), ..Default::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_expressions() {
        let msg = br#"{"action":"sendmessage","n":{"k":3}}"#;
        assert_eq!(select_key("$request.body.action", msg).as_deref(), Some("sendmessage"));
        assert_eq!(select_key("${request.body.action}", msg).as_deref(), Some("sendmessage"));
        assert_eq!(select_key("$request.body.n.k", msg).as_deref(), Some("3"));
        assert_eq!(select_key("$request.body.missing", msg), None);
        assert_eq!(select_key("$request.body.action", b"not json"), None);
        assert_eq!(select_key("fixed", msg).as_deref(), Some("fixed"));
    }

    #[test]
    fn lambda_answers() {
        let resp = answer(br#"{"statusCode":200,"body":"hello"}"#);
        assert_eq!((resp.status, &resp.body[..]), (200, &b"hello"[..]));
        assert!(answer(b"null").body.is_empty());
        assert_eq!(&answer(br#""text""#).body[..], b"text");
        assert_eq!(&answer(br#"{"a":1}"#).body[..], br#"{"a":1}"#);
    }
}
