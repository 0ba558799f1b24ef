"""Step Functions' second half with boto3: an activity worker loop
completing tasks from another client, a missed heartbeat caught by Catch,
nested `.sync` executions, an API Gateway invoke task, aliases routing
between versions, RedriveExecution, TestState and StartSyncExecution sent
(signed) to the `sync-` host botocore prefixes, and Express executions
logging to CloudWatch Logs."""

import json
import socket
import threading
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import STRICT_KEY, STRICT_SECRET, client_for
from test_apigateway import deploy_mock, new_api
from test_stepfunctions import ROLE, finish, machine, run, sfn_client


@pytest.fixture
def sfn(stratus):
    return sfn_client(stratus.endpoint)


def error_of(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


@pytest.fixture
def strict_server(request):
    """A `--auth strict` server, made only when a test asks for it."""
    return lambda: request.getfixturevalue("strict")


def types_of(sfn, exec_arn):
    return [e["type"] for e in sfn.get_execution_history(executionArn=exec_arn)["events"]]


def test_activity_worker_loop(sfn, stratus):
    activity = sfn.create_activity(name=f"act-{uuid.uuid4().hex[:8]}")["activityArn"]
    arn = machine(sfn, {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 10, "End": True}},
    })
    worker = sfn_client(stratus.endpoint)  # another client, as a worker process would be
    done = []

    def loop():
        while not done:
            task = worker.get_activity_task(activityArn=activity, workerName="py-worker")
            if not task.get("taskToken"):
                continue
            data = json.loads(task["input"])
            worker.send_task_heartbeat(taskToken=task["taskToken"])
            worker.send_task_success(taskToken=task["taskToken"], output=json.dumps({"sum": data["a"] + data["b"]}))
            done.append(task["taskToken"])

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    d = run(sfn, arn, {"a": 2, "b": 3})
    t.join(timeout=30)
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"sum": 5}
    events = sfn.get_execution_history(executionArn=d["executionArn"])["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
        "TaskStateExited", "ExecutionSucceeded",
    ]
    assert events[2]["activityScheduledEventDetails"]["heartbeatInSeconds"] == 10
    assert events[3]["activityStartedEventDetails"] == {"workerName": "py-worker"}
    assert error_of(lambda: worker.send_task_success(taskToken=done[0], output="{}")) == (
        "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
    assert error_of(lambda: worker.get_activity_task(activityArn="no_an_activity_arn")) == (
        "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'")

    # A deleted activity fails the state before it is scheduled.
    sfn.delete_activity(activityArn=activity)
    d = run(sfn, arn, {"a": 1, "b": 1})
    assert (d["status"], d["error"]) == ("FAILED", "States.Runtime")
    assert d["cause"] == ("An error occurred while executing the state 'Work' (entered at the event id #2). "
                          f"The activity {activity} does not exist.")


def test_heartbeat_timeout_caught(sfn):
    activity = sfn.create_activity(name=f"slow-{uuid.uuid4().hex[:8]}")["activityArn"]
    arn = machine(sfn, {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 1, "TimeoutSeconds": 30,
                     "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Gave up"}], "End": True},
            "Gave up": {"Type": "Pass", "End": True},
        },
    })
    exec_arn = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="silent")
    assert task["taskToken"]
    d = finish(sfn, exec_arn)
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"Error": "States.HeartbeatTimeout"}
    events = sfn.get_execution_history(executionArn=exec_arn)["events"]
    timed_out = [e for e in events if e["type"] == "ActivityTimedOut"]
    assert timed_out[0]["activityTimedOutEventDetails"] == {"error": "States.HeartbeatTimeout"}
    assert error_of(lambda: sfn.send_task_heartbeat(taskToken=task["taskToken"]))[0] == "TaskTimedOut"


def test_nested_sync_execution(sfn):
    child = machine(sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"got.$": "$.x"}, "End": True}}})
    parent = machine(sfn, {
        "StartAt": "Run",
        "States": {"Run": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": child, "Input": {"x": 1}}, "End": True,
        }},
    })
    d = run(sfn, parent, {})
    assert d["status"] == "SUCCEEDED"
    out = json.loads(d["output"])
    assert out["Status"] == "SUCCEEDED" and out["Output"] == '{"got":1}' and out["Input"] == '{"x":1}'
    assert out["OutputDetails"] == {"Included": True} and isinstance(out["StartDate"], int)
    assert types_of(sfn, d["executionArn"])[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]

    # .waitForTaskToken: the child answers its parent with the SDK integration.
    answering = machine(sfn, {"StartAt": "Answer", "States": {"Answer": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
        "Parameters": {"TaskToken.$": "$.token", "Output": "{\"from\": \"child\"}"}, "End": True}}})
    parent = machine(sfn, {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
        "Parameters": {"StateMachineArn": answering, "Input": {"token.$": "$$.Task.Token"}}, "End": True}}})
    d = run(sfn, parent, {})
    assert (d["status"], json.loads(d["output"])) == ("SUCCEEDED", {"from": "child"})


