//! Lambda's four real clients through the AWS SDK for Rust: a Rust function
//! on the official `lambda_runtime` crate, a Python function through
//! Stratus's bootstrap, the same Python through the official `awslambdaric`
//! as a `provided.al2023` runtime, and a Node function through Stratus's
//! bootstrap. Each is checked for the echoed event, its context (request
//! id, name, ARN, memory, remaining time, log group and stream), a handler
//! error as its runtime shapes it, and the tail log; the same matrix as
//! tests/compat/test_lambda_clients.py runs for boto3 and the aws CLI.

use crate::common;
use crate::functions::{Invoked, client, exclusive, invoke_with_request_id, rust_echo_binary, zip_bytes};

use aws_sdk_lambda::Client;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use serde_json::{Value, json};
use stratus::server::Server;

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";
const MEMORY: i32 = 256;
const TIMEOUT: i32 = 9;

/// The echo functions, shared with the boto3 / aws CLI matrix.
const PY_APP: &str = include_str!("../../../../tests/compat/functions/echo.py");
const NODE_APP: &str = include_str!("../../../../tests/compat/functions/echo.js");

/// What lambda_runtime 1.x names a boxed handler error.
const RUST_ERROR_TYPE: &str = "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>";

/// One of the four functions: how to package it and what it answers.
struct Function {
    key: &'static str,
    runtime: &'static str,
    handler: &'static str,
    package: fn() -> Vec<u8>,
    /// How the context reports MEMORY (a number in Rust, a string in Python and Node).
    memory: fn() -> Value,
    /// The line the handler prints for `event`.
    printed: fn(&Value) -> String,
    /// The error payload's fixed fields for `{"fail": n}` and the request id.
    error: fn(i64, &str) -> Value,
    /// A line the runtime logs for that error.
    error_log: Option<fn(i64) -> String>,
    /// The error payload's stack field.
    error_list: Option<&'static str>,
}

fn rust_package() -> Vec<u8> {
    let code = std::fs::read(rust_echo_binary()).expect("rust-echo binary");
    zip_bytes(&[("bootstrap", &code, 0o755)])
}

fn python_package() -> Vec<u8> {
    zip_bytes(&[("app.py", PY_APP.as_bytes(), 0o644)])
}

/// The Python interpreter that has awslambdaric: the compatibility suite's
/// venv (tests/compat/requirements.txt), else `python3` on PATH.
fn ric_python() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var("STRATUS_VENV").map(|v| root.join(v)).unwrap_or_else(|_| root.join(".venv"));
    let python = venv.join("bin/python3");
    if python.is_file() { python.to_string_lossy().into_owned() } else { "python3".into() }
}

fn ric_package() -> Vec<u8> {
    let bootstrap = format!("#!/bin/sh\nexec {} -m awslambdaric \"$_HANDLER\"\n", ric_python());
    zip_bytes(&[("bootstrap", bootstrap.as_bytes(), 0o755), ("app.py", PY_APP.as_bytes(), 0o644)])
}

fn node_package() -> Vec<u8> {
    zip_bytes(&[("index.js", NODE_APP.as_bytes(), 0o644)])
}

/// Python's `json.dumps(event, sort_keys=True)` for the small events used here.
fn python_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<_> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{}: {}", json!(k), python_json(&m[*k]))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(python_json).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn python_error(n: i64, rid: &str) -> Value {
    json!({"errorType": "KeyError", "errorMessage": format!("'missing {n}'"), "requestId": rid})
}

fn python_error_log(n: i64) -> String {
    format!("[ERROR] KeyError: 'missing {n}'")
}

fn memory_string() -> Value {
    json!(MEMORY.to_string())
}

const RUST: Function = Function {
    key: "rust",
    runtime: "provided.al2023",
    handler: "bootstrap",
    package: rust_package,
    memory: || json!(MEMORY),
    printed: |_| "hello from rust".into(),
    error: |n, _| json!({"errorType": RUST_ERROR_TYPE, "errorMessage": format!("rust boom: {n}")}),
    error_log: None,
    error_list: None,
};

