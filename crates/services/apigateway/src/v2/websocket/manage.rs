//! The `@connections` API (the `apigatewaymanagementapi` service):
//! PostToConnection, GetConnection and DeleteConnection on
//! `/@connections/{connectionId}`, with or without a stage segment first,
//! at a WebSocket API's invoke address or, signed for `execute-api`, at the
//! plain endpoint (where `http://{domainName}/{stage}` from an event leads
//! when the client connected through the path form).

use super::connections::Outgoing;
use crate::state::Shared;
use serde_json::json;
use stratus_core::{HttpRequest, HttpResponse};

/// The largest message PostToConnection sends (128 KB).
const MAX_MESSAGE: usize = 128 * 1024;

/// The connection id of a `@connections` path, decoded.
pub fn connection_id(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = match segments.as_slice() {
        ["@connections", id] | [_, "@connections", id] if !id.is_empty() => *id,
        _ => return None,
    };
    Some(percent_encoding::percent_decode_str(id).decode_utf8().ok()?.into_owned())
}

/// Whether `req` is a `@connections` call signed for `execute-api` to the
/// plain endpoint (what the SDK's `apigatewaymanagementapi` client sends).
pub fn claims_signed(req: &HttpRequest) -> bool {
    let signed_for = |text: &str| text.contains("/execute-api/aws4_request") || text.contains("%2Fexecute-api%2F");
    connection_id(&req.path).is_some()
        && (req.header("authorization").is_some_and(signed_for) || signed_for(&req.query))
}

/// Answers a `@connections` call on connection `id`; `api_id` is the API
/// the address named, if any (a connection of another API is gone).
pub fn serve(s: &Shared, req: &HttpRequest, id: &str, api_id: Option<&str>) -> HttpResponse {
    let request_id = uuid::Uuid::new_v4().to_string();
    let connection = s.connections.get(id).filter(|c| api_id.is_none_or(|a| a == c.api_id));
    let resp = match (req.method.as_str(), connection) {
        ("GET" | "POST" | "DELETE", None) => error(410, "GoneException", None),
        ("POST", Some(_)) if req.body.len() > MAX_MESSAGE => {
            error(413, "PayloadTooLargeException", Some("Message size exceeds the allowed limit"))
        }
        ("POST", Some(c)) => match c.send(Outgoing::data(req.body.to_vec())) {
            true => HttpResponse { status: 200, ..Default::default() },
            false => error(410, "GoneException", None),
        },
        ("GET", Some(c)) => {
            let at = |ms: i64| stratus_core::clock::iso8601(ms as f64 / 1000.0);
            // The wire names of the model (`connectedAt`), as this is served
            // without the codec.
            let body = json!({
                "connectedAt": at(c.connected_at_ms),
                "identity": { "sourceIp": c.source_ip, "userAgent": c.user_agent },
                "lastActiveAt": at(c.last_active_ms()),
            });
            HttpResponse::new(200, "application/json", body.to_string())
        }
        ("DELETE", Some(c)) => {
            s.connections.remove(&c.id);
            c.send(Outgoing::Close);
            HttpResponse { status: 204, ..Default::default() }
        }
        _ => error(404, "NotFoundException", Some("Not Found")),
    };
    resp.header("x-amzn-RequestId", request_id)
}

/// Answers a signed `@connections` call to the plain endpoint.
pub fn serve_signed(s: &Shared, req: &HttpRequest) -> HttpResponse {
    match connection_id(&req.path) {
        Some(id) => serve(s, req, &id, None),
        None => error(404, "NotFoundException", Some("Not Found")),
    }
}

fn error(status: u16, code: &str, message: Option<&str>) -> HttpResponse {
    HttpResponse::new(status, "application/json", json!({ "message": message }).to_string())
        .header("x-amzn-ErrorType", code)
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
