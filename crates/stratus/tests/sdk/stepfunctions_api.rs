//! The second half of Step Functions' API through the AWS SDK for Rust:
//! an activity worker loop completing tasks from another client, a missed
//! heartbeat caught by Catch, nested `.sync` executions, aliases routing
//! between versions, RedriveExecution, TestState and StartSyncExecution on
//! the `sync-` host the SDK prefixes, and Express executions logging to
//! CloudWatch Logs.

use crate::common;

use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::types::{
    ExecutionRedriveStatus, ExecutionStatus, HistoryEventType, InspectionLevel, RoutingConfigurationListItem,
    TestExecutionStatus,
};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::000000000000:role/sfn";

async fn finished(sfn: &Client, arn: &str) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    for _ in 0..600 {
        let d = sfn.describe_execution().execution_arn(arn).send().await.expect("describe execution");
        if d.status != ExecutionStatus::Running {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("execution {arn} did not finish");
}

async fn create(sfn: &Client, name: &str, definition: Value) -> String {
    sfn.create_state_machine()
        .name(name)
        .definition(definition.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect("create state machine")
        .state_machine_arn
}

async fn start(sfn: &Client, arn: &str, input: Value) -> String {
    sfn.start_execution().state_machine_arn(arn).input(input.to_string()).send().await.expect("start").execution_arn
}

fn output(d: &aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput) -> Value {
    serde_json::from_str(d.output.as_deref().unwrap_or("null")).expect("output")
}

async fn history(sfn: &Client, arn: &str) -> Vec<aws_sdk_sfn::types::HistoryEvent> {
    sfn.get_execution_history().execution_arn(arn).send().await.expect("history").events
}

#[tokio::test]
async fn activity_worker_loop_completes_tasks_from_another_client() {
    let server = common::server().await;
    let config = common::sdk_config(&server).await;
    let sfn = Client::new(&config);
    let activity = sfn.create_activity().name("resize").send().await.expect("activity").activity_arn;
    let definition = json!({
        "StartAt": "Resize",
        "States": {
            "Resize": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 5, "TimeoutSeconds": 60, "Next": "Again"},
            "Again": {"Type": "Task", "Resource": activity, "End": true}
        }
    });
    let arn = create(&sfn, "resizer", definition).await;
    let exec = start(&sfn, &arn, json!({"size": 1})).await;

    // The worker: another client polling the activity until it has done two tasks.
    let worker = Client::new(&common::sdk_config(&server).await);
    let (act, w) = (activity.clone(), worker.clone());
    let loop_task = tokio::spawn(async move {
        let mut done = 0;
        while done < 2 {
            let task = w.get_activity_task().activity_arn(&act).worker_name("worker-1").send().await.expect("poll");
            let Some(token) = task.task_token else { continue };
            let input: Value = serde_json::from_str(task.input.as_deref().unwrap_or("{}")).expect("input");
            w.send_task_heartbeat().task_token(&token).send().await.expect("heartbeat");
            let out = json!({"size": input["size"].as_i64().unwrap_or(0) * 10});
            w.send_task_success().task_token(&token).output(out.to_string()).send().await.expect("success");
            done += 1;
        }
    });
    let d = finished(&sfn, &exec).await;
    loop_task.await.expect("worker");
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(output(&d), json!({"size": 100}));
    let events = history(&sfn, &exec).await;
    let types: Vec<HistoryEventType> = events.iter().take(7).map(|e| e.r#type.clone()).collect();
    assert_eq!(
        types,
        vec![
            HistoryEventType::ExecutionStarted,
            HistoryEventType::TaskStateEntered,
            HistoryEventType::ActivityScheduled,
            HistoryEventType::ActivityStarted,
            HistoryEventType::ActivitySucceeded,
            HistoryEventType::TaskStateExited,
            HistoryEventType::TaskStateEntered,
        ]
    );
    let scheduled = events[2].activity_scheduled_event_details().expect("scheduled");
    assert_eq!(scheduled.resource, activity);
    assert_eq!(scheduled.heartbeat_in_seconds, Some(5));
    assert_eq!(scheduled.timeout_in_seconds, Some(60));
    let started = events[3].activity_started_event_details().expect("started");
    assert_eq!(started.worker_name.as_deref(), Some("worker-1"));
    assert_eq!((events[3].previous_event_id, events[4].previous_event_id), (3, 4));

    let err = worker.get_activity_task().activity_arn("no_an_activity_arn").send().await.expect_err("bad arn");
    assert_eq!(err.code(), Some("InvalidArn"));
    assert_eq!(err.message(), Some("Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'"));
    let gone = activity.replace(":resize", ":gone");
    let err = worker.get_activity_task().activity_arn(&gone).send().await.expect_err("no activity");
    assert_eq!(err.code(), Some("ActivityDoesNotExist"));
    assert_eq!(err.message(), Some(format!("Activity Does Not Exist: '{gone}'").as_str()));
}

#[tokio::test]
async fn missed_heartbeat_is_caught_and_the_token_then_timed_out() {
    let server = common::server().await;
    let config = common::sdk_config(&server).await;
    let (sfn, sqs) = (Client::new(&config), aws_sdk_sqs::Client::new(&config));
    let queue = sqs.create_queue().queue_name("beats").send().await.expect("queue").queue_url.expect("url");
    let definition = json!({
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
                "HeartbeatSecondsPath": "$.beat",
                "TimeoutSeconds": 60,
                "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.error", "Next": "Recovered"}],
                "Next": "Done"
            },
            "Recovered": {"Type": "Pass", "End": true},
            "Done": {"Type": "Succeed"}
        }
    });
    let arn = create(&sfn, "beating", definition).await;

    // Heartbeats every 0.6 s keep a 1 s heartbeat alive past 2 s.
    let exec = start(&sfn, &arn, json!({"beat": 1})).await;
    let msg = sqs.receive_message().queue_url(&queue).wait_time_seconds(10).send().await.expect("receive");
    let body: Value = serde_json::from_str(msg.messages()[0].body().unwrap_or("{}")).expect("body");
    let token = body["token"].as_str().expect("token").to_string();
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        sfn.send_task_heartbeat().task_token(&token).send().await.expect("heartbeat");
    }
    sfn.send_task_success().task_token(&token).output(r#"{"ok": true}"#).send().await.expect("success");
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(output(&d), json!({"ok": true}));

    // Without heartbeats the task times out and Catch takes it.
    let exec = start(&sfn, &arn, json!({"beat": 1})).await;
    let msg = sqs.receive_message().queue_url(&queue).wait_time_seconds(10).send().await.expect("receive");
    let body: Value = serde_json::from_str(msg.messages()[0].body().unwrap_or("{}")).expect("body");
    let token = body["token"].as_str().expect("token").to_string();
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(output(&d), json!({"beat": 1, "error": {"Error": "States.HeartbeatTimeout"}}));
    let events = history(&sfn, &exec).await;
    let timed_out = events.iter().find(|e| e.r#type == HistoryEventType::TaskTimedOut).expect("TaskTimedOut");
    let details = timed_out.task_timed_out_event_details().expect("details");
    assert_eq!(details.error.as_deref(), Some("States.HeartbeatTimeout"));
    assert_eq!(details.resource, "sendMessage.waitForTaskToken");
    assert!(events.iter().any(|e| e.r#type == HistoryEventType::TaskSubmitted));
    let err = sfn.send_task_success().task_token(&token).output("{}").send().await.expect_err("late answer");
    assert_eq!(err.code(), Some("TaskTimedOut"));
    assert_eq!(err.message(), Some("Task Timed Out: 'Provided task does not exist anymore'"));
    let err = sfn.send_task_heartbeat().task_token(&token).send().await.expect_err("late heartbeat");
    assert_eq!(err.code(), Some("TaskTimedOut"));
}

#[tokio::test]
async fn nested_sync_executions() {
    let server = common::server().await;
    let sfn = Client::new(&common::sdk_config(&server).await);
    let child = create(
        &sfn,
        "child",
        json!({"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"}, "End": true}}}),
    )
    .await;
    let failing = create(
        &sfn,
        "failing",
        json!({"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "ChildError", "Cause": "it broke"}}}),
    )
    .await;
    let parent = create(
        &sfn,
        "parent",
        json!({
            "StartAt": "Sync2",
            "States": {
                "Sync2": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": child, "Input": {"n.$": "$.n", "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}},
                    "ResultSelector": {"out.$": "$.Output", "status.$": "$.Status"},
                    "ResultPath": "$.sync2",
                    "Next": "Sync"
                },
                "Sync": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync",
                    "Parameters": {"StateMachineArn": child, "Input": {"n": 5}},
                    "ResultSelector": {"out.$": "$.Output"},
                    "ResultPath": "$.sync",
                    "Next": "Fire"
                },
                "Fire": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution",
                    "Parameters": {"StateMachineArn": child, "Name": "fired", "Input": {"n": 1}},
                    "ResultSelector": {"arn.$": "$.ExecutionArn"},
                    "ResultPath": "$.fired",
                    "Next": "Broken"
                },
                "Broken": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": failing},
                    "End": true
                }
            }
        }),
    )
    .await;
    let exec = start(&sfn, &parent, json!({"n": 21})).await;
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("States.TaskFailed"));
    let cause: Value = serde_json::from_str(d.cause.as_deref().unwrap_or("{}")).expect("cause");
    assert_eq!(cause["Status"], json!("FAILED"));
    assert_eq!(cause["Error"], json!("ChildError"));
    assert_eq!(cause["Cause"], json!("it broke"));
    assert_eq!(cause["StateMachineArn"], json!(failing));

    let events = history(&sfn, &exec).await;
    let outputs: Vec<Value> = events
        .iter()
        .filter_map(|e| e.state_exited_event_details())
        .map(|x| serde_json::from_str(x.output.as_deref().unwrap_or("null")).expect("exited output"))
        .collect();
    assert_eq!(outputs[0]["sync2"], json!({"out": {"n": 42}, "status": "SUCCEEDED"}));
    assert_eq!(outputs[1]["sync"], json!({"out": "{\"n\":10}"}));
    assert_eq!(outputs[2]["fired"], json!({"arn": "arn:aws:states:us-east-1:000000000000:execution:child:fired"}));
    let types: Vec<HistoryEventType> = events.iter().skip(1).take(6).map(|e| e.r#type.clone()).collect::<Vec<_>>();
    assert_eq!(
        types,
        vec![
            HistoryEventType::TaskStateEntered,
            HistoryEventType::TaskScheduled,
            HistoryEventType::TaskStarted,
            HistoryEventType::TaskSubmitted,
            HistoryEventType::TaskSucceeded,
            HistoryEventType::TaskStateExited,
        ]
    );
    let children = sfn.list_executions().state_machine_arn(&child).send().await.expect("list").executions;
    assert_eq!(children.len(), 3);
    let first = children.iter().find(|e| e.name != "fired").expect("a sync child");
    let input: Value = serde_json::from_str(
        sfn.describe_execution()
            .execution_arn(&first.execution_arn)
            .send()
            .await
            .expect("child")
            .input()
            .unwrap_or("{}"),
    )
    .expect("child input");
    if input.get("AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID").is_some() {
        assert_eq!(input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"], json!(exec));
    }

    // Stopping a parent stops the child it waits for.
    let slow =
        create(&sfn, "slow", json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}))
            .await;
    let waiting = create(
        &sfn,
        "waiting",
        json!({"StartAt": "Run", "States": {"Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": slow, "Name": "slow-child"}, "End": true}}}),
    )
    .await;
    let exec = start(&sfn, &waiting, json!({})).await;
    let child_arn = "arn:aws:states:us-east-1:000000000000:execution:slow:slow-child";
    for _ in 0..200 {
        if sfn.describe_execution().execution_arn(child_arn).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    sfn.stop_execution().execution_arn(&exec).send().await.expect("stop parent");
    assert_eq!(finished(&sfn, &exec).await.status, ExecutionStatus::Aborted);
    assert_eq!(finished(&sfn, child_arn).await.status, ExecutionStatus::Aborted);
}

