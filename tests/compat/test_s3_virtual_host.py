"""Virtual-hosted-style S3 through boto3 (`addressing_style: virtual`): the
bucket is named only by the Host header (`{bucket}.s3.localhost.localstack.cloud`
and `{bucket}.localhost`, the two forms the README documents), for the
bucket and object operations, presigned URLs, and strict SigV4 checking
(the signature covers the virtual Host header and the path without the
bucket).

`*.localhost` does not resolve on every machine, so the tests resolve those
names to 127.0.0.1 themselves (socket.getaddrinfo); the Host header the
clients send is untouched, which is what the server routes on."""

import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import STRICT_KEY, STRICT_SECRET, client_for

KEY, SECRET = STRICT_KEY, STRICT_SECRET
HOST_FORMS = ["s3.localhost.localstack.cloud", "localhost"]


@pytest.fixture(autouse=True)
def local_names(monkeypatch):
    """Resolves `*.localhost` and `*.localhost.localstack.cloud` to 127.0.0.1."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and (host.endswith(".localhost") or host.endswith(".localhost.localstack.cloud")):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def virtual_client(port, host_form, key="test", secret="test"):
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{host_form}:{port}",
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "virtual"}, signature_version="s3v4", retries={"max_attempts": 1}),
    )
    sent = []
    s3.meta.events.register("before-send.s3", lambda request, **_: sent.append(request.url))
    return s3, sent


def bucket_name():
    return f"vhost-{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize("host_form", HOST_FORMS)
def test_bucket_and_object_operations_route_on_the_host_header(stratus, host_form):
    s3, sent = virtual_client(stratus.port, host_form)
    path_style = client_for(stratus.endpoint, "s3")
    bucket = bucket_name()
    base = f"http://{bucket}.{host_form}:{stratus.port}/"

    s3.create_bucket(Bucket=bucket)
    assert sent[-1] == base
    assert bucket in [b["Name"] for b in path_style.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=bucket)

    put = s3.put_object(Bucket=bucket, Key="dir/hello world.txt", Body=b"hello virtual host",
                        ContentType="text/plain", Metadata={"colour": "blue"})
    assert sent[-1] == base + "dir/hello%20world.txt"
    got = s3.get_object(Bucket=bucket, Key="dir/hello world.txt")
    assert got["Body"].read() == b"hello virtual host"
    assert got["ETag"] == put["ETag"]
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"colour": "blue"}
    # The same object, path style: one bucket, whichever way it is named.
    assert path_style.get_object(Bucket=bucket, Key="dir/hello world.txt")["Body"].read() == b"hello virtual host"

    ranged = s3.get_object(Bucket=bucket, Key="dir/hello world.txt", Range="bytes=6-12")
    assert ranged["Body"].read() == b"virtual"
    s3.copy_object(Bucket=bucket, Key="copy.txt", CopySource={"Bucket": bucket, "Key": "dir/hello world.txt"})
    s3.put_object(Bucket=bucket, Key="dir/sub/deep.txt", Body=b"x")

    listed = s3.list_objects_v2(Bucket=bucket)
    assert sent[-1].startswith(base + "?list-type=2")
    assert [o["Key"] for o in listed["Contents"]] == ["copy.txt", "dir/hello world.txt", "dir/sub/deep.txt"]
    assert listed["Name"] == bucket and listed["KeyCount"] == 3
    delimited = s3.list_objects_v2(Bucket=bucket, Prefix="dir/", Delimiter="/")
    assert [o["Key"] for o in delimited["Contents"]] == ["dir/hello world.txt"]
    assert delimited["CommonPrefixes"] == [{"Prefix": "dir/sub/"}]
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == [
        "copy.txt", "dir/hello world.txt", "dir/sub/deep.txt"]

    s3.delete_object(Bucket=bucket, Key="copy.txt")
    assert sent[-1] == base + "copy.txt"
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "dir/hello world.txt"},
                                                                 {"Key": "dir/sub/deep.txt"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["dir/hello world.txt", "dir/sub/deep.txt"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=bucket, Key="copy.txt")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"

    s3.delete_bucket(Bucket=bucket)
    assert sent[-1] == base
    with pytest.raises(ClientError) as gone:
        s3.head_bucket(Bucket=bucket)
    assert gone.value.response["Error"]["Code"] == "404"
    with pytest.raises(ClientError) as gone:
        s3.list_objects_v2(Bucket=bucket)
    assert gone.value.response["Error"]["Code"] == "NoSuchBucket"
    assert gone.value.response["Error"]["BucketName"] == bucket


@pytest.mark.parametrize("host_form", HOST_FORMS)
def test_presigned_urls_in_virtual_host_form(stratus, host_form):
    s3, _ = virtual_client(stratus.port, host_form)
    bucket = bucket_name()
    s3.create_bucket(Bucket=bucket)
    base = f"http://{bucket}.{host_form}:{stratus.port}/"

    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "signed/p.txt"})
    assert put_url.startswith(base + "signed/p.txt?")
    with urllib.request.urlopen(urllib.request.Request(put_url, data=b"presigned body", method="PUT")) as r:
        assert r.status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "signed/p.txt"})
    assert get_url.startswith(base + "signed/p.txt?")
    with urllib.request.urlopen(get_url) as r:
        assert r.read() == b"presigned body"
    list_url = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket})
    with urllib.request.urlopen(list_url) as r:
        listing = r.read().decode()
    # boto3 asks for url-encoded keys (encoding-type=url).
    assert "<Key>signed/p.txt</Key>" in urllib.parse.unquote(listing), listing
    missing = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "nope"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(missing)
    assert e.value.code == 404
    assert b"<Code>NoSuchKey</Code>" in e.value.read()


@pytest.mark.parametrize("host_form", HOST_FORMS)
def test_strict_signatures_cover_the_virtual_host(strict, host_form):
    s3, _ = virtual_client(strict.port, host_form, key=KEY, secret=SECRET)
    bucket = bucket_name()
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"signed")
    assert s3.get_object(Bucket=bucket, Key="k.txt")["Body"].read() == b"signed"
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k.txt"})
    with urllib.request.urlopen(url) as r:
        assert r.read() == b"signed"

    # A presigned URL is bound to its Host: the same query sent to another
    # bucket's host does not verify.
    other = url.replace(f"//{bucket}.", f"//{bucket}x.", 1)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(other)
    assert e.value.code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in e.value.read()

    wrong, _ = virtual_client(strict.port, host_form, key=KEY, secret="not-the-secret")
    with pytest.raises(ClientError) as denied:
        wrong.get_object(Bucket=bucket, Key="k.txt")
    assert denied.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
