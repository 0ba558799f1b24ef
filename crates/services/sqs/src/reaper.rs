//! The reaper: a background loop that deletes messages past their queue's
//! MessageRetentionPeriod and FIFO deduplication records past their
//! five-minute window. Receives also skip expired messages, so the reaper
//! only bounds how long they occupy the store.

use std::sync::Weak;

use stratus_store::Store;

use crate::Shared;
use crate::keys::{Keys, QUEUES, parse_queue_key};
use crate::messages;
use crate::model::{Message, Queue, decode};
use crate::ops::now_ms;
use crate::scope::QueueRef;

pub async fn run(shared: Weak<Shared>) {
    loop {
        let Some(interval) = shared.upgrade().map(|s| s.reaper_interval) else { return };
        tokio::time::sleep(interval).await;
        let Some(s) = shared.upgrade() else { return };
        sweep(&s.store).await;
    }
}

/// One pass over every queue; returns the number of records deleted.
pub async fn sweep(store: &Store) -> usize {
    let Ok(queues) = store.scan_prefix(QUEUES, false, None) else { return 0 };
    let now = now_ms();
    let mut deleted = 0;
    for (k, v) in queues {
        let (Some((account, region, name)), Ok(queue)) = (parse_queue_key(&k), decode::<Queue>("queue", &v)) else {
            continue;
        };
        let q = QueueRef { keys: Keys::new(&account, &region), name };
        let retention = queue.retention_seconds();
        let Ok(msgs) = messages::scan(store, &q, None) else { continue };
        let mut victims: Vec<Vec<u8>> =
            msgs.into_iter().filter(|(_, m)| m.expired(retention, now)).map(|(k, _)| k).collect();
        if let Ok(dedups) = store.scan_prefix(q.keys.dedups(&q.name), false, None) {
            for (k, v) in dedups {
                let expires = serde_json::from_slice::<serde_json::Value>(&v)
                    .ok()
                    .and_then(|d| d.get("expires_ms").and_then(|e| e.as_i64()));
                if expires.is_none_or(|e| e <= now) {
                    victims.push(k);
                }
            }
        }
        if victims.is_empty() {
            continue;
        }
        let r = store
            .transact(move |txn| {
                let mut n = 0;
                for key in &victims {
                    let Some(bytes) = txn.get(key)? else { continue };
                    let stale = match decode::<Message>("message", &bytes) {
                        Ok(m) => m.expired(retention, now),
                        Err(_) => true,
                    };
                    if stale {
                        txn.delete(key.clone());
                        n += 1;
                    }
                }
                Ok::<_, stratus_core::AwsError>(n)
            })
            .await;
        deleted += r.unwrap_or(0);
    }
    deleted
}