#[tokio::test]
async fn aliases_route_between_versions() {
    let server = common::server().await;
    let sfn = Client::new(&common::sdk_config(&server).await);
    let pass =
        |v: i64| json!({"StartAt": "V", "States": {"V": {"Type": "Pass", "Result": {"version": v}, "End": true}}});
    let created = sfn
        .create_state_machine()
        .name("routed")
        .definition(pass(1).to_string())
        .role_arn(ROLE)
        .publish(true)
        .send()
        .await
        .expect("create");
    let (arn, v1) = (created.state_machine_arn, created.state_machine_version_arn.expect("version 1"));
    let v2 = sfn
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(pass(2).to_string())
        .publish(true)
        .send()
        .await
        .expect("update")
        .state_machine_version_arn
        .expect("version 2");
    let route =
        |v: &str, w: i32| RoutingConfigurationListItem::builder().state_machine_version_arn(v).weight(w).build();
    let alias = sfn
        .create_state_machine_alias()
        .name("prod")
        .routing_configuration(route(&v2, 100).expect("route"))
        .send()
        .await
        .expect("alias")
        .state_machine_alias_arn;
    assert_eq!(alias, format!("{arn}:prod"));
    let exec = start(&sfn, &alias, json!({})).await;
    let d = finished(&sfn, &exec).await;
    assert_eq!(output(&d), json!({"version": 2}));
    assert_eq!(d.state_machine_arn, arn);
    assert_eq!(d.state_machine_alias_arn.as_deref(), Some(alias.as_str()));
    assert_eq!(d.state_machine_version_arn.as_deref(), Some(v2.as_str()));

    // Half and half: both versions serve some of 40 executions.
    sfn.update_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .routing_configuration(route(&v1, 50).expect("route"))
        .routing_configuration(route(&v2, 50).expect("route"))
        .send()
        .await
        .expect("update alias");
    let mut seen = std::collections::HashSet::new();
    for _ in 0..40 {
        let exec = start(&sfn, &alias, json!({})).await;
        seen.insert(output(&finished(&sfn, &exec).await)["version"].clone());
    }
    assert_eq!(seen.len(), 2, "both versions routed: {seen:?}");
    let through = |q: &str| sfn.list_executions().state_machine_arn(q).max_results(1000).send();
    assert_eq!(through(&alias).await.expect("by alias").executions.len(), 41);
    let (n1, n2) = (through(&v1).await.expect("v1").executions.len(), through(&v2).await.expect("v2").executions.len());
    assert_eq!(n1 + n2, 41);
    assert!(n1 > 0 && n2 > 1);
    let described = sfn.describe_state_machine_alias().state_machine_alias_arn(&alias).send().await.expect("describe");
    assert_eq!(described.name.as_deref(), Some("prod"));
    assert_eq!(described.routing_configuration().len(), 2);
    let listed = sfn.list_state_machine_aliases().state_machine_arn(&arn).send().await.expect("list");
    assert_eq!(listed.state_machine_aliases().len(), 1);

    let err = sfn
        .create_state_machine_alias()
        .name("bad")
        .routing_configuration(route(&v1, 70).expect("route"))
        .routing_configuration(route(&v2, 29).expect("route"))
        .send()
        .await
        .expect_err("weights");
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(err.message(), Some("Sum of routing configuration weights must equal 100. Received: [70, 29]"));
    let err = sfn
        .create_state_machine_alias()
        .name("prod")
        .routing_configuration(route(&v1, 100).expect("route"))
        .send()
        .await
        .expect_err("conflict");
    assert_eq!(err.code(), Some("ConflictException"));
    assert_eq!(
        err.message(),
        Some(
            "Failed to create alias because an alias with the same name and a different routing configuration already exists."
        )
    );
    let err = sfn.delete_state_machine_version().state_machine_version_arn(&v1).send().await.expect_err("in use");
    assert_eq!(err.code(), Some("ConflictException"));
    assert_eq!(
        err.message(),
        Some(
            "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [prod]"
        )
    );
    sfn.delete_state_machine_alias().state_machine_alias_arn(&alias).send().await.expect("delete alias");
    let err = sfn
        .update_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .description("x")
        .send()
        .await
        .expect_err("gone");
    assert_eq!(err.code(), Some("ResourceNotFound"));
    assert_eq!(err.message(), Some("Request references a resource that does not exist."));
}

