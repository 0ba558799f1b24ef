//! Key ranges over one stream's events: time bounds (`startTime`,
//! `endTime`, the retention cutoff) narrowed by a position a token points
//! at, so scans start exactly where the previous page stopped.

use std::ops::Bound;

use stratus_store::KeyRange;

use crate::keys::{event_key, event_time_key, prefix_end};
use crate::token::Position;

/// A range of one stream's event keys.
#[derive(Debug, Clone)]
pub struct Span {
    prefix: Vec<u8>,
    lower: Bound<Vec<u8>>,
    upper: Bound<Vec<u8>>,
}

impl Span {
    /// Every event of the stream with prefix `prefix`.
    pub fn all(prefix: Vec<u8>) -> Span {
        let lower = Bound::Included(prefix.clone());
        let upper = Bound::Excluded(prefix_end(&prefix));
        Span { prefix, lower, upper }
    }

    /// Keeps events at or after `timestamp`.
    pub fn at_or_after(self, timestamp: u64) -> Span {
        let b = Bound::Included(event_time_key(&self.prefix, timestamp));
        self.raise(b)
    }

    /// Keeps events before `timestamp`.
    pub fn before_time(self, timestamp: u64) -> Span {
        let b = Bound::Excluded(event_time_key(&self.prefix, timestamp));
        self.lower_to(b)
    }

    /// Keeps events strictly after `pos`.
    pub fn after(self, pos: Position) -> Span {
        let b = Bound::Excluded(event_key(&self.prefix, pos.timestamp, pos.seq));
        self.raise(b)
    }

    /// Keeps events strictly before `pos`.
    pub fn before(self, pos: Position) -> Span {
        let b = Bound::Excluded(event_key(&self.prefix, pos.timestamp, pos.seq));
        self.lower_to(b)
    }

    /// Starts after the last key already read (scan continues forward).
    pub fn after_key(self, key: Vec<u8>) -> Span {
        self.raise(Bound::Excluded(key))
    }

    /// Ends before the last key already read (scan continues backward).
    pub fn before_key(self, key: Vec<u8>) -> Span {
        self.lower_to(Bound::Excluded(key))
    }

    pub fn range(&self) -> KeyRange {
        KeyRange { start: self.lower.clone(), end: self.upper.clone() }
    }

    fn raise(mut self, b: Bound<Vec<u8>>) -> Span {
        if tighter(&b, &self.lower, |a, c| a > c) {
            self.lower = b;
        }
        self
    }

    fn lower_to(mut self, b: Bound<Vec<u8>>) -> Span {
        if tighter(&b, &self.upper, |a, c| a < c) {
            self.upper = b;
        }
        self
    }
}

/// True when bound `a` excludes more than `b` (`beyond` says which key is
/// further in: greater for lower bounds, smaller for upper bounds).
fn tighter(a: &Bound<Vec<u8>>, b: &Bound<Vec<u8>>, beyond: fn(&[u8], &[u8]) -> bool) -> bool {
    match (a, b) {
        (Bound::Unbounded, _) => false,
        (_, Bound::Unbounded) => true,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) if x != y => beyond(x, y),
        (Bound::Excluded(_), Bound::Included(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing() {
        let p = b"p\0".to_vec();
        let s = Span::all(p.clone()).at_or_after(10).after(Position { timestamp: 5, seq: 1 });
        assert_eq!(s.range().start, Bound::Included(event_time_key(&p, 10)));
        let s = s.after(Position { timestamp: 10, seq: 0 });
        assert_eq!(s.range().start, Bound::Excluded(event_key(&p, 10, 0)));
        let s = Span::all(p.clone()).before_time(20).before(Position { timestamp: 30, seq: 1 });
        assert_eq!(s.range().end, Bound::Excluded(event_time_key(&p, 20)));
        let s = s.before(Position { timestamp: 15, seq: 2 });
        assert_eq!(s.range().end, Bound::Excluded(event_key(&p, 15, 2)));
    }
}
