//! Parallel and Map states survive a restart branch by branch: finished
//! branches keep their output, a Wait inside a branch waits only for what
//! is left, and an activity task inside an iteration is answered with its
//! original token (even right after the restart) without being scheduled
//! again; the history repeats nothing.

mod common;

use common::{ROLE, call, count, event_types, finished};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use stratus_core::{Service, Settings};
use stratus_stepfunctions::StepFunctions;
use stratus_store::Store;

async fn machine(svc: &StepFunctions, name: &str, def: Value) -> Value {
    let sm =
        call(svc, "CreateStateMachine", json!({"name": name, "definition": def.to_string(), "roleArn": ROLE})).await;
    sm["stateMachineArn"].clone()
}

/// Takes `n` activity tasks; returns their tokens and inputs.
async fn take(svc: &StepFunctions, activity: &Value, n: usize) -> Vec<(Value, Value)> {
    let mut got = Vec::new();
    while got.len() < n {
        let t = call(svc, "GetActivityTask", json!({"activityArn": activity, "workerName": "w"})).await;
        got.push((t["taskToken"].clone(), t["input"].clone()));
    }
    got
}

/// Stops `before` and starts a new service on the same store.
async fn restart(before: StepFunctions, store: Store) -> StepFunctions {
    tokio::time::sleep(Duration::from_millis(100)).await;
    before.stop().await;
    let after = StepFunctions::new(store, &Settings::default());
    after.start();
    after
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parallel_resumes_its_branches() {
    let store = Store::in_memory().expect("store");
    let before = StepFunctions::new(store.clone(), &Settings::default());
    let act = call(&before, "CreateActivity", json!({"name": "work"})).await["activityArn"].clone();
    let def = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Tag", "States": {
            "Tag": {"Type": "Pass", "Result": "waited", "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 2, "End": true}}},
        {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": act, "End": true}}},
        {"StartAt": "Quick", "States": {"Quick": {"Type": "Pass", "Result": "quick", "End": true}}}
    ]}}});
    let sm = machine(&before, "par", def).await;
    let started = Instant::now();
    let exec =
        call(&before, "StartExecution", json!({"stateMachineArn": sm, "input": "{}"})).await["executionArn"].clone();
    let tasks = take(&before, &act, 1).await;
    let after = restart(before, store).await;
    // Answered at once: the token was reserved before the service served.
    call(&after, "SendTaskSuccess", json!({"taskToken": tasks[0].0, "output": "\"worked\""})).await;
    let d = finished(&after, &exec, 10).await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    assert_eq!(
        serde_json::from_str::<Value>(d["output"].as_str().unwrap_or("")).ok(),
        Some(json!(["waited", "worked", "quick"]))
    );
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1900) && took < Duration::from_millis(3500), "{took:?}");
    let kinds = event_types(&after, &exec).await;
    for once in [
        "ParallelStateEntered",
        "ParallelStateStarted",
        "WaitStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "PassStateEntered",
        "ParallelStateExited",
    ] {
        assert_eq!(count(&kinds, once), if once == "PassStateEntered" { 2 } else { 1 }, "{once}: {kinds:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_map_resumes_its_iterations_on_their_tokens() {
    let store = Store::in_memory().expect("store");
    let before = StepFunctions::new(store.clone(), &Settings::default());
    let act = call(&before, "CreateActivity", json!({"name": "item"})).await["activityArn"].clone();
    let def = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": true, "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": act, "End": true}}}}}});
    let sm = machine(&before, "map", def).await;
    let input = json!({"items": [1, 2, 3]}).to_string();
    let exec =
        call(&before, "StartExecution", json!({"stateMachineArn": sm, "input": input})).await["executionArn"].clone();
    let tasks = take(&before, &act, 3).await;
    // One iteration ends before the restart.
    call(&before, "SendTaskSuccess", json!({"taskToken": tasks[0].0, "output": tasks[0].1})).await;
    let after = restart(before, store).await;
    for (token, input) in &tasks[1..] {
        call(&after, "SendTaskSuccess", json!({"taskToken": token, "output": input})).await;
    }
    let d = finished(&after, &exec, 10).await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let mut out: Vec<i64> = serde_json::from_str(d["output"].as_str().unwrap_or("[]")).unwrap_or_default();
    out.sort();
    assert_eq!(out, vec![1, 2, 3]);
    let kinds = event_types(&after, &exec).await;
    assert_eq!(count(&kinds, "ActivityScheduled"), 3, "{kinds:?}");
    assert_eq!(count(&kinds, "MapIterationStarted"), 3, "{kinds:?}");
    assert_eq!(count(&kinds, "MapIterationSucceeded"), 3, "{kinds:?}");
    assert_eq!(count(&kinds, "MapStateStarted"), 1, "{kinds:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parallel_inside_a_map_resumes_at_both_levels() {
    let store = Store::in_memory().expect("store");
    let before = StepFunctions::new(store.clone(), &Settings::default());
    let act = call(&before, "CreateActivity", json!({"name": "inner"})).await["activityArn"].clone();
    let def = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": true, "MaxConcurrency": 1,
    "ItemProcessor": {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "End": true}}},
        {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": act, "End": true}}}
    ]}}}}}});
    let sm = machine(&before, "nested", def).await;
    let exec =
        call(&before, "StartExecution", json!({"stateMachineArn": sm, "input": "[10, 20]"})).await["executionArn"]
            .clone();
    let first = take(&before, &act, 1).await;
    let after = restart(before, store.clone()).await;
    call(&after, "SendTaskSuccess", json!({"taskToken": first[0].0, "output": first[0].1})).await;
    // The second iteration starts after the first; restart again inside it.
    let second = take(&after, &act, 1).await;
    let again = restart(after, store).await;
    call(&again, "SendTaskSuccess", json!({"taskToken": second[0].0, "output": second[0].1})).await;
    let d = finished(&again, &exec, 10).await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap_or("null")).unwrap_or_default();
    assert_eq!(out, json!([[10, 10], [20, 20]]));
    let kinds = event_types(&again, &exec).await;
    for (kind, n) in [
        ("MapIterationStarted", 2),
        ("ParallelStateEntered", 2),
        ("WaitStateEntered", 2),
        ("ActivityScheduled", 2),
        ("ActivityStarted", 2),
        ("MapStateStarted", 1),
    ] {
        assert_eq!(count(&kinds, kind), n, "{kind}: {kinds:?}");
    }
}
