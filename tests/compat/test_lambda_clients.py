"""Lambda's real clients, invoked through boto3 and the aws CLI: a Rust
function on the official `lambda_runtime` crate, a Python function through
Stratus's bootstrap, the same Python through the official `awslambdaric` as
a `provided.al2023` runtime, and a Node function through Stratus's
bootstrap. Each is checked for the echoed event, its context (request id,
name, ARN, memory, remaining time, log group and stream), a handler error as
its runtime shapes it, and the tail log. Also: a managed runtime whose
interpreter is missing, weighted alias routing, and the account concurrency
limit."""

import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass

import botocore.exceptions
import pytest

from conftest import ROOT, aws_cli, client_for
from test_lambda import ROLE, zip_of

ACCOUNT = "000000000000"
MEMORY = 256
TIMEOUT = 9
STREAM_NAME = re.compile(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")

# The echo functions' sources, shared with the SDK suite's matrix.
FUNCTIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functions")


def source(name):
    with open(os.path.join(FUNCTIONS_DIR, name)) as f:
        return f.read()


PY_APP = source("echo.py")
NODE_APP = source("echo.js")

RIC_BOOTSTRAP = '#!/bin/sh\nexec python3 -m awslambdaric "$_HANDLER"\n'

# What lambda_runtime 1.x names a boxed handler error.
RUST_ERROR_TYPE = "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"


def rust_echo_binary():
    """tests/functions/rust-echo built as the SDK suite builds it (same
    target directory, so an up-to-date build is reused)."""
    cargo = os.environ.get("CARGO", "cargo")
    target = os.path.join(ROOT, "target", "functions")
    subprocess.run([cargo, "build", "--release", "-q", "-p", "stratus-fn-rust-echo", "--target-dir", target],
                   cwd=ROOT, check=True, timeout=900)
    with open(os.path.join(target, "release", "rust-echo"), "rb") as f:
        return f.read()


def python_error(n, rid):
    return {"errorType": "KeyError", "errorMessage": f"'missing {n}'", "requestId": rid}


@dataclass
class Function:
    """One of the four functions: how to package it and what it answers."""

    key: str
    runtime: str
    handler: str
    files: object  # () -> [(name, content, mode)]
    memory: object  # how the context reports MEMORY
    printed: object  # event -> the line the handler prints
    error: object  # (n, request id) -> the error payload's fixed fields
    error_log: object = None  # n -> a line the runtime logs for the error
    error_list: str = None  # the error payload's stack field


FUNCTIONS = [
    Function("rust", "provided.al2023", "bootstrap", lambda: [("bootstrap", rust_echo_binary(), 0o755)],
             MEMORY, lambda e: "hello from rust",
             lambda n, rid: {"errorType": RUST_ERROR_TYPE, "errorMessage": f"rust boom: {n}"}),
    Function("python", "python3.12", "app.handler", lambda: [("app.py", PY_APP, 0o644)],
             str(MEMORY), lambda e: "python says " + json.dumps(e, sort_keys=True), python_error,
             lambda n: f"[ERROR] KeyError: 'missing {n}'", "stackTrace"),
    Function("awslambdaric", "provided.al2023", "app.handler",
             lambda: [("bootstrap", RIC_BOOTSTRAP, 0o755), ("app.py", PY_APP, 0o644)],
             str(MEMORY), lambda e: "python says " + json.dumps(e, sort_keys=True), python_error,
             lambda n: f"[ERROR] KeyError: 'missing {n}'", "stackTrace"),
    Function("node", "nodejs20.x", "index.handler", lambda: [("index.js", NODE_APP, 0o644)],
             str(MEMORY), lambda e: "\tINFO\tnode says " + json.dumps(e, separators=(",", ":"), ensure_ascii=False),
             lambda n, rid: {"errorType": "TypeError", "errorMessage": f"node boom {n}"},
             lambda n: "\tERROR\tInvoke Error \t", "trace"),
]


@dataclass
class Invoked:
    status: int
    function_error: str
    version: str
    request_id: str
    payload: object
    log: str
    received_ms: int


def decode_log(b64):
    return base64.b64decode(b64 or "").decode()


class Boto3Client:
    """Invokes through boto3."""

    def __init__(self, endpoint):
        self.lam = client_for(endpoint, "lambda")
        self.logs = client_for(endpoint, "logs")

    def invoke(self, fn, event, qualifier=None):
        kw = {"Qualifier": qualifier} if qualifier else {}
        out = self.lam.invoke(FunctionName=fn, Payload=json.dumps(event).encode(), LogType="Tail", **kw)
        received = int(time.time() * 1000)
        return Invoked(out["StatusCode"], out.get("FunctionError"), out.get("ExecutedVersion"),
                       out["ResponseMetadata"]["RequestId"], json.loads(out["Payload"].read() or b"null"),
                       decode_log(out.get("LogResult")), received)

    def log_streams(self, group):
        try:
            return [s["logStreamName"] for s in self.logs.describe_log_streams(logGroupName=group)["logStreams"]]
        except self.logs.exceptions.ResourceNotFoundException:
            return []


def cli_is_v2():
    out = subprocess.run(["aws", "--version"], capture_output=True, text=True)
    return (out.stdout + out.stderr).startswith("aws-cli/2")


class CliClient:
    """Invokes through `aws lambda invoke --log-type Tail`; the request id
    is the x-amzn-RequestId response header, read from `--debug`. The aws
    CLI v1 sends --payload raw and has no --cli-binary-format (a v2 option
    meaning the same), so the flag is given only to a v2 CLI."""

    HEADER = re.compile(r"x-amzn-requestid['\"]?:\s*['\"]?([0-9a-f-]{36})", re.I)

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.binary_format = ["--cli-binary-format", "raw-in-base64-out"] if cli_is_v2() else []

    def invoke(self, fn, event, qualifier=None):
        with tempfile.TemporaryDirectory() as d:
            outfile = os.path.join(d, "out.json")
            q = ["--qualifier", qualifier] if qualifier else []
            res = aws_cli(self.endpoint, "--debug", "lambda", "invoke", "--function-name", fn, *q,
                          *self.binary_format, "--payload", json.dumps(event), "--log-type", "Tail", outfile)
            received = int(time.time() * 1000)
            with open(outfile) as f:
                payload = json.loads(f.read() or "null")
        meta = json.loads(res.stdout)
        found = self.HEADER.search(res.stderr)
        return Invoked(meta["StatusCode"], meta.get("FunctionError"), meta.get("ExecutedVersion"),
                       found.group(1) if found else None, payload, decode_log(meta.get("LogResult")), received)

    def log_streams(self, group):
        res = aws_cli(self.endpoint, "logs", "describe-log-streams", "--log-group-name", group, check=False)
        if res.returncode != 0:
            return []
        return [s["logStreamName"] for s in json.loads(res.stdout)["logStreams"]]


CLIENTS = {"boto3": Boto3Client, "cli": CliClient}


@pytest.fixture(scope="module")
def deployed(stratus):
    """Creates each function once on the session server (and warms it, so
    the matrix sees warm environments; cold starts are tested apart)."""
    lam = client_for(stratus.endpoint, "lambda")
    names = {}

    def get(fn):
        if fn.key not in names:
            name = f"clients-{fn.key}-{uuid.uuid4().hex[:8]}"
            create(lam, name, fn)
            Boto3Client(stratus.endpoint).invoke(name, {"warm": True})
            names[fn.key] = name
        return names[fn.key]

    return get


def create(lam, name, fn, **kw):
    lam.create_function(FunctionName=name, Runtime=fn.runtime, Role=ROLE, Handler=fn.handler,
                        Code={"ZipFile": zip_of(fn.files())}, MemorySize=MEMORY, Timeout=TIMEOUT, **kw)


@pytest.fixture(params=list(CLIENTS))
def via(request, stratus):
    return CLIENTS[request.param](stratus.endpoint)


def context_of(inv):
    """The context the handler saw, with the remaining time worked out from
    the deadline when the runtime reports only that (lambda_runtime)."""
    ctx = dict(inv.payload)
    if "deadline" in ctx:
        ctx["remaining"] = ctx["deadline"] - inv.received_ms
    return ctx


def lines_between(log, rid):
    """The lines of `log` after `rid`'s START and before its END."""
    lines = log.splitlines()
    start = lines.index(f"START RequestId: {rid} Version: $LATEST")
    end = lines.index(f"END RequestId: {rid}")
    return lines[start + 1:end]


def check_log(inv, expected_line=None, in_order=False):
    """START, END and REPORT for the invocation's request id, and (if given)
    a line of the function's own; `in_order`: between START and END."""
    rid = inv.request_id
    assert f"START RequestId: {rid} Version: $LATEST" in inv.log, inv.log
    assert f"\nEND RequestId: {rid}\n" in inv.log, inv.log
    assert re.search(rf"^REPORT RequestId: {rid}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t"
                     rf"Memory Size: {MEMORY} MB\tMax Memory Used: \d+ MB\t", inv.log, re.M), inv.log
    if expected_line is not None:
        lines = lines_between(inv.log, rid) if in_order else inv.log.splitlines()
        assert any(expected_line in line for line in lines), inv.log


def check_context(inv, name, event, memory):
    assert inv.status == 200
    assert inv.function_error is None, inv.payload
    assert inv.version == "$LATEST"
    ctx = context_of(inv)
    assert ctx["event"] == event
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", inv.request_id)
    assert ctx["request_id"] == inv.request_id
    assert ctx["function_name"] == name
    assert ctx["arn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    assert ctx["memory"] == memory
    assert ctx["version"] == "$LATEST"
    assert 0 < ctx["remaining"] <= TIMEOUT * 1000, ctx
    assert ctx.get("log_group", f"/aws/lambda/{name}") == f"/aws/lambda/{name}"
    assert STREAM_NAME.match(ctx["log_stream"]), ctx


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.key)
def test_event_context_and_logs(fn, via, deployed):
    name = deployed(fn)
    event = {"client": type(via).__name__, "n": [1, 2], "s": "é"}
    inv = via.invoke(name, event)
    check_context(inv, name, event, fn.memory)
    check_log(inv, fn.printed(event))
    # The context's log stream is the environment's stream in the function's group.
    stream = context_of(inv)["log_stream"]
    deadline = time.time() + 10
    while stream not in via.log_streams(f"/aws/lambda/{name}") and time.time() < deadline:
        time.sleep(0.2)
    assert stream in via.log_streams(f"/aws/lambda/{name}")


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.key)
def test_handler_error(fn, via, deployed):
    name = deployed(fn)
    inv = via.invoke(name, {"fail": 7})
    assert inv.status == 200
    assert inv.function_error == "Unhandled"
    assert inv.version == "$LATEST"
    want = fn.error(7, inv.request_id)
    assert {k: inv.payload.get(k) for k in want} == want, inv.payload
    if fn.error_list:
        assert isinstance(inv.payload[fn.error_list], list) and inv.payload[fn.error_list], inv.payload
    else:
        assert set(inv.payload) == set(want), inv.payload
    check_log(inv, fn.error_log(7) if fn.error_log else None)
    # The environment survives a handler error.
    again = via.invoke(name, {"after": "error"})
    check_context(again, name, {"after": "error"}, fn.memory)


