"""Amazon S3 as boto3, the aws CLI and plain HTTP meet it: high-level
`aws s3` commands, `s3api` calls with AWS's error codes, boto3's managed
multipart transfers, presigned URLs, CORS preflights, versioning and
lifecycle configuration."""

import hashlib
import json
import os
import time
import urllib.error
import urllib.request

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from conftest import aws_cli

MiB = 1024 * 1024


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    return e.value.response


def test_cli_cp_sync_ls_rm(client, stratus, tmp_path):
    def cli(*args):
        return aws_cli(stratus.endpoint, *args)

    cli("s3", "mb", "s3://cli-bucket")
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha")
    (src / "sub" / "b.txt").write_text("beta")
    # S3's LastModified has whole seconds (as on AWS); files written in the
    # same second as their upload would look newer to the next sync.
    hour_ago = time.time() - 3600
    for f in (src / "a.txt", src / "sub" / "b.txt"):
        os.utime(f, (hour_ago, hour_ago))
    out = cli("s3", "sync", str(src), "s3://cli-bucket/tree")
    assert out.returncode == 0, out.stderr
    listing = cli("s3", "ls", "s3://cli-bucket/tree/", "--recursive")
    assert "tree/a.txt" in listing.stdout and "tree/sub/b.txt" in listing.stdout
    dest = tmp_path / "copy.txt"
    cli("s3", "cp", "s3://cli-bucket/tree/sub/b.txt", str(dest))
    assert dest.read_text() == "beta"
    # A second sync transfers nothing.
    again = cli("s3", "sync", str(src), "s3://cli-bucket/tree")
    assert "upload:" not in again.stdout
    cli("s3", "rm", "s3://cli-bucket/tree", "--recursive")
    assert client("s3").list_objects_v2(Bucket="cli-bucket")["KeyCount"] == 0
    cli("s3", "rb", "s3://cli-bucket")


def test_s3api_objects_and_errors(client, cli):
    s3 = client("s3")
    s3.create_bucket(Bucket="api-bucket")
    cli("s3api", "put-object", "--bucket", "api-bucket", "--key", "k", "--content-type", "text/plain",
        "--metadata", "owner=me")
    head = cli("s3api", "head-object", "--bucket", "api-bucket", "--key", "k")
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"owner": "me"}
    err = error_of(s3.get_object, Bucket="api-bucket", Key="missing")
    assert err["Error"] == {"Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "missing"}
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
    err = error_of(s3.head_object, Bucket="api-bucket", Key="missing")
    assert err["Error"]["Code"] == "404"
    err = error_of(s3.get_object, Bucket="no-such-bucket-here", Key="k")
    assert err["Error"]["Code"] == "NoSuchBucket"
    assert err["Error"]["BucketName"] == "no-such-bucket-here"
    err = error_of(s3.create_bucket, Bucket="Bad_Bucket")
    assert err["Error"]["Code"] == "InvalidBucketName"
    err = error_of(s3.delete_bucket, Bucket="api-bucket")
    assert err["Error"]["Code"] == "BucketNotEmpty"
    assert err["Error"]["Message"] == "The bucket you tried to delete is not empty"
    # us-east-1 keeps S3's legacy answer to re-creating a bucket you own.
    s3.create_bucket(Bucket="api-bucket")


def test_get_ranges_conditions_and_overrides(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="range-bucket")
    put = s3.put_object(Bucket="range-bucket", Key="k", Body=b"0123456789")
    etag = put["ETag"]
    part = s3.get_object(Bucket="range-bucket", Key="k", Range="bytes=2-5")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == "bytes 2-5/10"
    assert part["Body"].read() == b"2345"
    err = error_of(s3.get_object, Bucket="range-bucket", Key="k", Range="bytes=20-30")
    assert err["Error"]["Code"] == "InvalidRange"
    assert err["Error"]["ActualObjectSize"] == "10"
    err = error_of(s3.get_object, Bucket="range-bucket", Key="k", IfMatch='"other"')
    assert err["Error"]["Code"] == "PreconditionFailed"
    assert err["Error"]["Condition"] == "If-Match"
    err = error_of(s3.get_object, Bucket="range-bucket", Key="k", IfNoneMatch=etag)
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 304
    got = s3.get_object(Bucket="range-bucket", Key="k", ResponseContentType="image/png",
                        ResponseContentDisposition="inline")
    assert got["ContentType"] == "image/png"
    assert got["ContentDisposition"] == "inline"


def test_managed_multipart_transfers(client, tmp_path):
    s3 = client("s3")
    s3.create_bucket(Bucket="transfer-bucket")
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(12 * MiB + 123))
    config = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
    s3.upload_file(str(src), "transfer-bucket", "big.bin", Config=config)
    head = s3.head_object(Bucket="transfer-bucket", Key="big.bin")
    assert head["ContentLength"] == 12 * MiB + 123
    assert head["ETag"].endswith('-3"')
    dest = tmp_path / "back.bin"
    s3.download_file("transfer-bucket", "big.bin", str(dest), Config=config)
    assert hashlib.md5(dest.read_bytes()).digest() == hashlib.md5(src.read_bytes()).digest()