def test_apigateway_invoke_task(sfn, client):
    apigw = client("apigateway")
    api_id = deploy_mock(apigw)
    endpoint = f"{api_id}.execute-api.us-east-1.amazonaws.com"
    arn = machine(sfn, {
        "StartAt": "Call",
        "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke",
            "Parameters": {"ApiEndpoint": endpoint, "Method": "POST", "Stage": "dev", "Path": "mock",
                           "Headers": {"X-Trace": ["1"]}, "RequestBody": {"hello": "world"}},
            "End": True,
        }},
    })
    d = run(sfn, arn, {})
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert (out["StatusCode"], out["StatusText"], out["ResponseBody"]) == (200, "OK", {"mocked": True})
    assert out["Headers"]["X-Mock"] == ["yes"]

    arn = machine(sfn, {
        "StartAt": "Call",
        "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke",
            "Parameters": {"ApiEndpoint": endpoint, "Method": "GET", "Stage": "dev", "Path": "nowhere"},
            "End": True,
        }},
    })
    d = run(sfn, arn, {})
    assert (d["status"], d["error"], json.loads(d["cause"])) == (
        "FAILED", "ApiGateway.403", {"message": "Missing Authentication Token"})


@pytest.mark.parametrize("mode", ["permissive", "strict"])
def test_apigateway_invoke_signed_with_the_role(mode, stratus, strict_server):
    server = stratus if mode == "permissive" else strict_server()
    key = {} if mode == "permissive" else {"key": STRICT_KEY, "secret": STRICT_SECRET}
    apigw = client_for(server.endpoint, "apigateway", **key)
    sfn = boto3.client("stepfunctions", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=key.get("key", "test"), aws_secret_access_key=key.get("secret", "test"),
                       config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
    api_id, root = new_api(apigw)
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET")
    apigw.put_method(authorizationType="AWS_IAM", **kw)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **kw)
    apigw.put_method_response(statusCode="200", **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": '{"signed": true}'}, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    call = {"Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke", "End": True,
            "Parameters": {"ApiEndpoint": f"{api_id}.execute-api.us-east-1.amazonaws.com", "Method": "GET", "Stage": "dev"}}
    d = run(sfn, machine(sfn, {"StartAt": "Call", "States": {"Call": call}}), {})
    assert (d["status"], d["error"], json.loads(d["cause"])) == (
        "FAILED", "ApiGateway.403", {"message": "Missing Authentication Token"})
    call["Parameters"]["AuthType"] = "IAM_ROLE"
    d = run(sfn, machine(sfn, {"StartAt": "Call", "States": {"Call": call}}), {})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"])["ResponseBody"] == {"signed": True}


def test_alias_routing(sfn):
    name = f"aliased-{uuid.uuid4().hex[:8]}"
    pass_v = lambda v: json.dumps({"StartAt": "V", "States": {"V": {"Type": "Pass", "Result": v, "End": True}}})
    made = sfn.create_state_machine(name=name, definition=pass_v(1), roleArn=ROLE, publish=True)
    arn, v1 = made["stateMachineArn"], made["stateMachineVersionArn"]
    v2 = sfn.update_state_machine(stateMachineArn=arn, definition=pass_v(2), publish=True)["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    d = run(sfn, alias, {})
    assert (d["output"], d["stateMachineAliasArn"], d["stateMachineVersionArn"]) == ("1", alias, v1)
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 20}, {"stateMachineVersionArn": v2, "weight": 80}])
    outputs = {run(sfn, alias, {})["output"] for _ in range(40)}
    assert outputs == {"1", "2"}
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["routingConfiguration"] == [
        {"stateMachineVersionArn": v1, "weight": 20}, {"stateMachineVersionArn": v2, "weight": 80}]
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]] == [alias]
    assert error_of(lambda: sfn.create_state_machine_alias(
        name="dup", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 50},
                                          {"stateMachineVersionArn": v1, "weight": 50}])) == (
        "ValidationException",
        f"Routing configuration must contain distinct state machine version ARNs. Received: [{v1}, {v1}]")
    assert error_of(lambda: sfn.create_state_machine_alias(
        name="bad", routingConfiguration=[{"stateMachineVersionArn": arn, "weight": 100}])) == (
        "ValidationException", f"Routing configuration must contain state machine version ARNs. Received: [{arn}]")
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []


