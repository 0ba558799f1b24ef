//! Step Functions' JSONata query language through the AWS SDK for Rust: a
//! workflow using Arguments, Output, Assign, Items/ItemSelector, Choice
//! Conditions, `$states` and AWS's extra functions, its exact output, and
//! the InvalidDefinition a JSONPath field in a JSONata state gets.

use crate::common;

use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{Value, json};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::000000000000:role/sfn";

/// The workflow the SDK and boto3 tests share.
pub fn workflow() -> Value {
    json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Prepare",
        "States": {
            "Prepare": {
                "Type": "Pass",
                "Assign": {"threshold": "{% $states.input.threshold %}"},
                "Output": {"customer": "{% $uppercase($states.input.customer) %}", "orders": "{% $states.input.orders %}"},
                "Next": "Price"
            },
            "Price": {
                "Type": "Map",
                "Items": "{% $states.input.orders %}",
                "ItemSelector": {"order": "{% $states.context.Map.Item.Value %}", "index": "{% $states.context.Map.Item.Index %}"},
                "ItemProcessor": {"StartAt": "Line", "States": {"Line": {
                    "Type": "Pass",
                    "Output": {"id": "{% $states.input.order.id %}", "total": "{% $states.input.order.qty * $states.input.order.price %}", "line": "{% $states.input.index + 1 %}"},
                    "End": true
                }}},
                "Assign": {"lines": "{% $count($states.result) %}"},
                "Output": {"customer": "{% $states.input.customer %}", "totals": "{% $states.result.total %}", "sum": "{% $sum($states.result.total) %}"},
                "Next": "Size"
            },
            "Size": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.sum > $threshold %}", "Assign": {"size": "big"}, "Next": "Report"}],
                "Default": "Report",
                "Assign": {"size": "small"}
            },
            "Report": {
                "Type": "Parallel",
                "Arguments": {"sum": "{% $states.input.sum %}", "customer": "{% $states.input.customer %}"},
                "Branches": [
                    {"StartAt": "Half", "States": {"Half": {"Type": "Pass", "Output": "{% $states.input.sum / 2 %}", "End": true}}},
                    {"StartAt": "Name", "States": {"Name": {"Type": "Pass", "Output": "{% $lowercase($states.input.customer) %}", "End": true}}}
                ],
                "Output": {
                    "customer": "{% $states.result[1] %}",
                    "half": "{% $states.result[0] %}",
                    "size": "{% $size %}",
                    "lines": "{% $lines %}",
                    "pages": "{% $partition([1, 2, 3], 2) %}",
                    "steps": "{% $range(0, 4, 2) %}",
                    "literal": "not {% an expression %}",
                    "execution": "{% $states.context.Execution.Name %}"
                },
                "End": true
            }
        }
    })
}

/// The workflow's output for the shared input, in execution `name`.
pub fn expected(name: &str) -> Value {
    json!({
        "customer": "ada",
        "half": 17.5,
        "size": "big",
        "lines": 2,
        "pages": [[1, 2], [3]],
        "steps": [0, 2, 4],
        "literal": "not {% an expression %}",
        "execution": name
    })
}

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
async fn jsonata_workflow() {
    let server = common::server().await;
    let sfn = Client::new(&common::sdk_config(&server).await);
    let arn = sfn
        .create_state_machine()
        .name("jsonata")
        .definition(workflow().to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect("create")
        .state_machine_arn;
    let input = json!({"customer": "Ada", "threshold": 20, "orders": [{"id": "a", "qty": 2, "price": 10}, {"id": "b", "qty": 3, "price": 5}]});
    let exec = sfn
        .start_execution()
        .state_machine_arn(&arn)
        .name("order-1")
        .input(input.to_string())
        .send()
        .await
        .expect("start")
        .execution_arn;
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded, "{:?} {:?}", d.error, d.cause);
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap_or("null")).expect("output");
    assert_eq!(output, expected("order-1"));

    // An expression that returns nothing fails the execution.
    let bad = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {"x": "{% $nothing %}"}, "End": true}}});
    let arn = sfn
        .create_state_machine()
        .name("undefined")
        .definition(bad.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect("create")
        .state_machine_arn;
    let exec = sfn.start_execution().state_machine_arn(&arn).input("{}").send().await.expect("start").execution_arn;
    let d = finished(&sfn, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        d.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'P' (entered at the event id #2). \
             The JSONata expression '$nothing' specified for the field 'Output/x' returned nothing (undefined)."
        )
    );

    let mixed = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a", "End": true}}});
    let err = sfn
        .create_state_machine()
        .name("mixed")
        .definition(mixed.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect_err("JSONPath field in a JSONata state");
    assert_eq!(err.code(), Some("InvalidDefinition"));
    assert_eq!(
        err.message(),
        Some(
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', \
             but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage at /States/P'"
        )
    );
}
