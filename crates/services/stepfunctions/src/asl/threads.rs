//! The journaled threads of a Parallel or Map state: where each branch or
//! iteration stands (its last position, or how it ended), as a tree under
//! the top-level position, so a restarted execution resumes only the
//! threads that had not finished and a redrive re-runs only those that
//! failed.

use super::failure::Failure;
use super::runtime::Position;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The threads a Parallel or Map state started.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Threads {
    /// The event new threads chain to (ParallelStateStarted,
    /// MapStateStarted, MapRunStarted).
    pub start: i64,
    /// The threads that started, by branch or item index.
    #[serde(default)]
    pub runs: BTreeMap<usize, Thread>,
    /// A distributed Map's map run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_run: Option<String>,
}

/// Where one branch or iteration stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Thread {
    /// Running, last seen at this position (pure states after it are
    /// replayed).
    At(Box<Position>),
    Ended(Ended),
}

/// A thread that ended: its outcome, its last event, and (iterations) the
/// event that closed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ended {
    pub outcome: Result<Value, Failure>,
    pub last: i64,
    #[serde(default)]
    pub end: Option<i64>,
}

/// The position at `path` under `root` (`root` itself for an empty path).
pub fn node_mut<'a>(root: &'a mut Position, path: &[usize]) -> Option<&'a mut Position> {
    let Some((first, rest)) = path.split_first() else { return Some(root) };
    match root.threads.as_mut()?.runs.get_mut(first)? {
        Thread::At(p) => node_mut(p, rest),
        Thread::Ended(_) => None,
    }
}

/// Puts `thread` at `path` (non-empty) under `root`; a thread whose parent
/// is gone (it moved on) is not recorded.
pub fn set(root: &mut Position, path: &[usize], thread: Thread) {
    let Some((last, parent)) = path.split_last() else {
        if let Thread::At(p) = thread {
            *root = *p;
        }
        return;
    };
    if let Some(threads) = node_mut(root, parent).and_then(|p| p.threads.as_mut()) {
        threads.runs.insert(*last, thread);
    }
}

/// The threads of a failed Parallel or Map as a redrive takes them up:
/// those that succeeded keep their output, the others start their last
/// state again (and, inside, only their own unsuccessful threads).
pub fn for_redrive(threads: Threads) -> Threads {
    let runs = threads
        .runs
        .into_iter()
        .filter_map(|(i, t)| match t {
            Thread::Ended(e) if e.outcome.is_ok() => Some((i, Thread::Ended(e))),
            Thread::Ended(_) => None,
            Thread::At(p) => Some((i, Thread::At(Box::new(restart(*p))))),
        })
        .collect();
    Threads { runs, ..threads }
}

/// A position as a redrive restarts it: its state entered again.
pub fn restart(p: Position) -> Position {
    Position { entered: None, wait_until: None, task: None, calling: None, threads: p.threads.map(for_redrive), ..p }
}

/// The task tokens waited on anywhere under `root`.
pub fn tokens(root: &Position, out: &mut Vec<String>) {
    if let Some(t) = &root.task {
        out.push(t.token.clone());
    }
    for t in root.threads.iter().flat_map(|t| t.runs.values()) {
        if let Thread::At(p) = t {
            tokens(p, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::WaitingTask;
    use serde_json::json;

    fn ended(v: Result<Value, Failure>) -> Thread {
        Thread::Ended(Ended { outcome: v, last: 3, end: None })
    }

    fn parent() -> Position {
        Position {
            entered: Some(2),
            threads: Some(Threads { start: 3, ..Threads::default() }),
            ..Position::start("P".into(), json!({}), 2)
        }
    }

    #[test]
    fn threads_nest_and_round_trip() {
        let mut root = parent();
        set(&mut root, &[0], Thread::At(Box::new(parent())));
        let waiting = Position {
            task: Some(WaitingTask { token: "tok".into(), timeout_at: None, started: false }),
            ..Position::start("T".into(), json!(1), 5)
        };
        set(&mut root, &[0, 1], Thread::At(Box::new(waiting)));
        set(&mut root, &[1], ended(Ok(json!("done"))));
        // A thread under an ended one is not recorded.
        set(&mut root, &[1, 0], ended(Ok(json!(0))));
        let mut found = Vec::new();
        tokens(&root, &mut found);
        assert_eq!(found, vec!["tok".to_string()]);
        let text = serde_json::to_string(&root).expect("encode");
        let back: Position = serde_json::from_str(&text).expect("decode");
        assert_eq!(back, root);
    }

    #[test]
    fn a_redrive_keeps_only_successes() {
        let mut root = parent();
        set(&mut root, &[0], ended(Ok(json!("ok"))));
        set(&mut root, &[1], ended(Err(Failure::new("E", "c"))));
        let wait = Position { entered: Some(9), wait_until: Some(1.0), ..Position::start("W".into(), json!(1), 9) };
        set(&mut root, &[2], Thread::At(Box::new(wait)));
        let again = for_redrive(root.threads.clone().expect("threads"));
        assert_eq!(again.runs.len(), 2);
        assert_eq!(again.runs.get(&0), Some(&ended(Ok(json!("ok")))));
        match again.runs.get(&2) {
            Some(Thread::At(p)) => assert_eq!((p.entered, p.wait_until), (None, None)),
            other => panic!("{other:?}"),
        }
    }
}
