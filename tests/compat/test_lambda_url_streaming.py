"""Lambda response streaming from Node.js handlers wrapped by
`awslambda.streamifyResponse`: through a function URL with InvokeMode
RESPONSE_STREAM (the HTTP integration prelude's status, headers and cookies,
bytes delivered as the handler writes them, errors before and after the
first byte, a buffered handler on a streaming URL) and through boto3's
InvokeWithResponseStream (PayloadChunk events, then InvokeComplete)."""

import io
import json
import time
import uuid
import zipfile

import pytest
import requests

from conftest import client_for

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
PAUSE = 2.0  # seconds the "prelude" handler waits between its two writes

STREAMING_APP = """
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const mode = event.rawPath ? event.rawPath.slice(1) : event.mode;
  if (mode === "prelude") {
    const stream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 201,
      headers: { "Content-Type": "text/plain", "x-streamed": "yes" },
      cookies: ["a=1; Path=/", "b=2"],
    });
    stream.write("first");
    await sleep(%d);
    stream.write("second");
    stream.end();
  } else if (mode === "raw") {
    responseStream.write("raw-");
    responseStream.write(Buffer.from([0, 1, 2]));
    responseStream.end("end");
  } else if (mode === "typed") {
    responseStream.setContentType("text/csv");
    responseStream.write("a,b\\n");
    responseStream.end("1,2\\n");
  } else if (mode === "big") {
    const mb = Buffer.alloc(1024 * 1024, 120);
    for (let i = 0; i < 22; i++) {
      if (!responseStream.write(mb)) await new Promise((resolve) => responseStream.once("drain", resolve));
    }
    responseStream.end();
  } else if (mode === "fail") {
    responseStream.write("partial");
    await sleep(200);
    throw new Error("boom mid-stream");
  } else {
    throw new Error("boom before any byte");
  }
});
""" % int(PAUSE * 1000)

BUFFERED_APP = """
export const handler = async (event) => ({
  statusCode: 202,
  headers: { "content-type": "text/plain", "x-mode": "buffered" },
  cookies: ["c=3"],
  body: "buffered " + event.rawPath,
});
"""


def zip_of(name, content):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, content)
    return buf.getvalue()


def node_function(lam, source):
    fn = f"stream-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=fn, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Timeout=15,
                        Code={"ZipFile": zip_of("index.mjs", source)})
    return fn


