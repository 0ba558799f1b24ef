"""Task tokens survive a restart: a Standard execution waiting on a
`.waitForTaskToken` task resumes waiting on the same token, without
calling the resource again."""

import json
import time

from botocore.exceptions import ClientError

from conftest import client_for

ROLE = "arn:aws:iam::000000000000:role/sfn"


def _answer_when_registered(sfn, token, output, seconds=10):
    """SendTaskSuccess, retried while the resumed execution re-registers."""
    deadline = time.time() + seconds
    while True:
        try:
            return sfn.send_task_success(taskToken=token, output=output)
        except ClientError as e:
            if e.response["Error"]["Code"] != "InvalidToken" or time.time() > deadline:
                raise
            time.sleep(0.1)


def _wait_done(sfn, arn, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.1)
    raise AssertionError("the execution did not end")


def test_wait_for_task_token_survives_restart(fresh_stratus):
    server = fresh_stratus()
    sqs = client_for(server.endpoint, "sqs")
    sfn = client_for(server.endpoint, "stepfunctions")
    queue = sqs.create_queue(QueueName="tokens")["QueueUrl"]
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(name="durable-token", definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")["executionArn"]
    got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10).get("Messages", [])
    assert len(got) == 1
    token = json.loads(got[0]["Body"])["token"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"])

    server.restart()
    sqs = client_for(server.endpoint, "sqs")
    sfn = client_for(server.endpoint, "stepfunctions")
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    _answer_when_registered(sfn, token, json.dumps({"done": 1}))
    d = _wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == {"done": 1}
    # The resource was not called again after the restart.
    again = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
    assert again == []
    events = sfn.get_execution_history(executionArn=arn)["events"]
    kinds = [e["type"] for e in events]
    assert kinds.count("TaskSubmitted") == 1, kinds
    assert kinds.count("TaskScheduled") == 1, kinds
    assert kinds.count("TaskStateEntered") == 1, kinds
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    # The token ended with its task.
    try:
        sfn.send_task_success(taskToken=token, output="{}")
        raise AssertionError("an ended token was accepted")
    except ClientError as e:
        assert e.response["Error"]["Code"] in ("TaskTimedOut", "InvalidToken")


def test_activity_token_survives_restart(fresh_stratus):
    server = fresh_stratus()
    sfn = client_for(server.endpoint, "stepfunctions")
    activity = sfn.create_activity(name="durable-work")["activityArn"]
    definition = {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 120, "End": True}},
    }
    machine = sfn.create_state_machine(name="durable-activity", definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"n": 2}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="w1")
    token = task["taskToken"]

    server.restart()
    sfn = client_for(server.endpoint, "stepfunctions")
    _answer_when_registered(sfn, token, json.dumps({"n": 3}))
    d = _wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == {"n": 3}
    kinds = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    assert kinds.count("ActivityScheduled") == 1, kinds
    assert kinds.count("ActivityStarted") == 1, kinds
