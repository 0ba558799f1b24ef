//! Lambda's memory limit over the whole process tree: memory held by
//! processes a handler spawns (children, and children that outlived their
//! parent) counts against MemorySize and towards REPORT's Max Memory Used.

use crate::common;
use crate::functions::{client, exclusive, invoke, zip_of};

use aws_sdk_lambda::Client;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use serde_json::json;

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

/// Spawns a Python process holding `mb` MB for `hold` seconds: as a child
/// it waits for, or (`orphan`) through a shell that exits at once, leaving
/// it re-parented but still in the environment's process group.
const SPAWNER: &str = r#"
import os, subprocess, sys, time
HOG = "import time; x = bytes(range(256)) * (%d << 12); time.sleep(%s)"
def handler(event, context):
    mode, mb, hold = event.get("mode"), event.get("mb", 0), event.get("hold", 1)
    if mode == "child":
        subprocess.run([sys.executable, "-S", "-c", HOG % (mb, hold)])
    elif mode == "orphan":
        subprocess.run(["sh", "-c", "'%s' -S -c '%s' &" % (sys.executable, HOG % (mb, hold))])
        time.sleep(hold)
    return {"pid": os.getpid()}
"#;

async fn create(c: &Client, name: &str) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::from("python3.11"))
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", SPAWNER, 0o644)]))).build())
        .timeout(15)
        .memory_size(128)
        .send()
        .await
        .expect("create function");
}

/// The `Max Memory Used` of a REPORT line, in MB.
fn max_memory_used(log: &str) -> u64 {
    log.split("Max Memory Used: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no Max Memory Used in {log}"))
}

#[tokio::test]
async fn memory_of_spawned_processes_counts_against_the_limit() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    create(&c, "spawner").await;

    // A child under the limit: it counts towards Max Memory Used.
    let ok = invoke(&c, "spawner", None, json!({"mode": "child", "mb": 64, "hold": 1})).await;
    assert_eq!(ok.function_error, None, "{} {}", ok.payload, ok.log);
    assert!(max_memory_used(&ok.log) >= 64, "{}", ok.log);

    // A child past the limit: AWS's out-of-memory error; the next invocation works.
    let m = invoke(&c, "spawner", None, json!({"mode": "child", "mb": 300, "hold": 10})).await;
    assert_eq!(m.function_error.as_deref(), Some("Unhandled"), "{}", m.payload);
    assert_eq!(m.payload["errorType"], "Runtime.OutOfMemory", "{}", m.payload);
    assert!(m.log.contains("Max Memory Used: 128 MB"), "{}", m.log);
    let next = invoke(&c, "spawner", None, json!({})).await;
    assert_eq!(next.function_error, None, "{}", next.payload);

    // A process left behind by a shell that exited is still the function's.
    let o = invoke(&c, "spawner", None, json!({"mode": "orphan", "mb": 300, "hold": 10})).await;
    assert_eq!(o.function_error.as_deref(), Some("Unhandled"), "{}", o.payload);
    assert_eq!(o.payload["errorType"], "Runtime.OutOfMemory", "{}", o.payload);
    let next = invoke(&c, "spawner", None, json!({})).await;
    assert_eq!(next.function_error, None, "{}", next.payload);
}
