"""SQS FIFO `ReceiveRequestAttemptId` through boto3: a receive retried with
the same attempt id within five minutes gets the same messages and receipt
handles back instead of new ones; a new attempt id receives the next
group's messages; once a message of the attempt was deleted or had its
visibility changed the id is no longer retryable (AWS's
InvalidParameterValue "...is not valid anymore since the receive call is
not retryable."); the id must be 1-128 alphanumeric or punctuation
characters; standard queues ignore it."""

import uuid

import pytest
from botocore.exceptions import ClientError


def fifo_queue(sqs, groups):
    """A FIFO queue holding two messages of each of `groups`, sent in order."""
    name = f"attempt-{uuid.uuid4().hex[:8]}.fifo"
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})[
        "QueueUrl"
    ]
    for g in groups:
        for i in range(2):
            sqs.send_message(QueueUrl=url, MessageBody=f"{g}-{i}", MessageGroupId=g)
    return url


def receive(sqs, url, attempt, count=2):
    got = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=count, ReceiveRequestAttemptId=attempt, AttributeNames=["All"]
    )
    return got.get("Messages", [])


def handles(msgs):
    return [(m["Body"], m["ReceiptHandle"]) for m in msgs]


def test_same_attempt_id_replays_the_same_messages_and_handles(client):
    sqs = client("sqs")
    url = fifo_queue(sqs, ["a", "b"])
    first = receive(sqs, url, "attempt-1")
    assert [m["Body"] for m in first] == ["a-0", "a-1"]
    again = receive(sqs, url, "attempt-1")
    assert handles(again) == handles(first)
    assert [m["MessageId"] for m in again] == [m["MessageId"] for m in first]
    # A replay is the same receive: the receive count does not move.
    assert [m["Attributes"]["ApproximateReceiveCount"] for m in again] == ["1", "1"]

    # A new attempt id is a new receive: group a is in flight, so group b.
    other = receive(sqs, url, "attempt-2")
    assert [m["Body"] for m in other] == ["b-0", "b-1"]
    assert not set(handles(other)) & set(handles(first))
    assert handles(receive(sqs, url, "attempt-2")) == handles(other)
    # And the first attempt still replays.
    assert handles(receive(sqs, url, "attempt-1")) == handles(first)


def test_a_delete_or_visibility_change_ends_the_replay(client):
    sqs = client("sqs")
    url = fifo_queue(sqs, ["a", "b"])
    first = receive(sqs, url, "del-attempt")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    with pytest.raises(ClientError) as e:
        receive(sqs, url, "del-attempt")
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidParameterValue"
    assert err["Message"] == (
        "Value del-attempt for parameter ReceiveRequestAttemptId is invalid. Reason: "
        "The receiveRequestAttemptId is not valid anymore since the receive call is not retryable."
    )
    # The message left in flight is still deletable with its handle.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[1]["ReceiptHandle"])

    second = receive(sqs, url, "vis-attempt")
    assert [m["Body"] for m in second] == ["b-0", "b-1"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second[0]["ReceiptHandle"], VisibilityTimeout=60)
    with pytest.raises(ClientError) as e:
        receive(sqs, url, "vis-attempt")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_attempt_id_validation_and_standard_queues(client):
    sqs = client("sqs")
    url = fifo_queue(sqs, ["a"])
    for bad in ["x" * 129, "has space", "é"]:
        with pytest.raises(ClientError) as e:
            receive(sqs, url, bad)
        err = e.value.response["Error"]
        assert err["Code"] == "InvalidParameterValue"
        assert err["Message"] == (
            f"Value {bad} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId "
            "can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )
    assert [m["Body"] for m in receive(sqs, url, "x" * 128 + "")] == ["a-0", "a-1"]
    assert [m["Body"] for m in receive(sqs, url, "!#$%&()*+,-./:;<=>?@[]^_`{|}~")] == []

    # Standard queues ignore the id: each receive is a new one.
    std = sqs.create_queue(QueueName=f"attempt-std-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sqs.send_message(QueueUrl=std, MessageBody="one")
    sqs.send_message(QueueUrl=std, MessageBody="two")
    got = receive(sqs, std, "same", count=1) + receive(sqs, std, "same", count=1)
    assert sorted(m["Body"] for m in got) == ["one", "two"]