#[tokio::test]
async fn redrive_restarts_from_the_failed_state() {
    let server = common::server().await;
    let config = common::sdk_config(&server).await;
    let (sfn, sqs) = (Client::new(&config), aws_sdk_sqs::Client::new(&config));
    let queue = sqs.create_queue().queue_name("redrive").send().await.expect("queue").queue_url.expect("url");
    let definition = json!({
        "StartAt": "Before",
        "States": {
            "Before": {"Type": "Pass", "Result": "ran", "ResultPath": "$.before", "Next": "Ask"},
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token", "redrives.$": "$$.Execution.RedriveCount"}},
                "ResultPath": "$.answer",
                "End": true
            }
        }
    });
    let arn = create(&sfn, "redriven", definition).await;
    let exec = start(&sfn, &arn, json!({"n": 1})).await;
    let next_token = || async {
        let msg = sqs.receive_message().queue_url(&queue).wait_time_seconds(10).send().await.expect("receive");
        let m = &msg.messages()[0];
        sqs.delete_message()
            .queue_url(&queue)
            .receipt_handle(m.receipt_handle().unwrap_or_default())
            .send()
            .await
            .expect("delete");
        serde_json::from_str::<Value>(m.body().unwrap_or("{}")).expect("body")
    };
    let body = next_token().await;
    assert_eq!(body["redrives"], json!(0));
    let token = body["token"].as_str().expect("token").to_string();
    sfn.send_task_failure().task_token(&token).error("Nope").cause("try again").send().await.expect("failure");
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.redrive_status, Some(ExecutionRedriveStatus::Redrivable));

    let redriven = sfn.redrive_execution().execution_arn(&exec).send().await.expect("redrive");
    let body = next_token().await;
    assert_eq!(body["redrives"], json!(1));
    let token = body["token"].as_str().expect("token").to_string();
    sfn.send_task_success().task_token(&token).output(r#""yes""#).send().await.expect("success");
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(output(&d), json!({"n": 1, "before": "ran", "answer": "yes"}));
    assert_eq!(d.redrive_count, Some(1));
    assert_eq!(d.redrive_date, Some(redriven.redrive_date));
    let events = history(&sfn, &exec).await;
    let redrive = events.iter().find(|e| e.r#type == HistoryEventType::ExecutionRedriven).expect("ExecutionRedriven");
    assert_eq!(redrive.execution_redriven_event_details().map(|x| x.redrive_count), Some(Some(1)));
    let passes = events.iter().filter(|e| e.r#type == HistoryEventType::PassStateEntered).count();
    assert_eq!(passes, 1, "the Pass state before the failure is not run again");
    assert_eq!(events.iter().filter(|e| e.r#type == HistoryEventType::TaskStateEntered).count(), 2);

    let err = sfn.redrive_execution().execution_arn(&exec).send().await.expect_err("succeeded");
    assert_eq!(err.code(), Some("ExecutionNotRedrivable"));
    assert_eq!(err.message(), Some("Execution is SUCCEEDED and cannot be redriven"));
}

/// Resolves every name to 127.0.0.1, as `/etc/hosts` would need to for the
/// `sync-` host the SDK sends StartSyncExecution and TestState to.
#[derive(Debug, Clone)]
struct Loopback;

impl ResolveDns for Loopback {
    fn resolve_dns<'a>(&'a self, _name: &'a str) -> DnsFuture<'a> {
        DnsFuture::ready(Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]))
    }
}

/// A client whose endpoint is `localhost`: the SDK sends the `sync-`
/// operations to `sync-localhost`, which `Loopback` resolves.
async fn sync_client(server: &stratus::server::Server) -> Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_with_resolver(Loopback);
    let config = common::sdk_config(server).await;
    let conf = aws_sdk_sfn::config::Builder::from(&config)
        .endpoint_url(format!("http://localhost:{}", server.addr.port()))
        .http_client(http)
        .build();
    Client::from_conf(conf)
}

#[tokio::test]
async fn test_state_and_sync_executions_on_the_sync_host() {
    let server = common::server().await;
    let sfn = sync_client(&server).await;

    let pass = json!({"Type": "Pass", "InputPath": "$.in", "Parameters": {"v.$": "$.v"}, "ResultPath": "$.r", "Next": "After"});
    let out = sfn
        .test_state()
        .definition(pass.to_string())
        .role_arn(ROLE)
        .input(r#"{"in": {"v": 7}}"#)
        .inspection_level(InspectionLevel::Debug)
        .send()
        .await
        .expect("test pass");
    assert_eq!(out.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(out.next_state.as_deref(), Some("After"));
    let o: Value = serde_json::from_str(out.output.as_deref().unwrap_or("null")).expect("output");
    assert_eq!(o, json!({"in": {"v": 7}, "r": {"v": 7}}));
    let data = out.inspection_data.expect("inspection");
    assert_eq!(data.after_input_path.as_deref(), Some(r#"{"v":7}"#));
    assert_eq!(data.after_parameters.as_deref(), Some(r#"{"v":7}"#));
    assert_eq!(data.after_result_path.as_deref(), Some(r#"{"in":{"v":7},"r":{"v":7}}"#));

    let choice = json!({"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"});
    let out = sfn.test_state().definition(choice.to_string()).role_arn(ROLE).input(r#"{"n": 5}"#).send().await;
    assert_eq!(out.expect("choice").next_state.as_deref(), Some("Big"));

    let fail = json!({"Type": "Fail", "Error": "Bad", "Cause": "because"});
    let out = sfn.test_state().definition(fail.to_string()).role_arn(ROLE).send().await.expect("fail");
    assert_eq!(out.status, Some(TestExecutionStatus::Failed));
    assert_eq!((out.error.as_deref(), out.cause.as_deref()), (Some("Bad"), Some("because")));

    let task = json!({
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "http://localhost/000000000000/missing", "MessageBody": "x"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3}], "End": true
    });
    let out = sfn.test_state().definition(task.to_string()).role_arn(ROLE).send().await.expect("retriable");
    assert_eq!(out.status, Some(TestExecutionStatus::Retriable));
    let mut caught = task.clone();
    caught.as_object_mut().map(|m| m.remove("Retry"));
    caught["Catch"] = json!([{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]);
    let out = sfn.test_state().definition(caught.to_string()).role_arn(ROLE).send().await.expect("caught");
    assert_eq!(out.status, Some(TestExecutionStatus::CaughtError));
    assert_eq!(out.next_state.as_deref(), Some("Handle"));
    assert!(out.error.is_some());

    let express = sfn
        .create_state_machine()
        .name("quick")
        .r#type(aws_sdk_sfn::types::StateMachineType::Express)
        .definition(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}).to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect("express")
        .state_machine_arn;
    let out = sfn.start_sync_execution().state_machine_arn(&express).input(r#"{"a": 1}"#).send().await.expect("sync");
    assert_eq!(out.status, aws_sdk_sfn::types::SyncExecutionStatus::Succeeded);
    assert_eq!(out.output.as_deref(), Some(r#"{"a":1}"#));
}

#[tokio::test]
async fn express_execution_events_go_to_the_log_group() {
    let server = common::server().await;
    let config = common::sdk_config(&server).await;
    let (sfn, logs) = (Client::new(&config), aws_sdk_cloudwatchlogs::Client::new(&config));
    logs.create_log_group().log_group_name("/aws/vendedlogs/states/quick").send().await.expect("group");
    let destination = |group: &str| {
        aws_sdk_sfn::types::LogDestination::builder()
            .cloud_watch_logs_log_group(
                aws_sdk_sfn::types::CloudWatchLogsLogGroup::builder()
                    .log_group_arn(format!("arn:aws:logs:us-east-1:000000000000:log-group:{group}:*"))
                    .build(),
            )
            .build()
    };
    let logging = |level| {
        aws_sdk_sfn::types::LoggingConfiguration::builder()
            .level(level)
            .include_execution_data(false)
            .destinations(destination("/aws/vendedlogs/states/quick"))
            .build()
    };
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1}, "Next": "F"}, "F": {"Type": "Fail", "Error": "Boom", "Cause": "bad"}}});
    let err = sfn
        .create_state_machine()
        .name("unlogged")
        .r#type(aws_sdk_sfn::types::StateMachineType::Express)
        .definition(definition.to_string())
        .role_arn(ROLE)
        .logging_configuration(
            aws_sdk_sfn::types::LoggingConfiguration::builder()
                .level(aws_sdk_sfn::types::LogLevel::All)
                .destinations(destination("/no/such/group"))
                .build(),
        )
        .send()
        .await
        .expect_err("missing group");
    assert_eq!(err.code(), Some("InvalidLoggingConfiguration"));
    assert_eq!(err.message(), Some("Invalid Logging Configuration: Log Destination not found."));

    let arn = sfn
        .create_state_machine()
        .name("logged")
        .r#type(aws_sdk_sfn::types::StateMachineType::Express)
        .definition(definition.to_string())
        .role_arn(ROLE)
        .logging_configuration(logging(aws_sdk_sfn::types::LogLevel::All))
        .send()
        .await
        .expect("create")
        .state_machine_arn;
    let exec = sfn.start_execution().state_machine_arn(&arn).input("{}").send().await.expect("start").execution_arn;
    let mut messages: Vec<Value> = Vec::new();
    for _ in 0..200 {
        let found =
            logs.filter_log_events().log_group_name("/aws/vendedlogs/states/quick").send().await.expect("filter");
        messages = found.events().iter().filter_map(|e| serde_json::from_str(e.message()?).ok()).collect();
        if messages.len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let types: Vec<&str> = messages.iter().filter_map(|m| m["type"].as_str()).collect();
    assert_eq!(
        types,
        vec!["ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"]
    );
    assert_eq!(messages[0]["execution_arn"], json!(exec));
    assert_eq!(messages[0]["id"], json!("1"));
    assert_eq!(messages[0]["redrive_count"], json!("0"));
    assert_eq!(messages[1]["details"], json!({"name": "P"}));
    assert_eq!(messages[4]["details"], json!({"error": "Boom", "cause": "bad"}));
    assert_eq!(messages[4]["previous_event_id"], json!("4"));
}
