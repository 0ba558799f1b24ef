//! HTTP and HTTP_PROXY integrations: the request sent to the integration
//! URI (stage variables and path parameters substituted; for HTTP the
//! mapped parameters, body and request overrides, see `outgoing`), bounded
//! by `timeoutInMillis` (504 "Endpoint request timed out" past it).
//! HTTP_PROXY passes the answer through as it is; HTTP maps it through the
//! integration response its status code selects. HTTPS endpoints must
//! present a certificate the machine trusts (`stratus_core::outbound`).

use crate::invoke::body;
use crate::invoke::call::{Call, substitute};
use crate::invoke::gateway_responses::{self, answer};
use crate::invoke::params;
use crate::invoke::responses;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// Headers that belong to one hop and are not forwarded.
const HOP_HEADERS: &[&str] = &["host", "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade"];

/// The request an integration sends, before its URI is written out.
struct Outgoing {
    path: BTreeMap<String, String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Bytes,
}

/// What `call` sends: HTTP_PROXY passes the request's path parameters,
/// query and headers on; HTTP sends only the integration request
/// parameters its `requestParameters` map, and the mapped body, both
/// amended by the template's `$context.requestOverride`. Path parameters
/// the URI names fill in unmapped.
fn outgoing(call: &Call, integration: &Value, proxy: bool) -> Result<Outgoing, HttpResponse> {
    let mapped = params::integration_request(call, integration);
    let pick = |location: &str| -> Vec<(String, String)> {
        mapped.iter().filter(|((l, _), _)| l == location).map(|((_, n), v)| (n.clone(), v.clone())).collect()
    };
    let mut out =
        Outgoing { path: call.params.clone(), query: pick("querystring"), headers: pick("header"), body: Bytes::new() };
    out.path.extend(pick("path"));
    if proxy {
        out.query = call.req.query_pairs();
        out.headers = forwarded(&call.req.headers);
        out.body = call.req.body.clone();
        return Ok(out);
    }
    let rendered = body::request(call, integration)?;
    if let Some(ct) = call.req.header("content-type") {
        out.headers.push(("content-type".into(), ct.to_string()));
    }
    let o = rendered.overrides;
    out.path.extend(o.request_path);
    out.query.retain(|(k, _)| !o.request_querystring.contains_key(k));
    out.query.extend(o.request_querystring);
    out.headers.retain(|(k, _)| !o.request_headers.keys().any(|h| h.eq_ignore_ascii_case(k)));
    out.headers.extend(o.request_headers);
    out.body = Bytes::from(rendered.body);
    Ok(out)
}

/// The integration URI: stage variables and `{param}` / `{param+}` path
/// parameters substituted, the query appended.
fn target(call: &Call, integration: &Value, out: &Outgoing) -> String {
    let uri = substitute(integration.str("uri").unwrap_or_default(), &call.stage_variables);
    with_query(with_path_params(uri, &out.path), &out.query)
}

/// What a path parameter's segment has percent-encoded: all but the
/// unreserved characters (RFC 3986: letters, digits, `-._~`).
const ENCODED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `uri` with each `{name}` and `{name+}` replaced by its parameter,
/// percent-encoded segment by segment.
pub fn with_path_params(mut uri: String, params: &BTreeMap<String, String>) -> String {
    for (name, value) in params {
        let encoded: String = value
            .split('/')
            .map(|seg| percent_encoding::utf8_percent_encode(seg, ENCODED).to_string())
            .collect::<Vec<_>>()
            .join("/");
        uri = uri.replace(&format!("{{{name}+}}"), &encoded).replace(&format!("{{{name}}}"), &encoded);
    }
    uri
}

/// `uri` with `query` appended.
pub fn with_query(mut uri: String, query: &[(String, String)]) -> String {
    if !query.is_empty() {
        uri.push(if uri.contains('?') { '&' } else { '?' });
        uri.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish());
    }
    uri
}

/// What the endpoint answered.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// Why an exchange with an endpoint failed.
pub enum Failure {
    TimedOut,
    Unreachable,
    BadBody,
}

/// The headers of a message that travel on to the next hop.
pub fn forwarded(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| !HOP_HEADERS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect()
}

/// Sends `req` and reads the answer, within `timeout`.
pub async fn exchange(req: http::Request<Full<Bytes>>, timeout: Duration) -> Result<Answer, Failure> {
    let resp = match tokio::time::timeout(timeout, stratus_core::outbound::client().request(req)).await {
        Err(_) => return Err(Failure::TimedOut),
        Ok(Err(e)) => {
            tracing::debug!("HTTP integration failed: {e}");
            return Err(Failure::Unreachable);
        }
        Ok(Ok(resp)) => resp,
    };
    let status = resp.status().as_u16();
    let headers = forwarded(resp.headers());
    let body = resp.into_body().collect().await.map_err(|_| Failure::BadBody)?.to_bytes();
    Ok(Answer { status, headers, body })
}

async fn send(call: &Call<'_>, integration: &Value, out: Outgoing) -> Result<Answer, HttpResponse> {
    let verb = match integration.str("httpMethod") {
        Some("ANY") | None => call.req.method.as_str(),
        Some(v) => v,
    };
    let mut req = http::Request::builder().method(verb).uri(target(call, integration, &out));
    for (k, v) in &out.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req.body(Full::new(out.body)).map_err(|_| gateway_responses::configuration_error(call.api))?;
    let timeout = Duration::from_millis(integration.i64("timeoutInMillis").unwrap_or(29_000).clamp(50, 29_000) as u64);
    exchange(req, timeout).await.map_err(|f| match f {
        Failure::TimedOut => answer(call.api, "INTEGRATION_TIMEOUT", "Endpoint request timed out"),
        Failure::Unreachable => gateway_responses::configuration_error(call.api),
        Failure::BadBody => gateway_responses::bad_gateway(call.api),
    })
}

/// Runs an HTTP_PROXY (`proxy`) or HTTP integration.
pub async fn invoke(call: &Call<'_>, integration: &Value, proxy: bool) -> HttpResponse {
    let out = match outgoing(call, integration, proxy) {
        Ok(out) => out,
        Err(refused) => return refused,
    };
    let got = match send(call, integration, out).await {
        Ok(got) => got,
        Err(resp) => return resp,
    };
    if proxy {
        return HttpResponse { status: got.status, headers: got.headers, body: got.body, stream: None };
    }
    match responses::select(integration, &got.status.to_string()) {
        Some(chosen) => responses::respond(call, chosen, &String::from_utf8_lossy(&got.body), &got.headers),
        None => gateway_responses::configuration_error(call.api),
    }
}
