//! Lambda SnapStart through the AWS SDK for Rust: the configuration rules
//! (runtimes, OptimizationStatus On only on published versions), versions
//! going Pending → Active while their snapshot is prepared, and Python
//! versions restored from a fork server: module init runs once, every
//! environment gets its own process and runs the after-restore hooks, the
//! REPORT line carries Restore Duration, timeouts still kill, $LATEST still
//! cold starts, and a dead fork server means a logged cold start.

use crate::common;
use crate::functions::{Invoked, client, exclusive, invoke, zip_of};

use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime, SnapStart, SnapStartApplyOn, State};
use serde_json::{Value, json};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

const APP: &str = r#"
import os, time
from snapshot_restore_py import register_before_snapshot, register_after_restore
IMPORTED = {"at": time.time(), "pid": os.getpid()}
HOOKS = []

@register_before_snapshot
def before():
    HOOKS.append("before:" + str(os.getpid()))

@register_after_restore
def after():
    HOOKS.append("after:" + str(os.getpid()))

def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    print("handled in", os.getpid())
    return {"imported": IMPORTED, "pid": os.getpid(), "hooks": HOOKS, "version": context.function_version,
            "init_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"),
            "runtime_api": os.environ.get("AWS_LAMBDA_RUNTIME_API"),
            "log_stream": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
            "tmp": os.environ.get("TMPDIR")}
"#;

fn snapstart() -> SnapStart {
    SnapStart::builder().apply_on(SnapStartApplyOn::PublishedVersions).build()
}

async fn create(c: &Client, name: &str, runtime: &str, timeout: i32) -> Result<(), String> {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::from(runtime))
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", APP, 0o644)]))).build())
        .timeout(timeout)
        .snap_start(snapstart())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| e.message().unwrap_or("").to_string())
}

/// Publishes a version and waits for it to leave Pending; returns its number.
async fn publish_active(c: &Client, name: &str) -> String {
    let out = c.publish_version().function_name(name).send().await.expect("publish");
    assert_eq!(out.state(), Some(&State::Pending));
    let v = out.version().expect("version").to_string();
    for _ in 0..400 {
        let cfg = c.get_function_configuration().function_name(name).qualifier(&v).send().await.expect("get");
        if cfg.state() != Some(&State::Pending) {
            assert_eq!(cfg.state(), Some(&State::Active), "{cfg:?}");
            return v;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("version {v} stayed Pending");
}

/// `n` invocations at once, so each needs its own environment.
async fn concurrently(c: &Client, name: &str, qualifier: &str, n: usize, sleep: f64) -> Vec<Invoked> {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            let (name, q) = (name.to_string(), qualifier.to_string());
            tokio::spawn(async move { invoke(&c, &name, Some(&q), json!({ "sleep": sleep })).await })
        })
        .collect();
    let mut out = Vec::new();
    for call in calls {
        out.push(call.await.expect("join"));
    }
    out
}

fn report(log: &str) -> &str {
    log.lines().find(|l| l.starts_with("REPORT")).unwrap_or("")
}

