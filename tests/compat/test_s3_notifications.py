"""S3 bucket notifications to SNS topics and Lambda functions, end to end
through boto3: the `s3:TestEvent` S3 sends a topic when a configuration
names it, AWS's event records (eventVersion 2.1) inside the SNS envelope
(read from an SQS queue subscribed to the topic) and as a function's event
(the function forwards it to a queue), prefix/suffix filters, event type
patterns, ObjectRemoved events, and the destination checks of
PutBucketNotificationConfiguration with AWS's errors (recorded from AWS in
LocalStack's snapshots: test_s3_notifications_{sqs,sns,lambda})."""

import hashlib
import json
import re
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from test_lambda import ROLE, zip_of

REGION, ACCOUNT = "us-east-1", "000000000000"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

FORWARDER = '''
import json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
'''


def tag():
    return uuid.uuid4().hex[:8]


def make_queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs, url, count, timeout=30, settle=1.5):
    """The bodies of `count` messages, then whatever else arrives within
    `settle` seconds (so a test sees extra deliveries too)."""
    bodies, deadline, quiet_until = [], time.time() + timeout, None
    while time.time() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for m in got:
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(bodies) >= count:
            quiet_until = quiet_until or time.time() + settle
            if not got and time.time() >= quiet_until:
                break
    assert len(bodies) == count, f"expected {count} messages, got {json.dumps(bodies, indent=1)}"
    return bodies


