//! Server configuration: command-line flags and their `STRATUS_*`
//! environment variables, and the `--credentials` file.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(name = "stratus", version, about = "AWS's serverless stack, faithful to the wire, in one binary.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Print what a running server's health endpoint says.
    Status {
        #[arg(long, env = "STRATUS_HOST", default_value = "127.0.0.1")]
        host: String,
        #[arg(long, env = "STRATUS_PORT", default_value_t = 4566)]
        port: u16,
    },
}

/// How requests are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// Parse signatures (for account and region) but accept any key.
    Permissive,
    /// Verify every signature against the configured and issued keys.
    Strict,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "STRATUS_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "STRATUS_PORT", default_value_t = 4566)]
    pub port: u16,
    /// Where state is kept (default: $XDG_DATA_HOME/stratus or ~/.local/share/stratus).
    #[arg(long, env = "STRATUS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Keep all state in memory; nothing survives a restart.
    #[arg(long, env = "STRATUS_IN_MEMORY", default_value_t = false)]
    pub in_memory: bool,
    /// `permissive` accepts any access key; `strict` verifies signatures.
    #[arg(long, env = "STRATUS_AUTH", value_enum, default_value_t = AuthMode::Permissive)]
    pub auth: AuthMode,
    /// File of `ACCESS_KEY SECRET_KEY ACCOUNT_ID` lines.
    #[arg(long, env = "STRATUS_CREDENTIALS")]
    pub credentials: Option<PathBuf>,
    /// Log filter, e.g. `info` or `stratus=debug`.
    #[arg(long, env = "STRATUS_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Throttle PROVISIONED DynamoDB tables to their capacity, as AWS does.
    #[arg(long, env = "STRATUS_ENFORCE_CAPACITY", default_value_t = false)]
    pub enforce_capacity: bool,
    /// Account-level Lambda concurrency limit.
    #[arg(long, env = "STRATUS_LAMBDA_CONCURRENCY", default_value_t = 1000)]
    pub lambda_concurrency: u32,
    /// Seconds after DeleteQueue before a queue of the same name may be
    /// created again (AWS: 60; 0 turns the rule off for test suites).
    #[arg(long, env = "STRATUS_SQS_RECREATE_DELAY", default_value_t = 60)]
    pub sqs_recreate_delay: u64,
    /// Seconds between passes of the background reapers: DynamoDB TTL
    /// deletions and stream trimming, S3 lifecycle expiration, SQS expired
    /// messages and deduplication records (SQS: at most 60).
    #[arg(long, env = "STRATUS_REAPER_INTERVAL", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub reaper_interval: u64,
    /// Seconds an S3 RestoreObject of a GLACIER or DEEP_ARCHIVE object takes
    /// (AWS: minutes to hours); 0 completes restores at once.
    #[arg(long, env = "STRATUS_S3_RESTORE_SECONDS", default_value_t = 0)]
    pub s3_restore_seconds: u64,
}

impl ServeArgs {
    /// Settings for an in-memory server on an ephemeral loopback port.
    pub fn ephemeral() -> ServeArgs {
        ServeArgs {
            host: "127.0.0.1".into(),
            port: 0,
            data_dir: None,
            in_memory: true,
            auth: AuthMode::Permissive,
            credentials: None,
            log_level: "warn".into(),
            enforce_capacity: false,
            lambda_concurrency: 1000,
            sqs_recreate_delay: 60,
            reaper_interval: 30,
            s3_restore_seconds: 0,
        }
    }

    /// The data directory in effect.
    pub fn resolved_data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(xdg).join("stratus");
        }
        match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".local/share/stratus"),
            None => PathBuf::from(".stratus"),
        }
    }
}

/// One configured access key.
#[derive(Debug, Clone, PartialEq)]
pub struct StaticKey {
    pub access_key: String,
    pub secret_key: String,
    pub account_id: String,
}

/// The key every SDK example uses; maps to the default account.
pub fn default_keys() -> Vec<StaticKey> {
    vec![StaticKey {
        access_key: "test".into(),
        secret_key: "test".into(),
        account_id: stratus_core::DEFAULT_ACCOUNT_ID.into(),
    }]
}

/// Reads a credentials file: one `ACCESS_KEY SECRET_KEY ACCOUNT_ID` per
/// line, `#` starts a comment.
pub fn load_credentials(path: &Path) -> Result<Vec<StaticKey>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [access, secret, account] = parts.as_slice() else {
            return Err(format!("{}:{}: expected `ACCESS_KEY SECRET_KEY ACCOUNT_ID`", path.display(), n + 1));
        };
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("{}:{}: account id must be 12 digits", path.display(), n + 1));
        }
        keys.push(StaticKey {
            access_key: access.to_string(),
            secret_key: secret.to_string(),
            account_id: account.to_string(),
        });
    }
    Ok(keys)
}
