"""Step Functions with boto3: state machine CRUD and AWS's definition errors,
every state type, intrinsic functions, Retry/Catch with timeouts, a callback
completed by SendTaskSuccess from another client, a Map over 1,000 items,
Express StartSyncExecution, activities and tags, and a Standard execution
that survives a server restart in the middle of a Wait state.

StartSyncExecution carries the `sync-` host prefix in the model; against a
local endpoint the client needs `Config(inject_host_prefix=False)` (or
AWS_DISABLE_HOST_PREFIX_INJECTION=true)."""

import json
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


ROLE = "arn:aws:iam::000000000000:role/sfn"


def sfn_client(endpoint):
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )


@pytest.fixture
def sfn(stratus):
    return sfn_client(stratus.endpoint)


def machine(sfn, definition, kind="STANDARD"):
    name = f"sm-{uuid.uuid4().hex[:8]}"
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE, type=kind)["stateMachineArn"]


def run(sfn, arn, data, timeout=30):
    exec_arn = sfn.start_execution(stateMachineArn=arn, input=json.dumps(data))["executionArn"]
    return finish(sfn, exec_arn, timeout)


def finish(sfn, exec_arn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=exec_arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{exec_arn} still running")


def history_types(sfn, exec_arn):
    return [e["type"] for e in sfn.get_execution_history(executionArn=exec_arn)["events"]]


def test_state_machine_crud_and_errors(sfn):
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    arn = machine(sfn, definition)
    d = sfn.describe_state_machine(stateMachineArn=arn)
    assert d["status"] == "ACTIVE" and d["type"] == "STANDARD" and json.loads(d["definition"]) == definition
    assert d["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert any(m["stateMachineArn"] == arn for m in sfn.list_state_machines()["stateMachines"])

    with pytest.raises(ClientError) as e:
        sfn.create_state_machine(name="bad", definition=json.dumps({"StartAt": "A"}), roleArn=ROLE)
    assert e.value.response["Error"]["Code"] == "InvalidDefinition"
    assert e.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
    )
    name = arn.split(":")[-1]
    with pytest.raises(ClientError) as e:
        sfn.create_state_machine(name=name, definition=json.dumps({**definition, "Comment": "x"}), roleArn=ROLE)
    assert e.value.response["Error"]["Code"] == "StateMachineAlreadyExists"
    assert e.value.response["Error"]["Message"] == f"State Machine Already Exists: '{arn}'"

    v = sfn.validate_state_machine_definition(definition=json.dumps({}))
    assert v["result"] == "FAIL"
    assert v["diagnostics"] == [
        {"code": "SCHEMA_VALIDATION_FAILED", "location": "/", "message": "These fields are required: [States, StartAt]", "severity": "ERROR"}
    ]
    assert sfn.validate_state_machine_definition(definition=json.dumps(definition))["result"] == "OK"

    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as e:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert e.value.response["Error"]["Code"] == "StateMachineDoesNotExist"
    assert e.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{arn}'"


def test_every_state_type(sfn):
    definition = {
        "StartAt": "Pass",
        "States": {
            "Pass": {"Type": "Pass", "Parameters": {"n.$": "$.n", "items.$": "$.items"}, "ResultPath": "$.p", "Next": "Choice"},
            "Choice": {
                "Type": "Choice",
                "Choices": [{"And": [{"Variable": "$.p.n", "NumericGreaterThan": 1}, {"Variable": "$.p.n", "IsNumeric": True}], "Next": "Wait"}],
                "Default": "Fail",
            },
            "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Parallel"},
            "Parallel": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Result": "one", "End": True}}},
                    {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "InputPath": "$.p.n", "End": True}}},
                ],
                "ResultPath": "$.parallel",
                "Next": "Map",
            },
            "Map": {
                "Type": "Map",
                "ItemsPath": "$.p.items",
                "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                "ItemProcessor": {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "End": True}}},
                "ResultPath": "$.mapped",
                "Next": "Succeed",
            },
            "Succeed": {"Type": "Succeed", "OutputPath": "$['parallel','mapped']"},
            "Fail": {"Type": "Fail", "Error": "TooSmall", "Cause": "n must be above 1"},
        },
    }
    arn = machine(sfn, definition)
    d = run(sfn, arn, {"n": 2, "items": ["a", "b"]})
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == [["one", 2], [{"value": "a", "index": 0}, {"value": "b", "index": 1}]]
    assert history_types(sfn, d["executionArn"]) == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered", "ChoiceStateExited",
        "WaitStateEntered", "WaitStateExited", "ParallelStateEntered", "ParallelStateStarted",
        "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "ParallelStateSucceeded",
        "ParallelStateExited", "MapStateEntered", "MapStateStarted", "MapIterationStarted", "PassStateEntered",
        "PassStateExited", "MapIterationSucceeded", "MapIterationStarted", "PassStateEntered", "PassStateExited",
        "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited", "SucceedStateEntered", "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    d = run(sfn, arn, {"n": 1, "items": []})
    assert (d["status"], d["error"], d["cause"]) == ("FAILED", "TooSmall", "n must be above 1")
    events = sfn.get_execution_history(executionArn=d["executionArn"])["events"]
    assert [(e["id"], e["previousEventId"], e["type"]) for e in events] == [
        (1, 0, "ExecutionStarted"), (2, 0, "PassStateEntered"), (3, 2, "PassStateExited"),
        (4, 3, "ChoiceStateEntered"), (5, 4, "ChoiceStateExited"), (6, 5, "FailStateEntered"), (7, 6, "ExecutionFailed"),
    ]


