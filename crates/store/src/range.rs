//! Owns `KeyRange`: an owned pair of byte-key bounds, built from any Rust
//! range over byte-like keys or from a prefix, used by scans and range
//! deletes.

use std::ops::{Bound, Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// A range of byte keys (lexicographic order), with owned bounds.
///
/// Built with `KeyRange::from(a..b)` (or any `impl Into<KeyRange>`: `..`,
/// `a..`, `..=b`, a `(Bound, Bound)` pair) for keys that are `AsRef<[u8]>`,
/// or with [`KeyRange::prefix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRange {
    pub start: Bound<Vec<u8>>,
    pub end: Bound<Vec<u8>>,
}

impl KeyRange {
    /// Every key.
    pub fn all() -> KeyRange {
        KeyRange { start: Bound::Unbounded, end: Bound::Unbounded }
    }

    /// Every key that starts with `prefix` (every key for an empty prefix).
    pub fn prefix(prefix: impl AsRef<[u8]>) -> KeyRange {
        let prefix = prefix.as_ref();
        let end = match prefix_successor(prefix) {
            Some(next) => Bound::Excluded(next),
            None => Bound::Unbounded,
        };
        KeyRange { start: Bound::Included(prefix.to_vec()), end }
    }

    /// True when `key` lies inside the range.
    pub fn contains(&self, key: &[u8]) -> bool {
        let after_start = match &self.start {
            Bound::Included(s) => key >= s.as_slice(),
            Bound::Excluded(s) => key > s.as_slice(),
            Bound::Unbounded => true,
        };
        let before_end = match &self.end {
            Bound::Included(e) => key <= e.as_slice(),
            Bound::Excluded(e) => key < e.as_slice(),
            Bound::Unbounded => true,
        };
        after_start && before_end
    }

    /// True when no key can lie inside the range (start after end).
    pub fn is_empty(&self) -> bool {
        match (&self.start, &self.end) {
            (Bound::Unbounded, _) | (_, Bound::Unbounded) => false,
            (Bound::Included(s), Bound::Included(e)) => s > e,
            (Bound::Included(s), Bound::Excluded(e))
            | (Bound::Excluded(s), Bound::Included(e))
            | (Bound::Excluded(s), Bound::Excluded(e)) => s >= e,
        }
    }

    /// The bounds borrowed as slices, the shape `BTreeMap::range` and redb take.
    pub fn as_slices(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (as_slice(&self.start), as_slice(&self.end))
    }
}

/// The smallest key greater than every key starting with `prefix`, or `None`
/// when there is none (empty prefix, or all bytes 0xFF).
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut next = prefix.to_vec();
    while let Some(last) = next.pop() {
        if last != u8::MAX {
            next.push(last + 1);
            return Some(next);
        }
    }
    None
}

fn as_slice(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(v) => Bound::Included(v.as_slice()),
        Bound::Excluded(v) => Bound::Excluded(v.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn owned<K: AsRef<[u8]>>(b: Bound<K>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(k) => Bound::Included(k.as_ref().to_vec()),
        Bound::Excluded(k) => Bound::Excluded(k.as_ref().to_vec()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl From<RangeFull> for KeyRange {
    fn from(_: RangeFull) -> KeyRange {
        KeyRange::all()
    }
}

impl<K: AsRef<[u8]>> From<Range<K>> for KeyRange {
    fn from(r: Range<K>) -> KeyRange {
        KeyRange { start: Bound::Included(r.start.as_ref().to_vec()), end: Bound::Excluded(r.end.as_ref().to_vec()) }
    }
}

impl<K: AsRef<[u8]>> From<RangeInclusive<K>> for KeyRange {
    fn from(r: RangeInclusive<K>) -> KeyRange {
        let (s, e) = r.into_inner();
        KeyRange { start: Bound::Included(s.as_ref().to_vec()), end: Bound::Included(e.as_ref().to_vec()) }
    }
}

impl<K: AsRef<[u8]>> From<RangeFrom<K>> for KeyRange {
    fn from(r: RangeFrom<K>) -> KeyRange {
        KeyRange { start: Bound::Included(r.start.as_ref().to_vec()), end: Bound::Unbounded }
    }
}

impl<K: AsRef<[u8]>> From<RangeTo<K>> for KeyRange {
    fn from(r: RangeTo<K>) -> KeyRange {
        KeyRange { start: Bound::Unbounded, end: Bound::Excluded(r.end.as_ref().to_vec()) }
    }
}

impl<K: AsRef<[u8]>> From<RangeToInclusive<K>> for KeyRange {
    fn from(r: RangeToInclusive<K>) -> KeyRange {
        KeyRange { start: Bound::Unbounded, end: Bound::Included(r.end.as_ref().to_vec()) }
    }
}

impl<K: AsRef<[u8]>> From<(Bound<K>, Bound<K>)> for KeyRange {
    fn from((start, end): (Bound<K>, Bound<K>)) -> KeyRange {
        KeyRange { start: owned(start), end: owned(end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_bounds() {
        assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_successor(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"\xff\xff"), None);
        assert_eq!(prefix_successor(b""), None);
        let r = KeyRange::prefix(b"a\xff");
        assert!(r.contains(b"a\xff"));
        assert!(r.contains(b"a\xff\xff\x01"));
        assert!(!r.contains(b"b"));
        assert!(!r.contains(b"a"));
    }

    #[test]
    fn emptiness() {
        assert!(KeyRange::from(b"b".as_slice()..b"a".as_slice()).is_empty());
        assert!(KeyRange::from(b"a".as_slice()..b"a".as_slice()).is_empty());
        assert!(!KeyRange::from(b"a".as_slice()..=b"a".as_slice()).is_empty());
        assert!(!KeyRange::all().is_empty());
    }
}
