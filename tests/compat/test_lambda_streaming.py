"""InvokeWithResponseStream through boto3 against a real `stratus serve`,
with a `provided.al2023` runtime (a small Python script speaking the Runtime
API) that answers in streaming mode: chunks reach the caller as the
function writes them, in order; an error reported mid-stream in the
trailers ends with InvokeComplete's ErrorCode/ErrorDetails; a buffered
answer still arrives through the stream, and plain Invoke buffers a
streamed answer."""

import base64
import io
import json
import time
import uuid
import zipfile

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

BOOTSTRAP = r'''#!/usr/bin/env python3
import base64, json, os, socket, time, urllib.request
API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, PORT = API.split(":")

def post_stream(rid, chunks, pause, error=None):
    s = socket.create_connection((HOST, int(PORT)))
    head = (f"POST /2018-06-01/runtime/invocation/{rid}/response HTTP/1.1\r\nHost: {API}\r\n"
            "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
            "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n")
    s.sendall(head.encode())
    for i, c in enumerate(chunks):
        if i:
            time.sleep(pause)
        s.sendall(f"{len(c):x}\r\n".encode() + c + b"\r\n")
    tail = b"0\r\n"
    if error:
        body = base64.b64encode(json.dumps({"errorType": error, "errorMessage": "boom mid-stream"}).encode())
        tail += f"Lambda-Runtime-Function-Error-Type: {error}\r\n".encode()
        tail += b"Lambda-Runtime-Function-Error-Body: " + body + b"\r\n"
    s.sendall(tail + b"\r\n")
    s.recv(4096)
    s.close()

while True:
    with urllib.request.urlopen(f"http://{API}/2018-06-01/runtime/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    chunks = [f"chunk-{i};".encode() for i in range(event.get("n", 3))]
    if event["mode"] == "buffered":
        req = urllib.request.Request(f"http://{API}/2018-06-01/runtime/invocation/{rid}/response",
                                     data=json.dumps({"whole": True}).encode(), method="POST")
        urllib.request.urlopen(req).read()
    else:
        post_stream(rid, chunks, event.get("pause", 0.0), error=event.get("error"))
'''


def make_function(lam):
    fn = f"stream-{uuid.uuid4().hex[:8]}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = (0o100000 | 0o755) << 16
        z.writestr(info, BOOTSTRAP)
    lam.create_function(FunctionName=fn, Runtime="provided.al2023", Role=ROLE, Handler="x",
                        Code={"ZipFile": buf.getvalue()}, Timeout=30)
    return fn


def stream_events(lam, fn, event, **kw):
    """The events of one InvokeWithResponseStream, each with when it arrived."""
    out = lam.invoke_with_response_stream(FunctionName=fn, Payload=json.dumps(event).encode(), **kw)
    assert out["StatusCode"] == 200
    # The member is bound to the HTTP Content-Type: what boto3 sees is the event stream's.
    assert out["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    return [(time.monotonic(), ev) for ev in out["EventStream"]]


def chunks_of(events):
    return [(t, ev["PayloadChunk"]["Payload"]) for t, ev in events if "PayloadChunk" in ev]


def test_chunks_arrive_as_the_function_writes_them(client):
    lam = client("lambda")
    fn = make_function(lam)
    stream_events(lam, fn, {"mode": "stream", "n": 1})  # warm the environment
    events = stream_events(lam, fn, {"mode": "stream", "n": 3, "pause": 0.7})
    chunks = chunks_of(events)
    assert b"".join(c for _, c in chunks) == b"chunk-0;chunk-1;chunk-2;"
    assert len(chunks) == 3
    # The function pauses 0.7 s between chunks: streamed, the first arrives
    # well before the last (buffered, they would arrive together).
    assert chunks[-1][0] - chunks[0][0] >= 1.0
    assert "InvokeComplete" in events[-1][1]
    assert "ErrorCode" not in events[-1][1]["InvokeComplete"]


def test_error_mid_stream_ends_with_error_code(client):
    lam = client("lambda")
    fn = make_function(lam)
    events = stream_events(lam, fn, {"mode": "stream", "n": 2, "pause": 0.2, "error": "Custom.Boom"},
                           LogType="Tail")
    assert b"".join(c for _, c in chunks_of(events)) == b"chunk-0;chunk-1;"
    done = events[-1][1]["InvokeComplete"]
    assert done["ErrorCode"] == "Custom.Boom"
    assert json.loads(done["ErrorDetails"]) == {"errorType": "Custom.Boom", "errorMessage": "boom mid-stream"}
    assert "START RequestId:" in base64.b64decode(done["LogResult"]).decode()


def test_buffered_function_through_the_stream(client):
    lam = client("lambda")
    fn = make_function(lam)
    events = stream_events(lam, fn, {"mode": "buffered"})
    assert json.loads(b"".join(c for _, c in chunks_of(events))) == {"whole": True}
    assert events[-1][1]["InvokeComplete"] == {}


def test_plain_invoke_buffers_a_streamed_answer(client):
    lam = client("lambda")
    fn = make_function(lam)
    out = lam.invoke(FunctionName=fn, Payload=json.dumps({"mode": "stream", "n": 3, "pause": 0.05}).encode())
    assert out["StatusCode"] == 200
    assert "FunctionError" not in out
    assert out["Payload"].read() == b"chunk-0;chunk-1;chunk-2;"