def test_intrinsic_functions(sfn):
    params = {
        "format.$": "States.Format('Hello {}, \\{literal\\}', $.name)",
        "json.$": "States.StringToJson($.text)",
        "text.$": "States.JsonToString($.obj)",
        "array.$": "States.Array(1, 'two', $.obj)",
        "partition.$": "States.ArrayPartition($.nums, 2)",
        "contains.$": "States.ArrayContains($.nums, 3)",
        "range.$": "States.ArrayRange(1, 9, 2)",
        "item.$": "States.ArrayGetItem($.nums, 1)",
        "length.$": "States.ArrayLength($.nums)",
        "unique.$": "States.ArrayUnique(States.Array(1, 1, 2))",
        "b64.$": "States.Base64Encode('Data to encode')",
        "decoded.$": "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')",
        "hash.$": "States.Hash('input data', 'SHA-1')",
        "merged.$": "States.JsonMerge($.obj, States.StringToJson('{\"b\": 2}'), false)",
        "random.$": "States.MathRandom(1, 2)",
        "sum.$": "States.MathAdd($.nums[0], 10)",
        "split.$": "States.StringSplit('a,b;c', ',;')",
        "uuid.$": "States.UUID()",
    }
    arn = machine(sfn, {"StartAt": "F", "States": {"F": {"Type": "Pass", "Parameters": params, "End": True}}})
    d = run(sfn, arn, {"name": "Ada", "text": "{\"k\": [1]}", "obj": {"a": 1}, "nums": [1, 2, 3, 4, 5]})
    out = json.loads(d["output"])
    assert len(out.pop("uuid")) == 36
    assert out == {
        "format": "Hello Ada, {literal}",
        "json": {"k": [1]},
        "text": "{\"a\":1}",
        "array": [1, "two", {"a": 1}],
        "partition": [[1, 2], [3, 4], [5]],
        "contains": True,
        "range": [1, 3, 5, 7, 9],
        "item": 2,
        "length": 5,
        "unique": [1, 2],
        "b64": "RGF0YSB0byBlbmNvZGU=",
        "decoded": "Data to encode",
        "hash": "aaff4a450a104cd177d28d18d74485e8cae074b7",
        "merged": {"a": 1, "b": 2},
        "random": 1,
        "sum": 11,
        "split": ["a", "b", "c"],
    }


def test_retry_catch_and_runtime_errors(sfn):
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Flaky", "Cause": "always"}}}],
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 1, "BackoffRate": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    d = run(sfn, machine(sfn, definition), {"k": 1})
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == {"k": 1, "error": {"Error": "Flaky", "Cause": "always"}}
    types = history_types(sfn, d["executionArn"])
    assert types.count("ParallelStateStarted") == 2 and types.count("ParallelStateFailed") == 1

    bad = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.missing", "End": True}}}
    d = run(sfn, machine(sfn, bad), {})
    assert d["status"] == "FAILED" and d["error"] == "States.Runtime"
    assert d["cause"] == (
        "An error occurred while executing the state 'W' (entered at the event id #2). "
        "The SecondsPath parameter does not reference an input value: $.missing"
    )


