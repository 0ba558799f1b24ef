//! The records SNS keeps: topics and subscriptions, as serde JSON in the
//! store, plus the helpers to read and write them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use stratus_core::AwsError;

/// One tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value")]
    pub value: String,
}

/// A topic: its identity and the attributes callers set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Topic {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    /// Settable attributes (DisplayName, Policy, DeliveryPolicy, FifoTopic, ...).
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub data_protection_policy: Option<String>,
}

impl Topic {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn is_fifo(&self) -> bool {
        self.attr("FifoTopic").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub fn content_dedup(&self) -> bool {
        self.attr("ContentBasedDeduplication").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `"2"` when the topic signs with SHA256withRSA, else `"1"`.
    pub fn signature_version(&self) -> &str {
        match self.attr("SignatureVersion") {
            Some("2") => "2",
            _ => "1",
        }
    }
}

/// A subscription of one endpoint to one topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subscription {
    pub arn: String,
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: String,
    pub owner: String,
    /// Settable attributes (RawMessageDelivery, FilterPolicy, ...).
    pub attributes: BTreeMap<String, String>,
    pub pending: bool,
    /// Whether the confirmation came from an authenticated call.
    pub authenticated: bool,
}

impl Subscription {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn raw(&self) -> bool {
        self.attr("RawMessageDelivery").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The id after the topic ARN.
    pub fn id(&self) -> &str {
        self.arn.rsplit(':').next().unwrap_or("")
    }
}

/// A confirmation token waiting for ConfirmSubscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingToken {
    pub subscription_arn: String,
    pub topic_arn: String,
    pub account: String,
    pub region: String,
}

/// Reads a record; a corrupt one is Stratus's failure, not the caller's.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| AwsError::internal(format!("corrupt SNS record: {e}")))
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}
