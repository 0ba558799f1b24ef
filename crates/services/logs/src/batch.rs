//! AWS's rules for one PutLogEvents batch, as pure functions: chronological
//! order, the 1,048,576-byte limit (26 bytes per event on top of the
//! message), and which events are rejected as too new (over 2 hours
//! ahead), too old (over 14 days back) or expired (before the group's
//! retention), with the 24-hour span rule over the rest.

use serde_json::{Map, Value};
use stratus_core::AwsError;

use crate::error::invalid;
use crate::model::Event;
use crate::retention::{DAY_MS, cutoff};

pub const MAX_BATCH_BYTES: i64 = 1_048_576;
const TOO_NEW_MS: i64 = 2 * 3_600_000;
const TOO_OLD_MS: i64 = 14 * DAY_MS;
const MAX_SPAN_MS: i64 = DAY_MS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputEvent {
    pub timestamp: i64,
    pub message: String,
}

/// The `logEvents` member, checked for order and size.
pub fn parse(list: &[Value]) -> Result<Vec<InputEvent>, AwsError> {
    let events: Vec<InputEvent> = list
        .iter()
        .map(|e| InputEvent {
            timestamp: e.get("timestamp").and_then(Value::as_i64).unwrap_or(0),
            message: e.get("message").and_then(Value::as_str).unwrap_or_default().to_string(),
        })
        .collect();
    if events.windows(2).any(|w| w[1].timestamp < w[0].timestamp) {
        return Err(invalid("Log events in a single PutLogEvents request must be in chronological order."));
    }
    let bytes: i64 = events.iter().map(|e| Event::size(&e.message)).sum();
    if bytes > MAX_BATCH_BYTES {
        return Err(invalid(format!("Upload too large: {bytes} bytes exceeds limit of {MAX_BATCH_BYTES}")));
    }
    Ok(events)
}

/// Which events of a sorted batch are stored and which are rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Index range of the accepted events.
    pub accepted: std::ops::Range<usize>,
    pub too_new_start: Option<usize>,
    pub too_old_end: Option<usize>,
    pub expired_end: Option<usize>,
}

impl Verdict {
    /// The `rejectedLogEventsInfo` member, when anything was rejected.
    pub fn rejected_info(&self) -> Option<Value> {
        let mut o = Map::new();
        for (name, v) in [
            ("tooNewLogEventStartIndex", self.too_new_start),
            ("tooOldLogEventEndIndex", self.too_old_end),
            ("expiredLogEventEndIndex", self.expired_end),
        ] {
            if let Some(i) = v {
                o.insert(name.to_string(), i.into());
            }
        }
        (!o.is_empty()).then_some(Value::Object(o))
    }
}

/// Sorts a chronological batch into accepted and rejected events at `now`.
/// End indexes are exclusive (events `0..end` were rejected).
pub fn classify(events: &[InputEvent], now: i64, retention_in_days: Option<i64>) -> Result<Verdict, AwsError> {
    let count_before = |limit: i64| events.iter().take_while(|e| e.timestamp < limit).count();
    let too_old = count_before(now - TOO_OLD_MS);
    let expired = match retention_in_days {
        Some(_) => count_before(cutoff(retention_in_days, now)),
        None => 0,
    };
    let too_new = events.iter().position(|e| e.timestamp > now + TOO_NEW_MS);
    let start = too_old.max(expired);
    let end = too_new.unwrap_or(events.len()).max(start);
    if let (Some(first), Some(last)) = (events.get(start), end.checked_sub(1).and_then(|i| events.get(i)))
        && start < end
        && last.timestamp - first.timestamp > MAX_SPAN_MS
    {
        return Err(invalid(
            "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        ));
    }
    Ok(Verdict {
        accepted: start..end,
        too_new_start: too_new,
        too_old_end: (too_old > 0).then_some(too_old),
        expired_end: (expired > 0).then_some(expired),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(ts: i64) -> InputEvent {
        InputEvent { timestamp: ts, message: "m".into() }
    }

    #[test]
    fn order_and_size() {
        assert!(parse(&[json!({"timestamp": 2, "message": "a"}), json!({"timestamp": 1, "message": "b"})]).is_err());
        assert!(parse(&[json!({"timestamp": 1, "message": "a"}), json!({"timestamp": 1, "message": "b"})]).is_ok());
        let big = "x".repeat(1_048_576 - 26);
        assert!(parse(&[json!({"timestamp": 1, "message": big})]).is_ok());
        let too_big = "x".repeat(1_048_576 - 25);
        let err = parse(&[json!({"timestamp": 1, "message": too_big})]).err();
        assert_eq!(err.map(|e| e.code), Some("InvalidParameterException".to_string()));
    }

    #[test]
    fn rejections() {
        let now = 100 * DAY_MS;
        let batch = [ev(now - 20 * DAY_MS), ev(now - 3 * DAY_MS), ev(now - 1000), ev(now), ev(now + 3 * 3_600_000)];
        let v = classify(&batch[1..], now, None);
        assert!(v.is_err(), "3 days of span is more than 24 hours");
        let v = classify(&batch, now, Some(1)).unwrap_or_default();
        assert_eq!(v.too_old_end, Some(1));
        assert_eq!(v.expired_end, Some(2));
        assert_eq!(v.too_new_start, Some(4));
        assert_eq!(v.accepted, 2..4);
        let info = v.rejected_info().unwrap_or_default();
        assert_eq!(info["tooNewLogEventStartIndex"], 4);
        let fine = classify(&[ev(now)], now, None).unwrap_or_default();
        assert_eq!(fine.accepted, 0..1);
        assert_eq!(fine.rejected_info(), None);
        let all_new = classify(&[ev(now + DAY_MS)], now, None).unwrap_or_default();
        assert_eq!(all_new.accepted, 0..0);
        assert_eq!(all_new.too_new_start, Some(0));
    }
}
