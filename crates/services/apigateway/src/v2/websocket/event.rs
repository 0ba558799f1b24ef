//! The events a WebSocket API sends to a Lambda proxy integration:
//! `CONNECT` (with the handshake's headers and query string), `MESSAGE`
//! (with the frame as `body`) and `DISCONNECT` (with the close status), each
//! with the connection's `requestContext`.

use super::connections::Connection;
use crate::invoke::proxy::single_and_multi;
use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::HttpRequest;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// One event in the making: which route, which kind, for which connection.
pub struct Event<'a> {
    pub connection: &'a Connection,
    pub route_key: &'a str,
    pub stage_variables: &'a Map<String, Value>,
    pub request_id: String,
}

impl Event<'_> {
    fn request_context(&self, event_type: &str) -> Value {
        let now = stratus_core::clock::now();
        let c = self.connection;
        let mut context = json!({
            "routeKey": self.route_key,
            "eventType": event_type,
            "extendedRequestId": extended_id(),
            "requestTime": crate::invoke::call::request_time(&now),
            "messageDirection": "IN",
            "stage": c.stage,
            "connectedAt": c.connected_at_ms,
            "requestTimeEpoch": (now.unix_timestamp_nanos() / 1_000_000) as i64,
            "identity": { "sourceIp": c.source_ip, "userAgent": c.user_agent },
            "requestId": self.request_id,
            "domainName": c.domain_name,
            "connectionId": c.id,
            "apiId": c.api_id,
        });
        if let Some(authorizer) = &c.authorizer {
            context["authorizer"] = authorizer.clone();
        }
        context
    }

    fn event(&self, context: Value) -> Value {
        let mut event = json!({ "requestContext": context, "isBase64Encoded": false });
        if !self.stage_variables.is_empty() {
            event["stageVariables"] = Value::Object(self.stage_variables.clone());
        }
        event
    }

    /// The `$connect` event of the handshake `req`.
    pub fn connect(&self, req: &HttpRequest) -> Value {
        let mut event = self.event(self.request_context("CONNECT"));
        let headers = req
            .headers
            .iter()
            .filter(|(k, _)| k.as_str() != "connection" && k.as_str() != "upgrade")
            .map(|(k, v)| (title_case(k.as_str()), String::from_utf8_lossy(v.as_bytes()).into_owned()));
        let (single, multi) = single_and_multi(headers);
        event["headers"] = single;
        event["multiValueHeaders"] = multi;
        let (single, multi) = single_and_multi(req.query_pairs().into_iter());
        if !single.is_null() {
            event["queryStringParameters"] = single;
            event["multiValueQueryStringParameters"] = multi;
        }
        event
    }

    /// The event of one message from the client.
    pub fn message(&self, data: &[u8], binary: bool) -> Value {
        let mut context = self.request_context("MESSAGE");
        context["messageId"] = extended_id().into();
        let mut event = self.event(context);
        match std::str::from_utf8(data) {
            Ok(text) if !binary => event["body"] = text.into(),
            _ => {
                event["body"] = B64.encode(data).into();
                event["isBase64Encoded"] = true.into();
            }
        }
        event
    }

    /// The `$disconnect` event, with the close status and reason.
    pub fn disconnect(&self, status: u16, reason: &str) -> Value {
        let mut context = self.request_context("DISCONNECT");
        context["disconnectStatusCode"] = status.into();
        context["disconnectReason"] = reason.into();
        let mut event = self.event(context);
        let headers = [("Host", self.connection.domain_name.as_str()), ("x-api-key", ""), ("X-Forwarded-For", "")];
        let (single, multi) = single_and_multi(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        event["headers"] = single;
        event["multiValueHeaders"] = multi;
        event
    }
}

/// An id in the style of `extendedRequestId` and `messageId` (`Ve3FxF7MoAMF4Pw=`).
fn extended_id() -> String {
    format!(
        "{}=",
        stratus_core::ids::random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 15)
    )
}

/// `sec-websocket-key` as AWS spells header names to WebSocket routes
/// (`Sec-WebSocket-Key`).
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| match part {
            "websocket" => "WebSocket".to_string(),
            _ => {
                let mut chars = part.chars();
                chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_as_aws_spells_them() {
        assert_eq!(title_case("sec-websocket-key"), "Sec-WebSocket-Key");
        assert_eq!(title_case("x-forwarded-for"), "X-Forwarded-For");
        assert_eq!(title_case("host"), "Host");
    }

    #[test]
    fn message_event_carries_body_and_context() {
        let (c, _rx) = Connection::new(("abc", "dev", "abc.execute-api.localhost:4566"), "1.2.3.4".into(), "ua".into());
        let vars = Map::new();
        let e = Event { connection: &c, route_key: "sendmessage", stage_variables: &vars, request_id: "r".into() };
        let event = e.message(br#"{"action":"sendmessage"}"#, false);
        assert_eq!(event["body"], r#"{"action":"sendmessage"}"#);
        assert_eq!(event["isBase64Encoded"], false);
        let ctx = &event["requestContext"];
        assert_eq!((ctx["eventType"].as_str(), ctx["routeKey"].as_str()), (Some("MESSAGE"), Some("sendmessage")));
        assert_eq!(ctx["connectionId"].as_str(), Some(c.id.as_str()));
        assert_eq!(ctx["identity"]["sourceIp"], "1.2.3.4");
        assert!(ctx["messageId"].is_string() && ctx["connectedAt"].as_i64().is_some());
        let binary = e.message(&[0xff, 0], true);
        assert_eq!((binary["body"].as_str(), binary["isBase64Encoded"].as_bool()), (Some("/wA="), Some(true)));
    }
}
