//! RedriveExecution of a failed distributed Map re-runs only the map run's
//! unsuccessful children, under the same map run (MapRunRedriven, its
//! redrive count), keeping the outputs of those that succeeded.

mod common;

use common::{ROLE, call, count, event_types, finished};
use serde_json::{Value, json};
use stratus_core::Settings;
use stratus_stepfunctions::StepFunctions;
use stratus_store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redriven_map_run_reruns_only_its_failed_children() {
    let svc = StepFunctions::new(Store::in_memory().expect("store"), &Settings::default());
    let act = call(&svc, "CreateActivity", json!({"name": "child"})).await["activityArn"].clone();
    let def = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Map", "Label": "fan", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": act, "End": true}}}}}});
    let sm =
        call(&svc, "CreateStateMachine", json!({"name": "fan", "definition": def.to_string(), "roleArn": ROLE})).await;
    let exec = call(&svc, "StartExecution", json!({"stateMachineArn": sm["stateMachineArn"], "input": "[1, 2, 3]"}))
        .await["executionArn"]
        .clone();
    let answer = |input: &Value| if input == "2" { None } else { Some(input.clone()) };
    for _ in 0..3 {
        let t = call(&svc, "GetActivityTask", json!({"activityArn": act, "workerName": "w"})).await;
        match answer(&t["input"]) {
            Some(out) => call(&svc, "SendTaskSuccess", json!({"taskToken": t["taskToken"], "output": out})).await,
            None => call(&svc, "SendTaskFailure", json!({"taskToken": t["taskToken"], "error": "Flaky"})).await,
        };
    }
    let d = finished(&svc, &exec, 10).await;
    assert_eq!((d["status"].as_str(), d["error"].as_str()), (Some("FAILED"), Some("Flaky")), "{d}");
    let runs = call(&svc, "ListMapRuns", json!({"executionArn": exec})).await;
    let map_run = runs["mapRuns"][0]["mapRunArn"].clone();
    assert_eq!(call(&svc, "DescribeMapRun", json!({"mapRunArn": map_run})).await["status"], "FAILED");

    call(&svc, "RedriveExecution", json!({"executionArn": exec})).await;
    let t = call(&svc, "GetActivityTask", json!({"activityArn": act, "workerName": "w"})).await;
    assert_eq!(t["input"], "2");
    call(&svc, "SendTaskSuccess", json!({"taskToken": t["taskToken"], "output": "2"})).await;
    let d = finished(&svc, &exec, 10).await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    assert_eq!(serde_json::from_str::<Value>(d["output"].as_str().unwrap_or("")).ok(), Some(json!([1, 2, 3])));
    let described = call(&svc, "DescribeMapRun", json!({"mapRunArn": map_run})).await;
    assert_eq!(
        (described["status"].as_str(), described["redriveCount"].as_u64()),
        (Some("SUCCEEDED"), Some(1)),
        "{described}"
    );
    assert_eq!(described["itemCounts"]["succeeded"], 3, "{described}");
    let kinds = event_types(&svc, &exec).await;
    assert_eq!((count(&kinds, "MapRunStarted"), count(&kinds, "MapRunRedriven")), (1, 1), "{kinds:?}");
    // The same map run was redriven, no new one started.
    let idle = call(&svc, "ListMapRuns", json!({"executionArn": exec})).await;
    assert_eq!(idle["mapRuns"].as_array().map(Vec::len), Some(1));
}
