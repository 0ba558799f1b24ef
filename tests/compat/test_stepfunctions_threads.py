"""Parallel and Map states across a restart and a redrive: finished
branches and iterations keep their output, unfinished ones resume where
they stood (a Wait waits only for what is left, a task token stays valid,
nothing is sent twice), map runs outlive the restart, and a redrive re-runs
only the branches and iterations that did not succeed."""

import io
import json
import os
import time
import zipfile

from conftest import client_for
from test_stepfunctions_restart import ROLE, _wait_done


def _clients(server):
    return client_for(server.endpoint, "sqs"), client_for(server.endpoint, "stepfunctions")


def _messages(sqs, queue, n, seconds=10):
    """Receives (and deletes) `n` messages; returns their bodies."""
    bodies, deadline = [], time.time() + seconds
    while len(bodies) < n and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
    assert len(bodies) == n, bodies
    return bodies


def _events(sfn, arn):
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    return [e["type"] for e in events], events


def _ask(queue, body):
    """A task sending `body` (plus its token) to `queue` and waiting for it."""
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token", **body}},
    }


def test_parallel_branch_wait_resumes_and_the_other_branch_is_not_rerun(fresh_stratus):
    server = fresh_stratus()
    sqs, sfn = _clients(server)
    queue = sqs.create_queue(QueueName="parallel-sent")["QueueUrl"]
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "Next": "Woke"},
                                                  "Woke": {"Type": "Pass", "Result": "woke", "End": True}}},
                    {"StartAt": "Send", "States": {"Send": {
                        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl": queue, "MessageBody": "{\"sent\": 1}"},
                        "ResultSelector": {"id.$": "$.MessageId"}, "End": True}}},
                ],
            }
        },
    }
    machine = sfn.create_state_machine(name="parallel-restart", definition=json.dumps(definition), roleArn=ROLE)
    started = time.time()
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")["executionArn"]
    sent = _messages(sqs, queue, 1)
    assert sent == [{"sent": 1}]
    time.sleep(1.5)
    before, _ = _events(sfn, arn)

    server.restart()
    sqs, sfn = _clients(server)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    d = _wait_done(sfn, arn)
    took = time.time() - started
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out[0] == "woke" and set(out[1]) == {"id"}
    # It ended about when it would have without the restart.
    assert 4.8 <= took < 8.5, took
    # The SQS task was not called again.
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []) == []
    kinds, _ = _events(sfn, arn)
    assert kinds[: len(before)] == before
    for once in ("ParallelStateEntered", "ParallelStateStarted", "WaitStateEntered", "TaskStateEntered",
                 "TaskScheduled", "TaskSucceeded", "ParallelStateSucceeded", "ParallelStateExited"):
        assert kinds.count(once) == 1, (once, kinds)


