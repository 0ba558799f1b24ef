//! Server-wide settings that services read: where the server can be reached
//! (functions get it as `AWS_ENDPOINT_URL`), where state lives, and the
//! switches of behaviours AWS makes optional for an emulator.

use crate::Peers;
use std::path::PathBuf;

/// What every service may need to know about the server it runs in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `http://127.0.0.1:4566`: the address clients (and functions) reach Stratus at.
    pub endpoint: String,
    /// The data directory; None with `--in-memory`.
    pub data_dir: Option<PathBuf>,
    /// Throttle PROVISIONED DynamoDB tables with token buckets (`--enforce-capacity`).
    pub enforce_capacity: bool,
    /// Account-level Lambda concurrency limit (`--lambda-concurrency`, AWS's default 1,000).
    pub lambda_concurrency: u32,
    /// Seconds after DeleteQueue before SQS lets a queue of the same name be
    /// created again (`--sqs-recreate-delay`; AWS: 60; 0 turns the rule off).
    pub sqs_recreate_delay_secs: u64,
    /// How often background reapers (TTL, retention) run, in seconds.
    pub reaper_interval_secs: u64,
    /// Every service of the server, for calls from one service to another.
    pub peers: Peers,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            endpoint: "http://127.0.0.1:4566".into(),
            data_dir: None,
            enforce_capacity: false,
            lambda_concurrency: 1000,
            sqs_recreate_delay_secs: 60,
            reaper_interval_secs: 30,
            peers: Peers::default(),
        }
    }
}