def check_record(record, *, bucket, event_name, key, config_id, put=None, size=None):
    """Every field of one S3 event record."""
    assert set(record) == {"eventVersion", "eventSource", "awsRegion", "eventTime", "eventName", "userIdentity",
                           "requestParameters", "responseElements", "s3"}
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == REGION
    assert TIME.match(record["eventTime"]), record["eventTime"]
    assert record["eventName"] == event_name
    assert record["userIdentity"] == {"principalId": f"AWS:{ACCOUNT}"}
    assert record["requestParameters"] == {"sourceIPAddress": "127.0.0.1"}
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    assert record["responseElements"]["x-amz-request-id"]
    if put is not None:  # the request that caused the event
        assert record["responseElements"]["x-amz-request-id"] == put["ResponseMetadata"]["RequestId"]
        assert record["responseElements"]["x-amz-id-2"] == put["ResponseMetadata"]["HostId"]
    s3 = record["s3"]
    assert set(s3) == {"s3SchemaVersion", "configurationId", "bucket", "object"}
    assert s3["s3SchemaVersion"] == "1.0"
    assert s3["configurationId"] == config_id
    assert s3["bucket"]["name"] == bucket
    assert s3["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert re.match(r"^[A-Z0-9]{14}$", s3["bucket"]["ownerIdentity"]["principalId"])
    assert set(s3["bucket"]) == {"name", "ownerIdentity", "arn"}
    obj = s3["object"]
    assert obj["key"] == key
    assert re.match(r"^[0-9A-F]{16}$", obj["sequencer"])
    if event_name.startswith("ObjectCreated"):
        assert set(obj) == {"key", "size", "eTag", "sequencer"}
        assert obj["size"] == size
        assert obj["eTag"] == put["ETag"].strip('"') if put else hashlib.md5(b"").hexdigest()
    else:  # removals carry neither size nor eTag (unversioned bucket: no versionId)
        assert set(obj) == {"key", "sequencer"}


def check_test_event(event, bucket):
    assert set(event) == {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}
    assert event["Service"] == "Amazon S3"
    assert event["Event"] == "s3:TestEvent"
    assert event["Bucket"] == bucket
    assert TIME.match(event["Time"])
    assert event["RequestId"] and event["HostId"]


def check_envelope(envelope, topic):
    assert set(envelope) == {"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                             "Signature", "SigningCertURL", "UnsubscribeURL"}
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == topic
    assert envelope["Subject"] == "Amazon S3 Notification"
    assert envelope["SignatureVersion"] == "1" and envelope["Signature"]
    assert envelope["SigningCertURL"].endswith(".pem")
    assert "Action=Unsubscribe" in envelope["UnsubscribeURL"]
    return json.loads(envelope["Message"])


def test_topic_gets_the_test_event_then_filtered_created_and_removed_events(client):
    s3, sns, sqs = client("s3"), client("sns"), client("sqs")
    t = tag()
    bucket = f"notify-sns-{t}"
    s3.create_bucket(Bucket=bucket)
    topic = sns.create_topic(Name=f"s3-events-{t}")["TopicArn"]
    url, queue_arn = make_queue(sqs, f"s3-events-{t}")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"Id": "csv-in", "TopicArn": topic, "Events": ["s3:ObjectCreated:*"],
         "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".csv"}]}}},
        {"Id": "removed", "TopicArn": topic, "Events": ["s3:ObjectRemoved:Delete"]},
    ]})
    # One test event for the topic (named by two configurations).
    [test_envelope] = drain(sqs, url, 1)
    check_test_event(check_envelope(test_envelope, topic), bucket)

    stored = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert stored["TopicConfigurations"] == [
        {"Id": "csv-in", "TopicArn": topic, "Events": ["s3:ObjectCreated:*"],
         "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "in/"}, {"Name": "Suffix", "Value": ".csv"}]}}},
        {"Id": "removed", "TopicArn": topic, "Events": ["s3:ObjectRemoved:Delete"]},
    ]
    assert "QueueConfigurations" not in stored and "LambdaFunctionConfigurations" not in stored

    put = s3.put_object(Bucket=bucket, Key="in/report 1.csv", Body=b"a,b\n1,2\n")
    [created] = [check_envelope(e, topic) for e in drain(sqs, url, 1)]
    [record] = created["Records"]
    check_record(record, bucket=bucket, event_name="ObjectCreated:Put", key="in/report+1.csv",
                 config_id="csv-in", put=put, size=8)

    # Filtered out: wrong suffix, wrong prefix; not created events at all: tagging.
    s3.put_object(Bucket=bucket, Key="in/report.txt", Body=b"x")
    s3.put_object(Bucket=bucket, Key="out/report.csv", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="out/report.csv", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    copied = s3.copy_object(Bucket=bucket, Key="in/copy.csv", CopySource={"Bucket": bucket, "Key": "out/report.csv"})
    [envelope] = drain(sqs, url, 1)
    [record] = check_envelope(envelope, topic)["Records"]
    check_record(record, bucket=bucket, event_name="ObjectCreated:Copy", key="in/copy.csv", config_id="csv-in",
                 put={"ETag": copied["CopyObjectResult"]["ETag"], "ResponseMetadata": copied["ResponseMetadata"]},
                 size=1)

    # Removals match the second configuration, whatever the key.
    deleted = s3.delete_object(Bucket=bucket, Key="in/report 1.csv")
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "out/report.csv"}, {"Key": "in/report.txt"}]})
    records = [r for e in drain(sqs, url, 3) for r in check_envelope(e, topic)["Records"]]
    by_key = {r["s3"]["object"]["key"]: r for r in records}
    assert sorted(by_key) == ["in/report+1.csv", "in/report.txt", "out/report.csv"]
    for key, record in by_key.items():
        check_record(record, bucket=bucket, event_name="ObjectRemoved:Delete", key=key, config_id="removed")
    assert by_key["in/report+1.csv"]["responseElements"]["x-amz-request-id"] == deleted["ResponseMetadata"]["RequestId"]
    sequencers = [r["s3"]["object"]["sequencer"] for r in records]
    assert len(set(sequencers)) == 3

    # An empty configuration turns notifications off.
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in/late.csv", Body=b"x")
    time.sleep(1)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []


