//! Task tokens survive a restart: an activity task a worker took before
//! the service stopped is answered with its original token afterwards,
//! without being scheduled again.

mod common;

use common::{call, try_call};
use serde_json::json;
use stratus_core::{Service, Settings};
use stratus_stepfunctions::StepFunctions;

/// Takes the activity task, stops after `pause`, answers after the restart.
async fn answered_after_a_restart(pause: u64) {
    let store = stratus_store::Store::in_memory().expect("store");
    let before = StepFunctions::new(store.clone(), &Settings::default());
    let act = call(&before, "CreateActivity", json!({"name": "work"})).await;
    let def =
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": act["activityArn"], "End": true}}});
    let sm = call(
        &before,
        "CreateStateMachine",
        json!({"name": "m", "definition": def.to_string(), "roleArn": "arn:aws:iam::000000000000:role/sfn"}),
    )
    .await;
    let exec = call(&before, "StartExecution", json!({"stateMachineArn": sm["stateMachineArn"], "input": "{}"})).await;
    let task = call(&before, "GetActivityTask", json!({"activityArn": act["activityArn"], "workerName": "w"})).await;
    let token = task["taskToken"].clone();
    assert!(token.is_string(), "{task}");
    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
    before.stop().await;

    let after = StepFunctions::new(store, &Settings::default());
    after.start();
    let mut answered = None;
    for _ in 0..200 {
        match try_call(&after, "SendTaskSuccess", json!({"taskToken": token, "output": "{\"ok\":true}"})).await {
            Ok(_) => {
                answered = Some(());
                break;
            }
            Err(e) if e.code == "InvalidToken" => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            Err(e) => panic!("SendTaskSuccess: {}: {}", e.code, e.message),
        }
    }
    assert!(answered.is_some(), "the token was never registered again");
    for _ in 0..200 {
        let d = call(&after, "DescribeExecution", json!({"executionArn": exec["executionArn"]})).await;
        if d["status"] != "RUNNING" {
            assert_eq!(d["status"], "SUCCEEDED", "{d}");
            assert_eq!(d["output"], "{\"ok\":true}");
            let h = call(&after, "GetExecutionHistory", json!({"executionArn": exec["executionArn"]})).await;
            let kinds: Vec<&str> =
                h["events"].as_array().into_iter().flatten().filter_map(|e| e["type"].as_str()).collect();
            assert_eq!(kinds.iter().filter(|k| **k == "ActivityScheduled").count(), 1, "{kinds:?}");
            assert_eq!(kinds.iter().filter(|k| **k == "ActivityStarted").count(), 1, "{kinds:?}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the execution did not finish");
}

#[tokio::test]
async fn activity_token_is_answered_after_a_restart() {
    answered_after_a_restart(50).await;
}

/// Stopped right after a worker took the task, the journal may not know it
/// was taken: the task is offered again, and the original token's answer
/// still ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_token_taken_just_before_a_restart_is_answered() {
    for _ in 0..5 {
        answered_after_a_restart(0).await;
    }
}
