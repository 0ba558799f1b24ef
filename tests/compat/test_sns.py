"""SNS as boto3 and the aws CLI meet it: topics and subscriptions with
AWS's error codes and texts, an HTTP endpoint served by the test (the
confirmation handshake, notification payloads and headers, signatures
verified with the served certificate), and delivery to SQS queues (the
signed envelope and raw delivery)."""

import base64
import hashlib
import http.server
import io
import json
import queue
import ssl
import subprocess
import threading
import time
import urllib.request
import zipfile

import pytest
from botocore.exceptions import ClientError
from conftest import client_for


# --- signature verification with nothing but the standard library -------

def _tlv(data, i):
    tag = data[i]
    length = data[i + 1]
    i += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[i:i + n], "big")
        i += n
    return tag, i, length


def _children(data, start, end):
    out = []
    i = start
    while i < end:
        tag, body, length = _tlv(data, i)
        out.append((tag, body, length))
        i = body + length
    return out


def public_key_of(pem):
    """(n, e) of the RSA key in a PEM certificate."""
    der = base64.b64decode("".join(l for l in pem.splitlines() if not l.startswith("-----")))
    _, cert_body, cert_len = _tlv(der, 0)
    tbs_tag, tbs_body, tbs_len = _children(der, cert_body, cert_body + cert_len)[0]
    fields = _children(der, tbs_body, tbs_body + tbs_len)
    _, spki_body, spki_len = fields[6]
    _, bits_body, bits_len = _children(der, spki_body, spki_body + spki_len)[1]
    key = der[bits_body + 1:bits_body + bits_len]
    _, seq_body, seq_len = _tlv(key, 0)
    (_, n_body, n_len), (_, e_body, e_len) = _children(key, seq_body, seq_body + seq_len)
    return int.from_bytes(key[n_body:n_body + n_len], "big"), int.from_bytes(key[e_body:e_body + e_len], "big")


DIGEST_INFO = {
    "1": (hashlib.sha1, bytes.fromhex("3021300906052b0e03021a05000414")),
    "2": (hashlib.sha256, bytes.fromhex("3031300d060960864801650304020105000420")),
}


def string_to_sign(message):
    if message["Type"] in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    return "".join(f"{k}\n{message[k]}\n" for k in keys if message.get(k) is not None).encode()


def verify(message):
    """Checks `message` the way AWS's SDK validators do: fetch the
    certificate at SigningCertURL and check the PKCS#1 v1.5 signature."""
    cert_url = message.get("SigningCertURL") or message["SigningCertUrl"]
    with urllib.request.urlopen(cert_url, timeout=10) as r:
        pem = r.read().decode()
    n, e = public_key_of(pem)
    hash_fn, prefix = DIGEST_INFO[message["SignatureVersion"]]
    sig = int.from_bytes(base64.b64decode(message["Signature"]), "big")
    k = (n.bit_length() + 7) // 8
    em = pow(sig, e, n).to_bytes(k, "big")
    t = prefix + hash_fn(string_to_sign(message)).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return em == expected


# --- a local HTTP endpoint ---------------------------------------------------

class Endpoint:
    def __init__(self, fail_first=0, tls=None):
        self.requests = queue.Queue()
        self.fail_first = fail_first
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                outer.requests.put((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                failing = json.loads(body).get("Type") == "Notification" and outer.fail_first > 0
                if failing:
                    outer.fail_first -= 1
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/sns-endpoint"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout=20):
        return self.requests.get(timeout=timeout)

    def close(self):
        self.server.shutdown()


@pytest.fixture
def http_endpoint():
    ep = Endpoint()
    yield ep
    ep.close()


def certificates(tmp_path):
    """A CA and a certificate for 127.0.0.1 that it signed (openssl CLI)."""
    d = str(tmp_path)
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True, cwd=d)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Stratus test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "host.key", "-out", "host.csr", "-subj", "/CN=127.0.0.1")
    with open(f"{d}/ext.cnf", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "host.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "host.pem", "-days", "2", "-extfile", "ext.cnf")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{d}/host.pem", f"{d}/host.key")
    return f"{d}/ca.pem", ctx


def error(fn, **kwargs):
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    return e.value.response


# --- tests -------------------------------------------------------------------

