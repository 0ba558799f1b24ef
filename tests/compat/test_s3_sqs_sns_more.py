"""boto3 checks of S3, SQS and SNS features that had only unit tests:
S3 date conditions on GET/HEAD, storage classes, multipart checksum types,
CopySource-If-* conditions and suspended versioning; SQS
ChangeMessageVisibilityBatch, CancelMessageMoveTask, retention expiry,
queue-level delay and the FIFO deduplication window; SNS filter policies
(attributes and message body) end to end through SQS subscriptions."""

import base64
import datetime
import json
import os
import time
import uuid
import zlib

import pytest
from botocore.exceptions import ClientError

MiB = 1024 * 1024
HOUR = datetime.timedelta(hours=1)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response


def status_of(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]



@pytest.fixture
def sqs(client):
    return client("sqs")


@pytest.fixture
def bucket(s3):
    name = unique("more")
    s3.create_bucket(Bucket=name)
    return name


# --- S3 -------------------------------------------------------------------

def test_date_conditions_on_get_and_head(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"dated")
    modified = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    before, after = modified - HOUR, modified + HOUR
    for call in (s3.get_object, s3.head_object):
        assert status_of(call(Bucket=bucket, Key="k", IfModifiedSince=before)) == 200
        assert status_of(call(Bucket=bucket, Key="k", IfUnmodifiedSince=after)) == 200
        assert status_of(call(Bucket=bucket, Key="k", IfUnmodifiedSince=modified)) == 200
        r = error_of(call, Bucket=bucket, Key="k", IfModifiedSince=modified)
        assert status_of(r) == 304
        assert r["Error"] == {"Code": "304", "Message": "Not Modified"}
        r = error_of(call, Bucket=bucket, Key="k", IfUnmodifiedSince=before)
        assert status_of(r) == 412
        # If-Match that holds overrides a failing If-Unmodified-Since;
        # If-None-Match that fails overrides a holding If-Modified-Since.
        assert status_of(call(Bucket=bucket, Key="k", IfMatch=put["ETag"], IfUnmodifiedSince=before)) == 200
        r = error_of(call, Bucket=bucket, Key="k", IfNoneMatch=put["ETag"], IfModifiedSince=before)
        assert status_of(r) == 304
    r = error_of(s3.head_object, Bucket=bucket, Key="k", IfUnmodifiedSince=before)
    assert r["Error"] == {"Code": "412", "Message": "Precondition Failed"}
    r = error_of(s3.get_object, Bucket=bucket, Key="k", IfUnmodifiedSince=before)
    assert r["Error"]["Code"] == "PreconditionFailed"
    assert r["Error"]["Message"] == "At least one of the pre-conditions you specified did not hold"
    assert r["Error"]["Condition"] == "If-Unmodified-Since"


def test_future_if_modified_since_is_ignored(s3, bucket):
    # AWS ignores an If-Modified-Since later than now (as recorded).
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    future = datetime.datetime.now(datetime.timezone.utc) + HOUR
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=future)["Body"].read() == b"data"
    assert status_of(s3.head_object(Bucket=bucket, Key="k", IfModifiedSince=future)) == 200


