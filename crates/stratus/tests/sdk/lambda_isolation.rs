//! Lambda execution-environment isolation: where the OS allows, each
//! environment has its own cgroup (memory limit, CPU weight proportional to
//! memory) and a size-limited tmpfs as TMPDIR; elsewhere Stratus degrades
//! to sampling memory and a plain directory. The health endpoint says which
//! applies here, and each test asserts the behaviour that report promises.

use crate::common;
use crate::functions::{client, exclusive, invoke, zip_of};

use aws_sdk_lambda::Client;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{EphemeralStorage, FunctionCode, Runtime};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

const HANDLER: &str = r#"
import os
def handler(event, context):
    action = event.get("action")
    if action == "hog":
        x = bytes(range(256)) * (event["mb"] << 12)
        return {"len": len(x)}
    if action == "cgroup":
        return {"cgroup": open("/proc/self/cgroup").read()}
    if action == "fill":
        path = os.path.join(os.environ["TMPDIR"], "fill")
        chunk, written, err = b"\0" * (1 << 20), 0, 0
        try:
            with open(path, "wb", buffering=0) as f:
                for _ in range(event["mb"]):
                    f.write(chunk)
                    written += 1
        except OSError as e:
            err = e.errno
        os.remove(path)
        return {"written": written, "errno": err}
    return {"ok": True}
"#;

async fn create(c: &Client, name: &str) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::from("python3.11"))
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", HANDLER, 0o644)]))).build())
        .timeout(30)
        .memory_size(128)
        .ephemeral_storage(EphemeralStorage::builder().size(512).build().expect("storage"))
        .send()
        .await
        .expect("create function");
}

/// The `isolation` part of `GET /_stratus/health`.
async fn isolation(endpoint: &str) -> Value {
    let addr = endpoint.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET /_stratus/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    let (_, body) = out.split_once("\r\n\r\n").expect("response");
    let health: Value = serde_json::from_str(body).expect("json");
    health["isolation"].clone()
}

/// A server, its isolation report and a client, with function `name` created.
async fn with_function(name: &str) -> (stratus::server::Server, Value, Client) {
    let server = common::server().await;
    let iso = isolation(&server.endpoint()).await;
    let c = client(&server).await;
    create(&c, name).await;
    (server, iso, c)
}

fn enforced(iso: &Value, feature: &str) -> bool {
    iso[feature]["status"] == "enforced"
}

