//! Task tokens: the tasks waiting for SendTaskSuccess/SendTaskFailure
//! (`.waitForTaskToken` integrations and activities), their heartbeats
//! (SendTaskHeartbeat resets the `HeartbeatSeconds` clock; a missed one
//! fails the task with `States.HeartbeatTimeout`), and the tokens of tasks
//! that ended without an answer, which AWS answers with TaskTimedOut.
//! After a restart the tokens journaled as waiting are reserved before
//! requests are served, so an answer arriving before their execution has
//! resumed is kept for it rather than refused.

use crate::asl::Failure;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stratus_core::AwsError;
use tokio::sync::{Notify, oneshot};

/// What a callback resolves a task with.
pub type Outcome = Result<Value, Failure>;

/// How many ended tokens are remembered for their TaskTimedOut answer.
const EXPIRED_KEPT: usize = 10_000;

struct Waiter {
    answer: oneshot::Sender<Outcome>,
    beat: Arc<Notify>,
}

#[derive(Default)]
struct Inner {
    live: HashMap<String, Waiter>,
    expired: VecDeque<String>,
    /// Tokens journaled as waiting whose execution has not resumed yet,
    /// with the answer that came first.
    reserved: HashMap<String, Option<Outcome>>,
}

/// The registry of live and ended task tokens.
#[derive(Default)]
pub struct Tokens {
    inner: Mutex<Inner>,
}

/// A token's wait, registered; dropping it before an answer expires the
/// token (the task timed out, failed, or its execution stopped).
pub struct Pending<'a> {
    tokens: &'a Tokens,
    token: String,
    answer: Option<oneshot::Receiver<Outcome>>,
    beat: Arc<Notify>,
}

pub fn timed_out() -> AwsError {
    AwsError::bad_request("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
}

pub fn invalid() -> AwsError {
    crate::errors::invalid_token("Invalid token")
}

impl Tokens {
    /// Holds `token` for a task that will wait on it once its execution
    /// resumes (after a restart): an answer that comes before is kept for
    /// it.
    pub fn reserve(&self, token: &str) {
        if let Ok(mut inner) = self.inner.lock()
            && !inner.live.contains_key(token)
        {
            inner.reserved.entry(token.to_string()).or_insert(None);
        }
    }

    /// Registers `token` as waiting for an answer.
    pub fn register(&self, token: &str) -> Pending<'_> {
        let (tx, rx) = oneshot::channel();
        let beat = Arc::new(Notify::new());
        if let Ok(mut inner) = self.inner.lock() {
            match inner.reserved.remove(token).flatten() {
                Some(early) => {
                    let _ = tx.send(early);
                    remember(&mut inner, token);
                }
                None => {
                    inner.live.insert(token.to_string(), Waiter { answer: tx, beat: beat.clone() });
                }
            }
        }
        Pending { tokens: self, token: token.to_string(), answer: Some(rx), beat }
    }

    /// Answers the task waiting on `token`.
    pub fn resolve(&self, token: &str, outcome: Outcome) -> Result<(), AwsError> {
        let mut inner = self.inner.lock().map_err(|_| AwsError::internal("task tokens poisoned"))?;
        if let Some(w) = inner.live.remove(token) {
            let _ = w.answer.send(outcome);
            remember(&mut inner, token);
            return Ok(());
        }
        match inner.reserved.get_mut(token) {
            Some(slot @ None) => {
                *slot = Some(outcome);
                Ok(())
            }
            Some(Some(_)) => Err(timed_out()),
            None => Err(unknown(&inner, token)),
        }
    }

    /// Resets the heartbeat clock of the task waiting on `token`.
    pub fn heartbeat(&self, token: &str) -> Result<(), AwsError> {
        let inner = self.inner.lock().map_err(|_| AwsError::internal("task tokens poisoned"))?;
        match inner.live.get(token) {
            Some(w) => {
                w.beat.notify_one();
                Ok(())
            }
            None if inner.reserved.get(token).is_some_and(Option::is_none) => Ok(()),
            None => Err(unknown(&inner, token)),
        }
    }

    fn expire(&self, token: &str) {
        if let Ok(mut inner) = self.inner.lock()
            && inner.live.remove(token).is_some()
        {
            remember(&mut inner, token);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.live.clear();
            inner.expired.clear();
            inner.reserved.clear();
        }
    }
}

