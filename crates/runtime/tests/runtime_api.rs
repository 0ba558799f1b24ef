//! The Runtime API contract of one environment, driven by hand over TCP the
//! way a runtime client does: headers of `/next`, 202/403 on responses,
//! function and init errors, timeouts killing the process, exits.

use bytes::Bytes;
use std::time::Duration;
use stratus_runtime::{EnvSpec, Environment, Invocation, Outcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn spec(argv: &[&str]) -> EnvSpec {
    EnvSpec {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        cwd: std::env::temp_dir(),
        env: vec![("PATH".into(), "/usr/bin:/bin".into())],
        memory_mb: 128,
        owned_dir: None,
        tmp_mb: None,
        label: "test".into(),
    }
}

fn invocation(id: &str, timeout: Duration) -> Invocation {
    Invocation {
        request_id: id.into(),
        payload: Bytes::from_static(b"{\"k\":1}"),
        timeout,
        invoked_function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
        trace_id: "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0".into(),
        client_context: Some("{\"custom\":{\"a\":\"b\"}}".into()),
        cognito_identity: None,
        stream: None,
    }
}

/// One HTTP/1.1 exchange; returns status, lower-cased headers and body.
async fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read");
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn next_response_and_wrong_ids() {
    let mut env = Environment::start(spec(&["sleep", "30"])).await.expect("start");
    let addr = env.runtime_api();
    let task = tokio::spawn(async move {
        let r = env.invoke(invocation("req-1", Duration::from_secs(5))).await;
        (env, r)
    });
    let (status, h, body) = http(&addr, "GET", "/2018-06-01/runtime/invocation/next", &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(body, "{\"k\":1}");
    assert_eq!(header(&h, "lambda-runtime-aws-request-id"), Some("req-1"));
    assert_eq!(
        header(&h, "lambda-runtime-invoked-function-arn"),
        Some("arn:aws:lambda:us-east-1:000000000000:function:f")
    );
    assert!(header(&h, "lambda-runtime-trace-id").unwrap_or("").starts_with("Root=1-"));
    assert_eq!(header(&h, "lambda-runtime-client-context"), Some("{\"custom\":{\"a\":\"b\"}}"));
    assert_eq!(header(&h, "lambda-runtime-cognito-identity"), None);
    let deadline: u128 = header(&h, "lambda-runtime-deadline-ms").and_then(|d| d.parse().ok()).unwrap_or(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    assert!(deadline > now + 4000 && deadline <= now + 5000, "{deadline} vs {now}");

    let (status, _, body) = http(&addr, "POST", "/2018-06-01/runtime/invocation/other/response", &[], "x").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("InvalidStateTransition"));
    let (status, _, body) =
        http(&addr, "POST", "/2018-06-01/runtime/invocation/req-1/response", &[], "{\"ok\":true}").await;
    assert_eq!((status, body.as_str()), (202, "{\"status\":\"OK\"}"));
    let (env, (outcome, stats)) = task.await.expect("task");
    assert_eq!(outcome, Outcome::Response(Bytes::from_static(b"{\"ok\":true}")));
    assert!(stats.init_duration.is_some());
    // Answering twice is a 403 too.
    let (status, _, _) = http(&addr, "POST", "/2018-06-01/runtime/invocation/req-1/response", &[], "{}").await;
    assert_eq!(status, 403);
    drop(env);
}

#[tokio::test]
async fn function_errors_and_init_errors() {
    let mut env = Environment::start(spec(&["sleep", "30"])).await.expect("start");
    let addr = env.runtime_api();
    let task = tokio::spawn(async move {
        let r = env.invoke(invocation("req-2", Duration::from_secs(5))).await;
        (env, r)
    });
    http(&addr, "GET", "/2018-06-01/runtime/invocation/next", &[], "").await;
    let body = "{\"errorMessage\":\"bad\",\"errorType\":\"ValueError\"}";
    let (status, _, _) = http(
        &addr,
        "POST",
        "/2018-06-01/runtime/invocation/req-2/error",
        &[("Lambda-Runtime-Function-Error-Type", "Unhandled")],
        body,
    )
    .await;
    assert_eq!(status, 202);
    let (_, (outcome, _)) = task.await.expect("task");
    assert_eq!(outcome, Outcome::Error { body: Bytes::from(body), error_type: Some("Unhandled".into()) });

    // An init error fails the pending invocation.
    let mut env = Environment::start(spec(&["sleep", "30"])).await.expect("start");
    let addr = env.runtime_api();
    let task = tokio::spawn(async move { env.invoke(invocation("req-3", Duration::from_secs(5))).await });
    let body = "{\"errorMessage\":\"Unable to import module 'x'\",\"errorType\":\"Runtime.ImportModuleError\"}";
    let (status, _, _) = http(
        &addr,
        "POST",
        "/2018-06-01/runtime/init/error",
        &[("Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError")],
        body,
    )
    .await;
    assert_eq!(status, 202);
    let (outcome, _) = task.await.expect("task");
    assert_eq!(
        outcome,
        Outcome::InitError { body: Bytes::from(body), error_type: Some("Runtime.ImportModuleError".into()) }
    );
}

#[tokio::test]
async fn timeouts_kill_the_process_and_exits_are_reported() {
    let mut env = Environment::start(spec(&["sleep", "30"])).await.expect("start");
    let addr = env.runtime_api();
    let task = tokio::spawn(async move {
        let r = env.invoke(invocation("req-4", Duration::from_millis(300))).await;
        (env, r)
    });
    http(&addr, "GET", "/2018-06-01/runtime/invocation/next", &[], "").await;
    let (env, (outcome, stats)) = task.await.expect("task");
    assert_eq!(outcome, Outcome::Timeout);
    assert!(stats.duration >= Duration::from_millis(300));
    for _ in 0..50 {
        if !env.alive() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!env.alive(), "the timed-out environment's process is killed");

    let mut env = Environment::start(spec(&["sh", "-c", "echo starting; exit 3"])).await.expect("start");
    let (outcome, _) = env.invoke(invocation("req-5", Duration::from_secs(5))).await;
    assert_eq!(outcome, Outcome::Exited("exit status 3".into()));
    let logs = env.take_logs(Duration::from_millis(20)).await;
    assert_eq!(logs.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(), vec!["starting"]);
}

#[tokio::test]
async fn pool_reuses_warm_environments_and_reaps_idle_ones() {
    let pool = stratus_runtime::Pool::new();
    let env = Environment::start(spec(&["sleep", "30"])).await.expect("start");
    let pid = env.pid();
    pool.release("k", env);
    assert_eq!(pool.idle_count("k"), 1);
    let again = pool.acquire("k").expect("warm environment");
    assert_eq!(again.pid(), pid);
    assert!(pool.acquire("k").is_none(), "one environment serves one invocation at a time");
    pool.release("k", again);
    let mut pinned = Environment::start(spec(&["sleep", "30"])).await.expect("start");
    pinned.pinned = true;
    pool.release("k", pinned);
    assert_eq!(pool.reap(Duration::ZERO), 1, "idle environments are ended; pinned ones stay");
    assert_eq!(pool.idle_count("k"), 1);
    pool.drain("k");
    assert_eq!(pool.idle_count("k"), 0);
    // A reaped environment's process is gone.
    for _ in 0..50 {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let zombie_or_gone =
        std::fs::read_to_string(format!("/proc/{pid}/status")).map(|s| s.contains("State:\tZ")).unwrap_or(true);
    assert!(zombie_or_gone, "process {pid} still running");
}
