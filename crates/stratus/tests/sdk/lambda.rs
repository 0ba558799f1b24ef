//! Lambda through the AWS SDK for Rust: the control plane with AWS's
//! limits and messages, and functions run as real processes (Python and
//! Node through Stratus's bootstraps, a `provided` runtime with its own
//! bootstrap) with AWS's event, context, errors, timeouts, memory limit,
//! logs and concurrency behaviour.

use crate::common;
use crate::functions::{Invoked, client, exclusive, invoke, rust_echo_binary, zip_bytes, zip_of, zip_of_zeros};

use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, InvocationType, LogType, Runtime};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

const PY_APP: &str = r#"
import json, os, time
COUNTER = {"n": 0}
def handler(event, context):
    COUNTER["n"] += 1
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise ValueError("boom: " + str(event["fail"]))
    if event.get("alloc"):
        hog = b"\x01" * (event["alloc"] * 1024 * 1024)
        time.sleep(0.5)
        del hog
    if event.get("exit"):
        os._exit(3)
    if event.get("warn"):
        import logging
        logging.getLogger().warning("warned %s", event["warn"])
    print("hello from python", json.dumps(event))
    with open(os.path.join(os.environ["TMPDIR"], "probe"), "w") as f:
        f.write("ok")
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "version": context.function_version,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "remaining": context.get_remaining_time_in_millis(),
        "log_group": context.log_group_name,
        "log_stream": context.log_stream_name,
        "count": COUNTER["n"],
        "pid": os.getpid(),
        "env": {k: os.environ.get(k) for k in ["AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API",
                                               "MY_VAR", "AWS_ENDPOINT_URL", "_HANDLER", "AWS_EXECUTION_ENV",
                                               "AWS_LAMBDA_INITIALIZATION_TYPE"]},
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "client_context": context.client_context.custom if context.client_context else None,
    }
"#;

const NODE_APP: &str = r#"
export const handler = async (event, context) => {
  console.log("hello from node", JSON.stringify(event));
  if (event.fail) throw new TypeError("node boom");
  return { event, requestId: context.awsRequestId, functionName: context.functionName,
           version: context.functionVersion, remaining: context.getRemainingTimeInMillis() };
};
"#;

const PROVIDED_BOOTSTRAP: &str = r#"#!/usr/bin/env python3
import json, os, urllib.request
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
while True:
    r = urllib.request.urlopen("http://%s/2018-06-01/runtime/invocation/next" % api)
    rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
    ev = json.loads(r.read())
    out = json.dumps({"provided": True, "event": ev, "handler": os.environ.get("_HANDLER"),
                      "deadline": r.headers["Lambda-Runtime-Deadline-Ms"],
                      "arn": r.headers["Lambda-Runtime-Invoked-Function-Arn"],
                      "trace": r.headers.get("Lambda-Runtime-Trace-Id")}).encode()
    print("provided handled", rid, flush=True)
    req = urllib.request.Request("http://%s/2018-06-01/runtime/invocation/%s/response" % (api, rid), data=out, method="POST")
    urllib.request.urlopen(req).read()
"#;

/// A zip of `(name, content, unix mode)` entries.
async fn create(c: &Client, name: &str, runtime: &str, handler: &str, zip: Vec<u8>, timeout: i32, memory: i32) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::from(runtime))
        .role(ROLE)
        .handler(handler)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .timeout(timeout)
        .memory_size(memory)
        .environment(Environment::builder().variables("MY_VAR", "my-value").build())
        .send()
        .await
        .expect("create function");
}

async fn python_fn(c: &Client, name: &str, timeout: i32, memory: i32) {
    create(c, name, "python3.11", "app.handler", zip_of(&[("app.py", PY_APP, 0o644)]), timeout, memory).await;
}

