"""Lambda through boto3 and the aws CLI against a real `stratus serve`:
functions run as processes (Python and Node through Stratus's bootstraps,
Python through the official awslambdaric as a `provided` runtime), with
AWS's event, context, errors, logs, throttles and state across restarts."""

import base64
import io
import json
import os
import tempfile
import threading
import time
import uuid
import zipfile

import botocore.exceptions

from conftest import client_for

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

PY_APP = '''
import json, os
def handler(event, context):
    if event.get("fail"):
        raise KeyError("missing " + event["fail"])
    if event.get("sleep"):
        import time; time.sleep(event["sleep"])
    print("py says", json.dumps(event))
    return {"event": event, "request_id": context.aws_request_id, "name": context.function_name,
            "arn": context.invoked_function_arn, "remaining": context.get_remaining_time_in_millis(),
            "version": context.function_version, "my_var": os.environ.get("MY_VAR")}
'''

NODE_APP = '''
exports.handler = async (event, context) => {
  console.log("node says", JSON.stringify(event));
  return { event, requestId: context.awsRequestId, name: context.functionName };
};
'''

RIC_BOOTSTRAP = '#!/bin/sh\nexec python3 -m awslambdaric "$_HANDLER"\n'


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content, mode in files:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            z.writestr(info, content)
    return buf.getvalue()


def name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(lam, fn, runtime, handler, files, **kw):
    return lam.create_function(FunctionName=fn, Runtime=runtime, Role=ROLE, Handler=handler,
                               Code={"ZipFile": zip_of(files)}, **kw)


def invoke(lam, fn, event, **kw):
    out = lam.invoke(FunctionName=fn, Payload=json.dumps(event).encode(), LogType="Tail", **kw)
    payload = json.loads(out["Payload"].read() or b"null")
    log = base64.b64decode(out.get("LogResult", "")).decode()
    return out, payload, log


def test_python_function_with_boto3(client):
    lam = client("lambda")
    fn = name("py")
    created = create(lam, fn, "python3.12", "app.handler", [("app.py", PY_APP, 0o644)],
                     Environment={"Variables": {"MY_VAR": "v"}}, Timeout=7)
    assert created["State"] == "Pending"
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert lam.get_function_configuration(FunctionName=fn)["State"] == "Active"

    out, payload, log = invoke(lam, fn, {"x": 1})
    assert out["StatusCode"] == 200
    assert out["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in out
    assert payload["event"] == {"x": 1}
    assert payload["name"] == fn
    assert payload["my_var"] == "v"
    assert 5000 < payload["remaining"] <= 7000
    assert payload["arn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{fn}"
    rid = payload["request_id"]
    assert out["ResponseMetadata"]["RequestId"] == rid
    assert f"START RequestId: {rid} Version: $LATEST" in log
    assert 'py says {"x": 1}' in log
    assert f"REPORT RequestId: {rid}\tDuration: " in log

    out, payload, _ = invoke(lam, fn, {"fail": "k"})
    assert out["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "KeyError"
    assert payload["errorMessage"] == "'missing k'"

    logs = client("logs")
    deadline = time.time() + 5
    messages = []
    while time.time() < deadline:
        streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{fn}")["logStreams"] if any(
            g["logGroupName"] == f"/aws/lambda/{fn}" for g in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]) else []
        messages = [e["message"] for s in streams for e in logs.get_log_events(
            logGroupName=f"/aws/lambda/{fn}", logStreamName=s["logStreamName"])["events"]]
        if sum(m.startswith("REPORT") for m in messages) >= 2:
            break
        time.sleep(0.1)
    assert sum(m.startswith("REPORT") for m in messages) == 2, messages
    assert any(m.startswith(f"START RequestId: {rid}") for m in messages)


def test_awslambdaric_as_provided_runtime(client):
    lam = client("lambda")
    fn = name("ric")
    create(lam, fn, "provided.al2023", "app.handler",
           [("bootstrap", RIC_BOOTSTRAP, 0o755), ("app.py", PY_APP, 0o644)], Timeout=20)
    out, payload, log = invoke(lam, fn, {"ric": True})
    assert "FunctionError" not in out, payload
    assert payload["event"] == {"ric": True}
    assert payload["name"] == fn
    assert 'py says {"ric": true}' in log
    out, payload, _ = invoke(lam, fn, {"fail": "r"})
    assert out["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "KeyError"
    assert payload["errorMessage"] == "'missing r'"
    assert payload["requestId"]


def test_node_function_with_the_aws_cli(stratus, cli):
    fn = name("node")
    with tempfile.TemporaryDirectory() as d:
        zpath = os.path.join(d, "code.zip")
        with open(zpath, "wb") as f:
            f.write(zip_of([("index.js", NODE_APP, 0o644)]))
        created = cli("lambda", "create-function", "--function-name", fn, "--runtime", "nodejs20.x",
                      "--role", ROLE, "--handler", "index.handler", "--zip-file", f"fileb://{zpath}")
        assert created["FunctionName"] == fn
        outfile = os.path.join(d, "out.json")
        res = cli("lambda", "invoke", "--function-name", fn, "--payload", '{"cli": 1}', "--log-type", "Tail", outfile)
        assert res["StatusCode"] == 200
        assert res["ExecutedVersion"] == "$LATEST"
        with open(outfile) as f:
            payload = json.load(f)
        assert payload["event"] == {"cli": 1}
        assert payload["name"] == fn
        assert "\tINFO\tnode says {\"cli\":1}" in base64.b64decode(res["LogResult"]).decode()
    listed = cli("lambda", "list-functions")
    assert fn in [f["FunctionName"] for f in listed["Functions"]]
    missing = cli("lambda", "get-function", "--function-name", fn + "-nope", check=False)
    assert "ResourceNotFoundException" in missing.stderr
    assert f"Function not found: arn:aws:lambda:us-east-1:000000000000:function:{fn}-nope" in missing.stderr


def test_reserved_concurrency_throttles_with_reason(client):
    lam = client("lambda")
    fn = name("throttle")
    create(lam, fn, "python3.11", "app.handler", [("app.py", PY_APP, 0o644)], Timeout=10)
    lam.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=2)
    results = []

    def call():
        try:
            lam2 = client("lambda")
            out = lam2.invoke(FunctionName=fn, Payload=b'{"sleep": 1.5}')
            results.append(("ok", out["StatusCode"]))
        except botocore.exceptions.ClientError as e:
            results.append((e.response["Error"]["Code"], e.response.get("Reason"),
                            e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]))

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r[0] == "ok" for r in results) == 2, results
    for r in results:
        if r[0] != "ok":
            assert r == ("TooManyRequestsException", "ReservedFunctionConcurrentInvocationLimitExceeded", 429, "Rate Exceeded."), r


