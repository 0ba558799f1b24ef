//! JSONata workflows run through the service, one per feature: Pass
//! Output/Assign (and variables shared with JSONPath states), Choice
//! Conditions with per-rule Output/Assign, Wait Seconds/Timestamp
//! expressions, Fail Error/Cause, Map Items/ItemSelector/MaxConcurrency,
//! Parallel Arguments, Task Arguments and Catch Output/Assign with
//! `$states.errorOutput`, a distributed Map's tolerated failures and
//! `WriterConfig` with its map run seen by DescribeMapRun/ListMapRuns.

use serde_json::{Value, json};
use stratus_core::{RequestContext, Service, Settings};
use stratus_stepfunctions::StepFunctions;

async fn call(svc: &StepFunctions, op: &'static str, input: Value) -> Value {
    let ctx = RequestContext::internal("stepfunctions", op);
    match svc.call(&ctx, input).await {
        Ok(v) => v,
        Err(e) => panic!("{op}: {}: {}", e.code, e.message),
    }
}

/// Runs `definition` on `input`: the finished DescribeExecution and the
/// history's events.
async fn run(definition: Value, input: Value) -> (Value, Vec<Value>) {
    let svc = StepFunctions::new(stratus_store::Store::in_memory().expect("store"), &Settings::default());
    run_on(&svc, definition, input).await
}

async fn run_on(svc: &StepFunctions, definition: Value, input: Value) -> (Value, Vec<Value>) {
    let sm = call(
        svc,
        "CreateStateMachine",
        json!({"name": "m", "definition": definition.to_string(), "roleArn": "arn:aws:iam::000000000000:role/sfn"}),
    )
    .await;
    let exec =
        call(svc, "StartExecution", json!({"stateMachineArn": sm["stateMachineArn"], "input": input.to_string()}))
            .await;
    let arn = exec["executionArn"].clone();
    for _ in 0..500 {
        let d = call(svc, "DescribeExecution", json!({"executionArn": arn})).await;
        if d["status"] != "RUNNING" {
            let h = call(svc, "GetExecutionHistory", json!({"executionArn": arn})).await;
            return (d, h["events"].as_array().cloned().unwrap_or_default());
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the execution did not finish");
}

fn output(d: &Value) -> Value {
    d["output"].as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(Value::Null)
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["type"].as_str()).collect()
}

#[tokio::test]
async fn pass_output_assign_and_variables_across_languages() {
    let def = json!({
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"total": "{% $sum($states.input.n) %}", "first": "{% $states.input.n[0] %}"}, "Output": {"n": "{% $states.input.n %}"}, "Next": "Path"},
            "Path": {"Type": "Pass", "Parameters": {"total.$": "$total", "count.$": "States.ArrayLength($.n)"}, "Assign": {"count.$": "$.count"}, "Next": "Back"},
            "Back": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $total / $count + $first %}", "End": true}
        }
    });
    let (d, events) = run(def, json!({"n": [1, 2, 3]})).await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    assert_eq!(output(&d), json!(3));
    let exited = &events[2]["stateExitedEventDetails"];
    assert_eq!(exited["assignedVariables"], json!({"total": "6", "first": "1"}));
}

#[tokio::test]
async fn choice_conditions_with_rule_output_and_assign() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 10 %}", "Next": "Done", "Output": {"size": "big"}, "Assign": {"rule": 1}},
                    {"Condition": true, "Next": "Done", "Output": {"size": "{% 'small ' & $string($states.input.n) %}"}}
                ],
                "Default": "Done"
            },
            "Done": {"Type": "Succeed", "Output": {"size": "{% $states.input.size %}", "rule": "{% $exists($rule) %}"}}
        }
    });
    let (d, _) = run(def.clone(), json!({"n": 20})).await;
    assert_eq!(output(&d), json!({"size": "big", "rule": true}));
    let (d, _) = run(def, json!({"n": 2})).await;
    assert_eq!(output(&d), json!({"size": "small 2", "rule": false}));
    let bad = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n %}", "Next": "D"}], "Default": "D"},
        "D": {"Type": "Succeed"}
    }});
    let (d, _) = run(bad, json!({"n": 2})).await;
    assert_eq!(d["error"], "States.QueryEvaluationError");
    assert_eq!(
        d["cause"],
        "An error occurred while executing the state 'C' (entered at the event id #2). The JSONata expression \
         '$states.input.n' specified for the field 'Condition' returned an unexpected result type. Expected \
         'boolean', but was 'number' for value: 2"
    );
}

#[tokio::test]
async fn wait_fail_and_evaluation_failed_events() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Output": {"waited": "{% $states.input.s %}"}, "Next": "T"},
            "T": {"Type": "Wait", "Timestamp": "{% '2020-01-01T00:00:00Z' %}", "Next": "F"},
            "F": {"Type": "Fail", "Error": "{% 'Custom.' & $string($states.input.waited) %}", "Cause": "{% $states.context.State.Name %}"}
        }
    });
    let (d, events) = run(def, json!({"s": 0})).await;
    assert_eq!(
        (d["status"].as_str(), d["error"].as_str(), d["cause"].as_str()),
        (Some("FAILED"), Some("Custom.0"), Some("F"))
    );
    assert_eq!(
        types(&events),
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "WaitStateEntered",
            "WaitStateExited",
            "FailStateEntered",
            "ExecutionFailed"
        ]
    );
    let bad = json!({"QueryLanguage": "JSONata", "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": "{% 'soon' %}", "End": true}}});
    let (d, events) = run(bad, json!({})).await;
    assert_eq!(d["error"], "States.QueryEvaluationError");
    assert_eq!(types(&events), ["ExecutionStarted", "WaitStateEntered", "EvaluationFailed", "ExecutionFailed"]);
    let failed = &events[2];
    assert_eq!(
        (failed["previousEventId"].as_i64(), failed["evaluationFailedEventDetails"]["location"].as_str()),
        (Some(2), Some("Seconds"))
    );
}

