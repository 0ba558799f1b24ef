//! Owns `Txn`, the handle a read-modify-write closure works through, and
//! its `Overlay`: the closure's own uncommitted writes, layered over a base
//! read view.
//!
//! Reads merge the overlay with the base (point writes win, range
//! tombstones hide base keys), so a closure sees its own writes. Nothing
//! touches the base until the closure returns `Ok`; then the overlay turns
//! into ops (`Overlay::into_ops`) that the engine applies. On `Err` the
//! overlay is simply dropped.

use std::collections::BTreeMap;

use crate::batch::{Op, WriteBatch};
use crate::engine::{KvPair, ReadView};
use crate::error::Result;
use crate::range::KeyRange;

/// Uncommitted writes: point writes (`None` = deleted) plus range
/// tombstones. Invariant: a point write is newer than every tombstone that
/// covers it (adding a tombstone drops the point writes it covers).
#[derive(Debug, Default)]
pub(crate) struct Overlay {
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    tombstones: Vec<KeyRange>,
}

/// One point write as the overlay's map yields it (`None` = deleted).
type OverlayEntry<'o> = (&'o Vec<u8>, &'o Option<Vec<u8>>);

/// What the overlay knows about one key.
enum Seen<'a> {
    Value(&'a [u8]),
    Deleted,
    Unknown,
}

impl Overlay {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    fn delete_range(&mut self, range: KeyRange) {
        if range.is_empty() {
            return;
        }
        let covered: Vec<Vec<u8>> = self.writes.range::<[u8], _>(range.as_slices()).map(|(k, _)| k.clone()).collect();
        for k in covered {
            self.writes.remove(&k);
        }
        self.tombstones.push(range);
    }

    fn tombstoned(&self, key: &[u8]) -> bool {
        self.tombstones.iter().any(|r| r.contains(key))
    }

    fn seen(&self, key: &[u8]) -> Seen<'_> {
        match self.writes.get(key) {
            Some(Some(v)) => Seen::Value(v),
            Some(None) => Seen::Deleted,
            None if self.tombstoned(key) => Seen::Deleted,
            None => Seen::Unknown,
        }
    }

    fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.tombstones.is_empty()
    }

    /// The writes as ops in an order that reproduces the overlay: range
    /// deletes first, then point writes (which are all newer).
    pub(crate) fn into_ops(self) -> Vec<Op> {
        let mut ops = Vec::with_capacity(self.tombstones.len() + self.writes.len());
        ops.extend(self.tombstones.into_iter().map(|range| Op::DeleteRange { range }));
        ops.extend(self.writes.into_iter().map(|(key, v)| match v {
            Some(value) => Op::Put { key, value },
            None => Op::Delete { key },
        }));
        ops
    }
}

/// A read-modify-write transaction, handed to the closure given to
/// [`Store::transact`](crate::Store::transact).
///
/// Reads see the state left by every write serialized before this
/// transaction plus this transaction's own writes. Writes are buffered and
/// applied atomically when the closure returns `Ok`; they are discarded when
/// it returns `Err`. The closure may be run more than once by engines that
/// retry on conflict, so it should have no side effects outside the `Txn`.
pub struct Txn<'a> {
    base: &'a (dyn ReadView + 'a),
    overlay: Overlay,
}

