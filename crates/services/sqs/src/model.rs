//! The records SQS keeps in the store: queues and messages. Every timer is
//! an absolute epoch-millisecond time, so delays, visibility timeouts and
//! retention survive a restart unchanged.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use stratus_core::AwsError;

/// One queue: its settable attributes (every one, defaults included), its
/// tags and its timestamps.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Queue {
    pub name: String,
    pub fifo: bool,
    pub attributes: BTreeMap<String, String>,
    /// Epoch seconds.
    pub created: i64,
    pub modified: i64,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Epoch millis of the last PurgeQueue.
    #[serde(default)]
    pub last_purge_ms: Option<i64>,
}

/// The parsed `RedrivePolicy` of a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Redrive {
    pub dead_letter_arn: String,
    pub max_receive_count: u32,
}

impl Queue {
    fn num(&self, name: &str, default: i64) -> i64 {
        self.attributes.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    pub fn visibility_timeout(&self) -> i64 {
        self.num("VisibilityTimeout", 30)
    }

    pub fn delay_seconds(&self) -> i64 {
        self.num("DelaySeconds", 0)
    }

    pub fn max_message_size(&self) -> i64 {
        self.num("MaximumMessageSize", 1_048_576)
    }

    pub fn retention_seconds(&self) -> i64 {
        self.num("MessageRetentionPeriod", 345_600)
    }

    pub fn wait_seconds(&self) -> i64 {
        self.num("ReceiveMessageWaitTimeSeconds", 0)
    }

    pub fn content_based_dedup(&self) -> bool {
        self.attributes.get("ContentBasedDeduplication").is_some_and(|v| v == "true")
    }

    pub fn dedup_per_group(&self) -> bool {
        self.attributes.get("DeduplicationScope").is_some_and(|v| v == "messageGroup")
    }

    pub fn redrive(&self) -> Option<Redrive> {
        let v: Value = serde_json::from_str(self.attributes.get("RedrivePolicy")?).ok()?;
        let arn = v.get("deadLetterTargetArn")?.as_str()?.to_string();
        let max = match v.get("maxReceiveCount")? {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.parse().ok()?,
            _ => return None,
        };
        Some(Redrive { dead_letter_arn: arn, max_receive_count: u32::try_from(max).ok()? })
    }
}

/// One message and its delivery state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Message {
    pub id: String,
    pub body: String,
    /// `MessageAttributes` as sent (model-keyed).
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// `MessageSystemAttributes` as sent (AWSTraceHeader).
    #[serde(default)]
    pub system: Map<String, Value>,
    pub md5_body: String,
    pub md5_attributes: Option<String>,
    pub md5_system: Option<String>,
    pub sent_ms: i64,
    /// Hidden until then: delayed (never received) or in flight (received).
    pub visible_at_ms: i64,
    pub receive_count: u32,
    pub first_receive_ms: Option<i64>,
    /// The nonce in the receipt handle of the latest receive.
    pub receipt: Option<String>,
    pub group: Option<String>,
    pub dedup: Option<String>,
    pub sequence: Option<String>,
    pub sender: String,
    /// The queue a dead-letter queue's message came from.
    #[serde(default)]
    pub dlq_source: Option<String>,
}

/// Where a message stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Visible,
    Delayed,
    InFlight,
}

/// The fields of a message record that say where it stands, decoded
/// without the body and attributes (scans look at many in-flight messages
/// for each one they hand out).
#[derive(Debug, Clone, Deserialize)]
pub struct Timers {
    pub sent_ms: i64,
    pub visible_at_ms: i64,
    pub receive_count: u32,
    pub group: Option<String>,
}

fn state_at(visible_at_ms: i64, receive_count: u32, now_ms: i64) -> State {
    if visible_at_ms <= now_ms {
        State::Visible
    } else if receive_count == 0 {
        State::Delayed
    } else {
        State::InFlight
    }
}

fn expired_at(sent_ms: i64, retention_secs: i64, now_ms: i64) -> bool {
    sent_ms + retention_secs * 1000 <= now_ms
}

impl Message {
    pub fn state(&self, now_ms: i64) -> State {
        state_at(self.visible_at_ms, self.receive_count, now_ms)
    }

    pub fn expired(&self, retention_secs: i64, now_ms: i64) -> bool {
        expired_at(self.sent_ms, retention_secs, now_ms)
    }
}

impl Timers {
    pub fn state(&self, now_ms: i64) -> State {
        state_at(self.visible_at_ms, self.receive_count, now_ms)
    }

    pub fn expired(&self, retention_secs: i64, now_ms: i64) -> bool {
        expired_at(self.sent_ms, retention_secs, now_ms)
    }
}

pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

pub fn decode<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| AwsError::internal(format!("corrupt {what} record: {e}")))
}
