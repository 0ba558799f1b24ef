//! AWS_PROXY integrations with Lambda: the payload format 1.0 event as AWS
//! builds it, the in-process Invoke, and AWS's contract for the function's
//! answer (`statusCode`, `headers`, `multiValueHeaders`, `body`,
//! `isBase64Encoded`; anything else is a 502).

use crate::invoke::call::Call;
use crate::invoke::gateway_responses;
use crate::invoke::lambda::{self, Outcome};
use crate::state::Shared;
use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::HttpResponse;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Headers API Gateway does not pass on to the integration.
const DROPPED_HEADERS: &[&str] = &["connection", "content-length"];

/// Whether `content_type` is one of the API's binary media types.
pub fn is_binary(call: &Call, content_type: &str) -> bool {
    let types = call.api.info.get("binaryMediaTypes").and_then(Value::as_array);
    types.into_iter().flatten().filter_map(Value::as_str).any(|t| {
        t == "*/*"
            || t.eq_ignore_ascii_case(content_type)
            || t.strip_suffix("/*").is_some_and(|prefix| content_type.split('/').next() == Some(prefix))
    })
}

/// `values` by name as the single-value map (last value wins) and the
/// multi-value map; both `null` when there are none.
pub fn single_and_multi(pairs: impl Iterator<Item = (String, String)>) -> (Value, Value) {
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (k, v) in pairs {
        single.insert(k.clone(), v.clone().into());
        match multi.get_mut(&k).and_then(Value::as_array_mut) {
            Some(list) => list.push(v.into()),
            None => {
                multi.insert(k, json!([v]));
            }
        }
    }
    if single.is_empty() { (Value::Null, Value::Null) } else { (Value::Object(single), Value::Object(multi)) }
}

/// The payload format 1.0 event for `call`.
pub fn event(call: &Call) -> Value {
    let headers = call
        .req
        .headers
        .iter()
        .filter(|(k, _)| !DROPPED_HEADERS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()));
    let (headers, multi_headers) = single_and_multi(headers);
    let (query, multi_query) = single_and_multi(call.req.query_pairs().into_iter());
    let params: Map<String, Value> = call.params.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
    let (body, base64) = match call.req.body.is_empty() {
        true => (Value::Null, false),
        false if is_binary(call, &call.req.content_type()) => (B64.encode(&call.req.body).into(), true),
        false => (String::from_utf8_lossy(&call.req.body).into_owned().into(), false),
    };
    json!({
        "resource": call.resource_path,
        "path": call.path(),
        "httpMethod": call.req.method.as_str(),
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": if params.is_empty() { Value::Null } else { Value::Object(params) },
        "stageVariables": if call.stage_variables.is_empty() { Value::Null } else { Value::Object(call.stage_variables.clone()) },
        "requestContext": call.context(),
        "body": body,
        "isBase64Encoded": base64,
    })
}

/// A header value as API Gateway writes it (booleans and numbers as text).
pub fn header_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        _ => None,
    }
}

/// The HTTP response for a function's answer, or None when the answer
/// breaks the proxy contract.
pub fn response(payload: &[u8]) -> Option<HttpResponse> {
    let v: Value = serde_json::from_slice(payload).ok()?;
    let obj = v.as_object()?;
    const KEYS: &[&str] = &["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"];
    if obj.keys().any(|k| !KEYS.contains(&k.as_str())) {
        return None;
    }
    let status = match obj.get("statusCode") {
        None | Some(Value::Null) => 200,
        Some(Value::Number(n)) => n.as_u64()?,
        Some(Value::String(s)) => s.trim().parse().ok()?,
        Some(_) => return None,
    };
    let status = u16::try_from(status).ok().filter(|s| (100..600).contains(s))?;
    let mut resp = HttpResponse { status, ..Default::default() };
    let multi = obj.get("multiValueHeaders").and_then(Value::as_object);
    if let Some(h) = obj.get("headers").and_then(Value::as_object) {
        for (k, v) in h.iter().filter(|(k, _)| !multi.is_some_and(|m| m.contains_key(*k))) {
            resp.headers.push((k.clone(), header_text(v)?));
        }
    }
    for (k, vs) in multi.into_iter().flatten() {
        for v in vs.as_array()? {
            resp.headers.push((k.clone(), header_text(v)?));
        }
    }
    if !resp.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        resp.headers.push(("Content-Type".into(), "application/json".into()));
    }
    let base64 = obj.get("isBase64Encoded").and_then(Value::as_bool) == Some(true);
    resp.body = match obj.get("body") {
        None | Some(Value::Null) => Default::default(),
        Some(Value::String(b)) if base64 => B64.decode(b).ok()?.into(),
        Some(Value::String(b)) => b.clone().into(),
        Some(_) => return None,
    };
    Some(resp)
}

/// Runs an AWS_PROXY integration to Lambda.
pub async fn invoke(s: &Shared, call: &Call<'_>, integration: &Value) -> HttpResponse {
    let uri = integration.get("uri").and_then(Value::as_str).unwrap_or_default();
    let Some(function) = lambda::function_arn(uri, &call.stage_variables) else {
        return gateway_responses::configuration_error(call.api);
    };
    match lambda::invoke(s, &function, &event(call)).await {
        Outcome::Returned(payload) => response(&payload).unwrap_or_else(|| {
            tracing::debug!("API {}: function {function} answered outside the proxy contract", call.api.id());
            gateway_responses::bad_gateway(call.api)
        }),
        Outcome::Raised(_) => gateway_responses::bad_gateway(call.api),
        Outcome::Failed => gateway_responses::configuration_error(call.api),
    }
}
