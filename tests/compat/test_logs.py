"""CloudWatch Logs as the aws CLI and boto3 meet it: events put by boto3 are
what the CLI reads back, and StartLiveTail streams new events as they come."""

import threading
import time

import boto3
from botocore.config import Config

from conftest import client_for


def test_cli_reads_events_put_by_boto3(client, cli):
    logs = client("logs")
    logs.create_log_group(logGroupName="/compat/app")
    logs.create_log_stream(logGroupName="/compat/app", logStreamName="s1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/compat/app", logStreamName="s1", logEvents=[
        {"timestamp": now, "message": "GET /index 200"},
        {"timestamp": now + 1, "message": "GET /missing 404"},
    ])
    out = cli("logs", "filter-log-events", "--log-group-name", "/compat/app", "--filter-pattern", "404")
    assert [e["message"] for e in out["events"]] == ["GET /missing 404"]
    out = cli("logs", "get-log-events", "--log-group-name", "/compat/app", "--log-stream-name", "s1", "--start-from-head")
    assert [e["message"] for e in out["events"]] == ["GET /index 200", "GET /missing 404"]


def test_start_live_tail_streams_new_events(stratus):
    # StartLiveTail's model puts a `stream-` host prefix before the endpoint;
    # a loopback endpoint has no such host, so the prefix is turned off.
    logs = boto3.client("logs", endpoint_url=stratus.endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(inject_host_prefix=False))
    logs.create_log_group(logGroupName="/compat/tail")
    logs.create_log_stream(logGroupName="/compat/tail", logStreamName="s")
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:/compat/tail"
    resp = logs.start_live_tail(logGroupIdentifiers=[arn])
    stream = resp["responseStream"]

    def put_later():
        time.sleep(0.3)
        client_for(stratus.endpoint, "logs").put_log_events(
            logGroupName="/compat/tail", logStreamName="s",
            logEvents=[{"timestamp": int(time.time() * 1000), "message": "hello live tail"}])

    threading.Thread(target=put_later).start()
    seen_start, messages = False, []
    deadline = time.time() + 10
    for event in stream:
        if "sessionStart" in event:
            seen_start = True
            assert event["sessionStart"]["logGroupIdentifiers"] == [arn]
        if "sessionUpdate" in event:
            messages += [r["message"] for r in event["sessionUpdate"]["sessionResults"]]
        if messages or time.time() > deadline:
            break
    stream.close()
    assert seen_start
    assert messages == ["hello live tail"]