def streaming_url(lam, endpoint, fn):
    """A public RESPONSE_STREAM URL of `fn`, by path (`/lambda-url/{id}`)."""
    lam.add_permission(FunctionName=fn, StatementId="u", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    lam.add_permission(FunctionName=fn, StatementId="i", Action="lambda:InvokeFunction", Principal="*")
    cfg = lam.create_function_url_config(FunctionName=fn, AuthType="NONE", InvokeMode="RESPONSE_STREAM",
                                         Cors={"AllowOrigins": ["*"]})
    assert cfg["InvokeMode"] == "RESPONSE_STREAM"
    url_id = cfg["FunctionUrl"].split("//", 1)[1].split(".", 1)[0]
    return f"{endpoint}/lambda-url/{url_id}"


@pytest.fixture(scope="module")
def lam(stratus):
    return client_for(stratus.endpoint, "lambda")


@pytest.fixture(scope="module")
def streamer(lam):
    return node_function(lam, STREAMING_APP)


@pytest.fixture(scope="module")
def stream_url(lam, stratus, streamer):
    return streaming_url(lam, stratus.endpoint, streamer)


def test_prelude_gives_status_headers_and_cookies_and_bytes_arrive_as_written(stream_url):
    started = time.monotonic()
    with requests.get(f"{stream_url}/prelude", headers={"Origin": "https://app.example"}, stream=True,
                      timeout=60) as r:
        assert r.status_code == 201
        assert r.headers["Content-Type"] == "text/plain"
        assert r.headers["x-streamed"] == "yes"
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "x-amzn-RequestId" in r.headers
        assert r.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2"]
        assert r.cookies.get("a") == "1" and r.cookies.get("b") == "2"
        chunks, first_at = [], None
        for chunk in r.iter_content(chunk_size=None):
            if first_at is None:
                first_at = time.monotonic()
            chunks.append(chunk)
        ended_at = time.monotonic()
    body = b"".join(chunks)
    assert body == b"firstsecond"
    assert chunks[0] == b"first"
    # "first" came while the handler still slept before writing "second".
    assert ended_at - first_at > PAUSE / 2, (first_at - started, ended_at - started)


def test_a_stream_without_prelude_is_a_200_of_its_raw_bytes(stream_url):
    r = requests.get(f"{stream_url}/raw", timeout=60)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.content == b"raw-\x00\x01\x02end"


def test_a_stream_without_prelude_keeps_the_type_its_handler_set(stream_url):
    r = requests.get(f"{stream_url}/typed", timeout=60)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv"
    assert r.text == "a,b\n1,2\n"


def test_an_error_mid_stream_ends_the_body(stream_url):
    r = requests.get(f"{stream_url}/fail", timeout=60)
    assert r.status_code == 200
    assert r.content == b"partial"


def test_a_stream_past_20_mb_ends_there(stream_url):
    r = requests.get(f"{stream_url}/big", timeout=60)
    assert r.status_code == 200
    assert len(r.content) == 20 * 1024 * 1024
    assert r.content[:4] == b"xxxx"
    # The function keeps answering.
    assert requests.get(f"{stream_url}/raw", timeout=60).content == b"raw-\x00\x01\x02end"


def test_an_error_before_the_first_byte_answers_502(stream_url):
    r = requests.get(f"{stream_url}/early", timeout=60)
    assert r.status_code == 502
    assert r.json() == {"Message": "Internal Server Error"}


def test_a_buffered_handler_on_a_streaming_url_answers_as_buffered(lam, stratus):
    url = streaming_url(lam, stratus.endpoint, node_function(lam, BUFFERED_APP))
    r = requests.get(f"{url}/here", timeout=60)
    assert r.status_code == 202
    assert r.headers["Content-Type"] == "text/plain"
    assert r.headers["x-mode"] == "buffered"
    assert r.headers["Set-Cookie"] == "c=3"
    assert r.text == "buffered /here"


def invoke_stream(lam, fn, mode):
    """The bytes of the PayloadChunk events, and the InvokeComplete event."""
    resp = lam.invoke_with_response_stream(FunctionName=fn, Payload=json.dumps({"mode": mode}).encode())
    assert resp["StatusCode"] == 200
    events = list(resp["EventStream"])
    assert list(events[-1]) == ["InvokeComplete"]
    assert all(list(e) == ["PayloadChunk"] for e in events[:-1])
    return b"".join(e["PayloadChunk"]["Payload"] for e in events[:-1]), events[-1]["InvokeComplete"]


def test_invoke_with_response_stream_carries_the_node_stream(lam, streamer):
    data, done = invoke_stream(lam, streamer, "raw")
    assert data == b"raw-\x00\x01\x02end"
    assert "ErrorCode" not in done
    # The prelude is part of the raw stream: only function URLs interpret it.
    data, done = invoke_stream(lam, streamer, "prelude")
    prelude, body = data.split(b"\0" * 8, 1)
    assert json.loads(prelude) == {"statusCode": 201, "headers": {"Content-Type": "text/plain", "x-streamed": "yes"},
                                   "cookies": ["a=1; Path=/", "b=2"]}
    assert body == b"firstsecond"
    assert "ErrorCode" not in done


def test_invoke_with_response_stream_reports_an_error_mid_stream(lam, streamer):
    data, done = invoke_stream(lam, streamer, "fail")
    assert data == b"partial"
    assert done["ErrorCode"] == "Error"
    details = json.loads(done["ErrorDetails"])
    assert details["errorType"] == "Error"
    assert details["errorMessage"] == "boom mid-stream"
