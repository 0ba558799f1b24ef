"""Helpers the API Gateway compat tests share: the error triple of a
failing boto3 call, an `apigateway` client fixture, and Python functions
for integrations; a JSON answer for test HTTP servers."""

import io
import json
import uuid
import zipfile

import botocore.exceptions
import pytest


def error_of(call):
    """(code, message, HTTP status) of the ClientError `call` raises."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    err = e.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def apigw(client):
    return client("apigateway")


ROLE = "arn:aws:iam::000000000000:role/apigw-role"


def python_function(lam, prefix, source):
    """A python3.12 function `app.handler` with `source`, active; its ARN."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", source)
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                              Code={"ZipFile": buf.getvalue()})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return arn


def answer_json(handler, status, value):
    """Writes `value` as a JSON answer from an http.server handler."""
    body = json.dumps(value).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)

