//! Timestamp forms on the wire: epoch seconds, ISO 8601 and RFC 822 (HTTP
//! dates). Inside Stratus a timestamp is epoch seconds (`f64`).

/// ISO 8601 as AWS writes it: `2025-01-02T03:04:05.678Z` (milliseconds only when non-zero... AWS
/// XML services always write milliseconds, so we do too).
pub fn to_iso8601(epoch: f64) -> String {
    stratus_core::clock::iso8601(epoch)
}

/// RFC 822 / HTTP date: `Thu, 02 Jan 2025 03:04:05 GMT`.
pub fn to_http_date(epoch: f64) -> String {
    stratus_core::clock::http_date(epoch)
}

/// Parses any timestamp form a client may send (see `clock::parse_timestamp`).
pub fn parse(s: &str) -> Option<f64> {
    stratus_core::clock::parse_timestamp(s)
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
