//! The store layout of SQS. Queue names are validated (`[A-Za-z0-9_-]`, an
//! optional `.fifo`), so they never contain the `\0` separator.
//!
//! - `sqsq/{account}/{region}/{queue}` → queue record (a prefix scan over
//!   `sqsq/` lists every queue of the server, for the reaper)
//! - `sqsm/{account}/{region}/{queue}\0{seq:u64be}` → message, in send order
//! - `sqsd/{account}/{region}/{queue}\0{scope}` → FIFO deduplication record
//! - `sqst/{account}/{region}/{queue}\0{task id}` → message move task of the
//!   source queue `queue`
//! - `sqsx/{account}/{region}/{queue}` → when the queue was last deleted
//!   (milliseconds), so its name stays taken for a while as on AWS

/// Key builder for one account and region.
#[derive(Debug, Clone)]
pub struct Keys {
    pub account: String,
    pub region: String,
}

pub const QUEUES: &str = "sqsq/";

impl Keys {
    pub fn new(account: &str, region: &str) -> Keys {
        Keys { account: account.to_string(), region: region.to_string() }
    }

    fn base(&self, kind: &str) -> String {
        format!("{kind}/{}/{}/", self.account, self.region)
    }

    pub fn queue(&self, name: &str) -> Vec<u8> {
        format!("{}{name}", self.base("sqsq")).into_bytes()
    }

    /// When queue `name` was last deleted.
    pub fn deleted(&self, name: &str) -> Vec<u8> {
        format!("{}{name}", self.base("sqsx")).into_bytes()
    }

    /// Every queue whose name starts with `prefix`.
    pub fn queues(&self, prefix: &str) -> Vec<u8> {
        self.queue(prefix)
    }

    /// The prefix of every message of `queue`.
    pub fn messages(&self, queue: &str) -> Vec<u8> {
        let mut k = format!("{}{queue}", self.base("sqsm")).into_bytes();
        k.push(0);
        k
    }

    pub fn message(&self, queue: &str, seq: u64) -> Vec<u8> {
        let mut k = self.messages(queue);
        k.extend_from_slice(&seq.to_be_bytes());
        k
    }

    pub fn dedups(&self, queue: &str) -> Vec<u8> {
        let mut k = format!("{}{queue}", self.base("sqsd")).into_bytes();
        k.push(0);
        k
    }

    pub fn dedup(&self, queue: &str, scope: &str) -> Vec<u8> {
        let mut k = self.dedups(queue);
        k.extend_from_slice(scope.as_bytes());
        k
    }

    pub fn tasks(&self, queue: &str) -> Vec<u8> {
        let mut k = format!("{}{queue}", self.base("sqst")).into_bytes();
        k.push(0);
        k
    }

    pub fn task(&self, queue: &str, id: &str) -> Vec<u8> {
        let mut k = self.tasks(queue);
        k.extend_from_slice(id.as_bytes());
        k
    }
}

/// The sequence number at the end of a message key.
pub fn message_seq(key: &[u8]) -> Option<u64> {
    let tail = key.get(key.len().checked_sub(8)?..)?;
    Some(u64::from_be_bytes(tail.try_into().ok()?))
}

/// `(account, region, queue)` of a queue record key.
pub fn parse_queue_key(key: &[u8]) -> Option<(String, String, String)> {
    let text = std::str::from_utf8(key).ok()?.strip_prefix(QUEUES)?;
    let mut parts = text.splitn(3, '/');
    Some((parts.next()?.to_string(), parts.next()?.to_string(), parts.next()?.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_keys_sort_by_sequence_and_do_not_mix_queues() {
        let k = Keys::new("1", "r");
        assert!(k.message("q", 1) < k.message("q", 2));
        assert!(k.message("q", u64::MAX).starts_with(&k.messages("q")));
        assert!(!k.message("qq", 1).starts_with(&k.messages("q")));
        assert_eq!(message_seq(&k.message("q", 77)), Some(77));
        assert_eq!(parse_queue_key(&k.queue("a-b")), Some(("1".into(), "r".into(), "a-b".into())));
    }
}
