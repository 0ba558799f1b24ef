//! What a thread tells the journal, wherever it runs: the top level saves
//! its position outright; a branch or iteration commits its node in the
//! tree of threads (see `Journal`). Threads that are not journaled
//! (Express executions, TestState) tell nothing.

use super::runtime::{Position, Runtime};
use super::threads::Thread;

/// The thread stands at `at` and goes on (before a state that is not pure).
pub async fn checkpoint(rt: &Runtime, track: Option<&[usize]>, at: Position) {
    tell(rt, track, Thread::At(Box::new(at)), true).await;
}

/// The thread waits at `at` (a Wait, a task token, its branches).
pub async fn park(rt: &Runtime, track: Option<&[usize]>, at: Position) {
    tell(rt, track, Thread::At(Box::new(at)), false).await;
}

/// The thread ended (branches and iterations only).
pub async fn finish(rt: &Runtime, track: Option<&[usize]>, thread: Thread) {
    if track.is_some_and(|p| !p.is_empty()) {
        tell(rt, track, thread, false).await;
    }
}

/// The thread stops waiting and records events again.
pub async fn unpark(rt: &Runtime, track: Option<&[usize]>) {
    if let (Some(path), Some(j)) = (track.filter(|p| !p.is_empty()), &rt.journal) {
        j.busy(path).await;
    }
}

/// The threads the thread started are over; it goes on.
pub async fn rejoin(rt: &Runtime, track: Option<&[usize]>) {
    if let (Some(path), Some(j)) = (track, &rt.journal) {
        j.rejoin(path).await;
    }
}

async fn tell(rt: &Runtime, track: Option<&[usize]>, thread: Thread, busy: bool) {
    let (Some(path), Some(j)) = (track, &rt.journal) else { return };
    match (path.is_empty(), thread) {
        (true, Thread::At(at)) => j.save(rt, *at).await,
        (true, Thread::Ended(_)) => {}
        (false, thread) => j.commit(rt, path, thread, busy).await,
    }
}
