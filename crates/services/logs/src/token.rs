//! Pagination tokens. Describe operations and FilterLogEvents use opaque
//! tokens (base64 of their fields); GetLogEvents uses AWS's visible
//! `f/<56 digits>` (forward) and `b/<56 digits>` (backward) form, whose
//! digits are an event position (timestamp, stream id, sequence), the same
//! digits as that event's `eventId`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::invalid_token;
use stratus_core::AwsError;

const OPAQUE_VERSION: &str = "1";

/// An opaque token carrying `fields`.
pub fn encode(fields: &[&str]) -> String {
    let mut joined = String::from(OPAQUE_VERSION);
    for f in fields {
        joined.push('\0');
        joined.push_str(f);
    }
    URL_SAFE_NO_PAD.encode(joined)
}

/// The `n` fields of an opaque token, or AWS's invalid-token error.
pub fn decode(token: &str, n: usize) -> Result<Vec<String>, AwsError> {
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid_token())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid_token())?;
    let mut parts = text.split('\0');
    if parts.next() != Some(OPAQUE_VERSION) {
        return Err(invalid_token());
    }
    let fields: Vec<String> = parts.map(str::to_string).collect();
    if fields.len() != n {
        return Err(invalid_token());
    }
    Ok(fields)
}

/// A number inside a token, or AWS's invalid-token error.
pub fn number<T: std::str::FromStr>(s: &str) -> Result<T, AwsError> {
    s.parse().map_err(|_| invalid_token())
}

/// Where an event sits in its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub timestamp: u64,
    pub seq: u64,
}

/// 56 digits: timestamp (20), stream id (20), sequence (16).
pub fn position_digits(pos: Position, stream_id: u64) -> String {
    format!("{:020}{:020}{:016}", pos.timestamp, stream_id, pos.seq % 10_000_000_000_000_000)
}

/// A GetLogEvents token: its direction and position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

pub fn event_token(dir: Direction, pos: Position, stream_id: u64) -> String {
    let tag = match dir {
        Direction::Forward => "f",
        Direction::Backward => "b",
    };
    format!("{tag}/{}", position_digits(pos, stream_id))
}

pub fn parse_event_token(token: &str) -> Result<(Direction, Position), AwsError> {
    let (dir, digits) = match token.split_once('/') {
        Some(("f", d)) => (Direction::Forward, d),
        Some(("b", d)) => (Direction::Backward, d),
        _ => return Err(invalid_token()),
    };
    if digits.len() != 56 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_token());
    }
    let timestamp = number(&digits[..20])?;
    let seq = number(&digits[40..])?;
    Ok((dir, Position { timestamp, seq }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_round_trip() {
        let t = encode(&["a", "b\u{1}c"]);
        assert_eq!(decode(&t, 2).ok(), Some(vec!["a".to_string(), "b\u{1}c".to_string()]));
        assert!(decode(&t, 3).is_err());
        assert!(decode("invalid-token", 2).is_err());
        assert!(decode("!!!", 1).is_err());
    }

    #[test]
    fn event_tokens() {
        let pos = Position { timestamp: 1_700_000_000_000, seq: 42 };
        let t = event_token(Direction::Forward, pos, 7);
        assert!(t.starts_with("f/"));
        assert_eq!(t.len(), 58);
        assert_eq!(parse_event_token(&t).ok(), Some((Direction::Forward, pos)));
        let b = event_token(Direction::Backward, pos, 7);
        assert_eq!(parse_event_token(&b).ok(), Some((Direction::Backward, pos)));
        for bad in ["invalid-token", "f/123", "x/00000000000000000000000000000000000000000000000000000000", "f/abc"] {
            assert!(parse_event_token(bad).is_err(), "{bad}");
        }
    }
}