def test_storage_class_is_stored_and_returned(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"c", StorageClass="STANDARD_IA")
    s3.put_object(Bucket=bucket, Key="plain", Body=b"p")
    assert s3.head_object(Bucket=bucket, Key="cold")["StorageClass"] == "STANDARD_IA"
    assert s3.get_object(Bucket=bucket, Key="cold")["StorageClass"] == "STANDARD_IA"
    # S3 leaves x-amz-storage-class off STANDARD objects.
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="plain")
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"cold": "STANDARD_IA", "plain": "STANDARD"}
    s3.copy_object(Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"},
                   StorageClass="ONEZONE_IA")
    assert s3.head_object(Bucket=bucket, Key="warm")["StorageClass"] == "ONEZONE_IA"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mpu", StorageClass="INTELLIGENT_TIERING")
    etag = s3.upload_part(Bucket=bucket, Key="mpu", UploadId=upload["UploadId"], PartNumber=1, Body=b"x")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mpu", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.head_object(Bucket=bucket, Key="mpu")["StorageClass"] == "INTELLIGENT_TIERING"
    r = error_of(s3.put_object, Bucket=bucket, Key="bad", Body=b"x", StorageClass="NOPE")
    assert r["Error"]["Code"] == "InvalidStorageClass"
    assert r["Error"]["Message"] == "The storage class you specified is not valid"


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def multipart_with_crc32(s3, bucket, key, checksum_type, parts):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32",
                                        ChecksumType=checksum_type)
    assert upload["ChecksumAlgorithm"] == "CRC32"
    assert upload["ChecksumType"] == checksum_type
    done = []
    for n, body in enumerate(parts, 1):
        out = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=n, Body=body,
                             ChecksumAlgorithm="CRC32")
        assert out["ChecksumCRC32"] == crc32_b64(body)
        done.append({"PartNumber": n, "ETag": out["ETag"], "ChecksumCRC32": out["ChecksumCRC32"]})
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": done})


