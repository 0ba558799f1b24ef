//! A Lambda function on the official Rust runtime client (`lambda_runtime`),
//! used by Stratus's tests and benchmarks: echoes the event with the
//! context it got, fails on `{"fail": ...}`, sleeps on `{"sleep_ms": n}`.
//!
//! It runs on tokio's current-thread runtime: an environment handles one
//! event at a time, and the default multi-thread runtime hands each event
//! between worker threads (on a 2-core machine shared with the server that
//! cost 180–700 µs per invocation, more than everything else together).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, ctx) = event.into_parts();
    if let Some(f) = payload.get("fail") {
        return Err(format!("rust boom: {f}").into());
    }
    if let Some(ms) = payload.get("sleep_ms").and_then(Value::as_u64) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if payload.get("quiet").is_none() {
        println!("hello from rust");
    }
    Ok(json!({
        "event": payload,
        "request_id": ctx.request_id,
        "arn": ctx.invoked_function_arn,
        "deadline": ctx.deadline,
        "function_name": ctx.env_config.function_name,
        "memory": ctx.env_config.memory,
        "version": ctx.env_config.version,
        "log_stream": ctx.env_config.log_stream,
    }))
}
