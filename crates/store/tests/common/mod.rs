//! Shared helpers for the store's integration tests: build one store of
//! each engine kind, and turn scan results into readable strings.

#![allow(dead_code)]

use stratus_store::{KvPair, Store};
use tempfile::TempDir;

/// A store plus the temp dir that must outlive it (None in memory).
pub struct TestStore {
    pub store: Store,
    pub dir: Option<TempDir>,
}

pub fn file_store() -> TestStore {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open store");
    TestStore { store, dir: Some(dir) }
}

pub fn memory_store() -> TestStore {
    TestStore { store: Store::in_memory().expect("in-memory store"), dir: None }
}

/// One store per engine kind.
pub fn all_stores() -> Vec<TestStore> {
    vec![file_store(), memory_store()]
}

/// "k=v,k=v" for scan results.
pub fn show(pairs: &[KvPair]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", String::from_utf8_lossy(k), String::from_utf8_lossy(v)))
        .collect::<Vec<_>>()
        .join(",")
}
