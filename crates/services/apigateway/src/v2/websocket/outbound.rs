//! WebSocket routes' HTTP, HTTP_PROXY and AWS integrations. HTTP_PROXY
//! sends the message as it is to the integration URI; HTTP sends the
//! mapped message (`template`); both with the integration's method and
//! `RequestParameters` headers and query strings, within
//! `TimeoutInMillis`. AWS integrations call the service the URI names
//! (`{service}:action/{Action}` or `{service}:path/{path}`) in its own
//! wire format, as REST AWS integrations do, or a Lambda function
//! (`lambda:path/.../functions/{arn}/invocations`) with the mapped message
//! as its event. A non-proxy answer is mapped by its integration response.

use super::route::Deployed;
use super::template::{self, Scope};
use crate::invoke::aws::{Target, whole_body};
use crate::invoke::call::substitute;
use crate::invoke::http::{exchange, with_query};
use crate::invoke::lambda::{self, Outcome};
use crate::state::Shared;
use crate::v2::db::Config;
use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::Value;
use std::time::Duration;
use stratus_core::HttpResponse;
use stratus_core::input::Input;
use stratus_core::settings::WireRequest;

/// Names and values of headers or query strings.
type Pairs = Vec<(String, String)>;

/// The message an event carries (its `body`, base64-decoded when binary).
fn message_of(event: &Value) -> Vec<u8> {
    let body = event.str("body").unwrap_or_default();
    if event.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
        return base64::engine::general_purpose::STANDARD.decode(body).unwrap_or_default();
    }
    body.as_bytes().to_vec()
}

/// The value a request parameter's source gives: a quoted literal,
/// `route.request.body.{path}` of the message,
/// `route.request.header.{name}` or `route.request.querystring.{name}` of
/// the handshake (`$connect`), `context.{name}` or `stageVariables.{name}`.
fn parameter(source: &str, scope: &Scope) -> Option<String> {
    if let Some(literal) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(literal.to_string());
    }
    let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    if let Some(path) = source.strip_prefix("route.request.body.") {
        let body: Value = serde_json::from_slice(scope.message).ok()?;
        return path.split('.').try_fold(&body, |v, k| v.get(k)).map(text);
    }
    if let Some(name) = source.strip_prefix("route.request.header.") {
        return scope.strings("headers").into_iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    }
    if let Some(name) = source.strip_prefix("route.request.querystring.") {
        return scope.strings("queryStringParameters").remove(name);
    }
    if let Some(name) = source.strip_prefix("context.") {
        return scope.context().get(name).map(text);
    }
    scope.stage_variables.get(source.strip_prefix("stageVariables.")?).map(text)
}

/// The headers and query strings `RequestParameters` map
/// (`integration.request.header.{name}`, `integration.request.querystring.{name}`).
fn mapped(integration: &Value, scope: &Scope) -> (Pairs, Pairs) {
    let (mut headers, mut query) = (Vec::new(), Vec::new());
    for (target, source) in integration.get("RequestParameters").and_then(Value::as_object).into_iter().flatten() {
        let Some(value) = source.as_str().and_then(|s| parameter(s, scope)) else { continue };
        if let Some(name) = target.strip_prefix("integration.request.header.") {
            headers.push((name.to_string(), value));
        } else if let Some(name) = target.strip_prefix("integration.request.querystring.") {
            query.push((name.to_string(), value));
        }
    }
    (headers, query)
}

fn method(integration: &Value) -> &str {
    match integration.str("IntegrationMethod") {
        Some("ANY") | None => "POST",
        Some(m) => m,
    }
}

/// Sends `body` to an HTTP endpoint: its status and answer.
async fn http(integration: &Value, uri: String, body: Vec<u8>, scope: &Scope<'_>) -> Option<(u16, Bytes)> {
    let (headers, query) = mapped(integration, scope);
    let mut req = http::Request::builder().method(method(integration)).uri(with_query(uri, &query));
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req.body(Full::new(Bytes::from(body))).ok()?;
    let timeout = Duration::from_millis(integration.i64("TimeoutInMillis").unwrap_or(29_000).clamp(50, 29_000) as u64);
    let got = exchange(req, timeout).await.ok()?;
    Some((got.status, got.body))
}

