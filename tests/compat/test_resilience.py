"""What must hold under load and failure: a 1 GiB object goes in and out
through the aws CLI's own transfer manager and a single streamed PUT/GET
while the server's peak memory stays flat, and a server killed in the
middle of queue processing loses no message."""

import hashlib
import http.client
import os
import tempfile
import uuid

from conftest import aws_cli, client_for

GIB = 1 << 30
BLOCK = 1 << 20


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def block(i):
    return hashlib.sha256(str(i).encode()).digest() * (BLOCK // 32)


def test_one_gib_streams_through_with_flat_memory(fresh_stratus):
    server = fresh_stratus()
    s3 = client_for(server.endpoint, "s3")
    s3.create_bucket(Bucket="big")
    baseline = peak_rss_mib(server.proc.pid)

    # One streamed PUT of 1 GiB (unsigned payload, Content-Length known).
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    conn.putrequest("PUT", "/big/one-gib")
    conn.putheader("Content-Length", str(GIB))
    conn.endheaders()
    digest = hashlib.md5()
    for i in range(GIB // BLOCK):
        data = block(i)
        digest.update(data)
        conn.send(data)
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200
    assert resp.getheader("ETag") == f'"{digest.hexdigest()}"'

    # And back, in one streamed GET.
    conn.request("GET", "/big/one-gib")
    resp = conn.getresponse()
    assert resp.status == 200 and int(resp.getheader("Content-Length")) == GIB
    back, total = hashlib.md5(), 0
    while chunk := resp.read(BLOCK):
        back.update(chunk)
        total += len(chunk)
    assert total == GIB and back.hexdigest() == digest.hexdigest()
    conn.close()
    # The disk is shared: keep at most 2 GiB of it at a time.
    s3.delete_object(Bucket="big", Key="one-gib")

    # The aws CLI's multipart transfer of the same size, both ways.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "file")
        with open(path, "wb") as f:
            for i in range(GIB // BLOCK):
                f.write(block(i))
        aws_cli(server.endpoint, "s3", "cp", path, "s3://big/cli-copy", "--only-show-errors")
        os.remove(path)
        aws_cli(server.endpoint, "s3", "cp", "s3://big/cli-copy", path, "--only-show-errors")
        copied = hashlib.md5()
        with open(path, "rb") as f:
            while chunk := f.read(BLOCK):
                copied.update(chunk)
        assert copied.hexdigest() == digest.hexdigest()

    growth = peak_rss_mib(server.proc.pid) - baseline
    assert growth < 160, f"peak RSS grew by {growth:.0f} MiB while moving 3 GiB"


def test_killed_mid_processing_loses_no_message(fresh_stratus):
    server = fresh_stratus()
    sqs = client_for(server.endpoint, "sqs")
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
    sent = set()
    for batch in range(50):
        entries = [{"Id": str(i), "MessageBody": f"job-{batch}-{i}"} for i in range(10)]
        out = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert len(out["Successful"]) == 10
        sent.update(e["MessageBody"] for e in entries)

    done = set()
    while len(done) < 200:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            done.add(m["Body"])
    # Ten more are in flight (received, not deleted) when the server dies.
    in_flight = {m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]}
    assert len(in_flight) == 10
    server.kill()
    server.start()

    sqs = client_for(server.endpoint, "sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 10
    assert int(attrs["ApproximateNumberOfMessages"]) == 290
    while True:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=3).get("Messages", [])
        if not msgs:
            break
        for m in msgs:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            assert m["Body"] not in done, "a deleted message came back"
            done.add(m["Body"])
    assert done == sent
    assert in_flight <= done