def test_callback_and_timeout(sfn, client):
    sqs = client("sqs")
    queue = sqs.create_queue(QueueName=f"tokens-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token", "q.$": "$.q"}},
                "TimeoutSeconds": 30,
                "End": True,
            }
        },
    }
    arn = machine(sfn, definition)
    exec_arn = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"q": "answer?"}))["executionArn"]
    msgs = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10).get("Messages", [])
    body = json.loads(msgs[0]["Body"])
    assert body["q"] == "answer?"
    other = client("stepfunctions")  # a second client, as a worker would be
    other.send_task_heartbeat(taskToken=body["token"])
    other.send_task_success(taskToken=body["token"], output=json.dumps({"a": 42}))
    d = finish(sfn, exec_arn)
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"a": 42}
    assert history_types(sfn, exec_arn) == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded",
        "TaskStateExited", "ExecutionSucceeded",
    ]
    with pytest.raises(ClientError) as e:
        other.send_task_success(taskToken=body["token"], output="{}")
    assert e.value.response["Error"]["Code"] == "TaskTimedOut"
    with pytest.raises(ClientError) as e:
        other.send_task_success(taskToken="never-issued", output="{}")
    assert e.value.response["Error"]["Code"] == "InvalidToken"

    definition["States"]["Ask"]["TimeoutSeconds"] = 1
    definition["States"]["Ask"]["Catch"] = [{"ErrorEquals": ["States.Timeout"], "Next": "Late"}]
    definition["States"]["Ask"].pop("End")
    definition["States"]["Ask"]["Next"] = "Late"
    definition["States"]["Late"] = {"Type": "Pass", "End": True}
    d = run(sfn, machine(sfn, definition), {"q": "slow"})
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"Error": "States.Timeout"}
    assert "TaskTimedOut" in history_types(sfn, d["executionArn"])


def test_map_of_1000_items_with_max_concurrency(sfn):
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 10,
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True}}},
                "End": True,
            }
        },
    }
    d = run(sfn, machine(sfn, definition), list(range(1000)), timeout=60)
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == [{"v": i} for i in range(1000)]


def test_express_start_sync_execution(sfn):
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
    arn = machine(sfn, definition, kind="EXPRESS")
    out = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
    assert out["status"] == "SUCCEEDED" and json.loads(out["output"]) == {"ok": True}
    assert ":express:" in out["executionArn"]
    with pytest.raises(ClientError) as e:
        sfn.list_executions(stateMachineArn=arn)
    assert e.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"
    assert e.value.response["Error"]["Message"] == "This operation is not supported by this type of state machine"
    bad = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}}}
    with pytest.raises(ClientError) as e:
        machine(sfn, bad, kind="EXPRESS")
    assert e.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support "
        "'.waitForTaskToken' service integration  at /States/T/Resource'"
    )


def test_activities_and_tags(sfn):
    name = f"act-{uuid.uuid4().hex[:8]}"
    arn = sfn.create_activity(name=name, tags=[{"key": "team", "value": "a"}])["activityArn"]
    assert sfn.create_activity(name=name)["activityArn"] == arn
    d = sfn.describe_activity(activityArn=arn)
    assert d["name"] == name and d["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(ClientError) as e:
        sfn.describe_activity(activityArn=arn)
    assert e.value.response["Error"]["Message"] == f"Activity Does Not Exist: '{arn}'"
    with pytest.raises(ClientError) as e:
        sfn.create_activity(name="bad name")
    assert (e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]) == ("InvalidName", "Invalid Name: 'bad name'")


def test_stop_execution(sfn):
    arn = machine(sfn, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}})
    exec_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    time.sleep(0.3)
    sfn.stop_execution(executionArn=exec_arn, error="Halt", cause="by test")
    d = finish(sfn, exec_arn)
    assert (d["status"], d["error"], d["cause"]) == ("ABORTED", "Halt", "by test")
    assert history_types(sfn, exec_arn) == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]