def test_topics_with_cli_and_boto3(client, cli):
    sns = client("sns")
    arn = cli("sns", "create-topic", "--name", "compat-topic", "--attributes", "DisplayName=Compat")["TopicArn"]
    assert arn.endswith(":compat-topic")
    assert sns.create_topic(Name="compat-topic")["TopicArn"] == arn
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["DisplayName"] == "Compat"
    assert attrs["SubscriptionsConfirmed"] == "0"
    assert json.loads(attrs["Policy"])["Statement"][0]["Sid"] == "__default_statement_ID"
    listed = cli("sns", "list-topics")["Topics"]
    assert {"TopicArn": arn} in listed
    cli("sns", "delete-topic", "--topic-arn", arn)
    r = error(sns.get_topic_attributes, TopicArn=arn)
    assert r["Error"]["Code"] == "NotFound"
    assert r["Error"]["Message"] == "Topic does not exist"
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_aws_errors(client):
    sns = client("sns")
    r = error(sns.publish, TopicArn="randomstring", Message="x")
    assert r["Error"] == {"Type": "Sender", "Code": "InvalidParameter",
                          "Message": "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"}
    arn = sns.create_topic(Name="compat-errors")["TopicArn"]
    r = error(sns.create_topic, Name="compat-errors", Attributes={"DisplayName": "other"})
    assert r["Error"]["Message"] == "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
    r = error(sns.publish, TopicArn=arn, Message="")
    assert r["Error"]["Message"] == "Invalid parameter: Empty message"
    r = error(sns.publish, TopicArn=arn, Message="x" * 262145)
    assert r["Error"]["Message"] == "Invalid parameter: Message too long"
    r = error(sns.publish, TopicArn=arn, Message="x", MessageAttributes={"attr1": {"DataType": "Binary", "StringValue": "x"}})
    assert r["Error"]["Code"] == "ParameterValueInvalid"
    assert r["Error"]["Message"] == "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."
    r = error(sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
              Attributes={"RawMessageDelivery": "wrongvalue"})
    assert r["Error"]["Message"] == ("Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value "
                                     "[wrongvalue]. Must be true or false.")
    r = error(sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
              Attributes={"FilterPolicy": '{"key":[{"numeric":[">",3,"<",1]}]}'})
    assert r["Error"]["Message"] == ("Invalid parameter: Attributes Reason: FilterPolicy: Bottom must be less than top\n"
                                     ' at [Source: (String)"{"key":[{"numeric":[">",3,"<",1]}]}"; line: 1, column: 33]')
    r = error(sns.publish_batch, TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}])
    assert r["Error"]["Code"] == "BatchEntryIdsNotDistinct"
    r = error(sns.unsubscribe, SubscriptionArn="arn:aws:sns:us-east-1:000000000000")
    assert r["Error"]["Message"] == "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5"


def test_http_subscription_handshake_and_signed_notifications(client, http_endpoint):
    sns = client("sns")
    arn = sns.create_topic(Name="compat-http")["TopicArn"]
    sub = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=http_endpoint.url)
    assert sub["SubscriptionArn"] == "pending confirmation"

    path, headers, body = http_endpoint.next()
    assert path == "/sns-endpoint"
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert headers["x-amz-sns-topic-arn"] == arn
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    assert headers["user-agent"] == "Amazon Simple Notification Service Agent"
    message = json.loads(body)
    assert headers["x-amz-sns-message-id"] == message["MessageId"]
    assert message["Type"] == "SubscriptionConfirmation"
    assert message["Message"] == (f"You have chosen to subscribe to the topic {arn}.\n"
                                  "To confirm the subscription, visit the SubscribeURL included in this message.")
    assert message["SignatureVersion"] == "1"
    assert message["SubscribeURL"].endswith(f"/?Action=ConfirmSubscription&TopicArn={arn}&Token={message['Token']}")
    assert verify(message)

    # Visiting the SubscribeURL confirms, as on AWS.
    with urllib.request.urlopen(message["SubscribeURL"], timeout=10) as r:
        xml = r.read().decode()
    assert "<ConfirmSubscriptionResult><SubscriptionArn>" in xml
    sub_arn = xml.split("<SubscriptionArn>")[1].split("</SubscriptionArn>")[0]
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["PendingConfirmation"] == "false"
    assert attrs["Endpoint"] == http_endpoint.url

    published = sns.publish(TopicArn=arn, Message="hello", Subject="greeting",
                            MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}})
    path, headers, body = http_endpoint.next()
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-message-id"] == published["MessageId"]
    assert headers["x-amz-sns-topic-arn"] == arn
    assert headers["x-amz-sns-subscription-arn"] == sub_arn
    note = json.loads(body)
    assert list(note) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                          "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert note["Message"] == "hello"
    assert note["Subject"] == "greeting"
    assert note["MessageAttributes"] == {"kind": {"Type": "String", "Value": "test"}}
    assert verify(note)

    # SignatureVersion 2 signs with SHA256withRSA.
    sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
    sns.publish(TopicArn=arn, Message="v2")
    note = json.loads(http_endpoint.next()[2])
    assert note["SignatureVersion"] == "2"
    assert verify(note)
    tampered = dict(note, Message="forged")
    assert not verify(tampered)

    # Raw delivery sends the bare message.
    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.publish(TopicArn=arn, Message="raw text")
    _, headers, body = http_endpoint.next()
    assert body == "raw text"
    assert headers["x-amz-sns-rawdelivery"] == "true"

    # ConfirmSubscription with the API and a bad token.
    r = error(sns.confirm_subscription, TopicArn=arn, Token="0" * 32)
    assert r["Error"]["Message"] == "Invalid parameter: Token"


