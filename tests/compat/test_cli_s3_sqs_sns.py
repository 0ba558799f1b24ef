"""S3, SQS and SNS through the aws CLI: `aws s3api` for versioning,
multipart, tagging, bucket notification and CORS configuration, copies,
ranges and conditional reads; `aws s3 sync/ls/rm`; `aws sqs` batches,
attributes, visibility and FIFO sends; `aws sns` delivery to a queue with
message attributes and subscription attributes. Errors are asserted as the
CLI shows them: the AWS error code on stderr and the CLI's exit code for a
service error (255 in CLI v1, 254 in v2)."""

import json
import os
import time
import uuid

import pytest

from conftest import aws_cli

SERVICE_ERROR_EXITS = (254, 255)


@pytest.fixture
def run(stratus):
    """Runs the CLI against Stratus (the endpoint also named on the command
    line: some CLI customizations ignore AWS_ENDPOINT_URL). Answers the
    parsed JSON output, or the completed process when check=False."""

    def call(*args, check=True):
        out = aws_cli(stratus.endpoint, *args, "--endpoint-url", stratus.endpoint, check=check)
        if not check:
            return out
        return json.loads(out.stdout) if out.stdout.strip() else {}

    return call


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def assert_cli_error(out, code, operation):
    """The CLI failed with a service error naming AWS's code."""
    assert out.returncode in SERVICE_ERROR_EXITS, (out.returncode, out.stderr)
    assert f"An error occurred ({code}) when calling the {operation} operation" in out.stderr, out.stderr


def make_bucket(run):
    bucket = unique("cli")
    run("s3api", "create-bucket", "--bucket", bucket)
    return bucket


def write(path, data):
    path.write_bytes(data)
    return str(path)


# --- S3 -------------------------------------------------------------------

def test_s3api_versioning_and_delete_markers(run, tmp_path):
    bucket = make_bucket(run)
    run("s3api", "put-bucket-versioning", "--bucket", bucket,
        "--versioning-configuration", "Status=Enabled")
    assert run("s3api", "get-bucket-versioning", "--bucket", bucket)["Status"] == "Enabled"
    v1 = run("s3api", "put-object", "--bucket", bucket, "--key", "doc",
             "--body", write(tmp_path / "one", b"first"))["VersionId"]
    v2 = run("s3api", "put-object", "--bucket", bucket, "--key", "doc",
             "--body", write(tmp_path / "two", b"second"))["VersionId"]
    assert v1 != v2
    marker = run("s3api", "delete-object", "--bucket", bucket, "--key", "doc")
    assert marker["DeleteMarker"] is True
    assert marker["VersionId"] not in (v1, v2)

    versions = run("s3api", "list-object-versions", "--bucket", bucket)
    assert [(v["VersionId"], v["IsLatest"], v["Size"]) for v in versions["Versions"]] == [
        (v2, False, 6), (v1, False, 5)]
    [dm] = versions["DeleteMarkers"]
    assert dm["VersionId"] == marker["VersionId"]
    assert dm["IsLatest"] is True
    assert dm["Key"] == "doc"

    # The key reads as gone; an older version still reads.
    gone = run("s3api", "get-object", "--bucket", bucket, "--key", "doc", str(tmp_path / "out"), check=False)
    assert_cli_error(gone, "NoSuchKey", "GetObject")
    got = run("s3api", "get-object", "--bucket", bucket, "--key", "doc", "--version-id", v1,
              str(tmp_path / "out"))
    assert got["VersionId"] == v1
    assert (tmp_path / "out").read_bytes() == b"first"

    # Deleting the marker brings the newest version back.
    removed = run("s3api", "delete-object", "--bucket", bucket, "--key", "doc", "--version-id", marker["VersionId"])
    assert removed["DeleteMarker"] is True
    assert removed["VersionId"] == marker["VersionId"]
    head = run("s3api", "head-object", "--bucket", bucket, "--key", "doc")
    assert head["VersionId"] == v2
    assert head["ContentLength"] == 6


