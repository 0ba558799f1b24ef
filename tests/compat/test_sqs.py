"""Amazon SQS as boto3 (JSON protocol, awsQueryCompatible error codes), the
aws CLI and a raw signed Query-protocol request meet it: queues and
attributes, messages and digests, long polling, visibility, dead-letter
redrive, FIFO ordering and deduplication, batches, and restarts that keep
in-flight and delayed messages."""

import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import aws_cli, client_for


def name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sqs(client):
    return client("sqs")


def error_code(exc):
    return exc.value.response["Error"]["Code"]


def test_queue_lifecycle_attributes_and_errors(sqs, stratus):
    qname = name("life")
    url = sqs.create_queue(QueueName=qname, Attributes={"DelaySeconds": "5"})["QueueUrl"]
    assert url == f"{stratus.endpoint}/000000000000/{qname}"
    # Same attributes: idempotent; different: QueueAlreadyExists.
    assert sqs.create_queue(QueueName=qname, Attributes={"DelaySeconds": "5"})["QueueUrl"] == url
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName=qname, Attributes={"DelaySeconds": "6"})
    assert error_code(e) == "QueueAlreadyExists"
    assert e.value.response["Error"]["Message"] == (
        "A queue already exists with the same name and a different value for attribute DelaySeconds"
    )
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["DelaySeconds"] == "5"
    assert attrs["QueueArn"] == f"arn:aws:sqs:us-east-1:000000000000:{qname}"
    assert attrs["MessageRetentionPeriod"] == "345600"
    assert attrs["MaximumMessageSize"] == "1048576"
    assert attrs["SqsManagedSseEnabled"] == "true"
    assert int(attrs["CreatedTimestamp"]) > 1_600_000_000
    with pytest.raises(ClientError) as e:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "43201"})
    assert error_code(e) == "InvalidAttributeValue"
    assert e.value.response["Error"]["Message"] == "Invalid value for the parameter VisibilityTimeout."
    sqs.tag_queue(QueueUrl=url, Tags={"team": "a"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    assert url in sqs.list_queues(QueueNamePrefix=qname)["QueueUrls"]
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as e:
        sqs.get_queue_url(QueueName=qname)
    assert error_code(e) == "AWS.SimpleQueueService.NonExistentQueue"
    assert e.value.response["Error"]["Message"] == "The specified queue does not exist."
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName=qname)
    assert error_code(e) == "AWS.SimpleQueueService.QueueDeletedRecently"
    assert e.value.response["Error"]["Message"] == (
        "You must wait 60 seconds after deleting a queue before you can create another with the same name."
    )


def test_send_receive_digests_and_attribute_filters(sqs):
    url = sqs.create_queue(QueueName=name("msg"))["QueueUrl"]
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="msg",
        MessageAttributes={
            "Foo": {"DataType": "String", "StringValue": "Bar"},
            "trace.id": {"DataType": "Number", "StringValue": "7"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"msg").hexdigest()
    got = sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["Foo"], MessageSystemAttributeNames=["All"]
    )["Messages"][0]
    assert got["Body"] == "msg"
    assert got["MessageAttributes"] == {"Foo": {"DataType": "String", "StringValue": "Bar"}}
    assert got["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert got["Attributes"]["ApproximateReceiveCount"] == "1"
    assert set(got["Attributes"]) >= {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"}
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["trace.*"])["Messages"][0]
    assert list(again["MessageAttributes"]) == ["trace.id"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    with pytest.raises(ClientError) as e:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    assert error_code(e) == "ReceiptHandleIsInvalid"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 * 1024 + 1))
    assert error_code(e) == "InvalidParameterValue"
    assert e.value.response["Error"]["Message"] == (
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    )
    with pytest.raises(ClientError) as e:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert e.value.response["Error"]["Message"] == (
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
    )


def test_long_poll_wakes_as_soon_as_a_message_arrives(sqs, stratus):
    url = sqs.create_queue(QueueName=name("poll"))["QueueUrl"]
    other = client_for(stratus.endpoint, "sqs")

    def later():
        time.sleep(0.5)
        other.send_message(QueueUrl=url, MessageBody="wake")

    t = threading.Thread(target=later)
    t.start()
    start = time.time()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
    elapsed = time.time() - start
    t.join()
    assert [m["Body"] for m in got] == ["wake"]
    assert 0.3 < elapsed < 3


def test_visibility_timeout_redelivers_with_receive_count(sqs):
    url = sqs.create_queue(QueueName=name("vis"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="again")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"]
    assert len(first) == 1
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    time.sleep(1.2)
    second = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert second[0]["MessageId"] == first[0]["MessageId"]
    assert second[0]["Attributes"] == {"ApproximateReceiveCount": "2"}
    assert second[0]["ReceiptHandle"] != first[0]["ReceiptHandle"]


def test_dead_letter_queue_redrive_and_move_task(sqs):
    dlq_name = name("dlq")
    dlq = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})
    src = sqs.create_queue(QueueName=name("src"), Attributes={"RedrivePolicy": policy})["QueueUrl"]
    stored = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
    assert json.loads(stored) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    assert len(sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"]) == 1
    assert "Messages" not in sqs.receive_message(QueueUrl=src)
    moved = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0)["Messages"]
    assert moved[0]["Body"] == "poison"
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    back = sqs.receive_message(QueueUrl=src, WaitTimeSeconds=5)["Messages"]
    assert back[0]["Body"] == "poison"
    time.sleep(0.2)
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    with pytest.raises(ClientError) as e:
        sqs.start_message_move_task(SourceArn=sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
    assert e.value.response["Error"]["Message"] == "Source queue must be configured as a Dead Letter Queue."


def test_fifo_ordering_groups_and_deduplication(sqs):
    url = sqs.create_queue(
        QueueName=name("orders") + ".fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    ids = [sqs.send_message(QueueUrl=url, MessageBody=b, MessageGroupId=g) for b, g in
           [("a1", "a"), ("a2", "a"), ("b1", "b"), ("a1", "a")]]
    assert ids[0]["MessageId"] == ids[3]["MessageId"]
    assert int(ids[1]["SequenceNumber"]) > int(ids[0]["SequenceNumber"])
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    assert first[0]["Body"] == "a1"
    # Group a stays locked while a1 is in flight.
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in rest] == ["b1"]
    assert rest[0]["Attributes"]["MessageGroupId"] == "b"
    assert "MessageDeduplicationId" in rest[0]["Attributes"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["a2"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert error_code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=2)
    assert e.value.response["Error"]["Message"] == (
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
    )
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["FifoQueue"] == "true"
    assert attrs["DeduplicationScope"] == "queue"
    assert attrs["FifoThroughputLimit"] == "perQueue"


def test_batches_and_purge(sqs):
    url = sqs.create_queue(QueueName=name("batch"))["QueueUrl"]
    out = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "a"},
            {"Id": "late", "MessageBody": "b", "DelaySeconds": 30},
            {"Id": "bad", "MessageBody": "c", "MessageAttributes": {"e": {"DataType": "String", "StringValue": ""}}},
        ],
    )
    assert sorted(e["Id"] for e in out["Successful"]) == ["late", "ok"]
    assert out["Failed"] == [{
        "Id": "bad", "SenderFault": True, "Code": "InvalidParameterValue",
        "Message": "Message (user) attribute 'e' must contain a non-empty value of type 'String'.",
    }]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"])
    assert attrs["Attributes"] == {"ApproximateNumberOfMessages": "1", "ApproximateNumberOfMessagesDelayed": "1"}
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "x", "MessageBody": "1"}, {"Id": "x", "MessageBody": "2"}])
    assert error_code(e) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": "x"} for i in range(11)])
    assert error_code(e) == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    msgs = sqs.receive_message(QueueUrl=url)["Messages"]
    out = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": msgs[0]["ReceiptHandle"]}, {"Id": "b", "ReceiptHandle": "junk"}])
    assert out["Successful"] == [{"Id": "a"}]
    assert out["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    sqs.purge_queue(QueueUrl=url)
    with pytest.raises(ClientError) as e:
        sqs.purge_queue(QueueUrl=url)
    assert error_code(e) == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def query(endpoint, params):
    """A SigV4-signed Query-protocol request, as pre-JSON SDKs send it."""
    body = urllib.parse.urlencode({**params, "Version": "2012-11-05"})
    req = AWSRequest(method="POST", url=endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(req)
    http_req = urllib.request.Request(endpoint + "/", data=body.encode(), headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(http_req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_query_protocol_requests_and_legacy_error_codes(stratus):
    qname = name("query")
    status, body = query(stratus.endpoint, {
        "Action": "CreateQueue", "QueueName": qname,
        "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "40",
    })
    assert status == 200, body
    assert f"<QueueUrl>{stratus.endpoint}/000000000000/{qname}</QueueUrl>" in body
    url = f"{stratus.endpoint}/000000000000/{qname}"
    status, body = query(stratus.endpoint, {
        "Action": "SendMessage", "QueueUrl": url, "MessageBody": "hello",
        "MessageAttribute.1.Name": "Foo", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "Bar",
    })
    assert status == 200, body
    assert "<MD5OfMessageAttributes>ae7155c6026991b6d54b11589678bf9c</MD5OfMessageAttributes>" in body
    status, body = query(stratus.endpoint, {
        "Action": "ReceiveMessage", "QueueUrl": url, "AttributeName.1": "All", "MessageAttributeName.1": "All",
    })
    assert status == 200, body
    assert "<Message><MessageId>" in body
    assert "<Body>hello</Body>" in body
    assert "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>" in body
    assert "<MessageAttribute><Name>Foo</Name><Value><StringValue>Bar</StringValue><DataType>String</DataType></Value></MessageAttribute>" in body
    status, body = query(stratus.endpoint, {"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "VisibilityTimeout"})
    assert "<Attribute><Name>VisibilityTimeout</Name><Value>40</Value></Attribute>" in body
    status, body = query(stratus.endpoint, {"Action": "SendMessage", "QueueUrl": url + "-missing", "MessageBody": "x"})
    assert status == 400
    assert "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in body
    assert "<Type>Sender</Type>" in body
    status, body = query(stratus.endpoint, {
        "Action": "SendMessageBatch", "QueueUrl": url,
        "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "1",
        "SendMessageBatchRequestEntry.2.Id": "a", "SendMessageBatchRequestEntry.2.MessageBody": "2",
    })
    assert status == 400
    assert "<Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct</Code>" in body


def test_aws_cli(stratus):
    # The CLI's SQS customizations ignore AWS_ENDPOINT_URL; name the endpoint.
    def sqs_cli(*args, check=True):
        return aws_cli(stratus.endpoint, "sqs", *args, "--endpoint-url", stratus.endpoint, check=check)

    qname = name("cli")
    url = json.loads(sqs_cli("create-queue", "--queue-name", qname).stdout)["QueueUrl"]
    sqs_cli("send-message", "--queue-url", url, "--message-body", "from the cli")
    got = json.loads(sqs_cli("receive-message", "--queue-url", url, "--attribute-names", "All").stdout)
    assert got["Messages"][0]["Body"] == "from the cli"
    assert got["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "1"
    missing = sqs_cli("get-queue-url", "--queue-name", qname + "-nope", check=False)
    assert missing.returncode != 0
    assert "AWS.SimpleQueueService.NonExistentQueue" in missing.stderr


def test_restart_keeps_in_flight_and_delayed_messages(fresh_stratus):
    server = fresh_stratus()
    sqs = client_for(server.endpoint, "sqs")
    url = sqs.create_queue(QueueName="durable")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="in-flight")
    assert len(sqs.receive_message(QueueUrl=url, VisibilityTimeout=3)["Messages"]) == 1
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=3)
    server.restart()
    sqs = client_for(server.endpoint, "sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    bodies = []
    deadline = time.time() + 10
    while len(bodies) < 2 and time.time() < deadline:
        out = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10,
                                  AttributeNames=["ApproximateReceiveCount"])
        bodies += [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in out.get("Messages", [])]
    assert sorted(bodies) == [("delayed", "1"), ("in-flight", "2")]