def test_sqs_delivery_envelope_and_raw(client):
    sns, sqs = client("sns"), client("sqs")
    arn = sns.create_topic(Name="compat-sqs")["TopicArn"]
    urls, arns = {}, {}
    for name in ("compat-envelope", "compat-raw"):
        urls[name] = sqs.create_queue(QueueName=name)["QueueUrl"]
        arns[name] = sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=arns["compat-envelope"])["SubscriptionArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=arns["compat-raw"],
                  Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attrs["ConfirmationWasAuthenticated"] == "true"
    assert attrs["PendingConfirmation"] == "false"
    sns.publish(TopicArn=arn, Message="Test msg", MessageAttributes={
        "attr1": {"DataType": "Number", "StringValue": "99.12"},
        "bin": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
    })

    def receive(url):
        for _ in range(50):
            out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
            if out.get("Messages"):
                return out["Messages"]
            time.sleep(0.1)
        return []

    [msg] = receive(urls["compat-envelope"])
    body = json.loads(msg["Body"])
    assert body["Type"] == "Notification"
    assert body["TopicArn"] == arn
    assert body["Message"] == "Test msg"
    assert body["MessageAttributes"] == {"attr1": {"Type": "Number", "Value": "99.12"},
                                         "bin": {"Type": "Binary", "Value": "AgME"}}
    assert body["UnsubscribeURL"].endswith(f"/?Action=Unsubscribe&SubscriptionArn={sub}")
    assert verify(body)

    [raw] = receive(urls["compat-raw"])
    assert raw["Body"] == "Test msg"
    assert raw["MessageAttributes"]["attr1"] == {"DataType": "Number", "StringValue": "99.12"}
    assert raw["MessageAttributes"]["bin"] == {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}


def test_fifo_topic_and_batch_with_cli(client, cli):
    sns = client("sns")
    arn = cli("sns", "create-topic", "--name", "compat.fifo",
              "--attributes", "FifoTopic=true,ContentBasedDeduplication=true")["TopicArn"]
    r = error(sns.publish, TopicArn=arn, Message="x")
    assert r["Error"]["Message"] == "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    first = sns.publish(TopicArn=arn, Message="same", MessageGroupId="g")
    second = sns.publish(TopicArn=arn, Message="same", MessageGroupId="g")
    assert first["MessageId"] == second["MessageId"]
    assert len(first["SequenceNumber"]) == 20
    out = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "a", "MessageGroupId": "g"},
        {"Id": "2", "Message": "b", "MessageGroupId": "g"},
    ])
    assert [e["Id"] for e in out["Successful"]] == ["1", "2"]
    assert out["Failed"] == []
    seqs = [int(e["SequenceNumber"]) for e in out["Successful"]]
    assert seqs[0] < seqs[1]


