//! What an HTTP API answers with: the payload format 2.0 response contract
//! (a result without `statusCode` is a 200 `application/json` body;
//! otherwise `statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`),
//! and its own answers (`{"message":"Not Found"}`, 500s).

use crate::invoke::proxy::header_text;
use base64::Engine;
use serde_json::Value;
use stratus_core::HttpResponse;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// No route (or no stage) matches.
pub fn not_found() -> HttpResponse {
    HttpResponse::new(404, "application/json", r#"{"message":"Not Found"}"#)
}

/// The integration failed or answered outside its contract.
pub fn internal_error() -> HttpResponse {
    HttpResponse::new(500, "application/json", r#"{"message":"Internal Server Error"}"#)
}

/// The HTTP response for a payload format 2.0 result, or None when it
/// breaks the contract.
pub fn v2(payload: &[u8]) -> Option<HttpResponse> {
    let v: Value = serde_json::from_slice(payload).ok()?;
    let Some(obj) = v.as_object().filter(|o| o.contains_key("statusCode")) else {
        let body = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        return Some(HttpResponse::new(200, "application/json", body));
    };
    let status = obj.get("statusCode").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok())?;
    let mut resp = HttpResponse { status, ..Default::default() };
    for (k, v) in obj.get("headers").and_then(Value::as_object).into_iter().flatten() {
        resp.headers.push((k.clone(), header_text(v)?));
    }
    for c in obj.get("cookies").and_then(Value::as_array).into_iter().flatten() {
        resp.headers.push(("Set-Cookie".into(), c.as_str()?.to_string()));
    }
    if !resp.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        resp.headers.push(("Content-Type".into(), "application/json".into()));
    }
    let base64 = obj.get("isBase64Encoded").and_then(Value::as_bool) == Some(true);
    resp.body = match obj.get("body") {
        None | Some(Value::Null) => Default::default(),
        Some(Value::String(b)) if base64 => B64.decode(b).ok()?.into(),
        Some(Value::String(b)) => b.clone().into(),
        Some(other) => other.to_string().into(),
    };
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_results_and_structured_ones() {
        let r = v2(br#"{"a":1}"#).expect("answer");
        assert_eq!((r.status, r.body.as_ref()), (200, br#"{"a":1}"#.as_ref()));
        let r = v2(br#""hi""#).expect("answer");
        assert_eq!(r.body.as_ref(), b"hi");
        let r = v2(br#"{"statusCode":201,"headers":{"x":"y"},"cookies":["c=1"],"body":"b"}"#).expect("answer");
        assert_eq!(r.status, 201);
        assert!(r.headers.contains(&("Set-Cookie".into(), "c=1".into())));
        assert!(v2(b"not json").is_none());
    }
}
