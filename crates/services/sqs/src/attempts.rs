//! FIFO `ReceiveRequestAttemptId`s: what each receive with an attempt id
//! handed out, kept for five minutes so a retry with the same id gets the
//! same messages and receipt handles back, as long as none of them was
//! deleted or had its visibility changed since. Kept in memory only: a
//! retry is a matter of seconds, not of server restarts.

use std::collections::HashMap;
use std::sync::Mutex;

/// How long an attempt id can be retried (AWS: the deduplication interval).
pub const WINDOW_MS: i64 = 5 * 60 * 1000;

/// One handed-out message: its store key, the receipt nonce of that
/// receive and the time it was hidden until.
#[derive(Debug, Clone, PartialEq)]
pub struct Handed {
    pub key: Vec<u8>,
    pub nonce: String,
    pub visible_at_ms: i64,
}

/// What one attempt handed out, and when.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at_ms: i64,
    pub handed: Vec<Handed>,
}

/// Attempts by (queue key, attempt id).
#[derive(Default)]
pub struct Attempts(Mutex<HashMap<(Vec<u8>, String), Attempt>>);

impl Attempts {
    /// The attempt recorded for `id` on the queue, if still retryable at `now`.
    pub fn get(&self, queue: &[u8], id: &str, now: i64) -> Option<Attempt> {
        let map = self.0.lock().ok()?;
        map.get(&(queue.to_vec(), id.to_string())).filter(|a| now - a.at_ms < WINDOW_MS).cloned()
    }

    /// Records (or replaces) an attempt, dropping the ones past the window.
    pub fn put(&self, queue: &[u8], id: &str, attempt: Attempt) {
        if let Ok(mut map) = self.0.lock() {
            let now = attempt.at_ms;
            map.retain(|_, a| now - a.at_ms < WINDOW_MS);
            map.insert((queue.to_vec(), id.to_string()), attempt);
        }
    }

    /// Updates the visibility times of a replayed attempt (its window
    /// still runs from the first receive).
    pub fn refresh(&self, queue: &[u8], id: &str, handed: Vec<Handed>) {
        if let Ok(mut map) = self.0.lock()
            && let Some(a) = map.get_mut(&(queue.to_vec(), id.to_string()))
        {
            a.handed = handed;
        }
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.0.lock() {
            map.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_expire_after_the_window() {
        let a = Attempts::default();
        let h = Handed { key: b"m".to_vec(), nonce: "n".into(), visible_at_ms: 5 };
        a.put(b"q", "id", Attempt { at_ms: 1000, handed: vec![h.clone()] });
        assert_eq!(a.get(b"q", "id", 1000 + WINDOW_MS - 1).map(|x| x.handed), Some(vec![h]));
        assert!(a.get(b"q", "id", 1000 + WINDOW_MS).is_none());
        assert!(a.get(b"q", "other", 1000).is_none());
        assert!(a.get(b"q2", "id", 1000).is_none());
    }
}
