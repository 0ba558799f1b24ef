"""Lambda function URLs through boto3 and plain HTTP against a real
`stratus serve`: the Cors configuration at work (preflights answered by the
URL, Access-Control headers on actual responses), AuthType AWS_IAM checked
by SigV4 (strict mode verifies it; other accounts need the function's
policy), and UpdateFunctionUrlConfig / ListFunctionUrlConfigs."""

import io
import json
import os
import tempfile
import uuid
import zipfile

import botocore.exceptions
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import client_for

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
FORBIDDEN = {
    "Message": "Forbidden. For troubleshooting Function URL authorization issues, "
    "see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
}

APP = '''
import json
def handler(event, context):
    http = event["requestContext"]["http"]
    return {"statusCode": 200,
            "headers": {"x-out": "1", "Access-Control-Allow-Origin": "https://function.example"},
            "body": json.dumps({"method": http["method"], "path": http["path"]})}
'''


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for fname, content in files:
            z.writestr(fname, content)
    return buf.getvalue()


def make_function(lam, public=True):
    """A function answering URL requests; `public` grants everyone the two
    actions an AuthType NONE URL needs (as the console does for new URLs)."""
    fn = f"url-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_of([("app.py", APP)])})
    if public:
        grant_public(lam, fn)
    return fn


def grant_public(lam, fn, only_url=False):
    lam.add_permission(FunctionName=fn, StatementId="public-url", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="NONE")
    if not only_url:
        lam.add_permission(FunctionName=fn, StatementId="public-invoke", Action="lambda:InvokeFunction",
                           Principal="*")


def path_url(endpoint, function_url):
    """The by-path form of a function URL (`/lambda-url/{id}/`), which needs no DNS."""
    url_id = function_url.split("//", 1)[1].split(".", 1)[0]
    return f"{endpoint}/lambda-url/{url_id}/"


def signed(method, url, key, secret, service="lambda", body=b""):
    req = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(req)
    return requests.request(method, url, data=body, headers=dict(req.headers), timeout=30)


