//! Wake-ups for long polls: one `Notify` per queue, signalled whenever
//! messages are added to it (sends, redrives, visibility changes to 0).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

#[derive(Default)]
pub struct Waiters(Mutex<HashMap<Vec<u8>, Arc<Notify>>>);

impl Waiters {
    /// The notifier of the queue whose record key is `queue_key`.
    pub fn get(&self, queue_key: &[u8]) -> Arc<Notify> {
        match self.0.lock() {
            Ok(mut map) => map.entry(queue_key.to_vec()).or_default().clone(),
            Err(_) => Arc::new(Notify::new()),
        }
    }

    /// Wakes every long poll waiting on the queue.
    pub fn notify(&self, queue_key: &[u8]) {
        if let Some(n) = self.0.lock().ok().and_then(|m| m.get(queue_key).cloned()) {
            n.notify_waiters();
        }
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.0.lock() {
            for n in map.values() {
                n.notify_waiters();
            }
            map.clear();
        }
    }
}