#[tokio::test]
async fn snapstart_configuration_and_version_states() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;

    let e = create(&c, "snap-node", "nodejs22.x", 3).await.expect_err("node");
    assert_eq!(e, "nodejs22.x is not supported for SnapStart enabled functions.");
    create(&c, "snap-java", "java21", 3).await.expect("java accepts SnapStart");
    create(&c, "snap-cfg", "python3.12", 3).await.expect("create");
    let latest = c.get_function_configuration().function_name("snap-cfg").send().await.expect("get");
    let ss = latest.snap_start().expect("snapstart");
    assert_eq!(ss.apply_on().map(|a| a.as_str()), Some("PublishedVersions"));
    assert_eq!(ss.optimization_status().map(|o| o.as_str()), Some("Off"));

    let v = publish_active(&c, "snap-cfg").await;
    let cfg = c.get_function_configuration().function_name("snap-cfg").qualifier(&v).send().await.expect("get");
    assert_eq!(cfg.snap_start().and_then(|s| s.optimization_status()).map(|o| o.as_str()), Some("On"));
    assert_eq!(cfg.state_reason(), None);
    let latest = c.get_function_configuration().function_name("snap-cfg").send().await.expect("get");
    assert_eq!(latest.snap_start().and_then(|s| s.optimization_status()).map(|o| o.as_str()), Some("Off"));
    // Publishing again without changes returns the same version.
    let again = c.publish_version().function_name("snap-cfg").send().await.expect("publish");
    assert_eq!(again.version(), Some(v.as_str()));

    // A runtime without SnapStart cannot be combined with it.
    let e = c
        .update_function_configuration()
        .function_name("snap-cfg")
        .runtime(Runtime::from("python3.11"))
        .send()
        .await
        .expect_err("python3.11");
    assert_eq!(e.code(), Some("InvalidParameterValueException"));
    assert_eq!(e.message(), Some("python3.11 is not supported for SnapStart enabled functions."));
    c.update_function_configuration()
        .function_name("snap-cfg")
        .snap_start(SnapStart::builder().apply_on(SnapStartApplyOn::None).build())
        .send()
        .await
        .expect("turn off");
    let off = c.publish_version().function_name("snap-cfg").send().await.expect("publish");
    assert_eq!(off.state(), Some(&State::Active));
    assert_eq!(off.snap_start().and_then(|s| s.optimization_status()).map(|o| o.as_str()), Some("Off"));

    // A version whose Init fails ends Failed.
    c.create_function()
        .function_name("snap-broken")
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("app.handler")
        .code(
            FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", "import nothing_here\n", 0o644)]))).build(),
        )
        .snap_start(snapstart())
        .publish(true)
        .send()
        .await
        .expect("create");
    let mut state = None;
    for _ in 0..400 {
        let cfg = c.get_function_configuration().function_name("snap-broken").qualifier("1").send().await.expect("get");
        if cfg.state() != Some(&State::Pending) {
            assert_eq!(cfg.state_reason_code().map(|r| r.as_str()), Some("FunctionError"));
            assert!(cfg.state_reason().unwrap_or("").contains("Runtime.ImportModuleError"), "{cfg:?}");
            state = cfg.state().cloned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(state, Some(State::Failed));
    let r = invoke(&c, "snap-broken", Some("1"), json!({})).await;
    assert_eq!(r.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(r.payload["errorType"], "Runtime.ImportModuleError");
}

#[tokio::test]
async fn restored_environments_share_the_init_and_report_restore_duration() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    create(&c, "snap-py", "python3.12", 3).await.expect("create");
    let v = publish_active(&c, "snap-py").await;

    let runs = concurrently(&c, "snap-py", &v, 3, 0.6).await;
    let pids: std::collections::BTreeSet<i64> = runs.iter().map(|r| r.payload["pid"].as_i64().unwrap_or(0)).collect();
    assert_eq!(pids.len(), 3, "one environment per concurrent invocation: {pids:?}");
    let imported = &runs[0].payload["imported"];
    let template_pid = imported["pid"].as_i64().unwrap_or(0);
    for r in &runs {
        let p = &r.payload;
        assert_eq!(r.function_error, None, "{p}");
        assert_eq!(&p["imported"], imported, "module init ran once, in the template");
        let pid = p["pid"].as_i64().unwrap_or(0);
        assert_ne!(pid, template_pid);
        assert_eq!(p["hooks"], json!([format!("before:{template_pid}"), format!("after:{pid}")]));
        assert_eq!(p["init_type"], "snap-start");
        assert_eq!(p["version"], v.as_str());
        assert_eq!(p["log_stream"], Value::Null, "AWS leaves the log stream variable out of SnapStart functions");
        let report = report(&r.log);
        assert!(
            report.contains("\tRestore Duration: ") && report.contains(" ms\tBilled Restore Duration: "),
            "{}",
            r.log
        );
        assert!(!report.contains("Init Duration"), "{}", r.log);
        assert!(r.log.contains(&format!("handled in {pid}")), "{}", r.log);
    }
    let apis: std::collections::BTreeSet<&str> =
        runs.iter().filter_map(|r| r.payload["runtime_api"].as_str()).collect();
    let tmps: std::collections::BTreeSet<&str> = runs.iter().filter_map(|r| r.payload["tmp"].as_str()).collect();
    assert_eq!((apis.len(), tmps.len()), (3, 3), "each environment has its own Runtime API and /tmp");

    // Warm: no restore again.
    let warm = invoke(&c, "snap-py", Some(&v), json!({})).await;
    assert!(pids.contains(&warm.payload["pid"].as_i64().unwrap_or(0)));
    assert!(!report(&warm.log).contains("Restore Duration"), "{}", warm.log);

    // $LATEST cold starts as before: its own init, Init Duration.
    let latest = invoke(&c, "snap-py", None, json!({})).await;
    assert_eq!(latest.payload["imported"]["pid"], latest.payload["pid"]);
    assert_eq!(latest.payload["init_type"], "on-demand");
    assert!(report(&latest.log).contains("Init Duration: "), "{}", latest.log);
    assert!(!latest.log.contains("Restore Duration"));
}

#[tokio::test]
async fn restored_environments_time_out_and_a_dead_fork_server_falls_back_to_cold_starts() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    create(&c, "snap-slow", "python3.12", 1).await.expect("create");
    let v = publish_active(&c, "snap-slow").await;

    let first = invoke(&c, "snap-slow", Some(&v), json!({})).await;
    let template_pid = first.payload["imported"]["pid"].as_i64().unwrap_or(0);
    let timed = invoke(&c, "snap-slow", Some(&v), json!({ "sleep": 3 })).await;
    assert_eq!(timed.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(timed.payload["errorType"], "Sandbox.Timedout");
    assert!(timed.log.contains("Task timed out after 1.00 seconds"), "{}", timed.log);
    let pid = first.payload["pid"].as_i64().unwrap_or(0);
    for _ in 0..100 {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "the timed-out environment was killed");
    let next = invoke(&c, "snap-slow", Some(&v), json!({})).await;
    assert_eq!(next.function_error, None);
    assert_ne!(next.payload["pid"], first.payload["pid"]);
    assert_eq!(next.payload["imported"], first.payload["imported"], "restored again from the same snapshot");
    assert!(report(&next.log).contains("Restore Duration"), "{}", next.log);

    // The fork server dies: new environments cold start, and the log says so.
    let _ = std::process::Command::new("kill").args(["-9", &template_pid.to_string()]).status();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let runs = concurrently(&c, "snap-slow", &v, 2, 0.3).await;
    let cold = runs.iter().find(|r| r.payload["imported"]["pid"] != json!(template_pid)).expect("a cold start");
    assert_eq!(cold.payload["imported"]["pid"], cold.payload["pid"], "the cold start ran the init itself");
    assert!(cold.log.contains("Stratus: the SnapStart fork server of this version is gone"), "{}", cold.log);
    assert!(report(&cold.log).contains("Init Duration"), "{}", cold.log);
    // A new fork server is prepared in the background; later environments are restored again.
    let mut restored = false;
    for _ in 0..100 {
        let runs = concurrently(&c, "snap-slow", &v, 3, 0.2).await;
        if runs.iter().any(|r| report(&r.log).contains("Restore Duration")) {
            restored = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(restored, "restores resume with a new fork server");
}
