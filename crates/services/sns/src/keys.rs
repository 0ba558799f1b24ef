//! The store layout of SNS. Per account and region, under
//! `sns/{account}/{region}/`:
//!
//! - `topic/{name}` → topic record
//! - `sub/{topic}/{id}` → subscription record (a subscription ARN is
//!   `{topic ARN}:{id}`, so its key follows from its ARN)
//! - `dedup/{topic}/{deduplication id}` → FIFO deduplication record
//! - `seq/{topic}` → the FIFO topic's last sequence number
//!
//! Server-wide: `sns/token/{token}` → pending confirmation, `sns/signing`
//! → the signing key and certificate, `sns/outbox/{kind}/{time}{id}` →
//! recorded emails and SMS messages.

/// Key builder for one account and region.
#[derive(Debug, Clone)]
pub struct Keys {
    base: String,
}

impl Keys {
    pub fn new(account: &str, region: &str) -> Keys {
        Keys { base: format!("sns/{account}/{region}/") }
    }

    pub fn topic(&self, name: &str) -> String {
        format!("{}topic/{name}", self.base)
    }

    pub fn topics(&self) -> String {
        format!("{}topic/", self.base)
    }

    pub fn sub(&self, topic: &str, id: &str) -> String {
        format!("{}sub/{topic}/{id}", self.base)
    }

    /// Every subscription of `topic`.
    pub fn subs_of(&self, topic: &str) -> String {
        format!("{}sub/{topic}/", self.base)
    }

    /// Every subscription of the account and region.
    pub fn subs(&self) -> String {
        format!("{}sub/", self.base)
    }

    pub fn dedup(&self, topic: &str, id: &str) -> String {
        format!("{}dedup/{topic}/{id}", self.base)
    }

    pub fn dedups_of(&self, topic: &str) -> String {
        format!("{}dedup/{topic}/", self.base)
    }

    pub fn seq(&self, topic: &str) -> String {
        format!("{}seq/{topic}", self.base)
    }
}

pub fn token(token: &str) -> String {
    format!("sns/token/{token}")
}

pub const SIGNING: &str = "sns/signing";

/// Recorded outgoing messages of one kind (`email`, `sms`).
pub fn outbox(kind: &str) -> String {
    format!("sns/outbox/{kind}/")
}
