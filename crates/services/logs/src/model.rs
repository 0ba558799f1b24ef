//! The records CloudWatch Logs keeps in the store (groups, streams, events,
//! metric and subscription filters) and their JSON (de)serialisation.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use stratus_core::AwsError;

use crate::error::corrupt;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub name: String,
    pub creation_time: i64,
    #[serde(default)]
    pub retention_in_days: Option<i64>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    pub log_group_class: String,
    #[serde(default)]
    pub deletion_protection_enabled: bool,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub metric_filter_count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stream {
    pub name: String,
    /// Random per-stream number, part of event ids and tokens.
    pub id: u64,
    pub creation_time: i64,
    #[serde(default)]
    pub first_event_timestamp: Option<i64>,
    #[serde(default)]
    pub last_event_timestamp: Option<i64>,
    #[serde(default)]
    pub last_ingestion_time: Option<i64>,
    /// Bytes of the stream's events (AWS reports 0 for streams; it feeds
    /// the group's `storedBytes`).
    #[serde(default)]
    pub stored_bytes: i64,
    /// The sequence number the next event gets.
    pub next_seq: u64,
    #[serde(default)]
    pub upload_sequence_token: Option<String>,
}

/// One stored event (the timestamp and sequence number are in its key).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "m")]
    pub message: String,
    #[serde(rename = "i")]
    pub ingestion_time: i64,
}

impl Event {
    /// Bytes an event counts for: its UTF-8 message plus AWS's 26 bytes.
    pub fn size(message: &str) -> i64 {
        message.len() as i64 + 26
    }
}

/// A metric or subscription filter: its fields as the API shows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilterRecord {
    pub group: String,
    pub name: String,
    pub pattern: String,
    /// The output shape (`MetricFilter` / `SubscriptionFilter`).
    pub view: Value,
}

pub fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| corrupt(what, e))
}

pub fn encode<T: Serialize>(what: &str, value: &T) -> Result<Vec<u8>, AwsError> {
    serde_json::to_vec(value).map_err(|e| corrupt(what, e))
}
