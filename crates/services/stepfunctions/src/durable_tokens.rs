//! Durable task tokens: a top-level `.waitForTaskToken` or activity task of
//! a Standard execution journals its token once it waits (after
//! TaskSubmitted, ActivityScheduled or ActivityStarted), so that a
//! restarted server re-registers the same token and waits on it instead of
//! calling the resource again; the Task state clears it when it ends.

use crate::asl::{Runtime, TaskCall};
use std::sync::atomic::Ordering;

/// Journals that `call` waits for its token, after its last event (with
/// `started` once an activity worker took it). Calls that are not durable
/// (Express executions, branches, iterations) journal nothing.
pub async fn persist(rt: &Runtime, call: &TaskCall<'_>, started: bool) {
    let (Some(at), Some(journal)) = (&call.journal_at, &rt.journal) else { return };
    let mut at = at.clone();
    at.cursor = call.cursor.load(Ordering::SeqCst);
    if let Some(task) = &mut at.task {
        task.started = started;
    }
    journal.save(rt, at).await;
}
