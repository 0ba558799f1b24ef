//! The events an HTTP API sends to a Lambda proxy integration: payload
//! format 2.0 (`rawPath`, `cookies`, headers and query values joined with
//! commas, `requestContext.http`) and 1.0 (REST-API style, with
//! multi-value maps).

use crate::invoke::proxy::single_and_multi;
use crate::v2::invoke::Request;
use base64::Engine;
use serde_json::{Map, Value, json};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Whether a body of `content_type` reaches the function as text.
fn is_text(content_type: &str) -> bool {
    let t = content_type.to_ascii_lowercase();
    t.is_empty()
        || t.starts_with("text/")
        || ["json", "xml", "javascript", "x-www-form-urlencoded", "yaml"].iter().any(|k| t.contains(k))
}

/// The body and whether it is base64-encoded.
fn body(r: &Request) -> (Value, bool) {
    if r.req.body.is_empty() {
        return (Value::Null, false);
    }
    match std::str::from_utf8(&r.req.body) {
        Ok(text) if is_text(&r.req.content_type()) => (text.into(), false),
        _ => (B64.encode(&r.req.body).into(), true),
    }
}

fn headers<'a>(r: &'a Request<'a>) -> impl Iterator<Item = (String, String)> + 'a {
    r.req
        .headers
        .iter()
        .filter(|(k, _)| k.as_str() != "content-length" && k.as_str() != "connection")
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
}

/// Pairs joined by name with commas, or None when there are none.
fn joined(pairs: impl Iterator<Item = (String, String)>) -> Option<Value> {
    let mut out: Map<String, Value> = Map::new();
    for (k, v) in pairs {
        match out.get_mut(&k) {
            Some(Value::String(s)) => {
                s.push(',');
                s.push_str(&v);
            }
            _ => {
                out.insert(k, v.into());
            }
        }
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

fn or_null(map: &Map<String, Value>) -> Value {
    if map.is_empty() { Value::Null } else { Value::Object(map.clone()) }
}

/// Adds `key: value` to `event` unless value is None.
fn put(event: &mut Value, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        event[key] = v;
    }
}

/// The payload format 2.0 event.
pub fn v2(r: &Request) -> Value {
    let host = r.req.host();
    let cookies: Vec<Value> = r
        .req
        .headers
        .get_all("cookie")
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes()).split(';').map(|c| c.trim().to_string()).collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .map(Value::from)
        .collect();
    let mut context = json!({
        "accountId": r.api.account,
        "apiId": r.api.id(),
        "domainName": host,
        "domainPrefix": host.split('.').next().unwrap_or_default(),
        "http": {
            "method": r.req.method.as_str(),
            "path": r.raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": r.req.header("user-agent").unwrap_or_default(),
        },
        "requestId": r.request_id,
        "routeKey": r.route_key,
        "stage": r.stage,
        "time": r.time_text(),
        "timeEpoch": r.time_epoch_ms(),
    });
    put(&mut context, "authorizer", r.authorizer.clone());
    let (body, base64) = body(r);
    let mut event = json!({
        "version": "2.0",
        "routeKey": r.route_key,
        "rawPath": r.raw_path,
        "rawQueryString": r.req.query,
        "headers": joined(headers(r).filter(|(k, _)| k != "cookie")).unwrap_or_else(|| json!({})),
        "requestContext": context,
        "isBase64Encoded": base64,
    });
    put(&mut event, "cookies", (!cookies.is_empty()).then_some(Value::Array(cookies)));
    put(&mut event, "queryStringParameters", joined(r.req.query_pairs().into_iter()));
    put(&mut event, "pathParameters", (!r.params.is_empty()).then(|| json!(r.params)));
    put(
        &mut event,
        "stageVariables",
        (!r.stage_variables.is_empty()).then(|| Value::Object(r.stage_variables.clone())),
    );
    put(&mut event, "body", (!body.is_null()).then_some(body));
    event
}

/// The payload format 1.0 event.
pub fn v1(r: &Request) -> Value {
    let host = r.req.host();
    let (headers, multi_headers) = single_and_multi(headers(r));
    let (query, multi_query) = single_and_multi(r.req.query_pairs().into_iter());
    let path = r.route_key.split_once(' ').map(|(_, p)| p).unwrap_or(r.route_key);
    let mut context = json!({
        "accountId": r.api.account,
        "apiId": r.api.id(),
        "domainName": host,
        "domainPrefix": host.split('.').next().unwrap_or_default(),
        "extendedRequestId": r.request_id,
        "httpMethod": r.req.method.as_str(),
        "identity": { "sourceIp": "127.0.0.1", "userAgent": r.req.header("user-agent") },
        "path": r.raw_path,
        "protocol": "HTTP/1.1",
        "requestId": r.request_id,
        "requestTime": r.time_text(),
        "requestTimeEpoch": r.time_epoch_ms(),
        "resourceId": r.route_key,
        "resourcePath": path,
        "stage": r.stage,
    });
    put(&mut context, "authorizer", r.authorizer.clone());
    let (body, base64) = body(r);
    json!({
        "version": "1.0",
        "resource": path,
        "path": r.raw_path,
        "httpMethod": r.req.method.as_str(),
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "requestContext": context,
        "pathParameters": or_null(&r.params.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect()),
        "stageVariables": or_null(&r.stage_variables),
        "body": body,
        "isBase64Encoded": base64,
    })
}
