//! Timestamp forms on the wire: epoch seconds, ISO 8601 and RFC 822 (HTTP
//! dates). Inside Stratus a timestamp is epoch seconds (`f64`).

use time::format_description::well_known::{Iso8601, Rfc2822, Rfc3339};
use time::{OffsetDateTime, PrimitiveDateTime};

/// ISO 8601 as AWS writes it: `2025-01-02T03:04:05.678Z` (milliseconds only when non-zero... AWS
/// XML services always write milliseconds, so we do too).
pub fn to_iso8601(epoch: f64) -> String {
    stratus_core::clock::iso8601(epoch)
}

/// RFC 822 / HTTP date: `Thu, 02 Jan 2025 03:04:05 GMT`.
pub fn to_http_date(epoch: f64) -> String {
    stratus_core::clock::http_date(epoch)
}

/// Parses any timestamp form a client may send: epoch seconds, ISO 8601 /
/// RFC 3339 (with or without zone), or an HTTP date.
pub fn parse(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return n.is_finite().then_some(n);
    }
    let to_epoch = |t: OffsetDateTime| t.unix_timestamp_nanos() as f64 / 1e9;
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(to_epoch(t));
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(to_epoch(t));
    }
    if let Ok(t) = PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(to_epoch(t.assume_utc()));
    }
    let rfc = s.replace(" GMT", " +0000").replace(" UTC", " +0000");
    if let Ok(t) = OffsetDateTime::parse(&rfc, &Rfc2822) {
        return Some(to_epoch(t));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(to_http_date(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(parse("Thu, 01 Jan 1970 00:00:10 GMT"), Some(10.0));
        assert_eq!(parse("1970-01-01T00:00:10Z"), Some(10.0));
        assert_eq!(parse("1970-01-01T00:00:10.500Z"), Some(10.5));
        assert_eq!(parse("12.5"), Some(12.5));
        assert_eq!(to_iso8601(10.5), "1970-01-01T00:00:10.500Z");
        assert_eq!(parse("garbage"), None);
    }
}
