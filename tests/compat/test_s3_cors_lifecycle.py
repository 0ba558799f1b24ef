"""S3 CORS outside preflights, lifecycle rules at work in a running server,
and notifications that survive a crash, through boto3:

- preflights to a bucket without a CORS configuration, or matching no rule,
  answer AWS's 403 `CORSResponse` errors; actual requests with an Origin
  get the Access-Control-* headers of the first matching rule and none
  otherwise (recorded from AWS in LocalStack's test_s3_cors snapshots);
  other services keep the permissive CORS browser SDKs rely on;
- `--reaper-interval 1` expires objects under an Expiration Date, removes
  noncurrent versions and aborts stale multipart uploads (rules counted in
  days are run with `POST /_stratus/s3/lifecycle?days=N`, a sweep as of N
  days from now), and the LifecycleExpiration events reach a queue as S3
  sends them (eventVersion 2.3, s3.amazonaws.com as principal and source);
- event notifications are recorded before the request is answered and
  delivered at least once: a server killed right after a burst of PUTs
  delivers every event after its restart."""

import json
import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from conftest import client_for

NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."
NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
    "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
    "resource's CORS spec."
)
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
ORIGIN = "https://localhost:4200"


def tag():
    return uuid.uuid4().hex[:8]


def options(endpoint, path, headers):
    """(status, headers with lower-cased names, parsed XML error or None)."""
    req = urllib.request.Request(endpoint + path, method="OPTIONS", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, hdrs, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, body = e.code, e.headers, e.read()
    lowered = {k.lower(): v for k, v in hdrs.items()}
    error = {child.tag: child.text for child in ET.fromstring(body)} if body else None
    return status, lowered, error


def with_origin(client, origin):
    """Makes every request of `client` carry an Origin header."""
    def add(request, **_):
        request.headers["Origin"] = origin
    client.meta.events.register(f"before-sign.{client.meta.service_model.service_id.hyphenize()}.*", add)
    return client


def cors_headers(resp):
    headers = resp["ResponseMetadata"]["HTTPHeaders"]
    return {k: v for k, v in headers.items() if k.startswith("access-control-") or k == "vary"}


def test_preflights_follow_the_bucket_configuration(stratus, client):
    s3 = client("s3")
    bucket = f"cors-pre-{tag()}"
    s3.create_bucket(Bucket=bucket)
    ep = stratus.endpoint

    # No configuration: 403 for any preflight, naming the method asked for.
    status, headers, err = options(ep, f"/{bucket}", {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"})
    assert status == 403
    assert {k: err[k] for k in ("Code", "Message", "Method", "ResourceType")} == {
        "Code": "AccessForbidden", "Message": NOT_ENABLED, "Method": "PUT", "ResourceType": "BUCKET"}
    assert err["RequestId"] and err["HostId"]
    assert "access-control-allow-origin" not in headers
    status, _, err = options(ep, f"/{bucket}", {"Origin": ORIGIN})
    assert (status, err["Message"], err["Method"]) == (403, NOT_ENABLED, "OPTIONS")
    status, _, err = options(ep, f"/{bucket}/some/key", {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert (status, err["ResourceType"]) == (403, "OBJECT")
    status, _, err = options(ep, f"/{bucket}", {})
    assert (status, err["Code"], err["Message"]) == (
        400, "BadRequest", "Insufficient information. Origin request header needed.")

    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [ORIGIN], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["x-amz-request-payer"],
         "MaxAgeSeconds": 3000},
        {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
    ]})
    status, headers, err = options(ep, f"/{bucket}/k", {
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-amz-request-payer"})
    assert (status, err) == (200, None)
    assert {k: v for k, v in headers.items() if k.startswith("access-control-") or k == "vary"} == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "GET, PUT",
        "access-control-allow-headers": "x-amz-request-payer",
        "access-control-max-age": "3000",
        "access-control-allow-credentials": "true",
        "vary": VARY,
    }
    # Wrong origin, method or header: no rule matches.
    for asked in ({"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
                  {"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"},
                  {"Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-other"}):
        status, headers, err = options(ep, f"/{bucket}/k", asked)
        assert status == 403
        assert (err["Code"], err["Message"], err["Method"], err["ResourceType"]) == (
            "AccessForbidden", NOT_ALLOWED, asked["Access-Control-Request-Method"], "OBJECT")
        assert "access-control-allow-origin" not in headers
    s3.delete_bucket_cors(Bucket=bucket)
    status, _, err = options(ep, f"/{bucket}", {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert (status, err["Message"]) == (403, NOT_ENABLED)


def test_preflight_to_a_missing_bucket_by_virtual_host(stratus):
    host = {"Host": f"missing-{tag()}.s3.localhost.localstack.cloud:{stratus.port}"}
    status, headers, err = options(stratus.endpoint, "/", {**host, "Origin": ORIGIN})
    assert status == 403
    assert (err["Code"], err["Message"], err["Method"], err["ResourceType"]) == (
        "AccessForbidden", "CORSResponse: Bucket not found", "OPTIONS", "BUCKET")
    assert "access-control-allow-origin" not in headers
    status, _, err = options(stratus.endpoint, "/", host)
    assert (status, err["Code"]) == (400, "BadRequest")


def test_actual_requests_get_the_matching_rule_headers(stratus, client):
    s3 = client("s3")
    bucket = f"cors-act-{tag()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"test-cors")
    right = with_origin(client_for(stratus.endpoint, "s3"), ORIGIN)
    other = with_origin(client_for(stratus.endpoint, "s3"), "https://other.example")

    # No configuration: no CORS headers, with or without an Origin.
    assert cors_headers(right.get_object(Bucket=bucket, Key="k")) == {}
    assert cors_headers(s3.get_object(Bucket=bucket, Key="k")) == {}

    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [ORIGIN], "AllowedMethods": ["GET", "PUT"], "MaxAgeSeconds": 3000,
         "ExposeHeaders": ["x-amz-request-id", "ETag"]},
        {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
    ]})
    got = right.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"test-cors"
    assert cors_headers(got) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "GET, PUT",
        "access-control-expose-headers": "x-amz-request-id, ETag",
        "access-control-max-age": "3000",
        "access-control-allow-credentials": "true",
        "vary": VARY,
    }
    assert cors_headers(right.put_object(Bucket=bucket, Key="k2", Body=b"x"))["access-control-allow-origin"] == ORIGIN
    # An origin no rule allows, a method no rule allows, no Origin: nothing.
    assert cors_headers(other.get_object(Bucket=bucket, Key="k")) == {}
    assert cors_headers(right.delete_object(Bucket=bucket, Key="k2")) == {}
    assert cors_headers(s3.get_object(Bucket=bucket, Key="k")) == {}
    # The `*` rule: any origin, no credentials.
    assert cors_headers(other.head_object(Bucket=bucket, Key="k")) == {
        "access-control-allow-origin": "*", "access-control-allow-methods": "HEAD", "vary": VARY}


def test_other_services_keep_permissive_cors(stratus, client):
    sqs = with_origin(client("sqs"), ORIGIN)
    resp = sqs.list_queues()
    assert resp["ResponseMetadata"]["HTTPHeaders"]["access-control-allow-origin"] == ORIGIN
    status, headers, _ = options(stratus.endpoint, "/", {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert status == 200
    assert headers["access-control-allow-origin"] == ORIGIN


def make_queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs, url, count, timeout=30):
    """The S3 event records of at least `count` messages (the test event
    skipped), waiting up to `timeout` seconds."""
    records, deadline = [], time.time() + timeout
    while len(records) < count and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            body = json.loads(m["Body"])
            records.extend(body.get("Records", []))
    assert len(records) >= count, f"expected {count} records, got {json.dumps(records, indent=1)}"
    return records


def wait_for(check, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError("the condition did not hold in time")


def sweep(endpoint, days):
    req = urllib.request.Request(f"{endpoint}/_stratus/s3/lifecycle?days={days}", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["removed"]


def check_lifecycle_record(record, *, bucket, name, key, version_id=None):
    assert record["eventVersion"] == "2.3"
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == name
    assert record["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    assert record["requestParameters"] == {"sourceIPAddress": "s3.amazonaws.com"}
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["configurationId"] == "expiry"
    obj = record["s3"]["object"]
    assert obj["key"] == key
    assert "sequencer" in obj and "size" not in obj and "eTag" not in obj
    assert obj.get("versionId") == version_id


def test_lifecycle_rules_run_in_the_server_and_notify(fresh_stratus):
    server = fresh_stratus("--reaper-interval", "1")
    s3, sqs = client_for(server.endpoint, "s3"), client_for(server.endpoint, "sqs")
    url, queue_arn = make_queue(sqs, "lifecycle-events")

    # Unversioned: an Expiration Date in the past removes objects under the
    # prefix at the next background sweep; LifecycleExpiration:Delete.
    plain = "lifecycle-plain"
    s3.create_bucket(Bucket=plain)
    s3.put_bucket_notification_configuration(Bucket=plain, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "expiry", "QueueArn": queue_arn, "Events": ["s3:LifecycleExpiration:*"]}]})
    s3.put_object(Bucket=plain, Key="logs/old.txt", Body=b"old")
    s3.put_object(Bucket=plain, Key="keep/me.txt", Body=b"keep")
    s3.put_bucket_lifecycle_configuration(Bucket=plain, LifecycleConfiguration={"Rules": [
        {"ID": "past", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Expiration": {"Date": datetime(2020, 1, 1, tzinfo=timezone.utc)}}]})
    wait_for(lambda: s3.list_objects_v2(Bucket=plain).get("KeyCount") == 1)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=plain)["Contents"]] == ["keep/me.txt"]
    [record] = receive(sqs, url, 1)
    check_lifecycle_record(record, bucket=plain, name="LifecycleExpiration:Delete", key="logs/old.txt")

    # Versioned: the expiration adds a delete marker
    # (LifecycleExpiration:DeleteMarkerCreated); NoncurrentVersionExpiration
    # then removes the old version for good (LifecycleExpiration:Delete).
    versioned = "lifecycle-versioned"
    s3.create_bucket(Bucket=versioned)
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket=versioned, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "expiry", "QueueArn": queue_arn, "Events": ["s3:LifecycleExpiration:*"]}]})
    v1 = s3.put_object(Bucket=versioned, Key="doc.txt", Body=b"v1")["VersionId"]
    s3.put_bucket_lifecycle_configuration(Bucket=versioned, LifecycleConfiguration={"Rules": [
        {"ID": "past", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Expiration": {"Date": datetime(2020, 1, 1, tzinfo=timezone.utc)},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    wait_for(lambda: len(s3.list_object_versions(Bucket=versioned).get("DeleteMarkers", [])) == 1)
    listing = s3.list_object_versions(Bucket=versioned)
    [marker] = listing["DeleteMarkers"]
    assert marker["IsLatest"] and [v["VersionId"] for v in listing["Versions"]] == [v1]
    [record] = receive(sqs, url, 1)
    check_lifecycle_record(record, bucket=versioned, name="LifecycleExpiration:DeleteMarkerCreated",
                           key="doc.txt", version_id=marker["VersionId"])
    # A day on, the noncurrent version is gone.
    assert sweep(server.endpoint, 0) == 0
    assert sweep(server.endpoint, 2) >= 1
    assert "Versions" not in s3.list_object_versions(Bucket=versioned)
    records = receive(sqs, url, 1)
    removed = [r for r in records if r["s3"]["object"].get("versionId") == v1]
    assert len(removed) == 1
    check_lifecycle_record(removed[0], bucket=versioned, name="LifecycleExpiration:Delete", key="doc.txt",
                           version_id=v1)


def test_lifecycle_aborts_incomplete_multipart_uploads(fresh_stratus):
    server = fresh_stratus("--reaper-interval", "1")
    s3 = client_for(server.endpoint, "s3")
    bucket = "lifecycle-uploads"
    s3.create_bucket(Bucket=bucket)
    stale = s3.create_multipart_upload(Bucket=bucket, Key="tmp/big.bin")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="tmp/big.bin", UploadId=stale, PartNumber=1, Body=b"x" * 1024)
    other = s3.create_multipart_upload(Bucket=bucket, Key="data/big.bin")["UploadId"]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "abort", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
    time.sleep(2)  # background sweeps run, but nothing is a day old yet
    assert len(s3.list_multipart_uploads(Bucket=bucket)["Uploads"]) == 2
    assert sweep(server.endpoint, 2) == 1
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [other]
    try:
        s3.list_parts(Bucket=bucket, Key="tmp/big.bin", UploadId=stale)
        raise AssertionError("the aborted upload is still there")
    except s3.exceptions.NoSuchUpload as e:
        assert e.response["Error"]["Message"] == (
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
            "aborted or completed.")


def test_notifications_survive_a_crash_and_are_retried(fresh_stratus):
    """The queue does not exist yet (SkipDestinationValidation), so every
    delivery fails and waits for a retry when the server is killed; after
    the restart the queue is created and every event still arrives."""
    server = fresh_stratus()
    s3 = client_for(server.endpoint, "s3")
    bucket, queue_arn = "durable-notify", "arn:aws:sqs:us-east-1:000000000000:durable-events"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True,
                                             NotificationConfiguration={"QueueConfigurations": [
                                                 {"Id": "all", "QueueArn": queue_arn,
                                                  "Events": ["s3:ObjectCreated:*"]}]})
    keys = {f"burst/{i:03}.txt" for i in range(150)}
    for key in sorted(keys):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    server.kill()
    server.start()

    sqs = client_for(server.endpoint, "sqs")
    url = sqs.create_queue(QueueName="durable-events")["QueueUrl"]
    seen, deadline = set(), time.time() + 60
    while not keys <= seen and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            for r in json.loads(m["Body"]).get("Records", []):
                assert r["eventName"] == "ObjectCreated:Put"
                assert r["s3"]["bucket"]["name"] == bucket
                assert r["s3"]["configurationId"] == "all"
                seen.add(r["s3"]["object"]["key"])
    assert keys - seen == set(), f"{len(keys - seen)} events lost"
