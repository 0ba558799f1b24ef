//! Step Functions through the AWS SDK for Rust against an in-process
//! server: state machine CRUD with AWS's error texts, a Standard execution
//! and its history (types, ids, previousEventIds), and a callback task
//! completed with SendTaskSuccess by another client.

use crate::common;

use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use serde_json::{Value, json};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::000000000000:role/sfn";

async fn finished(sfn: &Client, arn: &str) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    for _ in 0..400 {
        let d = sfn.describe_execution().execution_arn(arn).send().await.expect("describe execution");
        if d.status != ExecutionStatus::Running {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("execution {arn} did not finish");
}

#[tokio::test]
async fn state_machines_and_executions() {
    let server = common::server().await;
    let sfn = Client::new(&common::sdk_config(&server).await);
    let definition = json!({
        "StartAt": "Greet",
        "States": {
            "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"}, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.greeting", "StringMatches": "Hello*", "Next": "Done"}], "Default": "Bad"},
            "Done": {"Type": "Succeed"},
            "Bad": {"Type": "Fail", "Error": "NoGreeting"}
        }
    });
    let arn = sfn
        .create_state_machine()
        .name("greeter")
        .definition(definition.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect("create")
        .state_machine_arn;
    assert_eq!(arn, "arn:aws:states:us-east-1:000000000000:stateMachine:greeter");

    let err = sfn
        .create_state_machine()
        .name("broken")
        .definition(r#"{"StartAt": "A", "States": {"A": {"Type": "Nope", "End": true}}}"#)
        .role_arn(ROLE)
        .send()
        .await
        .expect_err("invalid definition");
    assert_eq!(err.code(), Some("InvalidDefinition"));
    assert_eq!(
        err.message(),
        Some(
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: \
             [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/A/Type'"
        )
    );

    let exec = sfn
        .start_execution()
        .state_machine_arn(&arn)
        .name("run-1")
        .input(r#"{"name": "Ada"}"#)
        .send()
        .await
        .expect("start")
        .execution_arn;
    assert_eq!(exec, "arn:aws:states:us-east-1:000000000000:execution:greeter:run-1");
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap_or("null")).expect("output");
    assert_eq!(output, json!({"greeting": "Hello, Ada!"}));

    let events = sfn.get_execution_history().execution_arn(&exec).send().await.expect("history").events;
    let seen: Vec<(i64, i64, HistoryEventType)> =
        events.iter().map(|e| (e.id, e.previous_event_id, e.r#type.clone())).collect();
    assert_eq!(
        seen,
        vec![
            (1, 0, HistoryEventType::ExecutionStarted),
            (2, 0, HistoryEventType::PassStateEntered),
            (3, 2, HistoryEventType::PassStateExited),
            (4, 3, HistoryEventType::ChoiceStateEntered),
            (5, 4, HistoryEventType::ChoiceStateExited),
            (6, 5, HistoryEventType::SucceedStateEntered),
            (7, 6, HistoryEventType::SucceedStateExited),
            (8, 7, HistoryEventType::ExecutionSucceeded),
        ]
    );

    let err = sfn.start_execution().state_machine_arn(&arn).name("run-1").input("{}").send().await.expect_err("dup");
    assert_eq!(err.code(), Some("ExecutionAlreadyExists"));
    assert_eq!(err.message(), Some(format!("Execution Already Exists: '{exec}'").as_str()));
    let listed = sfn.list_executions().state_machine_arn(&arn).send().await.expect("list").executions;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "run-1");
}

#[tokio::test]
async fn callback_completed_by_send_task_success() {
    let server = common::server().await;
    let config = common::sdk_config(&server).await;
    let (sfn, sqs) = (Client::new(&config), aws_sdk_sqs::Client::new(&config));
    let queue = sqs.create_queue().queue_name("sfn-callbacks").send().await.expect("queue").queue_url.expect("url");
    let definition = json!({
        "StartAt": "Ask",
        "States": {"Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.answer",
            "End": true
        }}
    });
    let arn = sfn
        .create_state_machine()
        .name("asker")
        .definition(definition.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect("create")
        .state_machine_arn;
    let exec =
        sfn.start_execution().state_machine_arn(&arn).input(r#"{"q": 1}"#).send().await.expect("start").execution_arn;
    let msg = sqs.receive_message().queue_url(&queue).wait_time_seconds(10).send().await.expect("receive");
    let body: Value = serde_json::from_str(msg.messages()[0].body().unwrap_or("{}")).expect("body");
    let token = body["token"].as_str().expect("token").to_string();

    let other = Client::new(&common::sdk_config(&server).await);
    other.send_task_success().task_token(&token).output(r#"{"a": 42}"#).send().await.expect("success");
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap_or("null")).expect("output");
    assert_eq!(output, json!({"q": 1, "answer": {"a": 42}}));
    let err = other.send_task_success().task_token(&token).output("{}").send().await.expect_err("used token");
    assert_eq!(err.code(), Some("TaskTimedOut"));
    assert_eq!(err.message(), Some("Task Timed Out: 'Provided task does not exist anymore'"));
    let err = other.send_task_success().task_token("never-issued").output("{}").send().await.expect_err("unknown");
    assert_eq!(err.code(), Some("InvalidToken"));
}
