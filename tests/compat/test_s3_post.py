"""S3 POST Object (browser-form uploads) with boto3's generate_presigned_post
and a plain `requests` multipart POST: success answers (204, 201 with the
PostResponse XML), stored content/metadata/content-type, ${filename}, policy
conditions (starts-with, content-length-range), an expired policy, the
missing key field, the ObjectCreated:Post event reaching SQS, and who signed
the form (SigV4 and legacy fields, the policy's signature verified in strict
mode). Error codes and messages as recorded from AWS (aws-reference
test_s3.snapshot.json)."""

import hashlib
import json
import time
import uuid
import xml.etree.ElementTree as ET

import boto3
import pytest
import requests
from botocore.config import Config
from conftest import STRICT_KEY, STRICT_SECRET


def tag():
    return uuid.uuid4().hex[:8]


def s3v4(client):
    """An S3 client whose presigned posts carry the SigV4 fields."""
    base = client("s3")
    return boto3.client(
        "s3",
        endpoint_url=base.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4", retries={"max_attempts": 1}),
    )


def make_bucket(s3):
    name = f"post-{tag()}"
    s3.create_bucket(Bucket=name)
    return name


def post(presigned, data=b"hello", filename="hello.txt", extra=None):
    fields = dict(presigned["fields"])
    fields.update(extra or {})
    return requests.post(presigned["url"], data=fields, files={"file": (filename, data)}, timeout=30)


def error_of(resp):
    root = ET.fromstring(resp.content)
    return {child.tag: child.text for child in root}


def test_post_204_stores_object_with_metadata(client):
    s3 = s3v4(client)
    bucket = make_bucket(s3)
    fields = {"Content-Type": "text/plain", "x-amz-meta-color": "blue"}
    conditions = [{"Content-Type": "text/plain"}, {"x-amz-meta-color": "blue"}]
    presigned = s3.generate_presigned_post(bucket, "doc.txt", Fields=fields, Conditions=conditions)
    resp = post(presigned, b"form body")
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert resp.headers["ETag"] == '"%s"' % hashlib.md5(b"form body").hexdigest()
    obj = s3.get_object(Bucket=bucket, Key="doc.txt")
    assert obj["Body"].read() == b"form body"
    assert obj["ContentType"] == "text/plain"
    assert obj["Metadata"] == {"color": "blue"}
    assert obj["ETag"] == resp.headers["ETag"]


def test_post_201_answers_post_response_xml(client):
    s3 = s3v4(client)
    bucket = make_bucket(s3)
    presigned = s3.generate_presigned_post(
        bucket, "a/b.bin", Fields={"success_action_status": "201"}, Conditions=[{"success_action_status": "201"}]
    )
    resp = post(presigned, b"0123456789")
    assert resp.status_code == 201, resp.text
    root = ET.fromstring(resp.content)
    assert root.tag == "PostResponse"
    got = {child.tag: child.text for child in root}
    assert got["Bucket"] == bucket
    assert got["Key"] == "a/b.bin"
    assert got["ETag"] == '"781e5e245d69b566979b86e28d23f2c7"'  # md5("0123456789")
    assert got["Location"].endswith(f"/{bucket}/a/b.bin")
    assert s3.get_object(Bucket=bucket, Key="a/b.bin")["Body"].read() == b"0123456789"


def test_post_filename_substitution(client):
    s3 = s3v4(client)
    bucket = make_bucket(s3)
    presigned = s3.generate_presigned_post(bucket, "uploads/${filename}")
    resp = post(presigned, b"photo", filename="cat.jpg")
    assert resp.status_code == 204, resp.text
    assert s3.get_object(Bucket=bucket, Key="uploads/cat.jpg")["Body"].read() == b"photo"


def test_post_starts_with_condition_fails(client):
    s3 = s3v4(client)
    bucket = make_bucket(s3)
    presigned = s3.generate_presigned_post(
        bucket, "other/x.txt", Conditions=[["starts-with", "$key", "user/"]]
    )
    resp = post(presigned)
    assert resp.status_code == 403
    err = error_of(resp)
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]'
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_post_content_length_range(client):
    s3 = s3v4(client)
    bucket = make_bucket(s3)
    presigned = s3.generate_presigned_post(bucket, "sized", Conditions=[["content-length-range", 5, 10]])
    big = post(presigned, b"a" * 12)
    assert big.status_code == 400
    err = error_of(big)
    assert err["Code"] == "EntityTooLarge"
    assert err["Message"] == "Your proposed upload exceeds the maximum allowed size"
    assert (err["ProposedSize"], err["MaxSizeAllowed"]) == ("12", "10")
    small = post(presigned, b"a")
    assert small.status_code == 400
    err = error_of(small)
    assert err["Code"] == "EntityTooSmall"
    assert err["Message"] == "Your proposed upload is smaller than the minimum allowed size"
    assert (err["ProposedSize"], err["MinSizeAllowed"]) == ("1", "5")
    assert post(presigned, b"a" * 10).status_code == 204
    assert s3.get_object(Bucket=bucket, Key="sized")["ContentLength"] == 10


def test_post_expired_policy(client):
    s3 = s3v4(client)
    bucket = make_bucket(s3)
    presigned = s3.generate_presigned_post(bucket, "late", ExpiresIn=1)
    time.sleep(2.5)
    resp = post(presigned)
    assert resp.status_code == 403
    err = error_of(resp)
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == "Invalid according to Policy: Policy expired."