const PYTHON: Function = Function {
    key: "python",
    runtime: "python3.12",
    handler: "app.handler",
    package: python_package,
    memory: memory_string,
    printed: |e| format!("python says {}", python_json(e)),
    error: python_error,
    error_log: Some(python_error_log),
    error_list: Some("stackTrace"),
};

const AWSLAMBDARIC: Function = Function {
    key: "awslambdaric",
    runtime: "provided.al2023",
    handler: "app.handler",
    package: ric_package,
    ..PYTHON
};

const NODE: Function = Function {
    key: "node",
    runtime: "nodejs20.x",
    handler: "index.handler",
    package: node_package,
    memory: memory_string,
    printed: |e| format!("\tINFO\tnode says {e}"),
    error: |n, _| json!({"errorType": "TypeError", "errorMessage": format!("node boom {n}")}),
    error_log: Some(|_| "\tERROR\tInvoke Error \t".into()),
    error_list: Some("trace"),
};

async fn create(c: &Client, name: &str, f: &Function) {
    let zip = tokio::task::spawn_blocking(f.package).await.expect("package");
    c.create_function()
        .function_name(name)
        .runtime(Runtime::from(f.runtime))
        .role(ROLE)
        .handler(f.handler)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .memory_size(MEMORY)
        .timeout(TIMEOUT)
        .send()
        .await
        .expect("create function");
}

/// An invocation with its request id and the time its answer arrived.
struct Call {
    inv: Invoked,
    request_id: String,
    received_ms: i64,
}

async fn call(c: &Client, name: &str, event: Value) -> Call {
    let (inv, request_id) = invoke_with_request_id(c, name, None, event).await;
    let received_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    Call { inv, request_id: request_id.expect("x-amzn-RequestId"), received_ms }
}

/// START, END and REPORT for the call's request id, and (if given) a line
/// of the function's own; `in_order`: between START and END.
fn check_log(call: &Call, line: Option<&str>, in_order: bool) {
    let (rid, log) = (&call.request_id, &call.inv.log);
    let start = format!("START RequestId: {rid} Version: $LATEST");
    let end = format!("END RequestId: {rid}");
    let lines: Vec<&str> = log.lines().collect();
    let (s, e) = (lines.iter().position(|l| *l == start), lines.iter().position(|l| *l == end));
    assert!(s.is_some() && e.is_some(), "{log}");
    let report = format!("REPORT RequestId: {rid}\tDuration: ");
    let report_line = lines.iter().find(|l| l.starts_with(&report)).unwrap_or_else(|| panic!("{log}"));
    assert!(report_line.contains(&format!("\tMemory Size: {MEMORY} MB\tMax Memory Used: ")), "{log}");
    if let Some(line) = line {
        let span = if in_order { &lines[s.unwrap_or(0) + 1..e.unwrap_or(0)] } else { &lines[..] };
        assert!(span.iter().any(|l| l.contains(line)), "{line:?} not in\n{log}");
    }
}

/// The echoed event and the context the handler saw.
fn check_context(call: &Call, name: &str, event: &Value, f: &Function) {
    let (inv, rid) = (&call.inv, &call.request_id);
    assert_eq!(inv.status, 200);
    assert_eq!(inv.function_error, None, "{}", inv.payload);
    assert_eq!(inv.version.as_deref(), Some("$LATEST"));
    let ctx = &inv.payload;
    assert_eq!(&ctx["event"], event);
    assert_eq!(rid.len(), 36, "{rid}");
    assert_eq!(ctx["request_id"], json!(rid));
    assert_eq!(ctx["function_name"], name);
    assert_eq!(ctx["arn"], format!("arn:aws:lambda:us-east-1:000000000000:function:{name}"));
    assert_eq!(ctx["memory"], (f.memory)());
    assert_eq!(ctx["version"], "$LATEST");
    // lambda_runtime gives the deadline; the others the remaining time.
    let remaining = ctx["remaining"].as_i64().or_else(|| ctx["deadline"].as_i64().map(|d| d - call.received_ms));
    assert!(remaining.is_some_and(|r| r > 0 && r <= i64::from(TIMEOUT) * 1000), "{ctx}");
    if let Some(group) = ctx.get("log_group") {
        assert_eq!(group, &json!(format!("/aws/lambda/{name}")));
    }
    let stream = ctx["log_stream"].as_str().unwrap_or("");
    let (date, rest) = stream.split_at(stream.len().min(11));
    assert!(date.len() == 11 && date.chars().filter(|c| *c == '/').count() == 3, "{stream}");
    let hex = rest.strip_prefix("[$LATEST]").unwrap_or("");
    assert!(hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()), "{stream}");
}

