//! Durable task tokens: a `.waitForTaskToken` or activity task of a
//! Standard execution (at any depth) journals its token once it waits (after
//! TaskSubmitted, ActivityScheduled or ActivityStarted), so that a
//! restarted server re-registers the same token and waits on it instead of
//! calling the resource again; the Task state clears it when it ends.

use crate::asl::{Runtime, TaskCall, durable, threads};
use crate::model::Execution;
use crate::shared::Shared;
use std::sync::atomic::Ordering;

/// Journals that `call` waits for its token, after its last event (with
/// `started` once an activity worker took it). Calls that are not durable
/// (Express executions) journal nothing.
pub async fn persist(rt: &Runtime, call: &TaskCall<'_>, started: bool) {
    let Some(at) = &call.journal_at else { return };
    let mut at = at.clone();
    at.cursor = call.cursor.load(Ordering::SeqCst);
    if let Some(task) = &mut at.task {
        task.started = started;
    }
    durable::park(rt, call.track.as_deref(), at).await;
}

/// The task records events again (an activity worker took it).
pub async fn wake(rt: &Runtime, call: &TaskCall<'_>) {
    if call.journal_at.is_some() {
        durable::unpark(rt, call.track.as_deref()).await;
    }
}

/// Reserves the tokens a stored execution waits on (before it resumes).
pub fn reserve(s: &Shared, rec: &Execution) {
    let mut tokens = Vec::new();
    if let Some(at) = &rec.position {
        threads::tokens(at, &mut tokens);
    }
    for t in tokens {
        s.tokens.reserve(&t);
    }
}
