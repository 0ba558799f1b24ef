//! The `application/vnd.amazon.eventstream` framing that event-stream
//! outputs use (StartLiveTail, InvokeWithResponseStream, SubscribeToShard):
//! each message is a prelude (total length, headers length, CRC32), typed
//! headers, a payload and a trailing CRC32 of the whole message.

use crate::json;
use crate::model::{ServiceModel, ShapeId, ShapeKind};
use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use serde_json::Value;
use stratus_core::Event;

/// The content type of an event-stream body.
pub const CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";

/// Encodes one message with string-valued headers.
pub fn message(headers: &[(&str, &str)], payload: &[u8]) -> Bytes {
    let mut head = BytesMut::new();
    for (name, value) in headers {
        head.put_u8(name.len() as u8);
        head.put_slice(name.as_bytes());
        head.put_u8(7); // string
        head.put_u16(value.len() as u16);
        head.put_slice(value.as_bytes());
    }
    let total = 12 + head.len() + payload.len() + 4;
    let mut out = BytesMut::with_capacity(total);
    out.put_u32(total as u32);
    out.put_u32(head.len() as u32);
    let prelude_crc = crc32fast::hash(&out[..8]);
    out.put_u32(prelude_crc);
    out.put_slice(&head);
    out.put_slice(payload);
    let crc = crc32fast::hash(&out);
    out.put_u32(crc);
    out.freeze()
}

/// The `initial-response` event that JSON-RPC event streams start with,
/// carrying the output's other members.
pub fn initial_response(body: &Value) -> Bytes {
    let payload = serde_json::to_vec(body).unwrap_or_default();
    message(
        &[(":event-type", "initial-response"), (":content-type", "application/json"), (":message-type", "event")],
        &payload,
    )
}

/// Encodes an event of the event-stream union `stream_shape`. Events whose
/// member is an exception shape are sent as exceptions.
pub fn event(model: &ServiceModel, stream_shape: ShapeId, ev: &Event) -> Bytes {
    let ShapeKind::Structure(union) = &model.shape(stream_shape).kind else {
        return Bytes::new();
    };
    let Some(member) = union.member(&ev.member) else {
        return Bytes::new();
    };
    let event_shape = model.shape(member.shape);
    if event_shape.error.is_some() {
        let message_text = ev.body.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
        let payload = serde_json::to_vec(&serde_json::json!({ "message": message_text })).unwrap_or_default();
        return message(
            &[(":exception-type", member.name), (":content-type", "application/json"), (":message-type", "exception")],
            &payload,
        );
    }
    // An event whose payload is one blob or string member travels raw.
    if let ShapeKind::Structure(st) = &event_shape.kind
        && let Some(payload_member) = st.members.iter().find(|m| m.event_payload)
    {
        let raw = ev.body.get(payload_member.name).cloned().unwrap_or(Value::Null);
        let bytes = match &model.shape(payload_member.shape).kind {
            ShapeKind::Blob(_) => {
                base64::engine::general_purpose::STANDARD.decode(raw.as_str().unwrap_or_default()).unwrap_or_default()
            }
            ShapeKind::String(_) => raw.as_str().unwrap_or_default().as_bytes().to_vec(),
            _ => serde_json::to_vec(&json::to_wire(model, payload_member.shape, &raw, false)).unwrap_or_default(),
        };
        return message(
            &[(":event-type", member.name), (":content-type", "application/octet-stream"), (":message-type", "event")],
            &bytes,
        );
    }
    let payload = serde_json::to_vec(&json::to_wire(model, member.shape, &ev.body, false)).unwrap_or_default();
    message(
        &[(":event-type", member.name), (":content-type", "application/json"), (":message-type", "event")],
        &payload,
    )
}

/// The event-stream member of an output shape, if the output streams.
pub fn stream_member(model: &ServiceModel, output: Option<ShapeId>) -> Option<(&'static str, ShapeId)> {
    let ShapeKind::Structure(st) = &model.shape(output?).kind else { return None };
    st.members.iter().find_map(|m| match &model.shape(m.shape).kind {
        ShapeKind::Structure(s) if s.event_stream => Some((m.name, m.shape)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_lengths_and_crcs() {
        let m = message(&[(":event-type", "x")], b"{}");
        let total = u32::from_be_bytes([m[0], m[1], m[2], m[3]]) as usize;
        assert_eq!(total, m.len());
        let headers_len = u32::from_be_bytes([m[4], m[5], m[6], m[7]]) as usize;
        assert_eq!(headers_len, 1 + 11 + 1 + 2 + 1);
        assert_eq!(u32::from_be_bytes([m[8], m[9], m[10], m[11]]), crc32fast::hash(&m[..8]));
        let end = m.len() - 4;
        assert_eq!(u32::from_be_bytes([m[end], m[end + 1], m[end + 2], m[end + 3]]), crc32fast::hash(&m[..end]));
    }
}