def test_multipart_errors(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="mpu-errors")
    up = s3.create_multipart_upload(Bucket="mpu-errors", Key="k")
    p1 = s3.upload_part(Bucket="mpu-errors", Key="k", UploadId=up["UploadId"], PartNumber=1, Body=b"tiny")
    p2 = s3.upload_part(Bucket="mpu-errors", Key="k", UploadId=up["UploadId"], PartNumber=2, Body=b"tail")
    parts = [{"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["ETag"]}]
    err = error_of(s3.complete_multipart_upload, Bucket="mpu-errors", Key="k", UploadId=up["UploadId"],
                   MultipartUpload={"Parts": parts})
    assert err["Error"]["Code"] == "EntityTooSmall"
    assert err["Error"]["MinSizeAllowed"] == "5242880"
    err = error_of(s3.complete_multipart_upload, Bucket="mpu-errors", Key="k", UploadId=up["UploadId"],
                   MultipartUpload={"Parts": [{"PartNumber": 3, "ETag": p1["ETag"]}]})
    assert err["Error"]["Code"] == "InvalidPart"
    s3.abort_multipart_upload(Bucket="mpu-errors", Key="k", UploadId=up["UploadId"])
    err = error_of(s3.list_parts, Bucket="mpu-errors", Key="k", UploadId=up["UploadId"])
    assert err["Error"]["Code"] == "NoSuchUpload"


def test_presigned_urls(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="presign-bucket")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "presign-bucket", "Key": "p.txt"})
    req = urllib.request.Request(put_url, data=b"presigned body", method="PUT")
    with urllib.request.urlopen(req) as r:
        assert r.status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket", "Key": "p.txt"})
    with urllib.request.urlopen(get_url) as r:
        assert r.read() == b"presigned body"
    missing = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket", "Key": "nope"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(missing)
    assert e.value.code == 404
    assert b"<Code>NoSuchKey</Code>" in e.value.read()


def test_versioning_and_listing(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="versioned-bucket")
    s3.put_bucket_versioning(Bucket="versioned-bucket", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="versioned-bucket", Key="doc", Body=b"one")["VersionId"]
    s3.put_object(Bucket="versioned-bucket", Key="doc", Body=b"two")
    marker = s3.delete_object(Bucket="versioned-bucket", Key="doc")
    assert marker["DeleteMarker"] is True
    assert s3.get_object(Bucket="versioned-bucket", Key="doc", VersionId=v1)["Body"].read() == b"one"
    versions = s3.list_object_versions(Bucket="versioned-bucket")
    assert len(versions["Versions"]) == 2 and len(versions["DeleteMarkers"]) == 1
    err = error_of(s3.get_object, Bucket="versioned-bucket", Key="doc", VersionId="not-a-version")
    assert err["Error"]["Code"] == "InvalidArgument"
    for k in ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "readme"]:
        s3.put_object(Bucket="versioned-bucket", Key=k, Body=b"x")
    out = s3.list_objects_v2(Bucket="versioned-bucket", Prefix="photos/", Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="versioned-bucket", PaginationConfig={"PageSize": 2})
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert keys == ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "readme"]
    encoded = s3.list_objects_v2(Bucket="versioned-bucket", Prefix="read", EncodingType="url")
    assert encoded["Contents"][0]["Key"] == "readme"


