//! Mapping templates of WebSocket AWS and HTTP integrations. The request:
//! the template the integration's `TemplateSelectionExpression` selects
//! from `RequestTemplates` (else the `$default` one), else the message
//! passed through as `PassthroughBehavior` allows. The reply: the
//! integration response the answer's status selects (`/regex/` keys, else
//! `$default`) with the response template its own selection expression
//! selects (`$integration.response.statuscode`, a constant, or
//! `$request.body.*` read from the answer); without one, the answer as it
//! is. Templates see the message
//! (or answer) as `$input` (with the handshake's headers and query string
//! on `$connect`), the connection's request context as `$context` and the
//! stage variables, rendered by the engine REST APIs use.

use super::route::select_key;
use crate::invoke::mapping;
use crate::invoke::patterns;
use crate::v2::db::Config;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use stratus_core::input::Input;

/// What a template sees besides the text it maps.
pub struct Scope<'a> {
    /// The message the client sent.
    pub message: &'a [u8],
    /// The route's event: its `requestContext`, and for `$connect` the
    /// handshake's `headers` and `queryStringParameters`.
    pub event: &'a Value,
    pub stage_variables: &'a Map<String, Value>,
}

impl Scope<'_> {
    pub fn context(&self) -> &Value {
        self.event.get("requestContext").unwrap_or(&Value::Null)
    }

    /// The event's `member` map (`headers`, `queryStringParameters`) as text.
    pub fn strings(&self, member: &str) -> BTreeMap<String, String> {
        let map = self.event.get(member).and_then(Value::as_object).into_iter().flatten();
        map.filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect()
    }
}

/// The key a selection expression picks: `$request.body.*` read from the
/// message, else the expression itself (`\$default` as the CLI escapes it
/// read as `$default`); `$default` when there is none.
pub fn selected(expression: Option<&str>, message: &[u8]) -> String {
    let Some(expression) = expression.map(|e| e.trim().trim_start_matches('\\')) else {
        return "$default".to_string();
    };
    if expression.starts_with("$request.") || expression.starts_with("${request.") {
        return select_key(expression, message).unwrap_or_else(|| "$default".to_string());
    }
    expression.to_string()
}

/// `template` rendered with `body` as `$input`.
fn render(template: &str, body: &str, scope: &Scope) -> Result<String, String> {
    let input = stratus_vtl::Input {
        body: body.to_string(),
        path: BTreeMap::new(),
        querystring: scope.strings("queryStringParameters"),
        header: scope.strings("headers"),
        context: scope.context().clone(),
        stage_variables: scope
            .stage_variables
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .collect(),
    };
    mapping::render_with(template, &input).map(|r| r.body).map_err(|e| e.0)
}

/// The template of `templates` that `key` names, else the `$default` one.
fn pick<'a>(templates: Option<&'a Value>, key: &str) -> Option<&'a str> {
    let templates = templates.and_then(Value::as_object)?;
    templates.get(key).or_else(|| templates.get("$default")).and_then(Value::as_str)
}

/// The integration request's body, or why there is none.
pub fn request(integration: &Value, scope: &Scope) -> Result<String, String> {
    let message = String::from_utf8_lossy(scope.message);
    let key = selected(integration.str("TemplateSelectionExpression"), scope.message);
    let templates = integration.get("RequestTemplates");
    if let Some(template) = pick(templates, &key) {
        return render(template, &message, scope);
    }
    let has_templates = templates.and_then(Value::as_object).is_some_and(|t| !t.is_empty());
    match integration.str("PassthroughBehavior").unwrap_or("WHEN_NO_MATCH") {
        "NEVER" => Err("no request template matches and PassthroughBehavior is NEVER".into()),
        "WHEN_NO_TEMPLATES" if has_templates => {
            Err("no request template matches and PassthroughBehavior is WHEN_NO_TEMPLATES".into())
        }
        _ => Ok(message.into_owned()),
    }
}

/// The integration response of `integration` that `status` selects.
fn response_for<'a>(config: &'a Config, integration: &Value, status: u16) -> Option<&'a Value> {
    let responses = config.integration_responses.get(integration.str("IntegrationId")?)?;
    let status = status.to_string();
    let mut default = None;
    for r in responses.values() {
        match r.str("IntegrationResponseKey").unwrap_or_default() {
            "$default" => default = Some(r),
            key => {
                let pattern = key.strip_prefix('/').and_then(|k| k.strip_suffix('/')).unwrap_or(key);
                if patterns::full_match(pattern, &status) {
                    return Some(r);
                }
            }
        }
    }
    default
}