def test_redrive_execution(sfn, client):
    sqs = client("sqs")
    queue = sqs.create_queue(QueueName=f"redrive-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = machine(sfn, {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Ask"},
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": queue, "MessageBody.$": "$$.Task.Token"}, "End": True},
        },
    })
    exec_arn = sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')["executionArn"]

    def token():
        m = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10)["Messages"][0]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        return m["Body"]

    assert error_of(lambda: sfn.redrive_execution(executionArn=exec_arn)) == (
        "ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven")
    sfn.send_task_failure(taskToken=token(), error="Flaky", cause="first try")
    d = finish(sfn, exec_arn)
    assert (d["status"], d["error"], d["redriveStatus"], d["redriveCount"]) == ("FAILED", "Flaky", "REDRIVABLE", 0)
    r = sfn.redrive_execution(executionArn=exec_arn)
    sfn.send_task_success(taskToken=token(), output='{"fixed": true}')
    d = finish(sfn, exec_arn)
    assert (d["status"], json.loads(d["output"]), d["redriveCount"]) == ("SUCCEEDED", {"fixed": True}, 1)
    assert d["redriveDate"] == r["redriveDate"]
    types = types_of(sfn, exec_arn)
    assert types.count("ExecutionRedriven") == 1 and types.count("PassStateEntered") == 1
    assert types[-1] == "ExecutionSucceeded"


@pytest.fixture
def sync_host(monkeypatch):
    """Lets `sync-localhost` resolve, as an /etc/hosts entry would."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if str(host).startswith("sync-") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_test_state_and_start_sync_on_the_sync_host(stratus, sync_host):
    # A default client: botocore prefixes StartSyncExecution and TestState
    # with `sync-`, so they go (signed) to sync-localhost.
    sfn = boto3.client("stepfunctions", endpoint_url=f"http://localhost:{stratus.port}", region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"max_attempts": 1}))
    state = {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "ResultPath": "$.r", "Next": "Then"}
    out = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"n": 4}', inspectionLevel="DEBUG")
    assert (out["status"], out["nextState"], json.loads(out["output"])) == ("SUCCEEDED", "Then", {"n": 4, "r": {"doubled": 8}})
    assert json.loads(out["inspectionData"]["afterParameters"]) == {"doubled": 8}
    assert json.loads(out["inspectionData"]["input"]) == {"n": 4}
    out = sfn.test_state(definition=json.dumps({"Type": "Fail", "Error": "E", "Cause": "C"}), roleArn=ROLE)
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "E", "C")
    assert "inspectionData" not in out

    # Mocks answer for the task: an activity answers at once.
    task = {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:never-polled",
            "ResultSelector": {"got.$": "$.v"}, "Catch": [{"ErrorEquals": ["Mock.Failure"], "Next": "Handle"}], "End": True}
    out = sfn.test_state(definition=json.dumps(task), roleArn=ROLE, mock={"result": '{"v": 3}'})
    assert (out["status"], json.loads(out["output"])) == ("SUCCEEDED", {"got": 3})
    out = sfn.test_state(definition=json.dumps(task), roleArn=ROLE,
                         mock={"errorOutput": {"error": "Mock.Failure", "cause": "mocked"}})
    assert (out["status"], out["error"], out["cause"], out["nextState"]) == ("CAUGHT_ERROR", "Mock.Failure", "mocked", "Handle")

    arn = sfn.create_state_machine(name=f"x-{uuid.uuid4().hex[:8]}", type="EXPRESS", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    out = sfn.start_sync_execution(stateMachineArn=arn, input='{"v": 1}')
    assert (out["status"], out["output"]) == ("SUCCEEDED", '{"v":1}')


def test_express_logs(sfn, client):
    logs = client("logs")
    group = f"/aws/vendedlogs/states/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    destination = [{"cloudWatchLogsLogGroup": {"logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:*"}}]
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 1}, "End": True}}})
    assert error_of(lambda: sfn.create_state_machine(
        name=f"l-{uuid.uuid4().hex[:8]}", type="EXPRESS", roleArn=ROLE, definition=definition,
        loggingConfiguration={"level": "ALL", "includeExecutionData": True})) == (
        "InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination.")
    arn = sfn.create_state_machine(
        name=f"l-{uuid.uuid4().hex[:8]}", type="EXPRESS", roleArn=ROLE, definition=definition,
        loggingConfiguration={"level": "ALL", "includeExecutionData": True, "destinations": destination})["stateMachineArn"]
    out = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 1}')
    assert out["status"] == "SUCCEEDED"
    deadline, events = time.time() + 10, []
    while time.time() < deadline and len(events) < 4:
        events = [json.loads(e["message"]) for e in logs.filter_log_events(logGroupName=group)["events"]]
        time.sleep(0.05)
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert {e["execution_arn"] for e in events} == {out["executionArn"]}
    assert events[3]["details"] == {"output": '{"v":1}', "outputDetails": {"truncated": False}}
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert streams[0]["logStreamName"].startswith(f"states/{arn.split(':')[-1]}/")