def test_function_receives_the_event(client):
    s3, sqs, lam = client("s3"), client("sqs"), client("lambda")
    t = tag()
    bucket = f"notify-fn-{t}"
    s3.create_bucket(Bucket=bucket)
    url, _ = make_queue(sqs, f"fn-out-{t}")
    fn_arn = lam.create_function(
        FunctionName=f"s3-forwarder-{t}", Runtime="python3.12", Role=ROLE, Handler="app.handler", Timeout=30,
        Code={"ZipFile": zip_of([("app.py", FORWARDER, 0o644)])},
        Environment={"Variables": {"QUEUE_URL": url}})["FunctionArn"]
    lam.add_permission(FunctionName=fn_arn, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")

    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [
            {"Id": "jpg", "LambdaFunctionArn": fn_arn, "Events": ["s3:ObjectCreated:Put"],
             "Filter": {"Key": {"FilterRules": [{"Name": "Suffix", "Value": ".jpg"}]}}},
            {"Id": "gone", "LambdaFunctionArn": fn_arn, "Events": ["s3:ObjectRemoved:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "photos/"}]}}},
        ]})
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["LambdaFunctionConfigurations"][0] == {
        "Id": "jpg", "LambdaFunctionArn": fn_arn, "Events": ["s3:ObjectCreated:Put"],
        "Filter": {"Key": {"FilterRules": [{"Name": "Suffix", "Value": ".jpg"}]}}}

    put = s3.put_object(Bucket=bucket, Key="photos/cat.jpg", Body=b"meow" * 10)
    s3.put_object(Bucket=bucket, Key="photos/cat.png", Body=b"not a jpg")  # suffix filtered out
    # Functions get no s3:TestEvent: the first event is the object's.
    [event] = drain(sqs, url, 1, timeout=60)
    [record] = event["Records"]
    check_record(record, bucket=bucket, event_name="ObjectCreated:Put", key="photos/cat.jpg", config_id="jpg",
                 put=put, size=40)

    deleted = s3.delete_object(Bucket=bucket, Key="photos/cat.png")
    s3.delete_object(Bucket=bucket, Key="elsewhere.png")  # prefix filtered out
    [event] = drain(sqs, url, 1, timeout=60)
    [record] = event["Records"]
    check_record(record, bucket=bucket, event_name="ObjectRemoved:Delete", key="photos/cat.png", config_id="gone")
    assert record["responseElements"]["x-amz-request-id"] == deleted["ResponseMetadata"]["RequestId"]


def test_versioned_bucket_events_carry_version_ids(client):
    s3, sns, sqs = client("s3"), client("sns"), client("sqs")
    t = tag()
    bucket = f"notify-ver-{t}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    topic = sns.create_topic(Name=f"s3-ver-{t}")["TopicArn"]
    url, queue_arn = make_queue(sqs, f"s3-ver-{t}")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"Id": "all", "TopicArn": topic, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]})
    assert drain(sqs, url, 1)[0]["Event"] == "s3:TestEvent"  # raw delivery: the message itself

    put = s3.put_object(Bucket=bucket, Key="v.txt", Body=b"one")
    [created] = drain(sqs, url, 1)
    assert created["Records"][0]["eventName"] == "ObjectCreated:Put"
    assert created["Records"][0]["s3"]["object"]["versionId"] == put["VersionId"]
    marker = s3.delete_object(Bucket=bucket, Key="v.txt")
    [removed] = drain(sqs, url, 1)
    record = removed["Records"][0]
    assert record["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert record["s3"]["object"] == {"key": "v.txt", "versionId": marker["VersionId"],
                                      "sequencer": record["s3"]["object"]["sequencer"]}