def _echo_function(server):
    """The echo Lambda function (it sleeps on {"sleep": s}); returns its ARN."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(os.path.join(os.path.dirname(__file__), "functions", "echo.py"), "echo.py")
    lam = client_for(server.endpoint, "lambda")
    return lam.create_function(FunctionName="sfn-sleeper", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/l",
                               Handler="echo.handler", Timeout=30, Code={"ZipFile": buf.getvalue()})["FunctionArn"]


def test_a_wait_keeps_its_deadline_while_a_sibling_lambda_runs_across_a_restart(fresh_stratus):
    server = fresh_stratus()
    sqs, sfn = _clients(server)
    fn = _echo_function(server)
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "End": True,
                # The Lambda branch starts first: the Wait parks while it runs.
                "Branches": [
                    {"StartAt": "Slow", "States": {"Slow": {
                        "Type": "Task", "Resource": fn, "Parameters": {"sleep": 6},
                        "ResultSelector": {"slept.$": "$.event.sleep"}, "End": True}}},
                    {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 10, "End": True}}},
                ],
            }
        },
    }
    machine = sfn.create_state_machine(name="wait-and-lambda", definition=json.dumps(definition), roleArn=ROLE)
    started = time.time()
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"n": 1}')["executionArn"]
    time.sleep(3)

    server.restart()
    sqs, sfn = _clients(server)
    d = _wait_done(sfn, arn, seconds=30)
    took = time.time() - started
    assert d["status"] == "SUCCEEDED", (d, _events(sfn, arn)[1][-4:])
    assert json.loads(d["output"]) == [{"slept": 6}, {"n": 1}]
    # The Wait kept its deadline (10 s from the start, not from the restart);
    # the Lambda function, in flight at the restart, was called again.
    assert 9.8 <= took < 12.5, took
    kinds, _ = _events(sfn, arn)
    for once in ("WaitStateEntered", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
                 "LambdaFunctionSucceeded", "ParallelStateStarted"):
        assert kinds.count(once) == 1, (once, kinds)


def test_map_iterations_keep_their_tokens_across_a_restart(fresh_stratus):
    server = fresh_stratus()
    sqs, sfn = _clients(server)
    queue = sqs.create_queue(QueueName="map-tokens")["QueueUrl"]
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": {
                    **_ask(queue, {"item.$": "$"}), "End": True}}},
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(name="map-restart", definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"items": [1, 2, 3]}')["executionArn"]
    bodies = _messages(sqs, queue, 3)
    time.sleep(0.5)

    server.restart()
    sqs, sfn = _clients(server)
    # Answered straight away: no InvalidToken while the execution resumes.
    for b in bodies:
        sfn.send_task_success(taskToken=b["token"], output=json.dumps({"done": b["item"]}))
    d = _wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [{"done": 1}, {"done": 2}, {"done": 3}]
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []) == []
    kinds, _ = _events(sfn, arn)
    for kind, n in (("MapStateStarted", 1), ("MapIterationStarted", 3), ("TaskScheduled", 3),
                    ("TaskSubmitted", 3), ("TaskSucceeded", 3), ("MapIterationSucceeded", 3)):
        assert kinds.count(kind) == n, (kind, kinds)


def test_map_run_survives_a_restart(fresh_stratus):
    server = fresh_stratus()
    sqs, sfn = _clients(server)
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "Label": "fan",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Nap",
                    "States": {"Nap": {"Type": "Wait", "Seconds": 6, "Next": "Double"},
                               "Double": {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": True}},
                },
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(name="maprun-restart", definition=json.dumps(definition), roleArn=ROLE)
    started = time.time()
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"items": [1, 2]}')["executionArn"]
    time.sleep(3)
    runs = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    assert len(runs) == 1
    map_run = runs[0]["mapRunArn"]
    assert sfn.describe_map_run(mapRunArn=map_run)["status"] == "RUNNING"

    server.restart()
    sqs, sfn = _clients(server)
    assert sfn.describe_map_run(mapRunArn=map_run)["status"] == "RUNNING"
    d = _wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [{"n": 1}, {"n": 2}]
    # The children's Waits kept their deadlines (6 s from the start).
    assert 5.8 <= time.time() - started < 8.3
    described = sfn.describe_map_run(mapRunArn=map_run)
    assert described["status"] == "SUCCEEDED" and described["itemCounts"]["succeeded"] == 2
    assert [r["mapRunArn"] for r in sfn.list_map_runs(executionArn=arn)["mapRuns"]] == [map_run]
    kinds, _ = _events(sfn, arn)
    assert kinds.count("MapRunStarted") == 1 and kinds.count("MapRunSucceeded") == 1, kinds


def test_redrive_reruns_only_unsuccessful_branches_and_iterations(fresh_stratus):
    server = fresh_stratus()
    sqs, sfn = _clients(server)
    queue = sqs.create_queue(QueueName="redrive-threads")["QueueUrl"]
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Once", "States": {"Once": {**_ask(queue, {"branch": "once"}), "End": True}}},
                    {"StartAt": "Each", "States": {"Each": {
                        "Type": "Map", "ItemsPath": "$.items", "End": True,
                        "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": {
                            **_ask(queue, {"item.$": "$"}), "End": True}}}}}},
                ],
            }
        },
    }
    machine = sfn.create_state_machine(name="redrive-threads", definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"items": [1, 2, 3]}')["executionArn"]
    asked = {b.get("branch", b.get("item")): b["token"] for b in _messages(sqs, queue, 4)}
    sfn.send_task_success(taskToken=asked["once"], output='"branch done"')
    sfn.send_task_success(taskToken=asked[1], output='"one"')
    sfn.send_task_success(taskToken=asked[3], output='"three"')
    time.sleep(0.3)
    sfn.send_task_failure(taskToken=asked[2], error="Flaky", cause="item 2")
    d = _wait_done(sfn, arn)
    assert (d["status"], d["error"]) == ("FAILED", "Flaky"), d

    sfn.redrive_execution(executionArn=arn)
    again = _messages(sqs, queue, 1)
    assert again[0].get("item") == 2, again
    sfn.send_task_success(taskToken=again[0]["token"], output='"two"')
    d = _wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == ["branch done", ["one", "two", "three"]]
    assert d["redriveCount"] == 1
    # Nothing else was asked again.
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []) == []
    kinds, _ = _events(sfn, arn)
    assert kinds.count("ExecutionRedriven") == 1 and kinds.count("TaskScheduled") == 5, kinds
