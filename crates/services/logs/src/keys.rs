//! The store layout of CloudWatch Logs. Everything lives under
//! `logs/{account}/{region}/`:
//!
//! - `group/{group}` → log group record
//! - `stream/{group}\0{stream}` → log stream record
//! - `event/{group}\0{stream}\0{timestamp:u64be}{seq:u64be}` → event
//!   (range scans return a stream's events in time order)
//! - `mfilter/{group}\0{filter}` → metric filter
//! - `sfilter/{group}\0{filter}` → subscription filter
//!
//! Names are escaped so a `\0` inside one cannot be read as a separator
//! (`\0` → `\x01\x01`, `\x01` → `\x01\x02`), which keeps their order.

use stratus_store::prefix_successor;

/// Key builder for one account and region.
#[derive(Debug, Clone)]
pub struct Keys {
    base: Vec<u8>,
}

const SEP: u8 = 0;

impl Keys {
    pub fn new(account: &str, region: &str) -> Keys {
        Keys { base: format!("logs/{account}/{region}/").into_bytes() }
    }

    fn key(&self, kind: &str, parts: &[&str], open_last: bool) -> Vec<u8> {
        let mut k = self.base.clone();
        k.extend_from_slice(kind.as_bytes());
        k.push(b'/');
        for (i, part) in parts.iter().enumerate() {
            escape_into(&mut k, part);
            if i + 1 < parts.len() || !open_last {
                k.push(SEP);
            }
        }
        k
    }

    pub fn group(&self, group: &str) -> Vec<u8> {
        self.key("group", &[group], false)
    }

    /// Every group whose name starts with `name_prefix`.
    pub fn groups(&self, name_prefix: &str) -> Vec<u8> {
        self.key("group", &[name_prefix], true)
    }

    pub fn stream(&self, group: &str, stream: &str) -> Vec<u8> {
        self.key("stream", &[group, stream], false)
    }

    /// Every stream of `group` whose name starts with `name_prefix`.
    pub fn streams(&self, group: &str, name_prefix: &str) -> Vec<u8> {
        self.key("stream", &[group, name_prefix], true)
    }

    /// Every event of one stream (the prefix of [`Keys::event`]).
    pub fn events(&self, group: &str, stream: &str) -> Vec<u8> {
        self.key("event", &[group, stream], false)
    }

    /// Every event of every stream of `group`.
    pub fn group_events(&self, group: &str) -> Vec<u8> {
        self.key("event", &[group], false)
    }

    pub fn metric_filter(&self, group: &str, filter: &str) -> Vec<u8> {
        self.key("mfilter", &[group, filter], false)
    }

    /// Metric filters of `group` (of every group when `None`) whose name
    /// starts with `name_prefix`.
    pub fn metric_filters(&self, group: Option<&str>, name_prefix: &str) -> Vec<u8> {
        match group {
            Some(g) => self.key("mfilter", &[g, name_prefix], true),
            None => self.key("mfilter", &[], true),
        }
    }

    pub fn subscription(&self, group: &str, filter: &str) -> Vec<u8> {
        self.key("sfilter", &[group, filter], false)
    }

    pub fn subscriptions(&self, group: &str, name_prefix: &str) -> Vec<u8> {
        self.key("sfilter", &[group, name_prefix], true)
    }
}

/// The key of one event: the stream's event prefix, then the timestamp and
/// the stream-local sequence number, both big-endian.
pub fn event_key(stream_events: &[u8], timestamp: u64, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(stream_events.len() + 16);
    k.extend_from_slice(stream_events);
    k.extend_from_slice(&timestamp.to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The first key at or after `timestamp` in a stream's events.
pub fn event_time_key(stream_events: &[u8], timestamp: u64) -> Vec<u8> {
    let mut k = stream_events.to_vec();
    k.extend_from_slice(&timestamp.to_be_bytes());
    k
}

/// The end (exclusive) of a prefix's key range.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    prefix_successor(prefix).unwrap_or_else(|| vec![u8::MAX; prefix.len() + 1])
}

/// `(timestamp, seq)` from an event key.
pub fn event_position(key: &[u8]) -> Option<(u64, u64)> {
    let n = key.len();
    let tail = key.get(n.checked_sub(16)?..)?;
    let ts = u64::from_be_bytes(tail.get(..8)?.try_into().ok()?);
    let seq = u64::from_be_bytes(tail.get(8..)?.try_into().ok()?);
    Some((ts, seq))
}

fn escape_into(out: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            0 => out.extend_from_slice(&[1, 1]),
            1 => out.extend_from_slice(&[1, 2]),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_separators_do_not_collide() {
        let k = Keys::new("1", "r");
        let a = k.events("g", "a");
        let ab = k.events("g", "a\0b");
        assert!(!ab.starts_with(&a));
        assert!(k.stream("g", "a") < k.stream("g", "a\u{1}"));
        assert!(k.stream("g", "a\u{1}") < k.stream("g", "a\u{2}"));
        assert!(k.stream("g", "a") < k.stream("g", "ab"));
        assert!(k.stream("g", "ab").starts_with(&k.streams("g", "a")));
        assert!(!k.group_events("g").is_empty() && !k.events("gg", "x").starts_with(&k.group_events("g")));
    }

    #[test]
    fn event_keys_sort_by_time_then_sequence() {
        let p = Keys::new("1", "r").events("g", "s");
        let a = event_key(&p, 5, 9);
        let b = event_key(&p, 6, 1);
        let c = event_key(&p, 6, 2);
        assert!(a < b && b < c);
        assert_eq!(event_position(&c), Some((6, 2)));
        assert!(event_time_key(&p, 6) <= b);
    }
}
