"""Step Functions' JSONata query language with boto3: a workflow using
Arguments, Output, Assign, Items/ItemSelector, Choice Conditions, `$states`
and AWS's extra functions, checked to its exact output; the
States.QueryEvaluationError an undefined expression raises, with its
EvaluationFailed event; and the InvalidDefinition a JSONPath field in a
JSONata state gets."""

import json
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


ROLE = "arn:aws:iam::000000000000:role/sfn"

WORKFLOW = {
    "QueryLanguage": "JSONata",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Assign": {"threshold": "{% $states.input.threshold %}"},
            "Output": {"customer": "{% $uppercase($states.input.customer) %}", "orders": "{% $states.input.orders %}"},
            "Next": "Price",
        },
        "Price": {
            "Type": "Map",
            "Items": "{% $states.input.orders %}",
            "ItemSelector": {"order": "{% $states.context.Map.Item.Value %}", "index": "{% $states.context.Map.Item.Index %}"},
            "ItemProcessor": {"StartAt": "Line", "States": {"Line": {
                "Type": "Pass",
                "Output": {
                    "id": "{% $states.input.order.id %}",
                    "total": "{% $states.input.order.qty * $states.input.order.price %}",
                    "line": "{% $states.input.index + 1 %}",
                },
                "End": True,
            }}},
            "Assign": {"lines": "{% $count($states.result) %}"},
            "Output": {"customer": "{% $states.input.customer %}", "totals": "{% $states.result.total %}", "sum": "{% $sum($states.result.total) %}"},
            "Next": "Size",
        },
        "Size": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.sum > $threshold %}", "Assign": {"size": "big"}, "Next": "Report"}],
            "Default": "Report",
            "Assign": {"size": "small"},
        },
        "Report": {
            "Type": "Parallel",
            "Arguments": {"sum": "{% $states.input.sum %}", "customer": "{% $states.input.customer %}"},
            "Branches": [
                {"StartAt": "Half", "States": {"Half": {"Type": "Pass", "Output": "{% $states.input.sum / 2 %}", "End": True}}},
                {"StartAt": "Name", "States": {"Name": {"Type": "Pass", "Output": "{% $lowercase($states.input.customer) %}", "End": True}}},
            ],
            "Output": {
                "customer": "{% $states.result[1] %}",
                "half": "{% $states.result[0] %}",
                "size": "{% $size %}",
                "lines": "{% $lines %}",
                "pages": "{% $partition([1, 2, 3], 2) %}",
                "steps": "{% $range(0, 4, 2) %}",
                "literal": "not {% an expression %}",
                "execution": "{% $states.context.Execution.Name %}",
            },
            "End": True,
        },
    },
}


@pytest.fixture
def sfn(stratus):
    return boto3.client(
        "stepfunctions",
        endpoint_url=stratus.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def machine(sfn, definition):
    name = f"sm-{uuid.uuid4().hex[:8]}"
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def run(sfn, arn, data, name):
    exec_arn = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(data))["executionArn"]
    deadline = time.time() + 30
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=exec_arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{exec_arn} still running")


def test_jsonata_workflow_output(sfn):
    arn = machine(sfn, WORKFLOW)
    data = {"customer": "Ada", "threshold": 20, "orders": [{"id": "a", "qty": 2, "price": 10}, {"id": "b", "qty": 3, "price": 5}]}
    d = run(sfn, arn, data, "order-1")
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == {
        "customer": "ada",
        "half": 17.5,
        "size": "big",
        "lines": 2,
        "pages": [[1, 2], [3]],
        "steps": [0, 2, 4],
        "literal": "not {% an expression %}",
        "execution": "order-1",
    }
    events = sfn.get_execution_history(executionArn=d["executionArn"])["events"]
    exited = [e["stateExitedEventDetails"] for e in events if e["type"] == "PassStateExited"]
    assert exited[0]["name"] == "Prepare"
    assert exited[0]["assignedVariables"] == {"threshold": "20"}


def test_jsonata_undefined_expression_fails(sfn):
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {"x": "{% $nothing %}"}, "End": True}}}
    d = run(sfn, machine(sfn, definition), {}, "undefined")
    cause = (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "The JSONata expression '$nothing' specified for the field 'Output/x' returned nothing (undefined)."
    )
    assert (d["status"], d["error"], d["cause"]) == ("FAILED", "States.QueryEvaluationError", cause)
    events = sfn.get_execution_history(executionArn=d["executionArn"])["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]
    assert events[2]["evaluationFailedEventDetails"] == {
        "error": "States.QueryEvaluationError", "cause": cause, "location": "Output/x", "state": "P",
    }


def test_jsonpath_field_in_jsonata_state_is_refused(sfn):
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a", "End": True}}}
    with pytest.raises(ClientError) as e:
        machine(sfn, definition)
    assert e.value.response["Error"]["Code"] == "InvalidDefinition"
    assert e.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', "
        "but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage at /States/P'"
    )