def test_s3api_multipart_upload_list_parts_complete_and_abort(run, tmp_path):
    bucket = make_bucket(run)
    upload = run("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "big",
                 "--content-type", "application/x-test")
    assert upload["Bucket"] == bucket and upload["Key"] == "big"
    uid = upload["UploadId"]
    part1 = write(tmp_path / "p1", b"a" * (5 * 1024 * 1024))
    part2 = write(tmp_path / "p2", b"tail")
    e1 = run("s3api", "upload-part", "--bucket", bucket, "--key", "big", "--upload-id", uid,
             "--part-number", "1", "--body", part1)["ETag"]
    e2 = run("s3api", "upload-part", "--bucket", bucket, "--key", "big", "--upload-id", uid,
             "--part-number", "2", "--body", part2)["ETag"]

    parts = run("s3api", "list-parts", "--bucket", bucket, "--key", "big", "--upload-id", uid)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts["Parts"]] == [
        (1, e1, 5 * 1024 * 1024), (2, e2, 4)]
    uploads = run("s3api", "list-multipart-uploads", "--bucket", bucket)
    assert [u["UploadId"] for u in uploads["Uploads"]] == [uid]

    done = run("s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "big", "--upload-id", uid,
               "--multipart-upload", json.dumps({"Parts": [{"PartNumber": 1, "ETag": e1},
                                                           {"PartNumber": 2, "ETag": e2}]}))
    assert done["Key"] == "big"
    assert done["ETag"].strip('"').endswith("-2")
    head = run("s3api", "head-object", "--bucket", bucket, "--key", "big")
    assert head["ContentLength"] == 5 * 1024 * 1024 + 4
    assert head["ContentType"] == "application/x-test"
    assert head["ETag"] == done["ETag"]

    aborted = run("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "dropped")["UploadId"]
    run("s3api", "abort-multipart-upload", "--bucket", bucket, "--key", "dropped", "--upload-id", aborted)
    out = run("s3api", "list-parts", "--bucket", bucket, "--key", "dropped", "--upload-id", aborted, check=False)
    assert_cli_error(out, "NoSuchUpload", "ListParts")
    assert "The specified upload does not exist." in out.stderr


def test_s3api_object_tagging(run, tmp_path):
    bucket = make_bucket(run)
    run("s3api", "put-object", "--bucket", bucket, "--key", "t", "--body", write(tmp_path / "t", b"x"))
    run("s3api", "put-object-tagging", "--bucket", bucket, "--key", "t",
        "--tagging", "TagSet=[{Key=team,Value=red},{Key=env,Value=dev}]")
    tags = run("s3api", "get-object-tagging", "--bucket", bucket, "--key", "t")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "red")]
    run("s3api", "delete-object-tagging", "--bucket", bucket, "--key", "t")
    assert run("s3api", "get-object-tagging", "--bucket", bucket, "--key", "t")["TagSet"] == []
    out = run("s3api", "get-object-tagging", "--bucket", bucket, "--key", "missing", check=False)
    assert_cli_error(out, "NoSuchKey", "GetObjectTagging")