def test_cors_preflight(client, stratus):
    s3 = client("s3")
    s3.create_bucket(Bucket="cors-bucket")
    s3.put_bucket_cors(Bucket="cors-bucket", CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}]})
    assert s3.get_bucket_cors(Bucket="cors-bucket")["CORSRules"][0]["AllowedMethods"] == ["GET", "PUT"]
    req = urllib.request.Request(stratus.endpoint + "/cors-bucket/obj", method="OPTIONS", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "PUT"})
    with urllib.request.urlopen(req) as r:
        assert r.status == 200
        assert r.headers["Access-Control-Allow-Methods"] == "GET, PUT"
        assert r.headers["Access-Control-Max-Age"] == "3000"
    req = urllib.request.Request(stratus.endpoint + "/cors-bucket/obj", method="OPTIONS", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 403
    assert b"<Code>AccessForbidden</Code>" in e.value.read()


def test_bucket_configurations(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="config-bucket")
    err = error_of(s3.get_bucket_tagging, Bucket="config-bucket")
    assert err["Error"]["Code"] == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket="config-bucket", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    assert s3.get_bucket_tagging(Bucket="config-bucket")["TagSet"] == [{"Key": "k", "Value": "v"}]
    err = error_of(s3.put_bucket_policy, Bucket="config-bucket", Policy="[]")
    assert err["Error"] == {"Code": "MalformedPolicy",
                            "Message": "Policies must be valid JSON and the first byte must be '{'"}
    s3.put_bucket_lifecycle_configuration(Bucket="config-bucket", LifecycleConfiguration={"Rules": [{
        "ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 7}}]})
    rules = s3.get_bucket_lifecycle_configuration(Bucket="config-bucket")["Rules"]
    assert rules[0]["Expiration"] == {"Days": 7}
    err = error_of(s3.put_bucket_lifecycle_configuration, Bucket="config-bucket", LifecycleConfiguration={"Rules": [{
        "ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Date": "2030-01-01T10:00:00Z"}}]})
    assert err["Error"]["Code"] == "InvalidArgument"
    assert err["Error"]["Message"] == "'Date' must be at midnight GMT"
    acl = s3.get_bucket_acl(Bucket="config-bucket")
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
    assert s3.get_bucket_location(Bucket="config-bucket")["LocationConstraint"] is None
    s3.put_object(Bucket="config-bucket", Key="t", Body=b"x", Tagging="a=1")
    assert s3.get_object_tagging(Bucket="config-bucket", Key="t")["TagSet"] == [{"Key": "a", "Value": "1"}]
    err = error_of(s3.put_object, Bucket="config-bucket", Key="t2", Body=b"x", Tagging="a=1&a=2")
    assert err["Error"]["Code"] == "InvalidArgument"


def test_checksums_and_copies(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="sum-bucket")
    put = s3.put_object(Bucket="sum-bucket", Key="k", Body=b"hello world", ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
    head = s3.head_object(Bucket="sum-bucket", Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == put["ChecksumSHA256"]
    err = error_of(s3.put_object, Bucket="sum-bucket", Key="bad", Body=b"hello", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==")
    assert err["Error"]["Code"] == "BadDigest"
    s3.copy_object(Bucket="sum-bucket", Key="copy", CopySource={"Bucket": "sum-bucket", "Key": "k"},
                   MetadataDirective="REPLACE", Metadata={"new": "yes"}, ContentType="text/plain")
    head = s3.head_object(Bucket="sum-bucket", Key="copy")
    assert head["Metadata"] == {"new": "yes"} and head["ContentType"] == "text/plain"
    err = error_of(s3.copy_object, Bucket="sum-bucket", Key="k", CopySource={"Bucket": "sum-bucket", "Key": "k"})
    assert err["Error"]["Code"] == "InvalidRequest"
    out = s3.delete_objects(Bucket="sum-bucket", Delete={"Objects": [{"Key": "k"}, {"Key": "copy"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["copy", "k"]
    assert json.loads(json.dumps(s3.list_objects(Bucket="sum-bucket").get("Contents", []))) == []