#[tokio::test]
async fn python_function_gets_event_context_and_environment_and_logs_to_cloudwatch() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "py-echo", 5, 128).await;

    let r = invoke(&c, "py-echo", None, json!({"hello": "world"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.function_error, None);
    assert_eq!(r.version.as_deref(), Some("$LATEST"));
    let p = &r.payload;
    assert_eq!(p["event"], json!({"hello": "world"}));
    assert_eq!(p["function_name"], "py-echo");
    assert_eq!(p["version"], "$LATEST");
    assert_eq!(p["memory"], "128");
    assert_eq!(p["arn"], "arn:aws:lambda:us-east-1:000000000000:function:py-echo");
    assert_eq!(p["log_group"], "/aws/lambda/py-echo");
    assert!(p["log_stream"].as_str().unwrap_or("").contains("/[$LATEST]"), "{p}");
    let remaining = p["remaining"].as_i64().unwrap_or(0);
    assert!(remaining > 3000 && remaining <= 5000, "remaining {remaining}");
    assert_eq!(p["env"]["MY_VAR"], "my-value");
    assert_eq!(p["env"]["AWS_REGION"], "us-east-1");
    assert_eq!(p["env"]["_HANDLER"], "app.handler");
    assert_eq!(p["env"]["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.11");
    assert_eq!(p["env"]["AWS_ENDPOINT_URL"], server.endpoint());
    assert!(p["env"]["AWS_LAMBDA_RUNTIME_API"].as_str().unwrap_or("").starts_with("127.0.0.1:"));
    assert!(p["trace"].as_str().unwrap_or("").starts_with("Root=1-"));
    let rid = p["request_id"].as_str().unwrap_or("").to_string();
    assert!(!rid.is_empty());

    // LogType Tail: START, the function's output, END and REPORT with Init Duration on a cold start.
    assert!(r.log.contains(&format!("START RequestId: {rid} Version: $LATEST")), "{}", r.log);
    assert!(r.log.contains("hello from python {\"hello\": \"world\"}"), "{}", r.log);
    assert!(r.log.contains(&format!("END RequestId: {rid}")), "{}", r.log);
    assert!(r.log.contains(&format!("REPORT RequestId: {rid}\tDuration: ")), "{}", r.log);
    assert!(r.log.contains("\tMemory Size: 128 MB\tMax Memory Used: "), "{}", r.log);
    assert!(r.log.contains("Init Duration: "), "{}", r.log);

    // Warm: same process, state kept, no Init Duration.
    let r2 = invoke(&c, "py-echo", None, json!({"n": 2})).await;
    assert_eq!(r2.payload["pid"], p["pid"]);
    assert_eq!(r2.payload["count"], 2);
    assert!(!r2.log.contains("Init Duration"), "{}", r2.log);
    // The logging module's lines carry level, time and request id, as on AWS.
    let r3 = invoke(&c, "py-echo", None, json!({"warn": "w"})).await;
    let rid3 = r3.payload["request_id"].as_str().unwrap_or("").to_string();
    let line = r3.log.lines().find(|l| l.starts_with("[WARNING]\t")).unwrap_or_default().to_string();
    assert!(line.ends_with(&format!("Z\t{rid3}\twarned w")), "{}", r3.log);

    // CloudWatch Logs: group /aws/lambda/py-echo, one stream for the environment.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&common::sdk_config(&server).await);
    let stream = p["log_stream"].as_str().unwrap_or("").to_string();
    let mut messages = Vec::new();
    for _ in 0..50 {
        let ev = logs.get_log_events().log_group_name("/aws/lambda/py-echo").log_stream_name(&stream).send().await;
        if let Ok(ev) = ev {
            messages = ev.events().iter().filter_map(|e| e.message().map(str::to_string)).collect::<Vec<_>>();
            if messages.iter().filter(|m| m.starts_with("REPORT")).count() >= 3 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(messages.iter().any(|m| m.starts_with(&format!("START RequestId: {rid}"))), "{messages:?}");
    assert_eq!(messages.iter().filter(|m| m.starts_with("REPORT")).count(), 3, "{messages:?}");
}

#[tokio::test]
async fn node_and_provided_runtimes_run() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    create(&c, "node-echo", "nodejs20.x", "index.handler", zip_of(&[("index.mjs", NODE_APP, 0o644)]), 3, 256).await;
    let r = invoke(&c, "node-echo", None, json!({"a": 1})).await;
    assert_eq!(r.function_error, None, "{}", r.payload);
    assert_eq!(r.payload["event"], json!({"a": 1}));
    assert_eq!(r.payload["functionName"], "node-echo");
    assert_eq!(r.payload["version"], "$LATEST");
    assert!(r.payload["remaining"].as_i64().unwrap_or(0) > 1000);
    assert!(r.log.contains("\tINFO\thello from node {\"a\":1}"), "{}", r.log);

    let e = invoke(&c, "node-echo", None, json!({"fail": true})).await;
    assert_eq!(e.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(e.payload["errorType"], "TypeError");
    assert_eq!(e.payload["errorMessage"], "node boom");

    create(
        &c,
        "provided-echo",
        "provided.al2023",
        "ignored.handler",
        zip_of(&[("bootstrap", PROVIDED_BOOTSTRAP, 0o755)]),
        3,
        128,
    )
    .await;
    let r = invoke(&c, "provided-echo", None, json!({"b": 2})).await;
    assert_eq!(r.function_error, None, "{}", r.payload);
    assert_eq!(r.payload["provided"], true);
    assert_eq!(r.payload["event"], json!({"b": 2}));
    assert_eq!(r.payload["handler"], "ignored.handler");
    assert_eq!(r.payload["arn"], "arn:aws:lambda:us-east-1:000000000000:function:provided-echo");
    let deadline: i64 = r.payload["deadline"].as_str().unwrap_or("0").parse().unwrap_or(0);
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    assert!(deadline > now && deadline <= now + 3100, "deadline {deadline} now {now}");
    assert!(r.log.contains("provided handled"), "{}", r.log);

    // A provided function without a bootstrap fails like AWS.
    create(&c, "provided-none", "provided.al2", "x.y", zip_of(&[("readme.txt", "hi", 0o644)]), 3, 128).await;
    let r = invoke(&c, "provided-none", None, json!({})).await;
    assert_eq!(r.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(r.payload["errorType"], "Runtime.InvalidEntrypoint");
}

#[tokio::test]
async fn errors_timeouts_memory_and_recovery() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "py-err", 1, 128).await;

    let e = invoke(&c, "py-err", None, json!({"fail": "x"})).await;
    assert_eq!(e.status, 200);
    assert_eq!(e.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(e.payload["errorType"], "ValueError");
    assert_eq!(e.payload["errorMessage"], "boom: x");
    assert!(e.payload["stackTrace"].is_array());
    assert!(e.payload["requestId"].is_string());

    // Timeout: AWS's payload, the environment is killed, the next invocation works.
    let t = invoke(&c, "py-err", None, json!({"sleep": 3})).await;
    assert_eq!(t.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(t.payload["errorType"], "Sandbox.Timedout");
    let msg = t.payload["errorMessage"].as_str().unwrap_or("");
    assert!(msg.starts_with("RequestId: ") && msg.ends_with(" Error: Task timed out after 1.00 seconds"), "{msg}");
    assert!(t.log.contains("Task timed out after 1.00 seconds"), "{}", t.log);
    let ok = invoke(&c, "py-err", None, json!({"after": "timeout"})).await;
    assert_eq!(ok.function_error, None, "{}", ok.payload);
    assert_eq!(ok.payload["count"], 1, "a new environment after the timeout");

    // Memory: over 128 MB is Runtime.OutOfMemory; the next invocation works.
    let m = invoke(&c, "py-err", None, json!({"alloc": 300})).await;
    assert_eq!(m.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(m.payload["errorType"], "Runtime.OutOfMemory", "{}", m.payload);
    let ok = invoke(&c, "py-err", None, json!({})).await;
    assert_eq!(ok.function_error, None);

    // The runtime exiting mid-invocation.
    let x = invoke(&c, "py-err", None, json!({"exit": true})).await;
    assert_eq!(x.payload["errorType"], "Runtime.ExitError");
    assert!(
        x.payload["errorMessage"].as_str().unwrap_or("").ends_with("Runtime exited with error: exit status 3"),
        "{}",
        x.payload
    );

    // Import errors are init errors, reported as awslambdaric does.
    create(&c, "py-bad", "python3.11", "missing.handler", zip_of(&[("app.py", PY_APP, 0o644)]), 3, 128).await;
    let b = invoke(&c, "py-bad", None, json!({})).await;
    assert_eq!(b.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(b.payload["errorType"], "Runtime.ImportModuleError");
    assert_eq!(b.payload["errorMessage"], "Unable to import module 'missing': No module named 'missing'");
    create(&c, "py-nohandler", "python3.11", "app.nothere", zip_of(&[("app.py", PY_APP, 0o644)]), 3, 128).await;
    let b = invoke(&c, "py-nohandler", None, json!({})).await;
    assert_eq!(b.payload["errorType"], "Runtime.HandlerNotFound");
    assert_eq!(b.payload["errorMessage"], "Handler 'nothere' missing on module 'app'");
}

#[tokio::test]
async fn control_plane_with_aws_limits_and_messages() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "cp", 3, 128).await;

    let dup = c
        .create_function()
        .function_name("cp")
        .runtime(Runtime::Python311)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", PY_APP, 0o644)]))).build())
        .send()
        .await
        .expect_err("duplicate");
    assert_eq!(dup.code(), Some("ResourceConflictException"));
    assert_eq!(dup.message(), Some("Function already exist: cp"));

    let missing = c.get_function().function_name("nope").send().await.expect_err("missing");
    assert_eq!(missing.code(), Some("ResourceNotFoundException"));
    assert_eq!(missing.message(), Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"));
    assert_eq!(missing.raw_response().map(|r| r.status().as_u16()), Some(404));

    let big = "x".repeat(4100);
    let e = c
        .update_function_configuration()
        .function_name("cp")
        .environment(Environment::builder().variables("LARGE_VAR", big.as_str()).build())
        .send()
        .await
        .expect_err("4 KB");
    assert_eq!(e.code(), Some("InvalidParameterValueException"));
    assert!(e.message().unwrap_or("").starts_with(
        "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {\"LARGE_VAR\":\"xxx"
    ));
    let e = c.update_function_configuration().function_name("cp").timeout(901).send().await.expect_err("timeout");
    assert_eq!(e.code(), Some("ValidationException"));
    let e = c.update_function_configuration().function_name("cp").memory_size(10241).send().await.expect_err("memory");
    assert_eq!(
        e.message(),
        Some(
            "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"
        )
    );
    let e = c
        .create_function()
        .function_name("old")
        .runtime(Runtime::from("python3.7"))
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", PY_APP, 0o644)]))).build())
        .send()
        .await
        .expect_err("deprecated");
    assert_eq!(
        e.message(),
        Some(
            "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."
        )
    );
    let e = c
        .create_function()
        .function_name("badzip")
        .runtime(Runtime::Python311)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(b"not a zip".to_vec())).build())
        .send()
        .await
        .expect_err("bad zip");
    assert_eq!(e.message(), Some("Could not unzip uploaded file. Please check your file, then try to upload again."));

    let got = c.get_function().function_name("cp").send().await.expect("get");
    let cfg = got.configuration().expect("configuration");
    assert_eq!(cfg.state().map(|s| s.as_str()), Some("Active"));
    assert_eq!(cfg.memory_size(), Some(128));
    assert_eq!(cfg.timeout(), Some(3));
    assert_eq!(cfg.runtime().map(|r| r.as_str()), Some("python3.11"));
    assert_eq!(got.code().and_then(|c| c.repository_type()), Some("S3"));

    // Update configuration and code; the next invoke sees them.
    let u = c
        .update_function_configuration()
        .function_name("cp")
        .memory_size(256)
        .timeout(10)
        .send()
        .await
        .expect("update");
    assert_eq!(u.memory_size(), Some(256));
    assert_eq!(u.last_update_status().map(|s| s.as_str()), Some("InProgress"));
    let r = invoke(&c, "cp", None, json!({})).await;
    assert_eq!(r.payload["memory"], "256");
    let new_code = PY_APP.replace("\"event\": event,", "\"event\": event, \"v2\": True,");
    c.update_function_code()
        .function_name("cp")
        .zip_file(Blob::new(zip_of(&[("app.py", new_code.as_str(), 0o644)])))
        .send()
        .await
        .expect("update code");
    let r = invoke(&c, "cp", None, json!({})).await;
    assert_eq!(r.payload["v2"], true);

    // Versions and aliases, ExecutedVersion, qualifiers.
    let v1 = c.publish_version().function_name("cp").send().await.expect("publish");
    assert_eq!(v1.version(), Some("1"));
    assert_eq!(v1.function_arn(), Some("arn:aws:lambda:us-east-1:000000000000:function:cp:1"));
    let again = c.publish_version().function_name("cp").send().await.expect("publish again");
    assert_eq!(again.version(), Some("1"), "unchanged code and configuration publish no new version");
    c.update_function_configuration().function_name("cp").description("second").send().await.expect("update");
    let v2 = c.publish_version().function_name("cp").send().await.expect("publish 2");
    assert_eq!(v2.version(), Some("2"));
    let versions = c.list_versions_by_function().function_name("cp").send().await.expect("versions");
    let vs: Vec<_> = versions.versions().iter().filter_map(|v| v.version()).collect();
    assert_eq!(vs, vec!["$LATEST", "1", "2"]);
    let r = invoke(&c, "cp", Some("1"), json!({})).await;
    assert_eq!(r.version.as_deref(), Some("1"));
    assert_eq!(r.payload["version"], "1");
    c.create_alias().function_name("cp").name("live").function_version("2").send().await.expect("alias");
    let r = invoke(&c, "cp", Some("live"), json!({})).await;
    assert_eq!(r.version.as_deref(), Some("2"));
    assert_eq!(r.payload["arn"], "arn:aws:lambda:us-east-1:000000000000:function:cp:live");
    // Weighted routing: all traffic of "live" (version 2) shifted to version 1.
    c.update_alias()
        .function_name("cp")
        .name("live")
        .routing_config(
            aws_sdk_lambda::types::AliasRoutingConfiguration::builder().additional_version_weights("1", 1.0).build(),
        )
        .send()
        .await
        .expect("routing");
    let r = invoke(&c, "cp", Some("live"), json!({})).await;
    assert_eq!(r.version.as_deref(), Some("1"));
    let e = c
        .update_alias()
        .function_name("cp")
        .name("live")
        .routing_config(
            aws_sdk_lambda::types::AliasRoutingConfiguration::builder().additional_version_weights("2", 0.5).build(),
        )
        .send()
        .await
        .expect_err("same version");
    assert_eq!(
        e.message(),
        Some("Invalid function version 2. Function version 2 is already included in routing configuration.")
    );
    let e =
        c.create_alias().function_name("cp").name("live").function_version("1").send().await.expect_err("dup alias");
    assert_eq!(e.message(), Some("Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:cp:live"));
    let e = c.get_alias().function_name("cp").name("nope").send().await.expect_err("no alias");
    assert_eq!(e.message(), Some("Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:cp:nope"));
    let e = c.invoke().function_name("cp").qualifier("9").send().await.expect_err("no version");
    assert_eq!(e.message(), Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:cp:9"));

    // DryRun and Event.
    let d = c.invoke().function_name("cp").invocation_type(InvocationType::DryRun).send().await.expect("dry run");
    assert_eq!(d.status_code(), 204);
    let ev = c
        .invoke()
        .function_name("cp")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new("{}"))
        .send()
        .await
        .expect("event");
    assert_eq!(ev.status_code(), 202);

    let list = c.list_functions().send().await.expect("list");
    assert_eq!(list.functions().iter().filter_map(|f| f.function_name()).collect::<Vec<_>>(), vec!["cp"]);

    let e = c.delete_function().function_name("cp").qualifier("$LATEST").send().await.expect_err("delete latest");
    assert_eq!(e.message(), Some("$LATEST version cannot be deleted without deleting the function."));
    c.delete_function().function_name("cp").send().await.expect("delete");
    let e = c.invoke().function_name("cp").send().await.expect_err("deleted");
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
}

async fn sleepers(
    c: &Client,
    name: &str,
    n: usize,
    seconds: f64,
) -> Vec<Result<Invoked, (Option<String>, Option<String>, Option<u16>)>> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let c = c.clone();
        let name = name.to_string();
        tasks.push(tokio::spawn(async move {
            let r =
                c.invoke().function_name(&name).payload(Blob::new(json!({"sleep": seconds}).to_string())).send().await;
            match r {
                Ok(out) => Ok(Invoked {
                    status: out.status_code(),
                    payload: out
                        .payload()
                        .map(|b| serde_json::from_slice(b.as_ref()).unwrap_or(Value::Null))
                        .unwrap_or(Value::Null),
                    function_error: out.function_error().map(str::to_string),
                    log: String::new(),
                    version: None,
                }),
                Err(e) => {
                    let status = e.raw_response().map(|r| r.status().as_u16());
                    let se = e.into_service_error();
                    let reason = match &se {
                        aws_sdk_lambda::operation::invoke::InvokeError::TooManyRequestsException(t) => {
                            t.reason().map(|r| r.as_str().to_string())
                        }
                        _ => None,
                    };
                    Err((se.code().map(str::to_string), reason, status))
                }
            }
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn hundred_concurrent_sleeps_scale_out_and_reserved_concurrency_throttles() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "sleeper", 30, 128).await;

    // Cold round: 100 environments start.
    let started = Instant::now();
    let cold = sleepers(&c, "sleeper", 100, 1.0).await;
    let cold_time = started.elapsed();
    for r in &cold {
        match r {
            Ok(i) => assert!(i.status == 200 && i.function_error.is_none(), "{}", i.payload),
            Err(e) => panic!("{e:?}"),
        }
    }
    // Warm round: all 100 run at once in the warm environments: about 1 s.
    let started = Instant::now();
    let warm = sleepers(&c, "sleeper", 100, 1.0).await;
    let warm_time = started.elapsed();
    assert!(warm.iter().all(|r| matches!(r, Ok(i) if i.function_error.is_none())));
    let pids: std::collections::HashSet<_> =
        warm.iter().filter_map(|r| r.as_ref().ok()).map(|i| i.payload["pid"].clone()).collect();
    assert_eq!(pids.len(), 100, "one environment per concurrent request");
    eprintln!("100 x 1 s sleeps: cold round {cold_time:?}, warm round {warm_time:?}");
    assert!(warm_time < Duration::from_millis(2500), "warm round took {warm_time:?}");

    // Reserved concurrency 10: the excess get 429 with AWS's Reason.
    let out = c
        .put_function_concurrency()
        .function_name("sleeper")
        .reserved_concurrent_executions(10)
        .send()
        .await
        .expect("put");
    assert_eq!(out.reserved_concurrent_executions(), Some(10));
    let got = c.get_function_concurrency().function_name("sleeper").send().await.expect("get");
    assert_eq!(got.reserved_concurrent_executions(), Some(10));
    let results = sleepers(&c, "sleeper", 30, 1.0).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let throttled: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(ok, 10, "exactly the reserved 10 run");
    assert_eq!(throttled.len(), 20);
    for (code, reason, status) in throttled {
        assert_eq!(code.as_deref(), Some("TooManyRequestsException"));
        assert_eq!(reason.as_deref(), Some("ReservedFunctionConcurrentInvocationLimitExceeded"));
        assert_eq!(*status, Some(429));
    }
    let settings = c.get_account_settings().send().await.expect("account settings");
    assert_eq!(settings.account_limit().map(|l| l.unreserved_concurrent_executions()), Some(Some(990)));
    let e = c
        .put_function_concurrency()
        .function_name("sleeper")
        .reserved_concurrent_executions(950)
        .send()
        .await
        .expect_err("too much");
    assert_eq!(
        e.message(),
        Some(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."
        )
    );
    // Reserved 0 throttles everything.
    c.put_function_concurrency()
        .function_name("sleeper")
        .reserved_concurrent_executions(0)
        .send()
        .await
        .expect("put 0");
    let e = c.invoke().function_name("sleeper").send().await.expect_err("throttled");
    assert_eq!(e.code(), Some("TooManyRequestsException"));
    c.delete_function_concurrency().function_name("sleeper").send().await.expect("delete");
    let r = invoke(&c, "sleeper", None, json!({})).await;
    assert_eq!(r.status, 200);
}

/// REPORT lines in the function's log group (every stream).
async fn reports(server: &stratus::server::Server, function: &str) -> Vec<String> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&common::sdk_config(server).await);
    let group = format!("/aws/lambda/{function}");
    let Ok(streams) = logs.describe_log_streams().log_group_name(&group).send().await else { return Vec::new() };
    let mut out = Vec::new();
    for s in streams.log_streams() {
        let Some(name) = s.log_stream_name() else { continue };
        if let Ok(ev) = logs.get_log_events().log_group_name(&group).log_stream_name(name).send().await {
            out.extend(
                ev.events().iter().filter_map(|e| e.message()).filter(|m| m.starts_with("REPORT")).map(str::to_string),
            );
        }
    }
    out
}

#[tokio::test]
async fn event_invocations_run_from_the_queue_with_the_retry_policy() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "async-fn", 3, 128).await;

    let e = c.get_function_event_invoke_config().function_name("async-fn").send().await.expect_err("none yet");
    assert_eq!(
        e.message(),
        Some(
            "The function arn:aws:lambda:us-east-1:000000000000:function:async-fn:$LATEST doesn't have an EventInvokeConfig"
        )
    );
    let cfg = c
        .put_function_event_invoke_config()
        .function_name("async-fn")
        .maximum_retry_attempts(0)
        .send()
        .await
        .expect("put event invoke config");
    assert_eq!(cfg.maximum_retry_attempts(), Some(0));
    assert_eq!(cfg.function_arn(), Some("arn:aws:lambda:us-east-1:000000000000:function:async-fn:$LATEST"));

    for event in [json!({"ok": 1}), json!({"fail": "once"})] {
        let out = c
            .invoke()
            .function_name("async-fn")
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(event.to_string()))
            .send()
            .await
            .expect("event");
        assert_eq!(out.status_code(), 202);
    }
    let mut found = Vec::new();
    for _ in 0..100 {
        found = reports(&server, "async-fn").await;
        if found.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Both ran once; the failure is not retried (MaximumRetryAttempts 0).
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(reports(&server, "async-fn").await.len(), 2, "{found:?}");
}

/// A plain HTTP GET returning JSON (no extra client crate).
async fn reqwest_get(url: &str) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut s = tokio::net::TcpStream::connect(host).await.expect("connect");
    s.write_all(format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read");
    let text = String::from_utf8_lossy(&buf);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).unwrap_or(Value::Null)
}