def test_post_missing_key_field(client):
    s3 = s3v4(client)
    bucket = make_bucket(s3)
    presigned = s3.generate_presigned_post(bucket, "k")
    fields = {k: v for k, v in presigned["fields"].items() if k != "key"}
    resp = requests.post(presigned["url"], data=fields, files={"file": ("f", b"x")}, timeout=30)
    assert resp.status_code == 400
    err = error_of(resp)
    assert err["Code"] == "InvalidArgument"
    assert err["Message"] == (
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields."
    )
    assert err["ArgumentName"] == "key"


def test_post_emits_object_created_post_to_sqs(client):
    s3, sqs = s3v4(client), client("sqs")
    bucket = make_bucket(s3)
    url = sqs.create_queue(QueueName=f"post-events-{tag()}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    presigned = s3.generate_presigned_post(bucket, "evt/${filename}")
    assert post(presigned, b"event body", filename="e.txt").status_code == 204
    records, deadline = [], time.time() + 30
    while time.time() < deadline and not records:
        for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(m["Body"])
            records += [r for r in body.get("Records", [])]
    assert len(records) == 1, records
    rec = records[0]
    assert rec["eventName"] == "ObjectCreated:Post"
    assert rec["s3"]["bucket"]["name"] == bucket
    assert rec["s3"]["object"]["key"] == "evt/e.txt"
    assert rec["s3"]["object"]["size"] == len(b"event body")


def strict_s3(server, key=STRICT_KEY, secret=STRICT_SECRET, version="s3v4"):
    return boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(signature_version=version,
                                                                    retries={"max_attempts": 1}))


@pytest.mark.parametrize("version", ["s3v4", "s3"])
def test_strict_mode_verifies_the_policy_signature(strict, version):
    s3 = strict_s3(strict, version=version)
    bucket = make_bucket(strict_s3(strict))  # API calls need SigV4; a form may still be signed the legacy way
    presigned = s3.generate_presigned_post(bucket, "signed")
    ok = post(presigned, data=b"signed body")
    assert ok.status_code == 204, ok.text
    reader = strict_s3(strict)
    assert reader.get_object(Bucket=bucket, Key="signed")["Body"].read() == b"signed body"

    # Signed with a secret that is not the key's.
    forged = strict_s3(strict, secret="not-the-secret", version=version).generate_presigned_post(bucket, "forged")
    resp = post(forged)
    assert resp.status_code == 403
    err = error_of(resp)
    assert err["Code"] == "SignatureDoesNotMatch"
    assert err["Message"] == ("The request signature we calculated does not match the signature you provided. "
                              "Check your key and signing method.")
    assert err["AWSAccessKeyId"] == STRICT_KEY
    assert err["StringToSign"] == forged["fields"]["policy"]

    # A policy changed after signing (e.g. a longer expiry) no longer matches.
    tampered = dict(presigned, fields=dict(presigned["fields"], policy=presigned["fields"]["policy"][:-4] + "AAAA"))
    assert error_of(post(tampered))["Code"] == "SignatureDoesNotMatch"

    unknown = strict_s3(strict, key="AKIAUNKNOWN000000001", version=version).generate_presigned_post(bucket, "x")
    resp = post(unknown)
    assert resp.status_code == 403
    err = error_of(resp)
    assert err["Code"] == "InvalidAccessKeyId"
    assert err["Message"] == "The AWS Access Key Id you provided does not exist in our records."
    assert err["AWSAccessKeyId"] == "AKIAUNKNOWN000000001"

    with pytest.raises(reader.exceptions.NoSuchKey):
        reader.get_object(Bucket=bucket, Key="forged")


def test_strict_mode_refuses_an_unsigned_form(strict):
    s3 = strict_s3(strict)
    bucket = make_bucket(s3)
    url = s3.generate_presigned_post(bucket, "k")["url"]
    resp = requests.post(url, data={"key": "anon"}, files={"file": ("f", b"x")}, timeout=30)
    assert resp.status_code == 403
    err = error_of(resp)
    assert (err["Code"], err["Message"]) == ("AccessDenied", "Access Denied")


@pytest.mark.parametrize("version,dropped,named", [
    ("s3v4", "x-amz-signature", "X-Amz-Signature"),
    ("s3v4", "x-amz-algorithm", "X-Amz-Algorithm"),
    ("s3v4", "x-amz-credential", "X-Amz-Credential"),
    ("s3", "signature", "Signature"),
    ("s3", "AWSAccessKeyId", "AWSAccessKeyId"),
])
def test_a_signed_form_needs_every_signature_field(client, version, dropped, named):
    s3 = boto3.client("s3", endpoint_url=client("s3").meta.endpoint_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test",
                      config=Config(signature_version=version, retries={"max_attempts": 1}))
    bucket = make_bucket(s3)
    presigned = s3.generate_presigned_post(bucket, "k")
    fields = {k: v for k, v in presigned["fields"].items() if k != dropped}
    resp = requests.post(presigned["url"], data=fields, files={"file": ("f", b"x")}, timeout=30)
    assert resp.status_code == 400
    err = error_of(resp)
    assert err["Code"] == "InvalidArgument"
    assert err["Message"] == (f"Bucket POST must contain a field named '{named}'.  "
                              "If it is specified, please check the order of the fields.")
    assert err["ArgumentName"] == named