CORS = {
    "AllowOrigins": ["https://app.example"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["x-custom"],
    "ExposeHeaders": ["x-out"],
    "MaxAge": 600,
    "AllowCredentials": True,
}


def test_cors_preflight_and_actual_responses(stratus, client):
    lam = client("lambda")
    fn = make_function(lam)
    cfg = lam.create_function_url_config(FunctionName=fn, AuthType="NONE", Cors=CORS)
    assert cfg["Cors"] == CORS
    url = path_url(stratus.endpoint, cfg["FunctionUrl"])

    pre = requests.options(url, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": "X-Custom"}, timeout=30)
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert pre.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert pre.headers["Access-Control-Allow-Headers"] == "x-custom"
    assert pre.headers["Access-Control-Max-Age"] == "600"
    assert pre.headers["Access-Control-Allow-Credentials"] == "true"
    assert pre.content == b""  # answered by the URL: the function did not run

    for bad in ({"Origin": "https://other.example", "Access-Control-Request-Method": "POST"},
                {"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"},
                {"Origin": "https://app.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "x-secret"}):
        refused = requests.options(url, headers=bad, timeout=30)
        assert refused.status_code == 200
        assert "Access-Control-Allow-Methods" not in refused.headers
        assert "Access-Control-Max-Age" not in refused.headers

    actual = requests.post(url, headers={"Origin": "https://app.example"}, data="{}", timeout=30)
    assert actual.status_code == 200
    assert actual.json() == {"method": "POST", "path": "/"}
    assert actual.headers["Access-Control-Allow-Origin"] == "https://app.example"  # the function's is replaced
    assert actual.headers["Access-Control-Expose-Headers"] == "x-out"
    assert actual.headers["Access-Control-Allow-Credentials"] == "true"
    assert actual.headers["x-out"] == "1"

    # Without a Cors configuration, OPTIONS reaches the function and its headers pass through.
    bare = make_function(lam)
    url = path_url(stratus.endpoint, lam.create_function_url_config(FunctionName=bare, AuthType="NONE")["FunctionUrl"])
    plain = requests.options(url, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
                             timeout=30)
    assert plain.json() == {"method": "OPTIONS", "path": "/"}
    assert plain.headers["Access-Control-Allow-Origin"] == "https://function.example"


def test_cors_any_origin(stratus, client):
    lam = client("lambda")
    fn = make_function(lam)
    cors = {"AllowOrigins": ["*"], "AllowMethods": ["*"]}
    url = path_url(stratus.endpoint, lam.create_function_url_config(FunctionName=fn, AuthType="NONE",
                                                                     Cors=cors)["FunctionUrl"])
    pre = requests.options(url, headers={"Origin": "https://x.example", "Access-Control-Request-Method": "PUT"},
                           timeout=30)
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert pre.headers["Access-Control-Allow-Methods"] == "*"
    assert "Access-Control-Allow-Credentials" not in pre.headers
    got = requests.get(url, headers={"Origin": "https://x.example"}, timeout=30)
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Expose-Headers" not in got.headers


def test_aws_iam_needs_a_signature_in_permissive_mode(stratus, client):
    lam = client("lambda")
    fn = make_function(lam)
    url = path_url(stratus.endpoint, lam.create_function_url_config(FunctionName=fn, AuthType="AWS_IAM")["FunctionUrl"])
    unsigned = requests.get(url, timeout=30)
    assert unsigned.status_code == 403
    assert unsigned.json() == FORBIDDEN
    assert unsigned.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    bogus = requests.get(url, headers={"Authorization": "Bearer abc"}, timeout=30)
    assert bogus.status_code == 403
    ok = signed("GET", url, "anything", "whatever")
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"method": "GET", "path": "/"}


KEY_A, SECRET_A = "AKIAURLACCOUNTA00001", "url/secret/account/a/0123456789abcdefghij"
KEY_B, SECRET_B = "AKIAURLACCOUNTB00001", "url/secret/account/b/0123456789abcdefghij"


@pytest.fixture
def strict_two_accounts(fresh_stratus):
    fd, path = tempfile.mkstemp(suffix=".creds")
    with os.fdopen(fd, "w") as f:
        f.write(f"{KEY_A} {SECRET_A} 111111111111\n{KEY_B} {SECRET_B} 222222222222\n")
    yield fresh_stratus("--auth", "strict", "--credentials", path)
    os.unlink(path)


def test_aws_iam_verifies_signatures_in_strict_mode(strict_two_accounts):
    server = strict_two_accounts
    lam = client_for(server.endpoint, "lambda", key=KEY_A, secret=SECRET_A)
    fn = make_function(lam, public=False)
    url = path_url(server.endpoint, lam.create_function_url_config(FunctionName=fn, AuthType="AWS_IAM")["FunctionUrl"])

    ok = signed("POST", url, KEY_A, SECRET_A, body=b'{"a":1}')
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"method": "POST", "path": "/"}

    for refused in (requests.get(url, timeout=30),
                    signed("GET", url, KEY_A, "not-the-secret"),
                    signed("GET", url, "AKIAUNKNOWNKEY000001", SECRET_A),
                    signed("GET", url, KEY_A, SECRET_A, service="execute-api")):
        assert refused.status_code == 403
        assert refused.json() == FORBIDDEN
        assert refused.headers["x-amzn-ErrorType"] == "AccessDeniedException"

    # Another account needs the function's policy to allow it lambda:InvokeFunctionUrl and lambda:InvokeFunction.
    other = signed("GET", url, KEY_B, SECRET_B)
    assert other.status_code == 403
    assert other.json() == FORBIDDEN
    lam.add_permission(FunctionName=fn, StatementId="b", Action="lambda:InvokeFunctionUrl",
                       Principal="222222222222", FunctionUrlAuthType="AWS_IAM")
    assert signed("GET", url, KEY_B, SECRET_B).status_code == 403  # lambda:InvokeFunction too, since October 2025
    lam.add_permission(FunctionName=fn, StatementId="b-invoke", Action="lambda:InvokeFunction",
                       Principal="222222222222")
    allowed = signed("GET", url, KEY_B, SECRET_B)
    assert allowed.status_code == 200, allowed.text


def test_update_function_url_config(client):
    lam = client("lambda")
    fn = make_function(lam)
    created = lam.create_function_url_config(FunctionName=fn, AuthType="NONE")
    assert created["InvokeMode"] == "BUFFERED"
    assert "Cors" not in created

    updated = lam.update_function_url_config(FunctionName=fn, AuthType="AWS_IAM", InvokeMode="RESPONSE_STREAM",
                                             Cors={"AllowOrigins": ["https://a.example"], "MaxAge": 5})
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert updated["FunctionUrl"] == created["FunctionUrl"]
    assert updated["FunctionArn"] == created["FunctionArn"]
    assert updated["AuthType"] == "AWS_IAM"
    assert updated["InvokeMode"] == "RESPONSE_STREAM"
    assert updated["Cors"] == {"AllowOrigins": ["https://a.example"], "MaxAge": 5}
    assert updated["CreationTime"] == created["CreationTime"]
    assert "LastModifiedTime" in updated

    # Omitted members keep their values.
    again = lam.update_function_url_config(FunctionName=fn, AuthType="NONE")
    assert again["InvokeMode"] == "RESPONSE_STREAM"
    assert again["Cors"] == {"AllowOrigins": ["https://a.example"], "MaxAge": 5}
    got = lam.get_function_url_config(FunctionName=fn)
    assert got["AuthType"] == "NONE"
    assert got["InvokeMode"] == "RESPONSE_STREAM"

    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.update_function_url_config(FunctionName=fn, InvokeMode="UNKNOWN")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    # AWS lists the set as [RESPONSE_STREAM, BUFFERED]; Stratus lists it in the model's order.
    assert e.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [")

    bare = make_function(lam)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.update_function_url_config(FunctionName=bare, AuthType="NONE")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "The resource you requested does not exist."


def test_list_function_url_configs(client):
    lam = client("lambda")
    fn = make_function(lam)
    assert lam.list_function_url_configs(FunctionName=fn)["FunctionUrlConfigs"] == []
    version = lam.publish_version(FunctionName=fn)["Version"]
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion=version)
    latest = lam.create_function_url_config(FunctionName=fn, AuthType="NONE")
    live = lam.create_function_url_config(FunctionName=fn, Qualifier="live", AuthType="AWS_IAM",
                                          InvokeMode="RESPONSE_STREAM")
    listed = lam.list_function_url_configs(FunctionName=fn)["FunctionUrlConfigs"]
    by_arn = {c["FunctionArn"]: c for c in listed}
    assert set(by_arn) == {latest["FunctionArn"], live["FunctionArn"]}
    assert live["FunctionArn"].endswith(f":function:{fn}:live")
    assert by_arn[live["FunctionArn"]]["AuthType"] == "AWS_IAM"
    assert by_arn[live["FunctionArn"]]["InvokeMode"] == "RESPONSE_STREAM"
    assert by_arn[latest["FunctionArn"]]["FunctionUrl"] == latest["FunctionUrl"]
    assert latest["FunctionUrl"] != live["FunctionUrl"]

    lam.delete_function_url_config(FunctionName=fn, Qualifier="live")
    assert [c["FunctionArn"] for c in lam.list_function_url_configs(FunctionName=fn)["FunctionUrlConfigs"]] == [
        latest["FunctionArn"]]

    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.list_function_url_configs(FunctionName="no-such-function")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_auth_type_none_needs_the_policy_to_grant_the_public_both_actions(stratus, client):
    lam = client("lambda")
    fn = make_function(lam, public=False)
    url = path_url(stratus.endpoint, lam.create_function_url_config(FunctionName=fn, AuthType="NONE")["FunctionUrl"])
    refused = requests.get(url, timeout=30)
    assert refused.status_code == 403
    assert refused.json() == FORBIDDEN
    assert refused.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    # The URL permission alone was enough before October 2025; new URLs need lambda:InvokeFunction too.
    grant_public(lam, fn, only_url=True)
    assert requests.get(url, timeout=30).status_code == 403
    lam.add_permission(FunctionName=fn, StatementId="public-invoke", Action="lambda:InvokeFunction", Principal="*")
    ok = requests.get(url, timeout=30)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"method": "GET", "path": "/"}
    # A URL statement that demands AWS_IAM does not open a NONE URL.
    lam.remove_permission(FunctionName=fn, StatementId="public-url")
    lam.add_permission(FunctionName=fn, StatementId="iam-url", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="AWS_IAM")
    assert requests.get(url, timeout=30).status_code == 403
