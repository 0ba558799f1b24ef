"""Each wire protocol's error paths, as the SDKs and raw HTTP clients meet
them: malformed bodies, missing members, bad enums, unknown operations."""

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError



def raw(endpoint, method, path, body=b"", headers=None, service="x"):
    req = urllib.request.Request(endpoint + path, data=body if method != "GET" else None, method=method)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    req.add_header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=0")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


# --- awsJson (CloudWatch Logs 1.1, DynamoDB 1.0) ---

def test_json_malformed_body(stratus):
    status, headers, body = raw(stratus.endpoint, "POST", "/", b"{not json", {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.DescribeLogGroups"})
    assert status == 400
    assert json.loads(body)["__type"].endswith("SerializationException")
    assert headers.get("x-amzn-requestid")


def test_json_unknown_operation(stratus):
    status, _, body = raw(stratus.endpoint, "POST", "/", b"{}", {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.FlyToTheMoon"})
    assert status == 400
    assert json.loads(body)["__type"].endswith("UnknownOperationException")


def test_json_missing_member_and_bad_enum(stratus):
    status, _, body = raw(stratus.endpoint, "POST", "/", json.dumps({
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "FREE"}).encode(), {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.CreateTable"})
    assert status == 400
    err = json.loads(body)
    assert err["__type"].endswith("ValidationException")
    assert err["message"] == (
        "2 validation errors detected: "
        "Value null at 'tableName' failed to satisfy constraint: Member must not be null; "
        "Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]")


def test_logs_validation_via_boto3(client):
    with pytest.raises(ClientError) as e:
        client("logs").describe_log_groups(limit=10001)
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
    assert e.value.response["Error"]["Message"] == (
        "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 50")


# --- awsQuery (STS, IAM) ---

def test_query_invalid_action_on_sts(stratus):
    req = urllib.request.Request(stratus.endpoint + "/", data=b"Action=FlyToTheMoon&Version=2011-06-15", method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    req.add_header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 400
    body = e.value.read().decode()
    assert "<Code>InvalidAction</Code>" in body
    assert "The action FlyToTheMoon is not valid for this web service." in body


def test_query_missing_member(stratus):
    iam = boto3.client("iam", endpoint_url=stratus.endpoint, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        iam.get_role()
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationError"
    assert err["Message"] == ("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: "
                              "Member must not be null")


def test_query_bad_enum(client):
    iam = client("iam")
    with pytest.raises(ClientError) as e:
        iam.list_policies(Scope="Everywhere")
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationError"
    assert err["Message"] == ("1 validation error detected: Value 'Everywhere' at 'scope' failed to satisfy constraint: "
                              "Member must satisfy enum value set: [All, AWS, Local]")


def test_query_malformed_parameter(stratus):
    req = urllib.request.Request(stratus.endpoint + "/", data=b"Action=ListRoles&Version=2010-05-08&MaxItems=lots", method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    req.add_header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 400
    body = e.value.read().decode()
    assert "<Type>Sender</Type><Code>ValidationError</Code>" in body
    assert "MaxItems" in body


# --- restJson (Lambda) ---

def test_rest_json_unknown_path(stratus):
    status, headers, body = raw(stratus.endpoint, "GET", "/2015-03-31/nothing-here", service="lambda")
    assert status == 404
    assert headers.get("x-amzn-errortype") == "UnknownOperationException"


def test_rest_json_bad_enum(stratus):
    # (An unknown Runtime is Lambda's own InvalidParameterValueException:
    # test_lambda_control.py; other enums get the model's ValidationException.)
    status, headers, body = raw(stratus.endpoint, "POST", "/2015-03-31/functions", json.dumps({
        "FunctionName": "f", "Role": "arn:aws:iam::000000000000:role/r", "Runtime": "python3.12",
        "PackageType": "cobol85", "Code": {"ZipFile": ""}}).encode(), {"Content-Type": "application/json"})
    assert status == 400
    assert headers.get("x-amzn-errortype") == "ValidationException"
    assert "Value 'cobol85' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set:" in json.loads(body)["Message"]


def test_rest_json_missing_member(stratus):
    status, headers, body = raw(stratus.endpoint, "POST", "/2015-03-31/functions", json.dumps({
        "FunctionName": "f", "Runtime": "python3.12", "Code": {"ZipFile": ""}}).encode(),
        {"Content-Type": "application/json"}, service="lambda")
    assert status == 400
    assert headers.get("x-amzn-errortype") == "ValidationException"
    assert json.loads(body)["Message"] == (
        "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null")


def test_rest_json_malformed(stratus):
    status, headers, _ = raw(stratus.endpoint, "POST", "/2015-03-31/functions", b"{oops", {"Content-Type": "application/json"})
    assert status == 400
    assert headers.get("x-amzn-errortype") == "SerializationException"


# --- restXml (S3) ---

def test_rest_xml_malformed(stratus):
    status, headers, body = raw(stratus.endpoint, "PUT", "/some-bucket?tagging", b"<Tagging><TagSet>", {"Content-Type": "application/xml"})
    assert status == 400
    assert b"<Code>MalformedXML</Code>" in body
    assert headers.get("x-amz-request-id")
