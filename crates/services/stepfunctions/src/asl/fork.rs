//! The threads of one Parallel or Map state as the journal sees them: the
//! state waits with its threads recorded under its position, each thread
//! is marked busy before it records events and journals how it ended, and
//! the state takes over again once they are over. After a restart (or for
//! a redrive) the recorded threads say which to resume and which ended.

use super::durable;
use super::machine::StateRun;
use super::runtime::{Frame, Position, Runtime};
use super::threads::{Ended, Thread, Threads};
use serde_json::Value;

pub struct Fork<'a> {
    rt: &'a Runtime,
    /// The state's thread (`None` when not journaled).
    track: Option<Vec<usize>>,
    /// The threads as journaled when the state began (or resumed).
    pub threads: Threads,
}

impl<'a> Fork<'a> {
    /// The threads `run` journaled before a restart, if it resumes; `None`
    /// when they start afresh.
    pub fn resumed(run: &StateRun) -> Option<Threads> {
        run.threads.lock().ok().and_then(|mut t| t.take())
    }

    /// Journals that the state (at its raw `input`) now waits for
    /// `threads`.
    pub async fn begin(
        rt: &'a Runtime,
        run: &StateRun<'_>,
        input: &Value,
        frame: &Frame,
        threads: Threads,
    ) -> Fork<'a> {
        let track = frame.track.clone();
        if track.is_some() {
            let at = Position {
                entered: Some(run.entered),
                vars: frame.vars.clone(),
                threads: Some(threads.clone()),
                ..Position::start(run.name.to_string(), input.clone(), run.entered)
            };
            durable::park(rt, track.as_deref(), at).await;
        }
        Fork { rt, track, threads }
    }

    /// How thread `i` was left before a restart.
    pub fn recorded(&self, i: usize) -> Option<&Thread> {
        self.threads.runs.get(&i)
    }

    /// The journal path of thread `i`.
    pub fn path(&self, i: usize) -> Option<Vec<usize>> {
        self.track.as_ref().map(|p| p.iter().copied().chain([i]).collect())
    }

    /// Thread `i` is about to record events.
    pub async fn enter(&self, i: usize) {
        durable::unpark(self.rt, self.path(i).as_deref()).await;
    }

    /// Thread `i` ended.
    pub async fn end(&self, i: usize, ended: Ended) {
        durable::finish(self.rt, self.path(i).as_deref(), Thread::Ended(ended)).await;
    }

    /// The threads are over; the state goes on.
    pub async fn rejoin(&self) {
        durable::rejoin(self.rt, self.track.as_deref()).await;
    }
}