impl<'a> Txn<'a> {
    pub(crate) fn new(base: &'a (dyn ReadView + 'a)) -> Txn<'a> {
        Txn { base, overlay: Overlay::default() }
    }

    pub(crate) fn into_overlay(self) -> Overlay {
        self.overlay
    }

    /// The value of `key`, including this transaction's own writes.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        let key = key.as_ref();
        match self.overlay.seen(key) {
            Seen::Value(v) => Ok(Some(v.to_vec())),
            Seen::Deleted => Ok(None),
            Seen::Unknown => self.base.get(key),
        }
    }

    /// True when `key` has a value.
    pub fn contains(&self, key: impl AsRef<[u8]>) -> Result<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// At most `limit` pairs in `range`, ascending (descending when
    /// `reverse`), including this transaction's own writes.
    pub fn scan(&self, range: impl Into<KeyRange>, reverse: bool, limit: Option<usize>) -> Result<Vec<KvPair>> {
        let range = range.into();
        let limit = limit.unwrap_or(usize::MAX);
        if limit == 0 || range.is_empty() {
            return Ok(Vec::new());
        }
        let ov_range = self.overlay.writes.range::<[u8], _>(range.as_slices());
        let mut ov: Box<dyn Iterator<Item = OverlayEntry<'_>>> =
            if reverse { Box::new(ov_range.rev()) } else { Box::new(ov_range) };
        let mut next_ov = next_live(&mut ov);
        let before = |a: &[u8], b: &[u8]| if reverse { a > b } else { a < b };

        let mut out = Vec::new();
        for pair in self.base.iter(&range, reverse)? {
            let (k, v) = pair?;
            if self.overlay.writes.contains_key(&k) || self.overlay.tombstoned(&k) {
                continue;
            }
            while let Some((ok, ov_val)) = next_ov {
                if !before(ok, &k) {
                    break;
                }
                out.push((ok.to_vec(), ov_val.to_vec()));
                if out.len() >= limit {
                    return Ok(out);
                }
                next_ov = next_live(&mut ov);
            }
            out.push((k, v));
            if out.len() >= limit {
                return Ok(out);
            }
        }
        while let Some((ok, ov_val)) = next_ov {
            out.push((ok.to_vec(), ov_val.to_vec()));
            if out.len() >= limit {
                break;
            }
            next_ov = next_live(&mut ov);
        }
        Ok(out)
    }

    /// [`Txn::scan`] over every key starting with `prefix`.
    pub fn scan_prefix(&self, prefix: impl AsRef<[u8]>, reverse: bool, limit: Option<usize>) -> Result<Vec<KvPair>> {
        self.scan(KeyRange::prefix(prefix), reverse, limit)
    }

    /// Sets `key` to `value`.
    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.overlay.put(key.into(), value.into());
    }

    /// Removes `key` (no error when absent).
    pub fn delete(&mut self, key: impl Into<Vec<u8>>) {
        self.overlay.delete(key.into());
    }

    /// Removes every key in `range`.
    pub fn delete_range(&mut self, range: impl Into<KeyRange>) {
        self.overlay.delete_range(range.into());
    }

    /// Removes every key that starts with `prefix`.
    pub fn delete_prefix(&mut self, prefix: impl AsRef<[u8]>) {
        self.overlay.delete_range(KeyRange::prefix(prefix));
    }

    /// Adds every op of `batch`, in order.
    pub fn apply(&mut self, batch: WriteBatch) {
        for op in batch.into_ops() {
            match op {
                Op::Put { key, value } => self.overlay.put(key, value),
                Op::Delete { key } => self.overlay.delete(key),
                Op::DeleteRange { range } => self.overlay.delete_range(range),
            }
        }
    }

    /// True when this transaction has buffered writes.
    pub fn has_writes(&self) -> bool {
        !self.overlay.is_empty()
    }
}

/// The next overlay entry that holds a value (deleted entries only hide
/// base keys; they are never returned).
fn next_live<'o>(it: &mut dyn Iterator<Item = (&'o Vec<u8>, &'o Option<Vec<u8>>)>) -> Option<(&'o [u8], &'o [u8])> {
    for (k, v) in it {
        if let Some(v) = v {
            return Some((k.as_slice(), v.as_slice()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::KvIter;

    /// A ReadView over a BTreeMap, for overlay tests.
    struct MapView(BTreeMap<Vec<u8>, Vec<u8>>);

    impl ReadView for MapView {
        fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
            Ok(self.0.get(key).cloned())
        }
        fn iter<'a>(&'a self, range: &KeyRange, reverse: bool) -> Result<KvIter<'a>> {
            let it = self.0.range::<[u8], _>(range.as_slices()).map(|(k, v)| Ok((k.clone(), v.clone())));
            Ok(if reverse { Box::new(it.rev()) } else { Box::new(it) })
        }
    }

    fn base() -> MapView {
        MapView(
            [("a", "1"), ("c", "3"), ("e", "5"), ("g", "7")]
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        )
    }

    fn keys(pairs: &[KvPair]) -> String {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", String::from_utf8_lossy(k), String::from_utf8_lossy(v)))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn merge_scan_both_directions() {
        let b = base();
        let mut t = Txn::new(&b);
        t.put("b", "2");
        t.delete("c");
        t.put("e", "55");
        t.put("h", "8");
        let all = t.scan(.., false, None).expect("scan");
        assert_eq!(keys(&all), "a=1,b=2,e=55,g=7,h=8");
        let rev = t.scan(.., true, None).expect("scan");
        assert_eq!(keys(&rev), "h=8,g=7,e=55,b=2,a=1");
        let lim = t.scan("b".."z", true, Some(2)).expect("scan");
        assert_eq!(keys(&lim), "h=8,g=7");
        let lim = t.scan("a"..="e", false, Some(2)).expect("scan");
        assert_eq!(keys(&lim), "a=1,b=2");
    }

    #[test]
    fn range_delete_then_put() {
        let b = base();
        let mut t = Txn::new(&b);
        t.put("d", "4");
        t.delete_range("b".."f");
        assert_eq!(t.get("d").expect("get"), None);
        assert_eq!(t.get("c").expect("get"), None);
        t.put("c", "33");
        assert_eq!(t.get("c").expect("get"), Some(b"33".to_vec()));
        assert_eq!(keys(&t.scan(.., false, None).expect("scan")), "a=1,c=33,g=7");
        let ops = t.into_overlay().into_ops();
        assert!(matches!(ops[0], Op::DeleteRange { .. }));
        assert_eq!(ops.len(), 2);
    }
}