def test_tagging_and_acl_events_as_recorded(client):
    """ObjectTagging:Put/Delete and ObjectAcl:Put, to a queue: eventVersion
    2.3 and an object with its key and ETag only (no size, no sequencer),
    as recorded from AWS (test_s3_notifications_sqs: test_object_tagging_*,
    test_object_put_acl); a versioned bucket adds the version id."""
    s3, sqs = client("s3"), client("sqs")
    t = tag()
    bucket = f"notify-tags-{t}"
    s3.create_bucket(Bucket=bucket)
    url, queue_arn = make_queue(sqs, f"s3-tags-{t}")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "attrs", "QueueArn": queue_arn, "Events": ["s3:ObjectTagging:*", "s3:ObjectAcl:Put"]}]})
    assert drain(sqs, url, 1)[0]["Event"] == "s3:TestEvent"

    put = s3.put_object(Bucket=bucket, Key="tagged.txt", Body=b"abc")  # not subscribed: no event
    tagged = s3.put_object_tagging(Bucket=bucket, Key="tagged.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    [event] = drain(sqs, url, 1)
    untagged = s3.delete_object_tagging(Bucket=bucket, Key="tagged.txt")
    [event2] = drain(sqs, url, 1)
    acl = s3.put_object_acl(Bucket=bucket, Key="tagged.txt", ACL="public-read")
    [event3] = drain(sqs, url, 1)
    for body, name, resp in ((event, "ObjectTagging:Put", tagged), (event2, "ObjectTagging:Delete", untagged),
                             (event3, "ObjectAcl:Put", acl)):
        [record] = body["Records"]
        assert record["eventVersion"] == "2.3"
        assert record["eventName"] == name
        assert record["userIdentity"] == {"principalId": f"AWS:{ACCOUNT}"}
        assert record["responseElements"]["x-amz-request-id"] == resp["ResponseMetadata"]["RequestId"]
        assert record["s3"]["configurationId"] == "attrs"
        assert record["s3"]["object"] == {"key": "tagged.txt", "eTag": put["ETag"].strip('"')}
        assert record["s3"]["object"]["eTag"] == hashlib.md5(b"abc").hexdigest()

    # Versioned: the version whose tags changed is named.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="tagged.txt", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="tagged.txt", Body=b"two")
    s3.put_object_tagging(Bucket=bucket, Key="tagged.txt", VersionId=v1,
                          Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    [body] = drain(sqs, url, 1)
    assert body["Records"][0]["s3"]["object"] == {"key": "tagged.txt", "eTag": hashlib.md5(b"one").hexdigest(),
                                                  "versionId": v1}
    # A missing key gives AWS's error and no event.
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket=bucket, Key="missing.txt", ACL="private")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    time.sleep(1)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_destinations_are_checked_with_aws_errors(client):
    s3, sns, sqs = client("s3"), client("sns"), client("sqs")
    t = tag()
    bucket = f"notify-check-{t}"
    s3.create_bucket(Bucket=bucket)
    put = s3.put_bucket_notification_configuration
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:missing-{t}"
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:missing-{t}"
    queue2 = f"arn:aws:sqs:{REGION}:{ACCOUNT}:missing-2-{t}"
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:missing-{t}"

    err, status = error_of(put, Bucket=bucket, NotificationConfiguration={
        "TopicConfigurations": [{"TopicArn": "invalid-topic", "Events": ["s3:ObjectCreated:*"]}]})
    assert status == 400
    assert err == {"Code": "InvalidArgument", "Message": "The ARN could not be parsed",
                   "ArgumentName": "Topic", "ArgumentValue": "invalid-topic"}
    err, _ = error_of(put, Bucket=bucket, SkipDestinationValidation=True, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": "invalid-fn", "Events": ["s3:ObjectCreated:*"]}]})
    assert err["ArgumentName"] == "CloudFunction" and err["Message"] == "The ARN could not be parsed"

    err, status = error_of(put, Bucket=bucket, NotificationConfiguration={
        "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})
    assert status == 400
    assert err == {"Code": "InvalidArgument", "Message": "Unable to validate the following destination configurations",
                   "ArgumentName1": topic, "ArgumentValue1": "The destination topic does not exist"}

    err, _ = error_of(put, Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": queue, "Events": ["s3:ObjectCreated:*"]}, {"QueueArn": queue2, "Events": ["s3:ObjectCreated:*"]}]})
    assert err == {"Code": "InvalidArgument", "Message": "Unable to validate the following destination configurations",
                   "ArgumentName1": queue, "ArgumentValue1": "The destination queue does not exist",
                   "ArgumentName2": queue2, "ArgumentValue2": "The destination queue does not exist"}

    err, _ = error_of(put, Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": fn, "Events": ["s3:ObjectCreated:*"]}]})
    assert err == {"Code": "InvalidArgument", "Message": "Unable to validate the following destination configurations",
                   "ArgumentName1": f"{fn}, null", "ArgumentValue1": f"Not authorized to invoke function [{fn}]"}
    # A failed configuration is not stored.
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)

    # Only the destinations that fail are listed.
    real_topic = sns.create_topic(Name=f"real-{t}")["TopicArn"]
    err, _ = error_of(put, Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"TopicArn": real_topic, "Events": ["s3:ObjectCreated:*"]}, {"TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}]})
    assert err["ArgumentName1"] == topic and "ArgumentName2" not in err

    # SkipDestinationValidation stores the configuration unchecked, and sends no test event.
    url, queue_arn = make_queue(sqs, f"skip-{t}")
    put(Bucket=bucket, SkipDestinationValidation=True, NotificationConfiguration={
        "TopicConfigurations": [{"Id": "id123", "TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}],
        "QueueConfigurations": [{"Id": "q", "QueueArn": queue_arn, "Events": ["s3:ObjectRemoved:*"]}]})
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert stored["TopicConfigurations"] == [{"Id": "id123", "TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]
    time.sleep(0.5)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []

    err, status = error_of(put, Bucket=f"no-such-bucket-{t}", NotificationConfiguration={})
    assert status == 404 and err["Code"] == "NoSuchBucket" and err["BucketName"] == f"no-such-bucket-{t}"