async fn gone(dirs: &[PathBuf]) -> bool {
    for _ in 0..200 {
        if dirs.iter().all(|d| !d.exists()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).trim().to_string()
}

#[tokio::test]
async fn health_reports_each_isolation_feature() {
    let server = common::server().await;
    let iso = isolation(&server.endpoint()).await;
    for feature in ["memory_limit", "cpu_weight", "tmp_size_limit", "layers_at_opt"] {
        let f = &iso[feature];
        assert!(f["status"] == "enforced" || f["status"] == "degraded", "{iso:#}");
        assert!(f["mechanism"].as_str().is_some_and(|m| !m.is_empty()), "{iso:#}");
        assert!(f["detail"].as_str().is_some_and(|d| !d.is_empty()), "{iso:#}");
    }
    // The memory limit and CPU weight come from the same cgroups, or neither.
    assert_eq!(enforced(&iso, "memory_limit"), enforced(&iso, "cpu_weight"), "{iso:#}");
    if enforced(&iso, "memory_limit") {
        assert!(iso["memory_limit"]["mechanism"].as_str().is_some_and(|m| m.starts_with("cgroup v")), "{iso:#}");
        assert!(iso["cgroups"]["memory_parent"].is_string(), "{iso:#}");
    } else {
        assert_eq!(iso["memory_limit"]["mechanism"], "rss-sampling", "{iso:#}");
        assert!(iso["cgroups"].is_null(), "{iso:#}");
    }
    if !enforced(&iso, "tmp_size_limit") {
        assert_eq!(iso["tmp_size_limit"]["mechanism"], "plain-directory", "{iso:#}");
    }
    assert!(iso["environments_degraded"].is_u64(), "{iso:#}");
    // What the OS offers is still listed.
    assert!(iso["os"].is_string() && iso["user_namespaces"].is_boolean(), "{iso:#}");
}

#[tokio::test]
async fn past_memory_size_is_out_of_memory_and_the_next_invocation_works() {
    let _one = exclusive().await;
    let (_server, _, c) = with_function("iso-hog").await;
    let m = invoke(&c, "iso-hog", None, json!({"action": "hog", "mb": 400})).await;
    assert_eq!(m.function_error.as_deref(), Some("Unhandled"), "{} {}", m.payload, m.log);
    assert_eq!(m.payload["errorType"], "Runtime.OutOfMemory", "{}", m.payload);
    assert!(m.log.contains("Max Memory Used: 128 MB"), "{}", m.log);
    let next = invoke(&c, "iso-hog", None, json!({})).await;
    assert_eq!(next.function_error, None, "{}", next.payload);
    assert_eq!(next.payload["ok"], true);
}

/// The environment's cgroup name: the last part of the path of its memory
/// hierarchy (v1) or of its unified one (v2), from `/proc/self/cgroup`.
fn env_cgroup(text: &str, version: &str) -> String {
    let line = text.lines().find(|l| {
        let mut parts = l.splitn(3, ':');
        let controllers = parts.nth(1).unwrap_or("");
        if version == "v1" { controllers.split(',').any(|c| c == "memory") } else { controllers.is_empty() }
    });
    let path = line.and_then(|l| l.splitn(3, ':').nth(2)).unwrap_or_else(|| panic!("no cgroup in {text}"));
    path.rsplit('/').next().unwrap_or("").to_string()
}

#[tokio::test]
async fn an_environment_cgroup_has_its_limit_and_weight_and_goes_with_it() {
    let _one = exclusive().await;
    let (_server, iso, c) = with_function("iso-cgroup").await;
    let r = invoke(&c, "iso-cgroup", None, json!({"action": "cgroup"})).await;
    assert_eq!(r.function_error, None, "{}", r.payload);
    let text = r.payload["cgroup"].as_str().unwrap_or_default().to_string();
    if !enforced(&iso, "memory_limit") {
        assert!(!text.contains("stratus-"), "degraded, yet in a Stratus cgroup: {text}");
        return;
    }
    let cg = &iso["cgroups"];
    let version = cg["version"].as_str().unwrap_or_default();
    let name = env_cgroup(&text, version);
    assert!(name.starts_with("env-"), "{text}");
    let memory = Path::new(cg["memory_parent"].as_str().unwrap_or_default()).join(&name);
    let cpu = Path::new(cg["cpu_parent"].as_str().unwrap_or_default()).join(&name);
    // MemorySize, plus EphemeralStorage when /tmp is a tmpfs (its pages are memory).
    let tmp_mb = if enforced(&iso, "tmp_size_limit") { 512 } else { 0 };
    let limit = ((128u64 + tmp_mb) << 20).to_string();
    if version == "v1" {
        assert_eq!(read(&memory.join("memory.limit_in_bytes")), limit);
        assert_eq!(read(&cpu.join("cpu.shares")), "74", "128 MB of 1,769 per vCPU");
    } else {
        assert_eq!(read(&memory.join("memory.max")), limit);
        assert_eq!(read(&cpu.join("cpu.weight")), "7", "128 MB of 1,769 per vCPU");
    }
    c.delete_function().function_name("iso-cgroup").send().await.expect("delete");
    assert!(gone(&[memory.clone(), cpu.clone()]).await, "{} left behind", memory.display());
}

#[tokio::test]
async fn writing_past_ephemeral_storage_fails_with_enospc_where_enforced() {
    let _one = exclusive().await;
    let (_server, iso, c) = with_function("iso-tmp").await;
    if enforced(&iso, "tmp_size_limit") {
        let r = invoke(&c, "iso-tmp", None, json!({"action": "fill", "mb": 600})).await;
        assert_eq!(r.function_error, None, "{} {}", r.payload, r.log);
        assert_eq!(r.payload["errno"], 28, "ENOSPC: {}", r.payload);
        let written = r.payload["written"].as_u64().unwrap_or(0);
        assert!((500..=512).contains(&written), "{}", r.payload);
    } else {
        // A plain directory: no limit to hit (a small write shows it works).
        let r = invoke(&c, "iso-tmp", None, json!({"action": "fill", "mb": 8})).await;
        assert_eq!(r.payload, json!({"written": 8, "errno": 0}));
    }
    let next = invoke(&c, "iso-tmp", None, json!({})).await;
    assert_eq!(next.function_error, None, "{}", next.payload);
    c.delete_function().function_name("iso-tmp").send().await.expect("delete");
}