/// The context's log stream shows up in the function's log group.
async fn check_stream_in_cloudwatch(server: &Server, name: &str, stream: &str) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&common::sdk_config(server).await);
    let group = format!("/aws/lambda/{name}");
    for _ in 0..100 {
        let found = logs
            .describe_log_streams()
            .log_group_name(&group)
            .send()
            .await
            .ok()
            .is_some_and(|o| o.log_streams().iter().any(|s| s.log_stream_name() == Some(stream)));
        if found {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("stream {stream} never appeared in {group}");
}

/// The whole matrix row for `f`: a warm echo, a handler error, recovery.
async fn exercise(f: &Function) {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    let name = format!("clients-{}", f.key);
    create(&c, &name, f).await;
    call(&c, &name, json!({"warm": true})).await;

    let event = json!({"client": "sdk-rust", "n": [1, 2], "s": "x"});
    let ok = call(&c, &name, event.clone()).await;
    check_context(&ok, &name, &event, f);
    check_log(&ok, Some(&(f.printed)(&event)), false);
    check_stream_in_cloudwatch(&server, &name, ok.inv.payload["log_stream"].as_str().unwrap_or("")).await;

    let err = call(&c, &name, json!({"fail": 7})).await;
    assert_eq!(err.inv.status, 200);
    assert_eq!(err.inv.function_error.as_deref(), Some("Unhandled"));
    let want = (f.error)(7, &err.request_id);
    let fields = want.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let got: serde_json::Map<String, Value> =
        fields.iter().map(|k| (k.clone(), err.inv.payload.get(k).cloned().unwrap_or(Value::Null))).collect();
    assert_eq!(Value::Object(got), want, "{}", err.inv.payload);
    match f.error_list {
        Some(list) => assert!(err.inv.payload[list].as_array().is_some_and(|a| !a.is_empty()), "{}", err.inv.payload),
        None => assert_eq!(err.inv.payload.as_object().map(|m| m.len()), Some(fields.len()), "{}", err.inv.payload),
    }
    check_log(&err, f.error_log.map(|l| l(7)).as_deref(), false);

    let after = call(&c, &name, json!({"after": "error"})).await;
    check_context(&after, &name, &json!({"after": "error"}), f);
}

#[tokio::test]
async fn rust_lambda_runtime_function_through_the_sdk() {
    exercise(&RUST).await;
}

#[tokio::test]
async fn python_function_on_stratus_bootstrap_through_the_sdk() {
    exercise(&PYTHON).await;
}

#[tokio::test]
async fn python_function_on_awslambdaric_through_the_sdk() {
    exercise(&AWSLAMBDARIC).await;
}

#[tokio::test]
async fn node_function_on_stratus_bootstrap_through_the_sdk() {
    exercise(&NODE).await;
}

#[tokio::test]
async fn cold_start_logs_the_handlers_output_after_start() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    create(&c, "cold-rust", &RUST).await;
    let cold = call(&c, "cold-rust", json!({"cold": 1})).await;
    assert!(cold.inv.log.contains("Init Duration: "), "{}", cold.inv.log);
    check_log(&cold, Some("hello from rust"), true);
}