def test_s3api_notification_and_cors_configuration(run, client):
    bucket = make_bucket(run)
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=unique("cli-notify"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    config = {"QueueConfigurations": [{
        "Id": "to-queue", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}},
    }]}
    run("s3api", "put-bucket-notification-configuration", "--bucket", bucket,
        "--notification-configuration", json.dumps(config))
    got = run("s3api", "get-bucket-notification-configuration", "--bucket", bucket)
    [q] = got["QueueConfigurations"]
    assert q["Id"] == "to-queue"
    assert q["QueueArn"] == queue_arn
    assert q["Events"] == ["s3:ObjectCreated:*"]
    assert q["Filter"]["Key"]["FilterRules"] == [{"Name": "Prefix", "Value": "in/"}]

    assert_cli_error(run("s3api", "get-bucket-cors", "--bucket", bucket, check=False),
                     "NoSuchCORSConfiguration", "GetBucketCors")
    cors = {"CORSRules": [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"],
                           "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]}
    run("s3api", "put-bucket-cors", "--bucket", bucket, "--cors-configuration", json.dumps(cors))
    [rule] = run("s3api", "get-bucket-cors", "--bucket", bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == ["https://app.example"]
    assert rule["AllowedMethods"] == ["GET", "PUT"]
    assert rule["AllowedHeaders"] == ["*"]
    assert rule["ExposeHeaders"] == ["ETag"]
    assert rule["MaxAgeSeconds"] == 300


def test_s3api_copy_replace_range_and_conditions(run, tmp_path):
    bucket = make_bucket(run)
    put = run("s3api", "put-object", "--bucket", bucket, "--key", "src", "--body",
              write(tmp_path / "src", b"0123456789"), "--content-type", "text/plain", "--metadata", "a=1")
    copied = run("s3api", "copy-object", "--bucket", bucket, "--key", "dst", "--copy-source", f"{bucket}/src",
                 "--metadata-directive", "REPLACE", "--metadata", "b=2", "--content-type", "application/json")
    assert copied["CopyObjectResult"]["ETag"] == put["ETag"]
    head = run("s3api", "head-object", "--bucket", bucket, "--key", "dst")
    assert head["Metadata"] == {"b": "2"}
    assert head["ContentType"] == "application/json"
    kept = run("s3api", "copy-object", "--bucket", bucket, "--key", "dst2", "--copy-source", f"{bucket}/src")
    assert kept["CopyObjectResult"]["ETag"] == put["ETag"]
    head = run("s3api", "head-object", "--bucket", bucket, "--key", "dst2")
    assert head["Metadata"] == {"a": "1"}
    assert head["ContentType"] == "text/plain"

    ranged = run("s3api", "get-object", "--bucket", bucket, "--key", "src", "--range", "bytes=2-5",
                 str(tmp_path / "range"))
    assert ranged["ContentRange"] == "bytes 2-5/10"
    assert ranged["ContentLength"] == 4
    assert (tmp_path / "range").read_bytes() == b"2345"

    not_modified = run("s3api", "head-object", "--bucket", bucket, "--key", "src",
                       "--if-none-match", put["ETag"], check=False)
    assert_cli_error(not_modified, "304", "HeadObject")
    assert "Not Modified" in not_modified.stderr
    fresh = run("s3api", "head-object", "--bucket", bucket, "--key", "src", "--if-none-match", '"other"')
    assert fresh["ETag"] == put["ETag"]


def test_s3_error_codes_through_the_cli(run, tmp_path):
    missing_bucket = unique("nobucket")
    out = run("s3api", "list-objects-v2", "--bucket", missing_bucket, check=False)
    assert_cli_error(out, "NoSuchBucket", "ListObjectsV2")
    assert "The specified bucket does not exist" in out.stderr

    bucket = make_bucket(run)
    out = run("s3api", "get-object", "--bucket", bucket, "--key", "nope", str(tmp_path / "o"), check=False)
    assert_cli_error(out, "NoSuchKey", "GetObject")
    assert "The specified key does not exist." in out.stderr

    # Outside us-east-1, re-creating a bucket you own is an error.
    regional = unique("cli-eu")
    location = ["--region", "eu-west-1", "--create-bucket-configuration", "LocationConstraint=eu-west-1"]
    run("s3api", "create-bucket", "--bucket", regional, *location)
    out = run("s3api", "create-bucket", "--bucket", regional, *location, check=False)
    assert_cli_error(out, "BucketAlreadyOwnedByYou", "CreateBucket")

    run("s3api", "put-object", "--bucket", bucket, "--key", "five", "--body", write(tmp_path / "f", b"12345"))
    out = run("s3api", "get-object", "--bucket", bucket, "--key", "five", "--if-match", '"not-the-etag"',
              str(tmp_path / "o"), check=False)
    assert_cli_error(out, "PreconditionFailed", "GetObject")
    assert "At least one of the pre-conditions you specified did not hold" in out.stderr
    out = run("s3api", "get-object", "--bucket", bucket, "--key", "five", "--range", "bytes=100-200",
              str(tmp_path / "o"), check=False)
    assert_cli_error(out, "InvalidRange", "GetObject")
    assert "The requested range is not satisfiable" in out.stderr


def test_s3_sync_both_ways_ls_and_rm_recursive(run, tmp_path):
    bucket = make_bucket(run)
    src = tmp_path / "src"
    (src / "deep" / "er").mkdir(parents=True)
    files = {"top.txt": b"top", "deep/mid.txt": b"mid", "deep/er/low.txt": b"low"}
    hour_ago = time.time() - 3600
    for rel, data in files.items():
        (src / rel).write_bytes(data)
        os.utime(src / rel, (hour_ago, hour_ago))
    up = run("s3", "sync", str(src), f"s3://{bucket}/tree", check=False)
    assert up.returncode == 0, up.stderr
    assert up.stdout.count("upload:") == 3

    listing = run("s3", "ls", f"s3://{bucket}/", "--recursive", check=False)
    assert listing.returncode == 0, listing.stderr
    keys = sorted(line.split()[-1] for line in listing.stdout.splitlines())
    assert keys == ["tree/deep/er/low.txt", "tree/deep/mid.txt", "tree/top.txt"]
    sizes = {line.split()[-1]: int(line.split()[2]) for line in listing.stdout.splitlines()}
    assert sizes["tree/top.txt"] == 3

    down = tmp_path / "down"
    out = run("s3", "sync", f"s3://{bucket}/tree", str(down), check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("download:") == 3
    for rel, data in files.items():
        assert (down / rel).read_bytes() == data
    again = run("s3", "sync", f"s3://{bucket}/tree", str(down), check=False)
    assert "download:" not in again.stdout

    rm = run("s3", "rm", f"s3://{bucket}/tree/deep", "--recursive", check=False)
    assert rm.returncode == 0, rm.stderr
    assert rm.stdout.count("delete:") == 2
    left = run("s3api", "list-objects-v2", "--bucket", bucket)
    assert [o["Key"] for o in left["Contents"]] == ["tree/top.txt"]
    missing = run("s3", "ls", f"s3://{unique('nobucket')}", check=False)
    assert missing.returncode != 0
    assert "NoSuchBucket" in missing.stderr


# --- SQS ------------------------------------------------------------------

def create_queue(run, name, *attributes):
    args = ["sqs", "create-queue", "--queue-name", name]
    if attributes:
        args += ["--attributes", ",".join(attributes)]
    return run(*args)["QueueUrl"]


def test_sqs_batch_attributes_and_visibility(run):
    url = create_queue(run, unique("cli-sqs"))
    entries = [
        {"Id": "a", "MessageBody": "alpha",
         "MessageAttributes": {"colour": {"DataType": "String", "StringValue": "red"}}},
        {"Id": "b", "MessageBody": "beta", "DelaySeconds": 0},
    ]
    sent = run("sqs", "send-message-batch", "--queue-url", url, "--entries", json.dumps(entries))
    assert sorted(e["Id"] for e in sent["Successful"]) == ["a", "b"]
    assert "Failed" not in sent or sent["Failed"] == []
    by_id = {e["Id"]: e for e in sent["Successful"]}
    assert by_id["b"]["MD5OfMessageBody"] == "987bcab01b929eb2c07877b224215c92"  # md5("beta")
    assert "MD5OfMessageAttributes" in by_id["a"]

    got = run("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
              "--attribute-names", "All", "--message-attribute-names", "All", "--visibility-timeout", "60")
    msgs = {m["Body"]: m for m in got["Messages"]}
    assert set(msgs) == {"alpha", "beta"}
    alpha = msgs["alpha"]
    assert alpha["MessageAttributes"] == {"colour": {"DataType": "String", "StringValue": "red"}}
    assert alpha["MD5OfMessageAttributes"] == by_id["a"]["MD5OfMessageAttributes"]
    assert alpha["Attributes"]["ApproximateReceiveCount"] == "1"
    assert alpha["Attributes"]["SenderId"]
    assert int(alpha["Attributes"]["SentTimestamp"]) > 0

    # Both are in flight; making one visible again redelivers only it.
    run("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", alpha["ReceiptHandle"],
        "--visibility-timeout", "0")
    again = run("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                "--attribute-names", "ApproximateReceiveCount")
    [redelivered] = again["Messages"]
    assert redelivered["Body"] == "alpha"
    assert redelivered["Attributes"]["ApproximateReceiveCount"] == "2"

    bad = run("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", "garbage",
              "--visibility-timeout", "0", check=False)
    assert bad.returncode in SERVICE_ERROR_EXITS
    assert "ReceiptHandleIsInvalid" in bad.stderr


def test_sqs_fifo_send_with_group_and_dedup_ids(run):
    url = create_queue(run, unique("cli") + ".fifo", "FifoQueue=true")
    first = run("sqs", "send-message", "--queue-url", url, "--message-body", "one",
                "--message-group-id", "g1", "--message-deduplication-id", "d1")
    assert len(first["SequenceNumber"]) == 20
    run("sqs", "send-message", "--queue-url", url, "--message-body", "one again",
        "--message-group-id", "g1", "--message-deduplication-id", "d1")
    run("sqs", "send-message", "--queue-url", url, "--message-body", "two",
        "--message-group-id", "g1", "--message-deduplication-id", "d2")
    got = run("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
              "--attribute-names", "All")
    assert [m["Body"] for m in got["Messages"]] == ["one", "two"]
    attrs = got["Messages"][0]["Attributes"]
    assert attrs["MessageGroupId"] == "g1"
    assert attrs["MessageDeduplicationId"] == "d1"
    assert attrs["SequenceNumber"] == first["SequenceNumber"]

    missing_group = run("sqs", "send-message", "--queue-url", url, "--message-body", "x",
                        "--message-deduplication-id", "d3", check=False)
    assert missing_group.returncode in SERVICE_ERROR_EXITS
    assert "MissingParameter" in missing_group.stderr


def test_sqs_error_code_for_a_missing_queue(run, stratus):
    out = run("sqs", "get-queue-url", "--queue-name", unique("absent"), check=False)
    assert out.returncode in SERVICE_ERROR_EXITS
    # The CLI names the JSON protocol's code (or the legacy Query one).
    assert ("QueueDoesNotExist" in out.stderr) or ("AWS.SimpleQueueService.NonExistentQueue" in out.stderr)
    assert "The specified queue does not exist" in out.stderr
    out = run("sqs", "send-message", "--queue-url", f"{stratus.endpoint}/000000000000/{unique('absent')}",
              "--message-body", "x", check=False)
    assert out.returncode in SERVICE_ERROR_EXITS
    assert "The specified queue does not exist" in out.stderr


# --- SNS ------------------------------------------------------------------

def receive_all(run, url, want, attempts=40):
    got = []
    for _ in range(attempts):
        out = run("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                  "--message-attribute-names", "All", "--wait-time-seconds", "1")
        for m in out.get("Messages", []):
            got.append(m)
            run("sqs", "delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        if len(got) >= want:
            break
    return got


def test_sns_subscribe_publish_and_subscription_attributes(run):
    topic = run("sns", "create-topic", "--name", unique("cli-topic"))["TopicArn"]
    url = create_queue(run, unique("cli-sub"))
    queue_arn = run("sqs", "get-queue-attributes", "--queue-url", url,
                    "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
    sub = run("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs",
              "--notification-endpoint", queue_arn)["SubscriptionArn"]
    assert sub.startswith(topic + ":")

    published = run("sns", "publish", "--topic-arn", topic, "--message", "hello queue", "--subject", "Greeting",
                    "--message-attributes",
                    json.dumps({"colour": {"DataType": "String", "StringValue": "blue"},
                                "size": {"DataType": "Number", "StringValue": "7"}}))
    [msg] = receive_all(run, url, 1)
    body = json.loads(msg["Body"])
    assert body["Type"] == "Notification"
    assert body["MessageId"] == published["MessageId"]
    assert body["TopicArn"] == topic
    assert body["Subject"] == "Greeting"
    assert body["Message"] == "hello queue"
    assert body["MessageAttributes"] == {"colour": {"Type": "String", "Value": "blue"},
                                         "size": {"Type": "Number", "Value": "7"}}

    # A filter policy and raw delivery set on the subscription.
    run("sns", "set-subscription-attributes", "--subscription-arn", sub, "--attribute-name", "FilterPolicy",
        "--attribute-value", json.dumps({"colour": ["red"]}))
    run("sns", "set-subscription-attributes", "--subscription-arn", sub, "--attribute-name",
        "RawMessageDelivery", "--attribute-value", "true")
    attrs = run("sns", "get-subscription-attributes", "--subscription-arn", sub)["Attributes"]
    assert json.loads(attrs["FilterPolicy"]) == {"colour": ["red"]}
    assert attrs["FilterPolicyScope"] == "MessageAttributes"
    assert attrs["RawMessageDelivery"] == "true"
    run("sns", "publish", "--topic-arn", topic, "--message", "blue one", "--message-attributes",
        json.dumps({"colour": {"DataType": "String", "StringValue": "blue"}}))
    run("sns", "publish", "--topic-arn", topic, "--message", "red one", "--message-attributes",
        json.dumps({"colour": {"DataType": "String", "StringValue": "red"}}))
    [raw] = receive_all(run, url, 1)
    assert raw["Body"] == "red one"
    assert raw["MessageAttributes"] == {"colour": {"DataType": "String", "StringValue": "red"}}
    assert receive_all(run, url, 1, attempts=1) == []


def test_sns_not_found_errors(run):
    absent = "arn:aws:sns:us-east-1:000000000000:" + unique("absent")
    out = run("sns", "get-topic-attributes", "--topic-arn", absent, check=False)
    assert_cli_error(out, "NotFound", "GetTopicAttributes")
    assert "Topic does not exist" in out.stderr
    out = run("sns", "publish", "--topic-arn", absent, "--message", "x", check=False)
    assert_cli_error(out, "NotFound", "Publish")
    out = run("sns", "set-subscription-attributes", "--subscription-arn", absent + ":" + str(uuid.uuid4()),
              "--attribute-name", "RawMessageDelivery", "--attribute-value", "true", check=False)
    assert_cli_error(out, "NotFound", "SetSubscriptionAttributes")