#[tokio::test]
async fn billing_reports_requests_and_gb_seconds_at_aws_prices() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "async-fn", 3, 128).await;
    invoke(&c, "async-fn", None, json!({})).await;
    invoke(&c, "async-fn", None, json!({})).await;
    let body: Value = reqwest_get(&format!("{}/_stratus/billing", server.endpoint())).await;
    let f = body["Functions"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:async-fn"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["Requests"], 2, "{body}");
    assert_eq!(f["Architecture"], "x86_64");
    assert!(f["GbSeconds"].as_f64().unwrap_or(0.0) > 0.0);
    assert!(body["TotalCostUsd"].as_f64().unwrap_or(0.0) > 0.0);
}

const URL_APP: &str = r#"
import json
def handler(event, context):
    if event.get("rawPath") == "/fail":
        raise RuntimeError("no")
    return {"statusCode": 201, "headers": {"x-from": "fn", "content-type": "application/json"},
            "cookies": ["a=1"],
            "body": json.dumps({"path": event["rawPath"], "method": event["requestContext"]["http"]["method"],
                                "query": event.get("queryStringParameters"), "body": event.get("body"),
                                "version": event["version"], "b64": event["isBase64Encoded"]})}
"#;

/// Sends a raw HTTP/1.1 request; returns status, lower-cased headers and body.
async fn http_raw(
    addr: &str,
    method: &str,
    path: &str,
    host: &str,
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
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

#[tokio::test]
async fn function_urls_serve_http_with_the_2_0_payload_format() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    create(&c, "web", "python3.11", "app.handler", zip_of(&[("app.py", URL_APP, 0o644)]), 5, 128).await;
    let created = c
        .create_function_url_config()
        .function_name("web")
        .auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None)
        .send()
        .await
        .expect("create url");
    let url = created.function_url().to_string();
    assert!(url.starts_with("http://") && url.contains(".lambda-url.us-east-1.localhost:"), "{url}");
    assert_eq!(created.function_arn(), "arn:aws:lambda:us-east-1:000000000000:function:web");
    let e = c
        .create_function_url_config()
        .function_name("web")
        .auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None)
        .send()
        .await
        .expect_err("exists");
    assert_eq!(e.code(), Some("ResourceConflictException"));
    let got = c.get_function_url_config().function_name("web").send().await.expect("get url");
    assert_eq!(got.function_url(), url);

    let host_only = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let addr = server.endpoint().trim_start_matches("http://").to_string();
    // AuthType NONE still needs the policy to open the URL to everyone.
    let (status, headers, _) = http_raw(&addr, "GET", "/", &host_only, "").await;
    assert_eq!(status, 403);
    assert!(headers.contains(&("x-amzn-errortype".into(), "AccessDeniedException".into())), "{headers:?}");
    for (sid, action) in [("url", "lambda:InvokeFunctionUrl"), ("invoke", "lambda:InvokeFunction")] {
        let add = c.add_permission().function_name("web").statement_id(sid).action(action).principal("*");
        let add = if action == "lambda:InvokeFunctionUrl" {
            add.function_url_auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None)
        } else {
            add
        };
        add.send().await.expect("add permission");
    }

    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let id = host.split('.').next().unwrap_or("").to_string();
    // By Host header.
    let (status, headers, body) = http_raw(&addr, "POST", "/hello/world?x=1&y=2", &host, "{\"k\":1}").await;
    assert_eq!(status, 201, "{body}");
    assert!(headers.contains(&("x-from".into(), "fn".into())), "{headers:?}");
    assert!(headers.contains(&("set-cookie".into(), "a=1".into())), "{headers:?}");
    let v: Value = serde_json::from_str(&body).expect("json body");
    assert_eq!(
        v,
        json!({"path": "/hello/world", "method": "POST", "query": {"x": "1", "y": "2"}, "body": "{\"k\":1}", "version": "2.0", "b64": false})
    );
    // By path on the main endpoint.
    let (status, _, body) = http_raw(&addr, "GET", &format!("/lambda-url/{id}/p"), "127.0.0.1", "").await;
    assert_eq!(status, 201);
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["path"], "/p");
    // A function error is a 502.
    let (status, _, _) = http_raw(&addr, "GET", "/fail", &host, "").await;
    assert_eq!(status, 502);

    c.delete_function_url_config().function_name("web").send().await.expect("delete url");
    let e = c.get_function_url_config().function_name("web").send().await.expect_err("gone");
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn layers_are_importable_and_policies_are_kept() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    let layer = c
        .publish_layer_version()
        .layer_name("helpers")
        .content(
            aws_sdk_lambda::types::LayerVersionContentInput::builder()
                .zip_file(Blob::new(zip_of(&[("python/helper.py", "def greet(n):\n    return 'hi ' + n\n", 0o644)])))
                .build(),
        )
        .compatible_runtimes(Runtime::Python311)
        .send()
        .await
        .expect("publish layer");
    assert_eq!(layer.version(), 1);
    let arn = layer.layer_version_arn().unwrap_or("").to_string();
    assert_eq!(arn, "arn:aws:lambda:us-east-1:000000000000:layer:helpers:1");
    let app = "import helper\ndef handler(event, context):\n    return helper.greet(event['n'])\n";
    c.create_function()
        .function_name("layered")
        .runtime(Runtime::Python311)
        .role(ROLE)
        .handler("app.handler")
        .layers(&arn)
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", app, 0o644)]))).build())
        .send()
        .await
        .expect("create with layer");
    let r = invoke(&c, "layered", None, json!({"n": "there"})).await;
    assert_eq!(r.payload, json!("hi there"), "{}", r.log);
    let cfg = c.get_function_configuration().function_name("layered").send().await.expect("config");
    assert_eq!(cfg.layers().first().and_then(|l| l.arn()), Some(arn.as_str()));
    let e = c
        .update_function_configuration()
        .function_name("layered")
        .layers("arn:aws:lambda:us-east-1:000000000000:layer:doesnotexist:1")
        .send()
        .await
        .expect_err("missing layer");
    assert_eq!(
        e.message(),
        Some("Layer version arn:aws:lambda:us-east-1:000000000000:layer:doesnotexist:1 does not exist.")
    );
    let versions = c.list_layer_versions().layer_name("helpers").send().await.expect("list layer versions");
    assert_eq!(versions.layer_versions().len(), 1);

    // The 250 MB unzipped limit counts the function's code and its layers.
    let zeros = 140 * 1024 * 1024u64;
    let big = Blob::new(zip_of_zeros("python/blob.bin", zeros));
    let mut big_arns = Vec::new();
    for name in ["big1", "big2"] {
        let content = aws_sdk_lambda::types::LayerVersionContentInput::builder().zip_file(big.clone()).build();
        let v = c.publish_layer_version().layer_name(name).content(content).send().await.expect("publish big layer");
        big_arns.push(v.layer_version_arn().unwrap_or("").to_string());
    }
    let too_big = |actual: u64| {
        format!(
            "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is {actual} bytes."
        )
    };
    let e = c
        .create_function()
        .function_name("too-big")
        .runtime(Runtime::Python311)
        .role(ROLE)
        .handler("app.handler")
        .set_layers(Some(big_arns.clone()))
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", app, 0o644)]))).build())
        .send()
        .await
        .expect_err("over 250 MB with layers");
    assert_eq!(e.code(), Some("InvalidParameterValueException"));
    assert_eq!(e.message(), Some(too_big(2 * zeros + app.len() as u64).as_str()));
    let e = c
        .update_function_configuration()
        .function_name("layered")
        .set_layers(Some(big_arns.clone()))
        .send()
        .await
        .expect_err("layers over 250 MB");
    assert_eq!(e.message(), Some(too_big(2 * zeros + app.len() as u64).as_str()));
    c.update_function_configuration()
        .function_name("layered")
        .layers(&big_arns[0])
        .send()
        .await
        .expect("one big layer fits");

    // Resource policy.
    let e = c.get_policy().function_name("layered").send().await.expect_err("no policy");
    assert_eq!(e.message(), Some("The resource you requested does not exist."));
    let added = c
        .add_permission()
        .function_name("layered")
        .statement_id("s3")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::bucket")
        .send()
        .await
        .expect("add permission");
    let st: Value = serde_json::from_str(added.statement().unwrap_or("")).expect("statement json");
    assert_eq!(
        st,
        json!({"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction",
               "Resource": "arn:aws:lambda:us-east-1:000000000000:function:layered",
               "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}}})
    );
    let e = c
        .add_permission()
        .function_name("layered")
        .statement_id("s3")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .send()
        .await
        .expect_err("duplicate sid");
    assert_eq!(
        e.message(),
        Some(
            "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement."
        )
    );
    let policy = c.get_policy().function_name("layered").send().await.expect("policy");
    let doc: Value = serde_json::from_str(policy.policy().unwrap_or("")).expect("policy json");
    assert_eq!(doc["Statement"][0]["Sid"], "s3");
    c.remove_permission().function_name("layered").statement_id("s3").send().await.expect("remove");
    let e = c.remove_permission().function_name("layered").statement_id("s3").send().await.expect_err("gone");
    assert_eq!(e.message(), Some("Statement s3 is not found in resource policy."));
}

#[tokio::test]
async fn provisioned_concurrency_keeps_initialised_environments_ready() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "warm", 3, 128).await;
    let e = c
        .put_provisioned_concurrency_config()
        .function_name("warm")
        .qualifier("$LATEST")
        .provisioned_concurrent_executions(1)
        .send()
        .await
        .expect_err("latest");
    assert_eq!(
        e.message(),
        Some("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    );
    c.publish_version().function_name("warm").send().await.expect("publish");
    let put = c
        .put_provisioned_concurrency_config()
        .function_name("warm")
        .qualifier("1")
        .provisioned_concurrent_executions(2)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status().map(|s| s.as_str()), Some("IN_PROGRESS"));
    let mut status = String::new();
    for _ in 0..200 {
        let got =
            c.get_provisioned_concurrency_config().function_name("warm").qualifier("1").send().await.expect("get");
        status = got.status().map(|s| s.as_str().to_string()).unwrap_or_default();
        if status == "READY" {
            assert_eq!(got.allocated_provisioned_concurrent_executions(), Some(2));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "READY");
    let r = invoke(&c, "warm", Some("1"), json!({})).await;
    assert_eq!(r.payload["env"]["AWS_LAMBDA_INITIALIZATION_TYPE"], "provisioned-concurrency");
    assert!(!r.log.contains("Init Duration"), "{}", r.log);
    // Version 2 does not exist: AWS answers that, not "no config".
    let e = c.get_provisioned_concurrency_config().function_name("warm").qualifier("2").send().await.expect_err("none");
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(e.message(), Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:warm:2"));
    c.delete_provisioned_concurrency_config().function_name("warm").qualifier("1").send().await.expect("delete");
}

#[tokio::test]
async fn invoke_with_response_stream_sends_chunks_then_completes() {
    use aws_sdk_lambda::types::InvokeWithResponseStreamResponseEvent as Ev;
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    python_fn(&c, "streamer", 3, 128).await;
    let mut out = c
        .invoke_with_response_stream()
        .function_name("streamer")
        .payload(Blob::new(json!({"s": 1}).to_string()))
        .log_type(LogType::Tail)
        .send()
        .await
        .expect("stream invoke");
    assert_eq!(out.status_code(), 200);
    assert_eq!(out.executed_version(), Some("$LATEST"));
    let mut body = Vec::new();
    let mut complete = None;
    while let Some(ev) = out.event_stream.recv().await.expect("event") {
        match ev {
            Ev::PayloadChunk(p) => body.extend_from_slice(p.payload().map(|b| b.as_ref()).unwrap_or_default()),
            Ev::InvokeComplete(done) => complete = Some(done),
            _ => {}
        }
    }
    let v: Value = serde_json::from_slice(&body).expect("json payload");
    assert_eq!(v["event"], json!({"s": 1}));
    let done = complete.expect("InvokeComplete");
    assert_eq!(done.error_code(), None);
    assert!(done.log_result().is_some());

    let mut out = c
        .invoke_with_response_stream()
        .function_name("streamer")
        .payload(Blob::new(json!({"fail": "s"}).to_string()))
        .send()
        .await
        .expect("stream invoke");
    let mut code = None;
    while let Some(ev) = out.event_stream.recv().await.expect("event") {
        if let Ev::InvokeComplete(done) = ev {
            code = done.error_code().map(str::to_string);
        }
    }
    assert_eq!(code.as_deref(), Some("ValueError"));
}

#[tokio::test]
async fn rust_function_on_the_official_lambda_runtime_crate() {
    let bin = tokio::task::spawn_blocking(rust_echo_binary).await.expect("build");
    let code = std::fs::read(&bin).expect("rust-echo binary");
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    c.create_function()
        .function_name("rust-echo")
        .runtime(Runtime::from("provided.al2023"))
        .role(ROLE)
        .handler("bootstrap")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_bytes(&[("bootstrap", &code, 0o755)]))).build())
        .send()
        .await
        .expect("create");
    let r = invoke(&c, "rust-echo", None, json!({"r": 1})).await;
    assert_eq!(r.function_error, None, "{}", r.payload);
    assert_eq!(r.payload["event"], json!({"r": 1}));
    assert_eq!(r.payload["function_name"], "rust-echo");
    assert_eq!(r.payload["memory"], 128);
    assert_eq!(r.payload["version"], "$LATEST");
    assert_eq!(r.payload["arn"], "arn:aws:lambda:us-east-1:000000000000:function:rust-echo");
    let rid = r.payload["request_id"].as_str().unwrap_or("").to_string();
    assert!(r.log.contains(&format!("START RequestId: {rid}")), "{}", r.log);
    assert!(r.log.contains("hello from rust"), "{}", r.log);
    assert!(r.log.contains("Init Duration"), "{}", r.log);
    let e = invoke(&c, "rust-echo", None, json!({"fail": 1})).await;
    assert_eq!(e.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(e.payload["errorMessage"], "rust boom: 1");
    let again = invoke(&c, "rust-echo", None, json!({"r": 2})).await;
    assert_eq!(again.payload["event"], json!({"r": 2}));
    assert!(!again.log.contains("Init Duration"));
}