def test_standard_execution_survives_restart_mid_wait(fresh_stratus):
    server = fresh_stratus()
    sfn = sfn_client(server.endpoint)
    definition = {
        "StartAt": "Before",
        "States": {
            "Before": {"Type": "Pass", "Result": {"step": 1}, "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 3, "Next": "After"},
            "After": {"Type": "Pass", "Parameters": {"done.$": "$.step"}, "End": True},
        },
    }
    arn = sfn.create_state_machine(name="durable", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    exec_arn = sfn.start_execution(stateMachineArn=arn, name="e1")["executionArn"]
    time.sleep(1)
    started = time.time()
    server.restart()
    sfn = sfn_client(server.endpoint)
    d = finish(sfn, exec_arn, timeout=20)
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"done": 1}
    # Only what was left of the wait was waited after the restart.
    assert time.time() - started < 6
    events = sfn.get_execution_history(executionArn=exec_arn)["events"]
    assert [(e["id"], e["previousEventId"], e["type"]) for e in events] == [
        (1, 0, "ExecutionStarted"), (2, 0, "PassStateEntered"), (3, 2, "PassStateExited"), (4, 3, "WaitStateEntered"),
        (5, 4, "WaitStateExited"), (6, 5, "PassStateEntered"), (7, 6, "PassStateExited"), (8, 7, "ExecutionSucceeded"),
    ]


def test_distributed_map_reads_items_from_s3(sfn, client):
    s3 = client("s3")
    bucket = f"items-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="items.json", Body=json.dumps([{"n": i} for i in range(50)]))
    s3.put_object(Bucket=bucket, Key="rows.csv", Body="name,qty\napple,3\n\"pear, green\",5\n")
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Echo",
        "States": {"Echo": {"Type": "Pass", "End": True}},
    }
    definition = {
        "StartAt": "Json",
        "States": {
            "Json": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": 40},
                    "Parameters": {"Bucket": bucket, "Key": "items.json"},
                },
                "ItemSelector": {"doubled.$": "States.MathAdd($$.Map.Item.Value.n, $$.Map.Item.Value.n)"},
                "ItemProcessor": processor,
                "MaxConcurrency": 8,
                "ResultPath": "$.json",
                "Next": "Csv",
            },
            "Csv": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                    "Parameters": {"Bucket": bucket, "Key": "rows.csv"},
                },
                "ItemProcessor": processor,
                "ResultPath": "$.csv",
                "End": True,
            },
        },
    }
    d = run(sfn, machine(sfn, definition), {})
    assert d["status"] == "SUCCEEDED"
    out = json.loads(d["output"])
    assert out["json"] == [{"doubled": 2 * i} for i in range(40)]
    assert out["csv"] == [{"name": "apple", "qty": "3"}, {"name": "pear, green", "qty": "5"}]
    types = history_types(sfn, d["executionArn"])
    assert types[:5] == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded"]
    assert "MapIterationStarted" not in types


def test_lambda_tasks(sfn, client):
    import io
    import os
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        with open(os.path.join(os.path.dirname(__file__), "functions", "echo.py")) as f:
            z.writestr("echo.py", f.read())
    lam = client("lambda")
    fn = f"sfn-echo-{uuid.uuid4().hex[:8]}"
    fn_arn = lam.create_function(FunctionName=fn, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/l",
                                 Handler="echo.handler", Code={"ZipFile": buf.getvalue()})["FunctionArn"]
    definition = {
        "StartAt": "Direct",
        "States": {
            "Direct": {"Type": "Task", "Resource": fn_arn, "ResultSelector": {"event.$": "$.event"}, "ResultPath": "$.direct", "Next": "Invoke"},
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fn, "Payload": {"via": "invoke"}},
                "ResultSelector": {"event.$": "$.Payload.event", "status.$": "$.StatusCode"},
                "ResultPath": "$.invoked",
                "Next": "Failing",
            },
            "Failing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fn, "Payload": {"fail": "key"}},
                "Catch": [{"ErrorEquals": ["KeyError"], "ResultPath": "$.caught", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }
    d = run(sfn, machine(sfn, definition), {"k": 1}, timeout=60)
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["direct"] == {"event": {"k": 1}}
    assert out["invoked"] == {"event": {"via": "invoke"}, "status": 200}
    assert out["caught"]["Error"] == "KeyError"
    assert json.loads(out["caught"]["Cause"])["errorType"] == "KeyError"
    types = history_types(sfn, d["executionArn"])
    assert types[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]
    assert "TaskFailed" in types