def test_multipart_checksum_types_composite_and_full_object(s3, bucket):
    parts = [b"a" * (5 * MiB), b"bcd"]
    composite = multipart_with_crc32(s3, bucket, "composite", "COMPOSITE", parts)
    raw_crcs = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    assert composite["ChecksumCRC32"] == f"{crc32_b64(raw_crcs)}-2"
    assert composite["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="composite", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == composite["ChecksumCRC32"]
    assert head["ChecksumType"] == "COMPOSITE"

    full = multipart_with_crc32(s3, bucket, "full", "FULL_OBJECT", parts)
    assert full["ChecksumCRC32"] == crc32_b64(b"".join(parts))
    assert full["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == full["ChecksumCRC32"]
    assert head["ChecksumType"] == "FULL_OBJECT"

    r = error_of(s3.create_multipart_upload, Bucket=bucket, Key="x", ChecksumAlgorithm="SHA256",
                 ChecksumType="FULL_OBJECT")
    assert r["Error"]["Code"] == "InvalidRequest"
    assert r["Error"]["Message"] == "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."


def test_copy_source_conditions(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    modified = s3.head_object(Bucket=bucket, Key="src")["LastModified"]
    src = {"Bucket": bucket, "Key": "src"}
    holding = [
        {"CopySourceIfMatch": put["ETag"]},
        {"CopySourceIfNoneMatch": '"other"'},
        {"CopySourceIfModifiedSince": modified - HOUR},
        {"CopySourceIfUnmodifiedSince": modified + HOUR},
    ]
    for cond in holding:
        out = s3.copy_object(Bucket=bucket, Key="dst", CopySource=src, **cond)
        assert out["CopyObjectResult"]["ETag"] == put["ETag"], cond
    failing = [
        {"CopySourceIfMatch": '"other"'},
        {"CopySourceIfNoneMatch": put["ETag"]},
        {"CopySourceIfModifiedSince": modified},
        {"CopySourceIfUnmodifiedSince": modified - HOUR},
    ]
    for cond in failing:
        r = error_of(s3.copy_object, Bucket=bucket, Key="dst2", CopySource=src, **cond)
        assert status_of(r) == 412, cond
        assert r["Error"]["Code"] == "PreconditionFailed", cond
        assert r["Error"]["Message"] == "At least one of the pre-conditions you specified did not hold"
    assert s3.list_objects_v2(Bucket=bucket, Prefix="dst2")["KeyCount"] == 0
    r = error_of(s3.copy_object, Bucket=bucket, Key="dst2", CopySource=src, CopySourceIfModifiedSince=modified)
    assert r["Error"]["Condition"] == "x-amz-copy-source-If-Modified-Since"
    # A holding If-Match wins over a failing If-Unmodified-Since.
    out = s3.copy_object(Bucket=bucket, Key="dst3", CopySource=src, CopySourceIfMatch=put["ETag"],
                         CopySourceIfUnmodifiedSince=modified - HOUR)
    assert out["CopyObjectResult"]["ETag"] == put["ETag"]


def test_copy_source_if_modified_since_in_the_future_is_ignored(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    future = datetime.datetime.now(datetime.timezone.utc) + HOUR
    out = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                         CopySourceIfModifiedSince=future)
    assert out["CopyObjectResult"]["ETag"] == put["ETag"]


def test_suspended_versioning_writes_null_versions(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"

    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["VersionId"] == "null"
    assert got["Body"].read() == b"two"
    s3.put_object(Bucket=bucket, Key="k", Body=b"three")  # overwrites the null version
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"], v["Size"]) for v in versions] == [("null", True, 5), (v1, False, 3)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"three"

    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True
    assert marker["VersionId"] == "null"
    listing = s3.list_object_versions(Bucket=bucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [(v1, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [("null", True)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"


def test_put_on_suspended_bucket_answers_no_version_id(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert "VersionId" not in s3.put_object(Bucket=bucket, Key="k", Body=b"x")


# --- SQS ------------------------------------------------------------------

def queue(sqs, name, **attributes):
    attrs = {k: str(v) for k, v in attributes.items()}
    return sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]


def queue_arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def receive(sqs, url, **kwargs):
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])


def test_change_message_visibility_batch(sqs):
    url = queue(sqs, unique("cmvb"))
    for body in ("one", "two"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    msgs = {m["Body"]: m for m in receive(sqs, url, VisibilityTimeout=60)}
    assert set(msgs) == {"one", "two"}
    out = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "ok", "ReceiptHandle": msgs["one"]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "keep", "ReceiptHandle": msgs["two"]["ReceiptHandle"], "VisibilityTimeout": 120},
        {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
    ])
    assert sorted(e["Id"] for e in out["Successful"]) == ["keep", "ok"]
    [failed] = out["Failed"]
    assert failed["Id"] == "bad"
    assert failed["SenderFault"] is True
    assert failed["Code"] == "ReceiptHandleIsInvalid"
    assert "garbage" in failed["Message"]
    again = receive(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in again] == [("one", "2")]

    r = error_of(sqs.change_message_visibility_batch, QueueUrl=url, Entries=[
        {"Id": str(i), "ReceiptHandle": "h", "VisibilityTimeout": 0} for i in range(11)])
    assert r["Error"]["Code"] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    assert r["Error"]["Message"] == "Maximum number of entries per request are 10. You have sent 11."
    r = error_of(sqs.change_message_visibility_batch, QueueUrl=url, Entries=[])
    assert r["Error"]["Code"] == "AWS.SimpleQueueService.EmptyBatchRequest"


def test_cancel_message_move_task(sqs):
    dlq = queue(sqs, unique("move-dlq"))
    source = queue(sqs, unique("move-src"))
    dlq_arn = queue_arn(sqs, dlq)
    sqs.set_queue_attributes(QueueUrl=source, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})
    sqs.send_message_batch(QueueUrl=dlq, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=queue_arn(sqs, source),
                                         MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    [running] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert running["Status"] == "RUNNING"
    assert running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == 1
    assert running["ApproximateNumberOfMessagesToMove"] == 10

    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    moved = cancelled["ApproximateNumberOfMessagesMoved"]
    assert 0 <= moved < 10
    [after] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert after["Status"] == "CANCELLED"
    assert "TaskHandle" not in after
    time.sleep(1.5)  # nothing moves after the cancel
    counts = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert int(counts["Attributes"]["ApproximateNumberOfMessages"]) == 10 - after["ApproximateNumberOfMessagesMoved"]

    r = error_of(sqs.cancel_message_move_task, TaskHandle="garbage")
    assert r["Error"]["Code"] == "InvalidParameterValue"
    assert r["Error"]["Message"] == "Value for parameter TaskHandle is invalid."


@pytest.mark.skipif(not os.environ.get("STRATUS_SLOW_TESTS"),
                    reason="waits out the 60-second minimum MessageRetentionPeriod; set STRATUS_SLOW_TESTS=1")
def test_message_retention_expiry(sqs):
    url = queue(sqs, unique("retention"), MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="short-lived")
    time.sleep(62)
    assert receive(sqs, url) == []
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_message_retention_period_bounds(sqs):
    for bad in ("59", "1209601"):
        r = error_of(sqs.create_queue, QueueName=unique("retention"), Attributes={"MessageRetentionPeriod": bad})
        assert r["Error"]["Code"] == "InvalidAttributeValue"
        assert r["Error"]["Message"] == "Invalid value for the parameter MessageRetentionPeriod."


def test_queue_level_delay_seconds(sqs):
    url = queue(sqs, unique("delayed"), DelaySeconds=2)
    sqs.send_message(QueueUrl=url, MessageBody="late")
    # An explicit per-message delay (even 0) overrides the queue's.
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
    assert [m["Body"] for m in receive(sqs, url, VisibilityTimeout=60)] == ["now"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    got = []
    deadline = time.time() + 15
    while not got and time.time() < deadline:
        got = receive(sqs, url, WaitTimeSeconds=2)
    assert [m["Body"] for m in got] == ["late"]


def test_fifo_deduplication_window(sqs):
    url = queue(sqs, unique("dedup") + ".fifo", FifoQueue="true", ContentBasedDeduplication="true")
    first = sqs.send_message(QueueUrl=url, MessageBody="payload", MessageGroupId="g",
                             MessageDeduplicationId="d1")
    # Within the window the same id is accepted and dropped, even after the
    # first was consumed and deleted, and from another message group.
    [m] = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    dup = sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g",
                           MessageDeduplicationId="d1")
    assert dup["MessageId"] == first["MessageId"]
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="other", MessageDeduplicationId="d1")
    # Content-based: the body's SHA-256 is the id.
    sqs.send_message(QueueUrl=url, MessageBody="by content", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="by content", MessageGroupId="g")
    out = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "batch", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
        {"Id": "b", "MessageBody": "fresh", "MessageGroupId": "g", "MessageDeduplicationId": "d2"},
    ])
    assert sorted(e["Id"] for e in out["Successful"]) == ["a", "b"]
    bodies = [m["Body"] for m in receive(sqs, url)]
    assert bodies == ["by content", "fresh"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                    "ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "2"}


def test_fifo_deduplication_scope_message_group(sqs):
    url = queue(sqs, unique("dedup-grp") + ".fifo", FifoQueue="true", DeduplicationScope="messageGroup",
                FifoThroughputLimit="perMessageGroupId")
    for group in ("a", "b", "a"):
        sqs.send_message(QueueUrl=url, MessageBody=f"to {group}", MessageGroupId=group,
                         MessageDeduplicationId="same")
    assert sorted(m["Body"] for m in receive(sqs, url)) == ["to a", "to b"]


# --- SNS filter policies --------------------------------------------------

ATTRIBUTE_POLICIES = {
    "anything-but": {"colour": [{"anything-but": ["red"]}]},
    "equals-ignore-case": {"colour": [{"equals-ignore-case": "RED"}]},
    "suffix": {"file": [{"suffix": ".png"}]},
    "exists": {"priority": [{"exists": True}]},
    "not-exists": {"priority": [{"exists": False}]},
    "cidr": {"ip": [{"cidr": "10.0.0.0/24"}]},
    "numeric-range": {"price": [{"numeric": [">=", 10, "<", 20]}]},
    "or": {"$or": [{"colour": ["blue"]}, {"price": [{"numeric": ["=", 100]}]}]},
    "string-array": {"tags": ["b"]},
}
BODY_POLICIES = {
    "body-nested": {"order": {"status": [{"equals-ignore-case": "shipped"}], "total": [{"numeric": [">", 50]}]}},
    "body-or": {"$or": [{"file": [{"suffix": ".jpg"}]}, {"ip": [{"cidr": "192.168.0.0/16"}]}]},
    "body-anything-but-exists": {"order": {"status": [{"anything-but": {"prefix": "ship"}}],
                                           "total": [{"exists": True}]}},
}


def attr(value, kind="String"):
    return {"DataType": kind, "StringValue": str(value)}


ATTRIBUTE_MESSAGES = {
    "A": {"colour": attr("red"), "file": attr("a.png"), "price": attr(15, "Number"), "ip": attr("10.0.0.5"),
          "tags": attr(json.dumps(["a", "b"]), "String.Array")},
    "B": {"colour": attr("Red"), "priority": attr("high"), "price": attr(100, "Number")},
    "C": {"colour": attr("blue"), "file": attr("b.PNG"), "ip": attr("10.0.1.5"), "price": attr(9.5, "Number"),
          "tags": attr(json.dumps(["a", "c"]), "String.Array")},
    "D": {},
}
BODY_MESSAGES = {
    "E": {"order": {"status": "SHIPPED", "total": 75}, "file": "x.jpg"},
    "F": {"order": {"status": "shipped", "total": 20}, "ip": "192.168.3.4"},
    "G": {"order": {"status": "pending", "total": 99}},
}
EXPECTED = {
    "anything-but": {"B", "C"},
    "equals-ignore-case": {"A", "B"},
    "suffix": {"A"},
    "exists": {"B"},
    # Every message without the attribute, body-scoped ones included.
    "not-exists": {"A", "C", "D", "E", "F", "G", "H"},
    "cidr": {"A"},
    "numeric-range": {"A"},
    "or": {"B", "C"},
    "string-array": {"A"},  # any element of a String.Array matches
    "body-nested": {"E"},
    "body-or": {"E", "F"},
    "body-anything-but-exists": {"E", "G"},  # the prefix is case-sensitive
}


def test_filter_policies_end_to_end(client):
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name=unique("filters"))["TopicArn"]
    urls = {}
    for name, policy in {**ATTRIBUTE_POLICIES, **BODY_POLICIES}.items():
        urls[name] = queue(sqs, unique("f-" + name))
        attributes = {"FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"}
        if name in BODY_POLICIES:
            attributes["FilterPolicyScope"] = "MessageBody"
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, urls[name]), Attributes=attributes)
    for label, attrs in ATTRIBUTE_MESSAGES.items():
        sns.publish(TopicArn=topic, Message=json.dumps({"label": label}), MessageAttributes=attrs)
    for label, body in BODY_MESSAGES.items():
        sns.publish(TopicArn=topic, Message=json.dumps({"label": label, **body}))
    sns.publish(TopicArn=topic, Message="H: not JSON at all")

    def label(body):
        return "H" if body.startswith("H:") else json.loads(body)["label"]

    got = {name: set() for name in urls}
    deadline = time.time() + 20
    while time.time() < deadline and got != EXPECTED:
        for name, url in urls.items():
            for m in receive(sqs, url):
                got[name].add(label(m["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        time.sleep(0.2)
    # Anything late and unwanted would show up here.
    time.sleep(0.5)
    for name, url in urls.items():
        got[name].update(label(m["Body"]) for m in receive(sqs, url))
    assert got == EXPECTED


def test_filter_policy_validation_errors(client):
    sns = client("sns")
    topic = sns.create_topic(Name=unique("filter-errors"))["TopicArn"]
    sqs = client("sqs")
    arn = queue_arn(sqs, queue(sqs, unique("f-errors")))
    r = error_of(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=arn,
                 Attributes={"FilterPolicy": json.dumps({"ip": [{"cidr": "not-a-cidr"}]})})
    assert r["Error"]["Code"] == "InvalidParameter"
    assert r["Error"]["Message"] == "Invalid parameter: Attributes Reason: FilterPolicy: Malformed CIDR, one '/' required"
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    r = error_of(sns.set_subscription_attributes, SubscriptionArn=sub, AttributeName="FilterPolicy",
                 AttributeValue=json.dumps({"price": [{"numeric": [">", 30, "<", 10]}]}))
    assert r["Error"]["Code"] == "InvalidParameter"
    assert r["Error"]["Message"].startswith("Invalid parameter: FilterPolicy: Bottom must be less than top")
    r = error_of(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=arn,
                 Attributes={"FilterPolicyScope": "Elsewhere"})
    assert r["Error"]["Code"] == "InvalidParameter"
