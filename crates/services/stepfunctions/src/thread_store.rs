//! How a running execution's tree of threads is stored: one key per
//! branch or iteration (its position without its own threads), so a
//! journal write costs the threads that moved rather than the whole tree;
//! the record keeps the top-level position without its threads. Loading
//! puts the tree back together.

use crate::asl::{Position, Thread, threads};
use crate::model::{Execution, Keys, decode, encode};
use serde::Serialize;
use std::collections::BTreeMap;
use stratus_core::AwsError;
use stratus_store::{Store, WriteBatch};

/// The key prefix of an execution's threads.
pub fn prefix(rec: &Execution) -> String {
    Keys::new(&rec.account, &rec.region).threads(&rec.machine_name, &rec.name)
}

/// The key of the thread at `path`, also the prefix of those under it.
fn key(prefix: &str, path: &[usize]) -> String {
    path.iter().fold(prefix.to_string(), |k, i| format!("{k}{i:010}/"))
}

type Runs = BTreeMap<usize, Thread>;

/// Encodes `value` with the runs `runs` finds in it taken out for the
/// time (they are stored under keys of their own).
fn encode_bare<T: Serialize>(value: &mut T, runs: for<'a> fn(&'a mut T) -> Option<&'a mut Runs>) -> Vec<u8> {
    let taken = runs(value).map(std::mem::take);
    let bytes = encode(&*value);
    if let (Some(taken), Some(slot)) = (taken, runs(value)) {
        *slot = taken;
    }
    bytes
}

fn record_runs(rec: &mut Execution) -> Option<&mut Runs> {
    rec.position.as_mut()?.threads.as_mut().map(|t| &mut t.runs)
}

fn thread_runs(thread: &mut Thread) -> Option<&mut Runs> {
    match thread {
        Thread::At(p) => p.threads.as_mut().map(|t| &mut t.runs),
        Thread::Ended(_) => None,
    }
}

/// The record as stored: its position without the threads' runs.
pub fn encode_record(rec: &mut Execution) -> Vec<u8> {
    encode_bare(rec, record_runs)
}

/// Puts the thread at `path` and every thread under it.
fn put_tree(batch: &mut WriteBatch, prefix: &str, path: &mut Vec<usize>, thread: &mut Thread) {
    batch.put(key(prefix, path), encode_bare(thread, thread_runs));
    for (i, child) in thread_runs(thread).into_iter().flat_map(|r| r.iter_mut()) {
        path.push(*i);
        put_tree(batch, prefix, path, child);
        path.pop();
    }
}

/// Writes the threads at `paths` (sorted, as a `BTreeSet` gives them) and
/// those under them as they stand under `root`, replacing what was stored
/// there; the empty path stands for all of them.
pub fn put(batch: &mut WriteBatch, prefix: &str, root: &mut Position, paths: &[Vec<usize>]) {
    // A path's descendants sort right after it: they are written with it.
    let mut written: Option<&Vec<usize>> = None;
    for path in paths {
        if written.is_some_and(|w| path.starts_with(w)) {
            continue;
        }
        written = Some(path);
        batch.delete_prefix(key(prefix, path));
        match path.split_last() {
            None => {
                for (i, child) in root.threads.iter_mut().flat_map(|t| t.runs.iter_mut()) {
                    put_tree(batch, prefix, &mut vec![*i], child);
                }
            }
            Some((last, parent)) => {
                let parent = threads::node_mut(root, parent).and_then(|p| p.threads.as_mut());
                if let Some(thread) = parent.and_then(|t| t.runs.get_mut(last)) {
                    put_tree(batch, prefix, &mut path.clone(), thread);
                }
            }
        }
    }
}

/// Puts the stored threads back under the record's position.
pub fn load(store: &Store, rec: &mut Execution) -> Result<(), AwsError> {
    let prefix = prefix(rec);
    let Some(root) = rec.position.as_mut() else { return Ok(()) };
    let mut found = BTreeMap::new();
    for (k, v) in store.scan_prefix(&prefix, false, None)? {
        let path: Option<Vec<usize>> = String::from_utf8_lossy(&k[prefix.len()..])
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().ok())
            .collect();
        if let Some(path) = path {
            found.insert(path, decode::<Thread>(&v)?);
        }
    }
    // Parents sort before their children.
    for (path, thread) in found {
        threads::set(root, &path, thread);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::Threads;
    use crate::asl::threads::Ended;
    use serde_json::json;

    fn execution(position: Position) -> Execution {
        serde_json::from_value(json!({
            "arn": "arn:aws:states:us-east-1:000000000000:execution:m:e", "name": "e",
            "machine_arn": "arn:aws:states:us-east-1:000000000000:stateMachine:m", "machine_name": "m",
            "account": "000000000000", "region": "us-east-1", "status": "RUNNING", "input": "{}",
            "output": null, "error": null, "cause": null, "start": 0.0, "stop": null, "definition": "{}",
            "role_arn": "r", "position": position, "events": 0,
        }))
        .expect("record")
    }

    fn parent(state: &str) -> Position {
        Position {
            entered: Some(2),
            threads: Some(Threads { start: 3, ..Threads::default() }),
            ..Position::start(state.into(), json!({}), 2)
        }
    }

    async fn stored(store: &Store, rec: &mut Execution, paths: &[Vec<usize>]) -> Execution {
        let mut batch = WriteBatch::new();
        let prefix = prefix(rec);
        if let Some(root) = rec.position.as_mut() {
            put(&mut batch, &prefix, root, paths);
        }
        batch.put("record", encode_record(rec));
        store.write(batch).await.expect("write");
        let mut back: Execution = decode(&store.get("record").expect("get").expect("record")).expect("decode");
        assert_eq!(back.position.as_ref().and_then(|p| p.threads.as_ref()).map(|t| t.runs.len()), Some(0));
        load(store, &mut back).expect("load");
        back
    }

    #[tokio::test]
    async fn threads_are_stored_one_key_each_and_put_back_together() {
        let store = Store::in_memory().expect("store");
        let mut rec = execution(parent("Map"));
        let root = rec.position.as_mut().expect("root");
        threads::set(root, &[0], Thread::At(Box::new(parent("Inner"))));
        threads::set(root, &[0, 1], Thread::Ended(Ended { outcome: Ok(json!(1)), last: 5, end: None }));
        threads::set(root, &[12], Thread::At(Box::new(Position::start("W".into(), json!(2), 7))));
        let back = stored(&store, &mut rec, &[Vec::new()]).await;
        assert_eq!(back.position, rec.position);

        // Only what moved is written; a thread that moved on drops what was under it.
        let root = rec.position.as_mut().expect("root");
        threads::set(root, &[0], Thread::Ended(Ended { outcome: Ok(json!("x")), last: 9, end: None }));
        let back = stored(&store, &mut rec, &[vec![0]]).await;
        assert_eq!(back.position, rec.position);
        assert_eq!(store.scan_prefix(prefix(&rec), false, None).expect("scan").len(), 2);
    }
}
