"""Step Functions with boto3: a distributed Map's ResultWriter. A Map over
an S3 JSON array writes AWS's manifest and SUCCEEDED/FAILED result files
under `{Prefix}/{map run id}/`, its result points at the manifest, a
failing child lands in FAILED_0.json when ToleratedFailurePercentage
allows it, WriterConfig's COMPACT/FLATTEN shape the state's output, and
DescribeMapRun/ListMapRuns/UpdateMapRun see the map run."""

import json
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


ROLE = "arn:aws:iam::000000000000:role/sfn"


@pytest.fixture
def sfn(stratus):
    return boto3.client(
        "stepfunctions",
        endpoint_url=stratus.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )


def run(sfn, definition, data):
    name = f"sm-{uuid.uuid4().hex[:8]}"
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    exec_arn = sfn.start_execution(stateMachineArn=arn, input=json.dumps(data))["executionArn"]
    deadline = time.time() + 30
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=exec_arn)
        if d["status"] != "RUNNING":
            return name, d
        time.sleep(0.05)
    raise AssertionError(f"{exec_arn} still running")


def read(s3, bucket, key):
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def distributed(bucket, processor_states, **extra):
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket": bucket, "Key": "items.json"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Work",
                    "States": processor_states,
                },
                "Label": "fan",
                "End": True,
                **extra,
            }
        },
    }


@pytest.fixture
def bucket(client):
    s3 = client("s3")
    name = f"rw-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="items.json", Body=json.dumps([{"n": i} for i in range(4)]))
    return s3, name


def test_result_writer_writes_manifest_and_results(sfn, bucket):
    s3, name = bucket
    definition = distributed(
        name,
        {"Work": {"Type": "Pass", "Parameters": {"double.$": "States.MathAdd($.n, $.n)"}, "End": True}},
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket.$": "$.out", "Prefix": "runs"},
        },
    )
    machine, d = run(sfn, definition, {"out": name})
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    map_run = out["MapRunArn"]
    assert map_run.startswith(f"arn:aws:states:us-east-1:000000000000:mapRun:{machine}/fan:")
    run_id = map_run.rsplit(":", 1)[1]
    assert out["ResultWriterDetails"] == {"Bucket": name, "Key": f"runs/{run_id}/manifest.json"}

    manifest = read(s3, name, f"runs/{run_id}/manifest.json")
    key = f"runs/{run_id}/SUCCEEDED_0.json"
    size = s3.head_object(Bucket=name, Key=key)["ContentLength"]
    assert manifest == {
        "DestinationBucket": name,
        "MapRunArn": map_run,
        "ResultFiles": {"FAILED": [], "PENDING": [], "SUCCEEDED": [{"Key": key, "Size": size}]},
    }
    records = read(s3, name, key)
    assert [json.loads(r["Output"]) for r in records] == [{"double": 2 * i} for i in range(4)]
    assert [json.loads(r["Input"]) for r in records] == [{"n": i} for i in range(4)]
    first = records[0]
    assert first["Status"] == "SUCCEEDED" and first["RedriveCount"] == 0
    assert first["InputDetails"] == {"Included": True} and first["OutputDetails"] == {"Included": True}
    assert first["StateMachineArn"] == f"arn:aws:states:us-east-1:000000000000:stateMachine:{machine}/fan"
    assert first["ExecutionArn"] == f"arn:aws:states:us-east-1:000000000000:execution:{machine}/fan:{first['Name']}"
    assert {"StartDate", "StopDate", "RedriveStatus"} <= set(first)

    events = sfn.get_execution_history(executionArn=d["executionArn"])["events"]
    started = [e for e in events if e["type"] == "MapRunStarted"]
    assert started[0]["mapRunStartedEventDetails"]["mapRunArn"] == map_run

    described = sfn.describe_map_run(mapRunArn=map_run)
    assert described["executionArn"] == d["executionArn"] and described["status"] == "SUCCEEDED"
    assert described["itemCounts"]["succeeded"] == 4 and described["itemCounts"]["total"] == 4
    assert described["executionCounts"]["failed"] == 0 and described["itemCounts"]["resultsWritten"] == 4
    assert described["maxConcurrency"] == 0 and "stopDate" in described
    runs = sfn.list_map_runs(executionArn=d["executionArn"])["mapRuns"]
    assert [(r["mapRunArn"], r["stateMachineArn"]) for r in runs] == [(map_run, first["StateMachineArn"])]

    sfn.update_map_run(mapRunArn=map_run, maxConcurrency=5, toleratedFailureCount=2)
    described = sfn.describe_map_run(mapRunArn=map_run)
    assert described["maxConcurrency"] == 5 and described["toleratedFailureCount"] == 2
    missing = map_run.rsplit(":", 1)[0] + ":" + str(uuid.uuid4())
    with pytest.raises(ClientError) as e:
        sfn.describe_map_run(mapRunArn=missing)
    assert e.value.response["Error"]["Code"] == "ResourceNotFound"
    with pytest.raises(ClientError) as e:
        sfn.update_map_run(mapRunArn=missing, maxConcurrency=1)
    assert e.value.response["Error"]["Code"] == "ResourceNotFound"


def test_tolerated_failure_lands_in_failed_file(sfn, bucket):
    s3, name = bucket
    states = {
        "Work": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericEquals": 2, "Next": "Boom"}],
            "Default": "Ok",
        },
        "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "two"},
        "Ok": {"Type": "Succeed"},
    }
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": name, "Prefix": "tol"}}
    _, d = run(sfn, distributed(name, states, ResultWriter=writer, ToleratedFailurePercentage=25), {})
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    manifest = read(s3, name, out["ResultWriterDetails"]["Key"])
    assert len(manifest["ResultFiles"]["SUCCEEDED"]) == 1
    [failed] = manifest["ResultFiles"]["FAILED"]
    records = read(s3, name, failed["Key"])
    assert len(records) == 1
    assert records[0]["Status"] == "FAILED" and records[0]["Error"] == "Item.Bad" and records[0]["Cause"] == "two"
    assert json.loads(records[0]["Input"]) == {"n": 2}
    assert len(read(s3, name, manifest["ResultFiles"]["SUCCEEDED"][0]["Key"])) == 3

    _, d = run(sfn, distributed(name, states, ResultWriter=writer, ToleratedFailureCount=0), {})
    assert d["status"] == "FAILED" and d["error"] == "States.ExceedToleratedFailureThreshold"


def test_writer_config_shapes_output(sfn, bucket):
    _, name = bucket
    states = {"Work": {"Type": "Pass", "Parameters": {"pair.$": "States.Array($.n, $.n)"}, "OutputPath": "$.pair", "End": True}}
    _, d = run(sfn, distributed(name, states, ResultWriter={"WriterConfig": {"Transformation": "FLATTEN"}}), {})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    _, d = run(sfn, distributed(name, states, ResultWriter={"WriterConfig": {"Transformation": "COMPACT"}}), {})
    assert json.loads(d["output"]) == [[i, i] for i in range(4)]
