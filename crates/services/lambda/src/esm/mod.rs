//! Event source mappings: the API (`api`), their records in the store, the
//! filter language (`filter`), and the pollers that read SQS queues
//! (`sqs`) and DynamoDB streams (`streams`) and invoke functions
//! (`poller` supervises them).
//!
//! State: `lambda/esm/{uuid}` → `Mapping` (every account and region under
//! one prefix, so the supervisor finds them all after a restart) and
//! `lambda/esmpos/{uuid}/{shard}` → the last stream sequence number a
//! mapping finished with, so a restarted poller resumes after it.

pub mod api;
mod drive;
pub mod filter;
pub mod poller;
mod sqs;
mod streams;

pub use sqs::queue_url;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use stratus_core::input::Input;
use tokio::sync::Notify;

pub const PREFIX: &str = "lambda/esm/";
const POS_PREFIX: &str = "lambda/esmpos/";

/// One mapping as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mapping {
    pub account: String,
    pub region: String,
    /// The EventSourceMappingConfiguration as GetEventSourceMapping returns it.
    pub config: Value,
    /// Changes on every write; a running poller restarts when it does.
    pub revision: String,
}

impl Mapping {
    pub fn uuid(&self) -> &str {
        self.config.str("UUID").unwrap_or("")
    }

    pub fn source_arn(&self) -> &str {
        self.config.str("EventSourceArn").unwrap_or("")
    }

    pub fn function_arn(&self) -> &str {
        self.config.str("FunctionArn").unwrap_or("")
    }

    /// The parsed `FilterCriteria` patterns (checked when written).
    pub fn filters(&self) -> Vec<Value> {
        self.config
            .get("FilterCriteria")
            .map(|fc| fc.list("Filters"))
            .unwrap_or(&[])
            .iter()
            .filter_map(|f| f.str("Pattern").and_then(|p| filter::parse(p).ok()))
            .collect()
    }

    pub fn reports_item_failures(&self) -> bool {
        self.config.str_list("FunctionResponseTypes").iter().any(|t| t == "ReportBatchItemFailures")
    }

    pub fn int(&self, member: &str, default: i64) -> i64 {
        self.config.i64(member).unwrap_or(default)
    }
}

/// The kinds of event source Stratus polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Sqs { fifo: bool },
    DynamoDbStream,
}

/// The kind of source an ARN names, if Stratus can poll it.
pub fn source_of(arn: &str) -> Option<Source> {
    let a = stratus_core::arn::parse(arn)?;
    match a.service {
        "sqs" => Some(Source::Sqs { fifo: a.resource.ends_with(".fifo") }),
        "dynamodb" if a.resource.contains("/stream/") => Some(Source::DynamoDbStream),
        _ => None,
    }
}

pub fn key(uuid: &str) -> String {
    format!("{PREFIX}{uuid}")
}

pub fn position_prefix(uuid: &str) -> String {
    format!("{POS_PREFIX}{uuid}/")
}

pub fn position_key(uuid: &str, shard: &str) -> String {
    format!("{}{shard}", position_prefix(uuid))
}

/// The pollers that run, by mapping UUID.
#[derive(Default)]
pub struct Registry {
    /// Wakes the supervisor after a mapping was written.
    pub notify: Notify,
    pub running: Mutex<HashMap<String, Running>>,
}

pub struct Running {
    pub revision: String,
    pub handle: tokio::task::JoinHandle<()>,
}