def test_state_survives_restart(fresh_stratus):
    server = fresh_stratus()
    lam = client_for(server.endpoint, "lambda")
    fn = name("durable")
    create(lam, fn, "python3.11", "app.handler", [("app.py", PY_APP, 0o644)])
    v = lam.publish_version(FunctionName=fn)["Version"]
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion=v)
    lam.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=5)
    server.restart()
    lam = client_for(server.endpoint, "lambda")
    assert lam.get_function(FunctionName=fn)["Concurrency"]["ReservedConcurrentExecutions"] == 5
    assert [x["Version"] for x in lam.list_versions_by_function(FunctionName=fn)["Versions"]] == ["$LATEST", "1"]
    assert lam.get_alias(FunctionName=fn, Name="live")["FunctionVersion"] == "1"
    out, payload, _ = invoke(lam, fn, {"after": "restart"}, Qualifier="live")
    assert out["ExecutedVersion"] == "1"
    assert payload["event"] == {"after": "restart"}


def test_pending_async_events_survive_a_crash(fresh_stratus):
    server = fresh_stratus()
    lam = client_for(server.endpoint, "lambda")
    fn = name("queued")
    create(lam, fn, "python3.11", "app.handler", [("app.py", PY_APP, 0o644)])
    # Reserved concurrency 0 throttles every run, so the event stays queued.
    lam.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=0)
    out = lam.invoke(FunctionName=fn, InvocationType="Event", Payload=b'{"queued": 1}')
    assert out["StatusCode"] == 202
    time.sleep(0.3)
    server.kill()
    server.start()
    lam = client_for(server.endpoint, "lambda")
    lam.delete_function_concurrency(FunctionName=fn)
    logs = client_for(server.endpoint, "logs")
    group = f"/aws/lambda/{fn}"
    found = []
    deadline = time.time() + 20
    while time.time() < deadline and not found:
        if any(g["logGroupName"] == group for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]):
            for s in logs.describe_log_streams(logGroupName=group)["logStreams"]:
                events = logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"]
                found += [e["message"] for e in events if 'py says {"queued": 1}' in e["message"]]
        time.sleep(0.2)
    assert found, "the queued event ran after the restart"