def test_email_subscriptions_are_recorded(stratus, client):
    sns = client("sns")
    arn = sns.create_topic(Name="compat-email")["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="ops@example.com")
    for _ in range(50):
        with urllib.request.urlopen(stratus.endpoint + "/_stratus/sns/emails", timeout=10) as r:
            emails = [e for e in json.loads(r.read()) if e["TopicArn"] == arn]
        if emails:
            break
        time.sleep(0.1)
    assert emails[0]["Type"] == "SubscriptionConfirmation"
    assert emails[0]["To"] == "ops@example.com"


LAMBDA_APP = '''
import json
def handler(event, context):
    print("sns event " + json.dumps(event))
'''


def test_lambda_receives_the_sns_event(client):
    sns, lam, logs = client("sns"), client("lambda"), client("logs")
    fn = f"compat-sns-{int(time.time() * 1000)}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", LAMBDA_APP)
    function_arn = lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="app.handler",
                                       Role="arn:aws:iam::000000000000:role/lambda-role",
                                       Code={"ZipFile": buf.getvalue()})["FunctionArn"]
    arn = sns.create_topic(Name="compat-lambda")["TopicArn"]
    sub = sns.subscribe(TopicArn=arn, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    published = sns.publish(TopicArn=arn, Message="Hello world.",
                            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    event = None
    deadline = time.time() + 30
    while time.time() < deadline and event is None:
        groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{fn}")["logGroups"]
        if groups:
            for stream in logs.describe_log_streams(logGroupName=f"/aws/lambda/{fn}")["logStreams"]:
                for e in logs.get_log_events(logGroupName=f"/aws/lambda/{fn}",
                                             logStreamName=stream["logStreamName"])["events"]:
                    if e["message"].startswith("sns event "):
                        event = json.loads(e["message"][len("sns event "):])
        time.sleep(0.2)
    assert event is not None, "the function was invoked"
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == sub
    body = record["Sns"]
    assert list(body) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                          "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"]
    assert body["Type"] == "Notification"
    assert body["MessageId"] == published["MessageId"]
    assert body["Subject"] is None
    assert body["Message"] == "Hello world."
    assert body["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert verify(body)


def test_https_endpoints_get_the_handshake_when_their_certificate_is_trusted(client, fresh_stratus, tmp_path):
    ca, tls = certificates(tmp_path)
    endpoint = Endpoint(tls=tls)
    try:
        # A server that trusts the endpoint's CA (SSL_CERT_FILE) delivers over TLS.
        trusting = fresh_stratus(env={"SSL_CERT_FILE": ca})
        sns = client_for(trusting.endpoint, "sns")
        arn = sns.create_topic(Name="compat-https")["TopicArn"]
        assert sns.subscribe(TopicArn=arn, Protocol="https", Endpoint=endpoint.url)["SubscriptionArn"] == \
            "pending confirmation"
        _, headers, body = endpoint.next()
        assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        message = json.loads(body)
        assert verify(message)
        sub_arn = sns.confirm_subscription(TopicArn=arn, Token=message["Token"])["SubscriptionArn"]
        sns.publish(TopicArn=arn, Message="over tls")
        _, headers, body = endpoint.next()
        assert headers["x-amz-sns-subscription-arn"] == sub_arn
        assert json.loads(body)["Message"] == "over tls"

        # The shared server does not trust that CA: nothing is delivered, as AWS
        # refuses endpoints without a valid chain.
        other = client("sns")
        arn = other.create_topic(Name="compat-https-untrusted")["TopicArn"]
        other.subscribe(TopicArn=arn, Protocol="https", Endpoint=endpoint.url)
        with pytest.raises(queue.Empty):
            endpoint.next(timeout=3)
    finally:
        endpoint.close()


def test_http_delivery_retries_per_delivery_policy(client):
    sns = client("sns")
    ep = Endpoint(fail_first=2)
    try:
        arn = sns.create_topic(Name="compat-retry")["TopicArn"]
        policy = {"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 3}}
        sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=ep.url,
                      Attributes={"DeliveryPolicy": json.dumps(policy)})
        confirmation = json.loads(ep.next()[2])
        sns.confirm_subscription(TopicArn=arn, Token=confirmation["Token"])
        sub = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"][0]["SubscriptionArn"]
        attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        shown = json.loads(attrs["DeliveryPolicy"])
        assert shown["healthyRetryPolicy"]["numRetries"] == 3
        assert shown["guaranteed"] is False
        started = time.time()
        published = sns.publish(TopicArn=arn, Message="again")
        attempts = [json.loads(ep.next()[2]) for _ in range(3)]
        assert {a["MessageId"] for a in attempts} == {published["MessageId"]}
        assert time.time() - started >= 1.5
    finally:
        ep.close()


def test_signing_certificate_survives_restart(fresh_stratus):
    server = fresh_stratus()
    url = server.endpoint + "/_stratus/sns/SimpleNotificationService.pem"
    with urllib.request.urlopen(url, timeout=30) as r:
        before = r.read().decode()
    assert before.startswith("-----BEGIN CERTIFICATE-----")
    server.restart()
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.read().decode() == before
