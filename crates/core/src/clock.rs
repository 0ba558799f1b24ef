//! Wall-clock helpers: every timestamp Stratus hands out comes from here.

use std::time::{SystemTime, UNIX_EPOCH};
use time::format_description::well_known::{Iso8601, Rfc2822, Rfc3339};
use time::{OffsetDateTime, PrimitiveDateTime};

/// Seconds since the Unix epoch, with fractions (the JSON protocols' timestamp form).
pub fn now_epoch() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The current UTC time.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// English month abbreviations, as HTTP dates and S3's access logs write them.
pub const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// RFC 7231 HTTP date (RFC 822 in AWS's models): `Thu, 02 Jan 2025 03:04:05 GMT`.
pub fn http_date(epoch: f64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(epoch.floor() as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().number_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month() as usize - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Formats epoch seconds as ISO 8601 with milliseconds, e.g. `2025-01-02T03:04:05.678Z`.
pub fn iso8601(epoch: f64) -> String {
    let nanos = (epoch * 1e9) as i128;
    let t = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Parses any timestamp form a client may send: epoch seconds, ISO 8601 /
/// RFC 3339 (with or without zone), or an HTTP date.
pub fn parse_timestamp(s: &str) -> Option<f64> {
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