#[tokio::test]
async fn map_items_selector_and_concurrency() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map",
            "Items": "{% $states.input.xs[$ > 1] %}",
            "MaxConcurrency": "{% 1 %}",
            "ItemSelector": {"x": "{% $states.context.Map.Item.Value %}", "i": "{% $states.context.Map.Item.Index %}", "k": "{% $states.input.k %}"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input.x * $states.input.k + $states.input.i %}", "End": true}}},
            "Output": {"results": "{% $states.result %}", "input": "{% $states.input.k %}"},
            "End": true
        }}
    });
    let (d, _) = run(def, json!({"xs": [1, 2, 3], "k": 10})).await;
    assert_eq!(output(&d), json!({"results": [20, 31], "input": 10}));
    let bad = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map",
        "ItemSelector": {"x": "{% $states.context.Map.Item.Value.missing %}"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true
    }}});
    let (d, events) = run(bad, json!([{"a": 1}])).await;
    assert_eq!(
        d["cause"],
        "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata expression '$states.context.Map.Item.Value.missing' specified for the field 'ItemSelector/x' returned nothing (undefined)."
    );
    assert_eq!(
        types(&events),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "EvaluationFailed",
            "MapStateFailed",
            "ExecutionFailed"
        ]
    );
    assert_eq!(events[4]["previousEventId"], events[3]["id"]);
}

#[tokio::test]
async fn parallel_arguments_and_catch_error_output() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Arguments": {"v": "{% $states.input.v * 2 %}"},
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.v %}", "End": true}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Fail", "Error": "Boom", "Cause": "{% 'v=' & $string($states.input.v) %}"}}}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled", "Assign": {"seen": "{% $states.errorOutput.Error %}"}, "Output": {"error": "{% $states.errorOutput %}", "in": "{% $states.input.v %}"}}],
                "End": true
            },
            "Handled": {"Type": "Pass", "Output": {"caught": "{% $states.input %}", "seen": "{% $seen %}"}, "End": true}
        }
    });
    let (d, _) = run(def, json!({"v": 4})).await;
    assert_eq!(output(&d), json!({"caught": {"error": {"Error": "Boom", "Cause": "v=8"}, "in": 4}, "seen": "Boom"}));
}

#[tokio::test]
async fn task_arguments_are_the_parameters() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {"T": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "missing", "Payload": {"n": "{% $states.input.n + 1 %}"}},
            "TimeoutSeconds": "{% 30 %}",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput.Error %}", "Next": "Done"}],
            "End": true
        }, "Done": {"Type": "Succeed"}}
    });
    let (d, events) = run(def, json!({"n": 1})).await;
    assert_eq!(d["status"], "SUCCEEDED");
    let scheduled = events.iter().find(|e| e["type"] == "TaskScheduled").expect("scheduled");
    let details = &scheduled["taskScheduledEventDetails"];
    let parameters: Value = serde_json::from_str(details["parameters"].as_str().unwrap_or("null")).unwrap_or_default();
    assert_eq!(parameters, json!({"FunctionName": "missing", "Payload": {"n": 2}}));
    assert_eq!(details["timeoutInSeconds"], 30);
    assert!(output(&d).is_string());
}

#[tokio::test]
async fn distributed_map_tolerates_failures_and_records_its_map_run() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map",
            "Items": "{% $states.input.items %}",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "C",
                "States": {
                    "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input < 0 %}", "Next": "Bad"}], "Default": "Ok"},
                    "Bad": {"Type": "Fail", "Error": "Negative"},
                    "Ok": {"Type": "Pass", "Output": "{% [$states.input, $states.input] %}", "End": true}
                }
            },
            "ToleratedFailureCount": "{% $states.input.tolerate %}",
            "ResultWriter": {"WriterConfig": {"Transformation": "FLATTEN"}},
            "End": true
        }}
    });
    let svc = StepFunctions::new(stratus_store::Store::in_memory().expect("store"), &Settings::default());
    let (d, events) = run_on(&svc, def.clone(), json!({"items": [1, -1, 2], "tolerate": 1})).await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    // A failed child keeps its full record, as with Transformation NONE.
    let out = output(&d);
    assert_eq!(
        out.as_array().and_then(|a| a.get(..4)).map(<[Value]>::to_vec),
        Some(vec![json!(1), json!(1), json!(2), json!(2)])
    );
    assert_eq!((out[4]["Status"].clone(), out[4]["Error"].clone()), (json!("FAILED"), json!("Negative")));
    let started = events.iter().find(|e| e["type"] == "MapRunStarted").expect("map run");
    let map_run = started["mapRunStartedEventDetails"]["mapRunArn"].clone();
    let described = call(&svc, "DescribeMapRun", json!({"mapRunArn": map_run})).await;
    assert_eq!(described["status"], "SUCCEEDED");
    assert_eq!(described["toleratedFailureCount"], 1);
    assert_eq!(
        (described["itemCounts"]["succeeded"].clone(), described["itemCounts"]["failed"].clone()),
        (json!(2), json!(1))
    );
    let listed = call(&svc, "ListMapRuns", json!({"executionArn": d["executionArn"]})).await;
    assert_eq!(listed["mapRuns"][0]["mapRunArn"], map_run);

    let (d, _) = run_on(&svc, def, json!({"items": [1, -1, -2], "tolerate": 1})).await;
    assert_eq!(d["status"], "FAILED");
    assert_eq!(d["error"], "States.ExceedToleratedFailureThreshold");
}
