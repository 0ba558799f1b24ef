//! HTTP_PROXY integrations of HTTP APIs: the whole request passed to the
//! integration URI (stage variables and the route's path variables
//! substituted, `{proxy}` for a greedy `{proxy+}`), with the client's
//! method unless the integration names one, its query string and headers,
//! amended by the integration's `RequestParameters` (`overwrite:`,
//! `append:` and `remove:` of headers and query strings, `overwrite:path`);
//! the endpoint's answer passed back as it is. Past `TimeoutInMillis` the
//! client gets 503 `Service Unavailable`; an unreachable endpoint 500.

use crate::invoke::call::substitute;
use crate::invoke::http::{Failure, exchange, forwarded, with_path_params, with_query};
use crate::v2::invoke::Request;
use crate::v2::invoke::answer::internal_error;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::Value;
use std::time::Duration;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// The value a parameter mapping's source names: `$request.header.x`,
/// `$request.querystring.x`, `$request.path.x`, `$request.path`,
/// `$request.body` or `$request.body.a.b` (a JSON body's member, text as
/// it is, anything else as JSON), `$context.requestId`,
/// `$stageVariables.x`, or literal text.
pub fn source_value(r: &Request, source: &str) -> String {
    let source = source.trim();
    if source == "$request.body" {
        return String::from_utf8_lossy(&r.req.body).into_owned();
    }
    if let Some(path) = source.strip_prefix("$request.body.") {
        let body: Value = serde_json::from_slice(&r.req.body).unwrap_or(Value::Null);
        return match path.split('.').try_fold(&body, |v, k| v.get(k)) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
    }
    if let Some(h) = source.strip_prefix("$request.header.") {
        return r.req.header(h).unwrap_or_default().to_string();
    }
    if let Some(q) = source.strip_prefix("$request.querystring.") {
        return r.req.query_pairs().into_iter().find(|(k, _)| k == q).map(|(_, v)| v).unwrap_or_default();
    }
    if let Some(p) = source.strip_prefix("$request.path.") {
        return r.params.get(p).cloned().unwrap_or_default();
    }
    if source == "$request.path" {
        return r.raw_path.clone();
    }
    if let Some(v) = source.strip_prefix("$stageVariables.") {
        return r.stage_variables.get(v).and_then(Value::as_str).unwrap_or_default().to_string();
    }
    match source {
        "$context.requestId" => r.request_id.clone(),
        "$context.stage" => r.stage.to_string(),
        "$context.apiId" => r.api.id().to_string(),
        "$context.routeKey" => r.route_key.to_string(),
        _ => source.to_string(),
    }
}

/// The request the integration sends: path, query and headers.
struct Outgoing {
    path: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

/// Applies `RequestParameters` to `out`.
fn map_parameters(r: &Request, integration: &Value, out: &mut Outgoing) {
    for (target, source) in integration.get("RequestParameters").and_then(Value::as_object).into_iter().flatten() {
        let value = source_value(r, source.as_str().unwrap_or_default());
        let Some((action, place)) = target.split_once(':') else { continue };
        if place == "path" {
            out.path = Some(value);
            continue;
        }
        let (list, name) = match place.split_once('.') {
            Some(("header", n)) => (&mut out.headers, n),
            Some(("querystring", n)) => (&mut out.query, n),
            _ => continue,
        };
        let same = |k: &String| k.eq_ignore_ascii_case(name);
        match action {
            "overwrite" => {
                list.retain(|(k, _)| !same(k));
                list.push((name.to_string(), value));
            }
            "append" => list.push((name.to_string(), value)),
            "remove" => list.retain(|(k, _)| !same(k)),
            _ => {}
        }
    }
}

/// The integration URI with variables substituted and the query added.
fn target(r: &Request, integration: &Value, out: &Outgoing) -> String {
    let uri = substitute(integration.str("IntegrationUri").unwrap_or_default(), &r.stage_variables);
    let mut uri = with_path_params(uri, &r.params);
    if let Some(path) = &out.path
        && let Some((scheme, rest)) = uri.split_once("://")
    {
        let host = rest.split('/').next().unwrap_or_default();
        uri = format!("{scheme}://{host}/{}", path.trim_start_matches('/'));
    }
    with_query(uri, &out.query)
}

/// Runs an HTTP_PROXY integration.
pub async fn invoke(r: &Request<'_>, integration: &Value) -> HttpResponse {
    let mut out = Outgoing { path: None, query: r.req.query_pairs(), headers: forwarded(&r.req.headers) };
    map_parameters(r, integration, &mut out);
    let verb = match integration.str("IntegrationMethod") {
        Some("ANY") | None => r.req.method.as_str(),
        Some(v) => v,
    };
    let mut req = http::Request::builder().method(verb).uri(target(r, integration, &out));
    for (k, v) in &out.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let Ok(req) = req.body(Full::new(r.req.body.clone())) else { return internal_error() };
    let timeout = Duration::from_millis(integration.i64("TimeoutInMillis").unwrap_or(30_000).clamp(50, 30_000) as u64);
    match exchange(req, timeout).await {
        Ok(got) => HttpResponse { status: got.status, headers: got.headers, body: got.body, stream: None },
        Err(Failure::TimedOut) => {
            HttpResponse::new(503, "application/json", Bytes::from_static(br#"{"message":"Service Unavailable"}"#))
        }
        Err(Failure::Unreachable | Failure::BadBody) => internal_error(),
    }
}
