//! Helpers shared by the Lambda tests: function packages, a client that does
//! not retry, invocations with their tail logs, and the lock that keeps
//! process-heavy tests from running at once.

use crate::common;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::LogType;
use base64::Engine;
use serde_json::Value;
use std::io::Write;

/// Tests that start many processes run one at a time, so one's load
/// cannot push another's functions past their timeouts.
static PROCESSES: std::sync::OnceLock<tokio::sync::Mutex<()>> = std::sync::OnceLock::new();

pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    PROCESSES.get_or_init(|| tokio::sync::Mutex::new(())).lock().await
}

/// A zip of `(name, content, unix mode)` entries.
pub fn zip_bytes(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content, mode) in files {
        let opts = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(content).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// A zip holding one file of `len` zero bytes (small once deflated).
pub fn zip_of_zeros(name: &str, len: u64) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().large_file(len > u32::MAX as u64);
    w.start_file(name, opts).expect("zip entry");
    let chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..n]).expect("zip write");
        left -= n as u64;
    }
    w.finish().expect("zip finish").into_inner()
}

/// A zip of text files, each with the given mode.
pub fn zip_of(files: &[(&str, &str, u32)]) -> Vec<u8> {
    let files: Vec<(&str, &[u8], u32)> = files.iter().map(|(n, c, m)| (*n, c.as_bytes(), *m)).collect();
    zip_bytes(&files)
}

/// A Lambda client that does not retry, so throttles reach the test as AWS sends them.
pub async fn client(server: &stratus::server::Server) -> Client {
    let conf = aws_sdk_lambda::config::Builder::from(&common::sdk_config(server).await)
        .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}

/// What a synchronous invocation returned.
pub struct Invoked {
    pub status: i32,
    pub payload: Value,
    pub function_error: Option<String>,
    pub log: String,
    pub version: Option<String>,
}

/// Invokes synchronously with `LogType::Tail` and decodes the answer.
pub async fn invoke(c: &Client, name: &str, qualifier: Option<&str>, event: Value) -> Invoked {
    invoke_with_request_id(c, name, qualifier, event).await.0
}

/// `invoke`, also giving the response's request id (`x-amzn-RequestId`).
pub async fn invoke_with_request_id(
    c: &Client,
    name: &str,
    qualifier: Option<&str>,
    event: Value,
) -> (Invoked, Option<String>) {
    use aws_sdk_lambda::operation::RequestId;
    let out = c
        .invoke()
        .function_name(name)
        .set_qualifier(qualifier.map(str::to_string))
        .payload(Blob::new(event.to_string()))
        .log_type(LogType::Tail)
        .send()
        .await
        .expect("invoke");
    let payload =
        out.payload().map(|b| serde_json::from_slice(b.as_ref()).unwrap_or(Value::Null)).unwrap_or(Value::Null);
    let log = out
        .log_result()
        .map(|l| String::from_utf8(base64::engine::general_purpose::STANDARD.decode(l).expect("b64")).expect("utf8"))
        .unwrap_or_default();
    let invoked = Invoked {
        status: out.status_code(),
        payload,
        function_error: out.function_error().map(str::to_string),
        log,
        version: out.executed_version().map(str::to_string),
    };
    (invoked, out.request_id().map(str::to_string))
}

/// Builds tests/functions/rust-echo (the official `lambda_runtime` client)
/// into its own target directory and returns the binary.
pub fn rust_echo_binary() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = root.join("target/functions");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "-q", "-p", "stratus-fn-rust-echo", "--target-dir"])
        .arg(&target)
        .current_dir(&root)
        .status()
        .expect("run cargo");
    assert!(status.success(), "building the rust-echo function failed");
    target.join("release/rust-echo")
}
