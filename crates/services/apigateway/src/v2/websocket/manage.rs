//! The `@connections` API (the `apigatewaymanagementapi` service):
//! PostToConnection, GetConnection and DeleteConnection on open
//! connections, reached three ways: at a WebSocket API's invoke address
//! (`/{stage}/@connections/{id}` or `/@connections/{id}`), signed for
//! `execute-api` at the plain endpoint with a stage segment first (where
//! `http://{domainName}/{stage}` from an event leads when the client
//! connected through the path form), both answered here as HTTP, and at the
//! plain endpoint without one, through the codec (`crate::management`).

use super::connections::Outgoing;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::{AwsError, HttpRequest, HttpResponse};

/// The largest message PostToConnection sends (128 KB).
const MAX_MESSAGE: usize = 128 * 1024;

fn gone() -> AwsError {
    AwsError::new(410, "GoneException", "")
}

/// Connection `id`, if open (and of API `api_id` when one is named).
fn open(
    s: &Shared,
    id: &str,
    api_id: Option<&str>,
) -> Result<std::sync::Arc<super::connections::Connection>, AwsError> {
    s.connections.get(id).filter(|c| api_id.is_none_or(|a| a == c.api_id)).ok_or_else(gone)
}

/// PostToConnection: `data` as a text frame, or binary when not UTF-8.
pub fn post(s: &Shared, id: &str, api_id: Option<&str>, data: Vec<u8>) -> Result<(), AwsError> {
    let connection = open(s, id, api_id)?;
    if data.len() > MAX_MESSAGE {
        return Err(AwsError::new(413, "PayloadTooLargeException", "Message size exceeds the allowed limit"));
    }
    if connection.send(Outgoing::data(data)) { Ok(()) } else { Err(gone()) }
}

/// GetConnection, keyed by the model's member names (timestamps as epoch
/// seconds).
pub fn get(s: &Shared, id: &str, api_id: Option<&str>) -> Result<Value, AwsError> {
    let c = open(s, id, api_id)?;
    Ok(json!({
        "ConnectedAt": c.connected_at_ms as f64 / 1000.0,
        "Identity": { "SourceIp": c.source_ip, "UserAgent": c.user_agent },
        "LastActiveAt": c.last_active_ms() as f64 / 1000.0,
    }))
}

/// DeleteConnection: forgets the connection and closes its socket.
pub fn delete(s: &Shared, id: &str, api_id: Option<&str>) -> Result<(), AwsError> {
    let connection = open(s, id, api_id)?;
    s.connections.remove(&connection.id);
    connection.send(Outgoing::Close);
    Ok(())
}

/// The connection id of a `@connections` path, decoded.
pub fn connection_id(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = match segments.as_slice() {
        ["@connections", id] | [_, "@connections", id] if !id.is_empty() => *id,
        _ => return None,
    };
    Some(percent_encoding::percent_decode_str(id).decode_utf8().ok()?.into_owned())
}

/// Whether `req` is a `@connections` call with a stage segment, signed for
/// `execute-api`, to the plain endpoint (what the SDK's
/// `apigatewaymanagementapi` client sends with `endpoint_url` ending in the
/// stage). Without the stage segment the router finds the model itself.
pub fn claims_signed(req: &HttpRequest) -> bool {
    let signed_for = |text: &str| text.contains("/execute-api/aws4_request") || text.contains("%2Fexecute-api%2F");
    !req.path.starts_with("/@connections/")
        && connection_id(&req.path).is_some()
        && (req.header("authorization").is_some_and(signed_for) || signed_for(&req.query))
}

/// Answers a `@connections` call on connection `id` as HTTP; `api_id` is
/// the API the address named, if any (a connection of another API is gone).
pub fn serve(s: &Shared, req: &HttpRequest, id: &str, api_id: Option<&str>) -> HttpResponse {
    let done = match req.method.as_str() {
        "POST" => post(s, id, api_id, req.body.to_vec()).map(|()| HttpResponse { status: 200, ..Default::default() }),
        "GET" => get(s, id, api_id).map(|c| HttpResponse::new(200, "application/json", wire(&c).to_string())),
        "DELETE" => delete(s, id, api_id).map(|()| HttpResponse { status: 204, ..Default::default() }),
        _ => Err(AwsError::new(404, "NotFoundException", "Not Found")),
    };
    let resp = done.unwrap_or_else(|e| {
        let message = if e.message.is_empty() { Value::Null } else { e.message.clone().into() };
        HttpResponse::new(e.status, "application/json", json!({ "message": message }).to_string())
            .header("x-amzn-ErrorType", e.code.clone())
    });
    resp.header("x-amzn-RequestId", uuid::Uuid::new_v4().to_string())
}

/// Answers a signed `@connections` call to the plain endpoint.
pub fn serve_signed(s: &Shared, req: &HttpRequest) -> HttpResponse {
    match connection_id(&req.path) {
        Some(id) => serve(s, req, &id, None),
        None => HttpResponse::new(404, "application/json", "{\"message\":\"Not Found\"}"),
    }
}

/// GetConnection's output as restJson1 sends it (`connectedAt`, ISO 8601).
fn wire(c: &Value) -> Value {
    let at = |k: &str| stratus_core::clock::iso8601(c[k].as_f64().unwrap_or_default());
    json!({
        "connectedAt": at("ConnectedAt"),
        "identity": { "sourceIp": c["Identity"]["SourceIp"], "userAgent": c["Identity"]["UserAgent"] },
        "lastActiveAt": at("LastActiveAt"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_paths() {
        assert_eq!(connection_id("/@connections/abc%3D").as_deref(), Some("abc="));
        assert_eq!(connection_id("/dev/@connections/abc=").as_deref(), Some("abc="));
        assert_eq!(connection_id("/dev/@connections/"), None);
        assert_eq!(connection_id("/dev/other/abc"), None);
        assert_eq!(connection_id("/a/b/@connections/x"), None);
    }
}