/// The reply a non-proxy integration's answer makes.
pub fn reply(config: &Config, integration: &Value, status: u16, answer: &str, scope: &Scope) -> Result<String, String> {
    let Some(chosen) = response_for(config, integration, status) else { return Ok(answer.to_string()) };
    let key = match chosen.str("TemplateSelectionExpression") {
        Some(e) if e.contains("integration.response.statuscode") => status.to_string(),
        other => selected(other, answer.as_bytes()),
    };
    match pick(chosen.get("ResponseTemplates"), &key) {
        Some(template) => render(template, answer, scope),
        None => Ok(answer.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope<'a>(message: &'a [u8], event: &'a Value, vars: &'a Map<String, Value>) -> Scope<'a> {
        Scope { message, event, stage_variables: vars }
    }

    #[test]
    fn selection_expressions() {
        let msg = br#"{"action":"put","kind":"a"}"#;
        assert_eq!(selected(None, msg), "$default");
        assert_eq!(selected(Some("\\$default"), msg), "$default");
        assert_eq!(selected(Some("$request.body.kind"), msg), "a");
        assert_eq!(selected(Some("$request.body.none"), msg), "$default");
        assert_eq!(selected(Some("fixed"), msg), "fixed");
    }

    #[test]
    fn request_templates_and_passthrough() {
        let ctx = json!({"requestContext": {"connectionId": "c1", "routeKey": "put"}});
        let vars = Map::from_iter([("table".to_string(), json!("t1"))]);
        let msg = br#"{"action":"put","kind":"a","n":3}"#;
        let s = scope(msg, &ctx, &vars);
        let i = json!({
            "IntegrationId": "i",
            "TemplateSelectionExpression": "$request.body.kind",
            "RequestTemplates": {
                "a": "{\"id\":\"$context.connectionId\",\"n\":$input.json('$.n'),\"t\":\"$stageVariables.table\"}",
                "$default": "other"
            }
        });
        assert_eq!(request(&i, &s).as_deref(), Ok(r#"{"id":"c1","n":3,"t":"t1"}"#));
        let b = scope(br#"{"kind":"b"}"#, &ctx, &vars);
        assert_eq!(request(&i, &b).as_deref(), Ok("other"));
        let plain = json!({"IntegrationId": "i"});
        assert_eq!(request(&plain, &s).as_deref(), Ok(std::str::from_utf8(msg).unwrap_or_default()));
        let never = json!({"IntegrationId": "i", "PassthroughBehavior": "NEVER"});
        assert!(request(&never, &s).is_err());
    }

    #[test]
    fn integration_responses_map_the_reply() {
        let ctx = json!({"requestContext": {"connectionId": "c1"}});
        let vars = Map::new();
        let s = scope(b"", &ctx, &vars);
        let i = json!({"IntegrationId": "i"});
        let mut config = Config::default();
        assert_eq!(reply(&config, &i, 200, "raw", &s).as_deref(), Ok("raw"));
        config.integration_responses.insert(
            "i".into(),
            BTreeMap::from([
                (
                    "d".into(),
                    json!({"IntegrationResponseKey": "$default",
                    "ResponseTemplates": {"$default": "ok:$input.path('$.v')"}}),
                ),
                (
                    "e".into(),
                    json!({"IntegrationResponseKey": "/4\\d\\d/",
                    "ResponseTemplates": {"$default": "failed $context.connectionId"}}),
                ),
            ]),
        );
        assert_eq!(reply(&config, &i, 200, r#"{"v":"x"}"#, &s).as_deref(), Ok("ok:x"));
        assert_eq!(reply(&config, &i, 404, "{}", &s).as_deref(), Ok("failed c1"));
        config.integration_responses.insert(
            "i".into(),
            BTreeMap::from([(
                "d".into(),
                json!({"IntegrationResponseKey": "$default",
                "TemplateSelectionExpression": "${integration.response.statuscode}",
                "ResponseTemplates": {"201": "created", "$default": "other"}}),
            )]),
        );
        assert_eq!(reply(&config, &i, 201, "{}", &s).as_deref(), Ok("created"));
        assert_eq!(reply(&config, &i, 200, "{}", &s).as_deref(), Ok("other"));
    }
}