# Node's first call takes long enough (tens of ms) that its line lands after START.
@pytest.mark.parametrize("fn", FUNCTIONS[:3], ids=lambda f: f.key)
def test_cold_start_logs_handler_output_after_start(fn, stratus):
    lam = client_for(stratus.endpoint, "lambda")
    name = f"cold-{fn.key}-{uuid.uuid4().hex[:8]}"
    create(lam, name, fn)
    inv = Boto3Client(stratus.endpoint).invoke(name, {"cold": 1})
    assert "Init Duration: " in inv.log
    check_log(inv, fn.printed({"cold": 1}), in_order=True)


# --- a managed runtime whose interpreter is missing ---------------------------------


def test_missing_interpreter_fails_init_with_aws_shape(fresh_stratus):
    with tempfile.TemporaryDirectory() as empty:
        server = fresh_stratus(env={"PATH": empty})
        lam = client_for(server.endpoint, "lambda")
        via = Boto3Client(server.endpoint)
        for fn, exe in [(FUNCTIONS[1], "python3"), (FUNCTIONS[3], "node")]:
            name = f"noint-{fn.key}"
            create(lam, name, fn)
            assert lam.get_function_configuration(FunctionName=name)["State"] == "Active"
            for _ in range(2):  # the failure is not cached as a working environment
                inv = via.invoke(name, {"x": 1})
                assert inv.status == 200
                assert inv.function_error == "Unhandled"
                message = (f"Runtime {fn.runtime} needs '{exe}' on the PATH of the Stratus server, "
                           "and it was not found")
                assert inv.payload == {"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message}
                rid = inv.request_id
                assert f"START RequestId: {rid} Version: $LATEST" in inv.log, inv.log
                assert message in lines_between(inv.log, rid)
                assert re.search(rf"^REPORT RequestId: {rid}\t.*Status: error", inv.log, re.M), inv.log
        # A `provided` runtime needs no interpreter.
        create(lam, "noint-rust", FUNCTIONS[0])
        check_context(via.invoke("noint-rust", {"ok": 1}), "noint-rust", {"ok": 1}, MEMORY)


# --- weighted alias routing ---------------------------------------------------------


def test_weighted_alias_splits_between_versions(client):
    lam = client("lambda")
    name = f"weights-{uuid.uuid4().hex[:8]}"
    create(lam, name, FUNCTIONS[1])
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_configuration(FunctionName=name, Description="second")
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                             RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    seen = {"1": 0, "2": 0}
    for i in range(200):
        out = lam.invoke(FunctionName=name, Qualifier="live", Payload=json.dumps({"i": i}).encode())
        body = json.loads(out["Payload"].read())
        assert "FunctionError" not in out, body
        assert body["version"] == out["ExecutedVersion"], (body, out["ExecutedVersion"])
        assert body["arn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}:live"
        seen[out["ExecutedVersion"]] += 1
    # Binomial(200, 0.5): each side is 100 ± 7; below 50 is beyond 7 sigma.
    assert seen["1"] >= 50 and seen["2"] >= 50, seen


# --- the account concurrency limit --------------------------------------------------


def test_account_concurrency_limit_throttles_with_reason(fresh_stratus):
    server = fresh_stratus("--lambda-concurrency", "2")
    lam = client_for(server.endpoint, "lambda")
    settings = lam.get_account_settings()["AccountLimit"]
    assert settings["ConcurrentExecutions"] == 2
    create(lam, "sleeper", FUNCTIONS[1])
    create(lam, "other", FUNCTIONS[1])
    results = []

    def sleep():
        # A sleeper that lost the race for a slot to a probe tries again.
        sleeper = client_for(server.endpoint, "lambda")
        while True:
            try:
                out = sleeper.invoke(FunctionName="sleeper", Payload=b'{"sleep": 6}')
                return results.append(out.get("FunctionError"))
            except sleeper.exceptions.TooManyRequestsException:
                time.sleep(0.05)

    sleepers = [threading.Thread(target=sleep) for _ in range(2)]
    for t in sleepers:
        t.start()
    throttle = None
    deadline = time.time() + 30
    while throttle is None and time.time() < deadline and any(t.is_alive() for t in sleepers):
        try:
            lam.invoke(FunctionName="other", Payload=b"{}")
            time.sleep(0.1)
        except botocore.exceptions.ClientError as e:
            throttle = e.response
    for t in sleepers:
        t.join(timeout=60)
    assert throttle is not None, "two sleeping invocations never filled an account limit of 2"
    assert throttle["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert throttle["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert throttle["Reason"] == "ConcurrentInvocationLimitExceeded"
    assert results == [None, None]
    # With the sleepers done, the account has room again.
    out = lam.invoke(FunctionName="other", Payload=b'{"after": 1}')
    assert "FunctionError" not in out
    assert json.loads(out["Payload"].read())["event"] == {"after": 1}