/// The path and query strings of a service integration's request: the
/// URI's path (`/` for an action) and any query it carries, then the
/// mapped ones.
fn path_and_query(target: &Target, mut query: Pairs) -> (String, String) {
    let (path, own) = match target {
        Target::Action(_) => ("/".to_string(), ""),
        Target::Path(p) => {
            let (path, own) = p.split_once('?').unwrap_or((p, ""));
            (format!("/{}", path.trim_start_matches('/')), own)
        }
    };
    let mut pairs: Pairs = form_urlencoded::parse(own.as_bytes()).into_owned().collect();
    pairs.append(&mut query);
    (path, form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish())
}

/// Calls the AWS service or Lambda function `uri` names with `body`.
async fn aws(
    s: &Shared,
    deployed: &Deployed,
    integration: &Value,
    uri: &str,
    body: String,
    scope: &Scope<'_>,
) -> Option<(u16, Bytes)> {
    let arn = stratus_core::arn::parse(uri)?;
    if arn.account == "lambda" {
        let function = lambda::function_arn(uri, scope.stage_variables)?;
        let event: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
        return match lambda::invoke(s, &function, &event).await {
            Outcome::Returned(payload) => Some((200, Bytes::from(payload))),
            Outcome::Raised(_) | Outcome::Failed => None,
        };
    }
    let (service, target) = Target::of(arn.account, arn.resource)?;
    let (mapped_headers, mapped_query) = mapped(integration, scope);
    let (path, query) = path_and_query(&target, mapped_query);
    let mut headers = http::HeaderMap::new();
    for (k, v) in mapped_headers {
        headers.insert(http::HeaderName::from_bytes(k.as_bytes()).ok()?, http::HeaderValue::from_str(&v).ok()?);
    }
    let method = http::Method::from_bytes(method(integration).as_bytes()).ok()?;
    let request = stratus_core::HttpRequest { method, path, query, headers, body: body.into_bytes().into() };
    let wire = WireRequest {
        service: service.to_string(),
        action: target.action(),
        request,
        account_id: deployed.api.account.clone(),
        region: deployed.api.region.clone(),
    };
    let (status, _, answer) = whole_body(s.settings.wire.call(wire).await).await;
    Some((status, Bytes::from(answer)))
}

/// Runs an HTTP, HTTP_PROXY or AWS integration with `event`: the answer
/// (mapped for HTTP and AWS), or None when it failed.
pub async fn integrate(
    s: &Shared,
    deployed: &Deployed,
    config: &Config,
    integration: &Value,
    event: &Value,
) -> Option<HttpResponse> {
    let kind = integration.str("IntegrationType").unwrap_or_default();
    let vars = deployed.stage_variables();
    let message = message_of(event);
    let scope = Scope { message: &message, event, stage_variables: &vars };
    let uri = substitute(integration.str("IntegrationUri").unwrap_or_default(), &vars);
    let failed = |why: String| tracing::warn!("WebSocket API {}: {kind} integration: {why}", deployed.api.id());
    if kind == "HTTP_PROXY" {
        let (status, body) = http(integration, uri, message.clone(), &scope).await?;
        return Some(HttpResponse { status, body, ..Default::default() });
    }
    let body = template::request(integration, &scope).map_err(failed).ok()?;
    let (status, answer) = match kind {
        "HTTP" => http(integration, uri, body.into_bytes(), &scope).await?,
        _ => aws(s, deployed, integration, &uri, body, &scope).await?,
    };
    let reply = template::reply(config, integration, status, &String::from_utf8_lossy(&answer), &scope);
    let reply = reply.map_err(failed).ok()?;
    Some(HttpResponse { status, body: reply.into_bytes().into(), ..Default::default() })
}
