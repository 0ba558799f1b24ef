"""SQS RedriveAllowPolicy, enforced: a dead-letter queue's policy
(`redrivePermission` allowAll / denyAll / byQueue with up to 10
`sourceQueueArns`) decides which source queues may name it in their
RedrivePolicy, on CreateQueue and SetQueueAttributes; malformed policies
get AWS's errors. Through boto3 (JSON protocol) and a signed Query-protocol
request."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from test_sqs import query

UNSUPPORTED = ("Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive "
               "allow policy, as it’s in an unsupported format.")


def name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sqs(client):
    return client("sqs")


def make(sqs, qname, **attributes):
    url = sqs.create_queue(QueueName=qname, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def error(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def redrive(dlq_arn, count=1):
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": count})


def allow(permission, *sources):
    policy = {"redrivePermission": permission}
    if sources:
        policy["sourceQueueArns"] = list(sources)
    return json.dumps(policy, separators=(",", ":"))


def denied(value, dlq_arn):
    return ("InvalidParameterValue", f"Value {value} for parameter RedrivePolicy is invalid. Reason: The "
            f"RedriveAllowPolicy of {dlq_arn} does not allow this queue to use it as a dead-letter queue.")


def test_policy_values_are_validated(sqs):
    url, _ = make(sqs, name("rap-check"))
    for bad in ["badjson", "[]", "{}", '{"redrivePermission":"dummy"}', '{"redrivePermission":"allowAll","x":"y"}',
                '{"redrivePermission":"byQueue","sourceQueueArns":"arn:aws:sqs:us-east-1:000000000000:x"}',
                '{"redrivePermission":"byQueue","sourceQueueArns":[{"dummy":"value"}]}']:
        assert error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedriveAllowPolicy": bad}) == (
            "InvalidAttributeValue", UNSUPPORTED), bad

    def cannot_create(value, why):
        return ("InvalidParameterValue", f"Value {value} for parameter RedriveAllowPolicy is invalid. Reason: Amazon "
                f"SQS can't create the redrive allow policy. {why}")

    must_list = "When you specify the byQueue permission type, you must also specify one or more sourceQueueArns values."
    for value in ['{"redrivePermission":"byQueue"}', '{"redrivePermission":"byQueue","sourceQueueArns":[]}']:
        assert error(sqs.create_queue, QueueName=name("rap"), Attributes={"RedriveAllowPolicy": value}) == (
            cannot_create(value, must_list))
    eleven = allow("byQueue", *[f"arn:aws:sqs:us-east-1:000000000000:x{i}" for i in range(11)])
    assert error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedriveAllowPolicy": eleven}) == (
        cannot_create(eleven, "The maximum number of source queue ARNs you can specify is 10."))
    for permission in ["allowAll", "denyAll"]:
        value = allow(permission, "arn:aws:sqs:us-east-1:000000000000:x7")
        assert error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedriveAllowPolicy": value}) == (
            cannot_create(value, "To specify one or more source queue ARNs, you must set redrivePermission to byQueue."))

    # Valid policies are stored as given (compact JSON), and read back.
    ten = allow("byQueue", *[f"arn:aws:sqs:us-east-1:000000000000:x{i}" for i in range(10)])
    for value in [allow("allowAll"), allow("denyAll"), ten]:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": value})
        got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
        assert got == {"RedriveAllowPolicy": value}
    assert json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
        "RedriveAllowPolicy"]) == json.loads(ten)
    # An empty value removes the policy.
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])


def test_deny_all_refuses_every_source(sqs):
    _, dlq_arn = make(sqs, name("rap-closed"), RedriveAllowPolicy=allow("denyAll"))
    policy = redrive(dlq_arn)
    source = name("rap-src")
    assert error(sqs.create_queue, QueueName=source, Attributes={"RedrivePolicy": policy}) == denied(policy, dlq_arn)
    with pytest.raises(ClientError) as e:  # the refused queue was not created
        sqs.get_queue_url(QueueName=source)
    assert e.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"

    url, _ = make(sqs, source)
    assert error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": policy}) == denied(policy, dlq_arn)
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])


def test_by_queue_admits_only_listed_sources_and_they_redrive(sqs):
    dlq_name = name("rap-dlq")
    listed_url, listed_arn = make(sqs, name("rap-listed"))
    other_url, other_arn = make(sqs, name("rap-other"))
    dlq_url, dlq_arn = make(sqs, dlq_name, RedriveAllowPolicy=allow("byQueue", listed_arn))
    policy = redrive(dlq_arn)

    assert error(sqs.set_queue_attributes, QueueUrl=other_url, Attributes={"RedrivePolicy": policy}) == (
        denied(policy, dlq_arn))
    sqs.set_queue_attributes(QueueUrl=listed_url, Attributes={"RedrivePolicy": policy})
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"] == [listed_url]

    # The allowed source's messages still reach the dead-letter queue.
    sent = sqs.send_message(QueueUrl=listed_url, MessageBody="poison")["MessageId"]
    first = sqs.receive_message(QueueUrl=listed_url, VisibilityTimeout=0)["Messages"][0]
    assert first["MessageId"] == sent
    assert sqs.receive_message(QueueUrl=listed_url, WaitTimeSeconds=1).get("Messages", []) == []
    moved = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=2)["Messages"]
    assert [m["MessageId"] for m in moved] == [sent]

    # Opening the queue up admits the other source; the policy is checked
    # when a RedrivePolicy is set, so closing it again keeps both sources.
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": allow("allowAll")})
    sqs.set_queue_attributes(QueueUrl=other_url, Attributes={"RedrivePolicy": policy})
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": allow("denyAll")})
    assert sorted(sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"]) == sorted([listed_url, other_url])
    # ... and a queue without a policy allows every source.
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": ""})
    late_url, _ = make(sqs, name("rap-late"), RedrivePolicy=policy)
    assert json.loads(sqs.get_queue_attributes(QueueUrl=late_url, AttributeNames=["RedrivePolicy"])["Attributes"][
        "RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}


def test_query_protocol_gets_the_same_errors(stratus, sqs):
    _, dlq_arn = make(sqs, name("rap-q-closed"), RedriveAllowPolicy=allow("denyAll"))
    policy = redrive(dlq_arn)
    status, body = query(stratus.endpoint, {
        "Action": "CreateQueue", "QueueName": name("rap-q-src"),
        "Attribute.1.Name": "RedrivePolicy", "Attribute.1.Value": policy})
    assert status == 400, body
    assert "<Code>InvalidParameterValue</Code>" in body
    code, message = denied(policy, dlq_arn)
    assert f"<Message>{message}</Message>" in body.replace("&quot;", '"')
    status, body = query(stratus.endpoint, {
        "Action": "CreateQueue", "QueueName": name("rap-q-bad"),
        "Attribute.1.Name": "RedriveAllowPolicy", "Attribute.1.Value": '{"redrivePermission":"sometimes"}'})
    assert status == 400, body
    assert "<Code>InvalidAttributeValue</Code>" in body
    assert "as it’s in an unsupported format." in body
