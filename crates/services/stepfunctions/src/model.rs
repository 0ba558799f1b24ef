//! The records Step Functions keeps in the store (state machines, their
//! versions, executions with their journaled position, history events,
//! activities) and their keys.

use crate::asl::Position;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use stratus_core::AwsError;

/// A state machine (or one published version of it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateMachine {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    pub definition: String,
    pub role_arn: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    pub creation_date: f64,
    pub logging: Value,
    pub tracing: Value,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    #[serde(default)]
    pub revision_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The last version number published (versions count from 1).
    #[serde(default)]
    pub versions: u64,
}

impl StateMachine {
    /// A record for a machine that is not stored as such (an execution
    /// resumed from its own record, a TestState run): only what running
    /// needs, no logging, tracing, tags or versions.
    pub fn unstored(
        name: &str,
        arn: &str,
        (account, region): (&str, &str),
        definition: &str,
        role_arn: &str,
        kind: &str,
        created: f64,
    ) -> StateMachine {
        StateMachine {
            name: name.to_string(),
            arn: arn.to_string(),
            account: account.to_string(),
            region: region.to_string(),
            definition: definition.to_string(),
            role_arn: role_arn.to_string(),
            kind: kind.to_string(),
            creation_date: created,
            logging: Value::Null,
            tracing: Value::Null,
            tags: Vec::new(),
            revision_id: None,
            description: None,
            versions: 0,
        }
    }

    pub fn is_express(&self) -> bool {
        self.kind == "EXPRESS"
    }
}

/// One execution of a Standard state machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Execution {
    pub arn: String,
    pub name: String,
    pub machine_arn: String,
    pub machine_name: String,
    pub account: String,
    pub region: String,
    pub status: String,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub start: f64,
    pub stop: Option<f64>,
    /// The definition the execution runs (as of its start).
    pub definition: String,
    pub role_arn: String,
    /// Where the top level stands while running (resumed after a restart).
    pub position: Option<Position>,
    /// How many history events are in the store.
    pub events: usize,
    /// The version and alias the execution was started through.
    #[serde(default)]
    pub version_arn: Option<String>,
    #[serde(default)]
    pub alias_arn: Option<String>,
    /// Redrives so far, and when the last one was.
    #[serde(default)]
    pub redrive_count: u64,
    #[serde(default)]
    pub redrive_date: Option<f64>,
    /// Where a redrive restarts: the top-level state that did not finish.
    #[serde(default)]
    pub redrive_from: Option<Position>,
}

/// An activity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Activity {
    pub name: String,
    pub arn: String,
    pub creation_date: f64,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
}

/// Store keys, per account and region.
pub struct Keys {
    base: String,
}

impl Keys {
    pub fn new(account: &str, region: &str) -> Keys {
        Keys { base: format!("sfn/{account}/{region}/") }
    }

    pub fn machine(&self, name: &str) -> String {
        format!("{}sm/{name}", self.base)
    }

    pub fn machines(&self) -> String {
        format!("{}sm/", self.base)
    }

    pub fn version(&self, name: &str, n: u64) -> String {
        format!("{}ver/{name}/{n:010}", self.base)
    }

    pub fn versions(&self, name: &str) -> String {
        format!("{}ver/{name}/", self.base)
    }

    pub fn execution(&self, machine: &str, name: &str) -> String {
        format!("{}ex/{machine}/{name}", self.base)
    }

    pub fn executions(&self, machine: &str) -> String {
        format!("{}ex/{machine}/", self.base)
    }

    pub fn event(&self, machine: &str, execution: &str, id: usize) -> String {
        format!("{}ev/{machine}/{execution}/{id:010}", self.base)
    }

    pub fn events(&self, machine: &str, execution: &str) -> String {
        format!("{}ev/{machine}/{execution}/", self.base)
    }

    pub fn alias(&self, machine: &str, name: &str) -> String {
        format!("{}alias/{machine}/{name}", self.base)
    }

    pub fn aliases(&self, machine: &str) -> String {
        format!("{}alias/{machine}/", self.base)
    }

    pub fn activity(&self, name: &str) -> String {
        format!("{}act/{name}", self.base)
    }

    /// The journaled branches and iterations of a running execution.
    pub fn threads(&self, machine: &str, execution: &str) -> String {
        format!("{}th/{machine}/{execution}/", self.base)
    }

    /// Map run records, keyed by their ARN after this prefix.
    pub fn map_runs(&self) -> String {
        format!("{}mr/", self.base)
    }

    pub fn activities(&self) -> String {
        format!("{}act/", self.base)
    }
}

/// Running Standard executions, across accounts, by ARN: what a restarted
/// server resumes.
pub const RUNNING: &str = "sfn-running/";

pub fn running_key(execution_arn: &str) -> String {
    format!("{RUNNING}{execution_arn}")
}

/// Reads a record; a corrupt one is Stratus's failure, not the caller's.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| AwsError::internal(format!("corrupt Step Functions record: {e}")))
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}