/// A token nobody waits on: one that ended (TaskTimedOut), or one never
/// issued (InvalidToken).
fn unknown(inner: &Inner, token: &str) -> AwsError {
    if inner.expired.iter().any(|t| t == token) { timed_out() } else { invalid() }
}

fn remember(inner: &mut Inner, token: &str) {
    if inner.expired.len() >= EXPIRED_KEPT {
        inner.expired.pop_front();
    }
    inner.expired.push_back(token.to_string());
}

impl Pending<'_> {
    /// Waits for an answer with no heartbeat clock running (a task no
    /// worker has taken yet).
    pub async fn early(&mut self) -> Outcome {
        match self.answer.as_mut() {
            Some(rx) => rx.await.unwrap_or_else(|_| Err(Failure::runtime("The task token was dropped"))),
            None => std::future::pending().await,
        }
    }

    /// Waits for the answer; with `heartbeat` seconds, fails with
    /// `States.HeartbeatTimeout` when no heartbeat (or answer) comes within
    /// that many seconds of the start or of the last heartbeat.
    pub async fn answer(mut self, heartbeat: Option<u64>) -> Outcome {
        let Some(mut rx) = self.answer.take() else { return Err(Failure::runtime("The task token was already used")) };
        loop {
            let beat = self.beat.notified();
            let limit = async {
                match heartbeat {
                    Some(h) => tokio::time::sleep(Duration::from_secs(h)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                r = &mut rx => return r.unwrap_or_else(|_| Err(Failure::runtime("The task token was dropped"))),
                _ = beat => continue,
                _ = limit => return Err(Failure { error: "States.HeartbeatTimeout".into(), cause: None }),
            }
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.tokens.expire(&self.token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn answered_token_then_timed_out() {
        let tokens = Tokens::default();
        let pending = tokens.register("t1");
        tokens.resolve("t1", Ok(json!(1))).expect("resolve");
        assert_eq!(pending.answer(None).await, Ok(json!(1)));
        assert_eq!(tokens.resolve("t1", Ok(json!(2))).map_err(|e| e.code), Err("TaskTimedOut".to_string()));
        assert_eq!(tokens.heartbeat("nope").map_err(|e| e.code), Err("InvalidToken".to_string()));
    }

    #[tokio::test]
    async fn a_reserved_token_keeps_an_early_answer() {
        let tokens = Tokens::default();
        tokens.reserve("t");
        tokens.heartbeat("t").expect("beat while reserved");
        tokens.resolve("t", Ok(json!(7))).expect("early answer");
        assert_eq!(tokens.resolve("t", Ok(json!(8))).map_err(|e| e.code), Err("TaskTimedOut".to_string()));
        let pending = tokens.register("t");
        assert_eq!(pending.answer(None).await, Ok(json!(7)));
        // Unanswered, a reserved token waits for its task as usual.
        tokens.reserve("u");
        let pending = tokens.register("u");
        tokens.resolve("u", Ok(json!(1))).expect("resolve");
        assert_eq!(pending.answer(None).await, Ok(json!(1)));
    }

    #[tokio::test]
    async fn heartbeat_resets_the_clock_and_a_missed_one_fails() {
        let tokens = Arc::new(Tokens::default());
        let pending = tokens.register("t");
        let t2 = tokens.clone();
        let beater = tokio::spawn(async move {
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_millis(600)).await;
                t2.heartbeat("t").expect("beat");
            }
        });
        let started = tokio::time::Instant::now();
        let out = pending.answer(Some(1)).await;
        beater.await.expect("beater");
        assert_eq!(out.map_err(|f| f.error), Err("States.HeartbeatTimeout".to_string()));
        let waited = started.elapsed().as_millis();
        assert!((2700..3500).contains(&waited), "waited {waited} ms");
        assert_eq!(tokens.heartbeat("t").map_err(|e| e.code), Err("TaskTimedOut".to_string()));
    }
}
