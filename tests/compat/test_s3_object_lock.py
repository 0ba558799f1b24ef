"""S3 Object Lock, GetObjectAttributes, Transfer Acceleration, Requester
Pays and server access logging configuration through boto3, with the codes,
messages and status codes recorded from AWS (aws-reference test_s3 and
test_s3_api: TestS3ObjectLock, TestS3ObjectLockRetention,
TestS3ObjectLockLegalHold, TestS3BucketLogging, test_get_object_attributes)."""

import base64
import datetime
import time
import hashlib
import uuid
import zlib

import pytest
from botocore.exceptions import ClientError

from conftest import client_error, client_for

PROTECTED = "Access Denied because object protected by object lock."
NO_OBJECT_LOCK = "The specified object does not have a ObjectLock configuration"



def name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def future(days=1):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)



@pytest.fixture
def locked(s3):
    bucket = name("locked")
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    return bucket


def test_configuration_on_create_and_on_existing_bucket(s3, locked):
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    conf = s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"]
    assert conf == {"ObjectLockEnabled": "Enabled"}
    rule = {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule})
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"]["Rule"] == rule

    plain = name("plain")
    s3.create_bucket(Bucket=plain)
    status, err = client_error(s3.get_object_lock_configuration, Bucket=plain)
    assert status == 404 and err["Code"] == "ObjectLockConfigurationNotFoundError"
    assert err["Message"] == "Object Lock configuration does not exist for this bucket"
    status, err = client_error(s3.put_object_lock_configuration, Bucket=plain,
                        ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert status == 409 and err["Code"] == "InvalidBucketState"
    assert err["Message"] == "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
    s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=plain, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert s3.get_object_lock_configuration(Bucket=plain)["ObjectLockConfiguration"]["ObjectLockEnabled"] == "Enabled"

    status, err = client_error(s3.put_bucket_versioning, Bucket=locked, VersioningConfiguration={"Status": "Suspended"})
    assert status == 409 and err["Code"] == "InvalidBucketState"
    assert err["Message"] == ("An Object Lock configuration is present on this bucket, "
                              "so the versioning state cannot be changed.")
    s3.put_bucket_versioning(Bucket=locked, VersioningConfiguration={"Status": "Enabled"})


@pytest.mark.parametrize("conf", [
    {},
    {"ObjectLockEnabled": "Enabled", "Rule": {}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {}}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE"}}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "BAD", "Days": 1}}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}},
])
def test_malformed_lock_configurations(s3, locked, conf):
    status, err = client_error(s3.put_object_lock_configuration, Bucket=locked, ObjectLockConfiguration=conf)
    assert status == 400 and err["Code"] == "MalformedXML"


def test_retention_protects_versions(s3, locked):
    v1 = s3.put_object(Bucket=locked, Key="k", Body=b"test")["VersionId"]
    until = future()
    s3.put_object_retention(Bucket=locked, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    got = s3.get_object_retention(Bucket=locked, Key="k")["Retention"]
    assert got["Mode"] == "GOVERNANCE" and abs((got["RetainUntilDate"] - until).total_seconds()) < 1
    head = s3.head_object(Bucket=locked, Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE" and "ObjectLockRetainUntilDate" in head

    status, err = client_error(s3.delete_object, Bucket=locked, Key="k", VersionId=v1)
    assert (status, err["Code"], err["Message"]) == (403, "AccessDenied", PROTECTED)
    # Shortening needs the bypass; extending does not.
    status, err = client_error(s3.put_object_retention, Bucket=locked, Key="k",
                        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(0.5)})
    assert (status, err["Code"]) == (403, "AccessDenied")
    s3.put_object_retention(Bucket=locked, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(2)})
    # A delete without a version adds a delete marker, which is allowed.
    marker = s3.delete_object(Bucket=locked, Key="k")
    assert marker["DeleteMarker"] is True
    status, err = client_error(s3.get_object_retention, Bucket=locked, Key="k", VersionId=marker["VersionId"])
    assert status == 405 and err["Code"] == "MethodNotAllowed"
    out = s3.delete_object(Bucket=locked, Key="k", VersionId=v1, BypassGovernanceRetention=True)
    assert out["VersionId"] == v1

    v2 = s3.put_object(Bucket=locked, Key="k2", Body=b"test")["VersionId"]
    s3.put_object_retention(Bucket=locked, Key="k2", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": future()})
    for retention in ({"Mode": "GOVERNANCE", "RetainUntilDate": future(3)}, {}):
        status, err = client_error(s3.put_object_retention, Bucket=locked, Key="k2", Retention=retention,
                            BypassGovernanceRetention=True)
        assert (status, err["Code"]) == (403, "AccessDenied")
    status, err = client_error(s3.delete_object, Bucket=locked, Key="k2", VersionId=v2, BypassGovernanceRetention=True)
    assert (status, err["Message"]) == (403, PROTECTED)
    result = s3.delete_objects(Bucket=locked, Delete={"Objects": [{"Key": "k2", "VersionId": v2}]})
    assert result["Errors"] == [{"Key": "k2", "VersionId": v2, "Code": "AccessDenied", "Message": PROTECTED}]


def test_retention_errors(s3, locked):
    status, err = client_error(s3.put_object_retention, Bucket=locked, Key="missing",
                        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future()})
    assert (status, err["Code"]) == (404, "NoSuchKey")
    s3.put_object(Bucket=locked, Key="k", Body=b"x")
    status, err = client_error(s3.get_object_retention, Bucket=locked, Key="k")
    assert (status, err["Code"], err["Message"]) == (404, "NoSuchObjectLockConfiguration", NO_OBJECT_LOCK)
    status, err = client_error(s3.put_object_retention, Bucket=locked, Key="k", Retention={"Mode": "GOVERNANCE"})
    assert (status, err["Code"]) == (400, "MalformedXML")
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    status, err = client_error(s3.put_object_retention, Bucket=locked, Key="k",
                        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past})
    assert (status, err["Code"], err["Message"]) == (400, "InvalidArgument", "The retain until date must be in the future!")
    plain = name("plain")
    s3.create_bucket(Bucket=plain)
    s3.put_object(Bucket=plain, Key="k", Body=b"x")
    for call in (s3.get_object_retention, s3.get_object_legal_hold):
        status, err = client_error(call, Bucket=plain, Key="k")
        assert (status, err["Code"], err["Message"]) == (400, "InvalidRequest", "Bucket is missing Object Lock Configuration")
    status, err = client_error(s3.delete_object, Bucket=plain, Key="k", BypassGovernanceRetention=True)
    assert (status, err["Code"]) == (400, "InvalidArgument")
    assert err["Message"] == "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets."


def test_legal_hold(s3, locked):
    v1 = s3.put_object(Bucket=locked, Key="held", Body=b"test")["VersionId"]
    status, err = client_error(s3.get_object_legal_hold, Bucket=locked, Key="held")
    assert (status, err["Code"]) == (404, "NoSuchObjectLockConfiguration")
    s3.put_object_legal_hold(Bucket=locked, Key="held", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=locked, Key="held")["LegalHold"] == {"Status": "ON"}
    assert s3.head_object(Bucket=locked, Key="held")["ObjectLockLegalHoldStatus"] == "ON"
    for bypass in (False, True):
        status, err = client_error(s3.delete_object, Bucket=locked, Key="held", VersionId=v1, BypassGovernanceRetention=bypass)
        assert (status, err["Message"]) == (403, PROTECTED)
    s3.put_object_legal_hold(Bucket=locked, Key="held", LegalHold={"Status": "OFF"})
    assert s3.head_object(Bucket=locked, Key="held")["ObjectLockLegalHoldStatus"] == "OFF"
    assert s3.delete_object(Bucket=locked, Key="held", VersionId=v1)["VersionId"] == v1

    s3.put_object(Bucket=locked, Key="born-held", Body=b"x", ObjectLockLegalHoldStatus="ON")
    assert s3.head_object(Bucket=locked, Key="born-held")["ObjectLockLegalHoldStatus"] == "ON"


def test_lock_headers_and_default_retention(s3, locked):
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    s3.put_object(Bucket=locked, Key="default", Body=b"default retention")
    head = s3.head_object(Bucket=locked, Key="default")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    left = head["ObjectLockRetainUntilDate"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=23) < left <= datetime.timedelta(days=1)

    s3.put_object(Bucket=locked, Key="explicit", Body=b"x", ObjectLockMode="COMPLIANCE",
                  ObjectLockRetainUntilDate=future(5))
    assert s3.head_object(Bucket=locked, Key="explicit")["ObjectLockMode"] == "COMPLIANCE"
    status, err = client_error(s3.put_object, Bucket=locked, Key="x", Body=b"x", ObjectLockMode="GOVERNANCE")
    assert (status, err["Code"]) == (400, "InvalidArgument")
    assert err["Message"] == "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"
    assert err["ArgumentName"] == "x-amz-object-lock-retain-until-date"
    status, err = client_error(s3.put_object, Bucket=locked, Key="x", Body=b"x", ObjectLockRetainUntilDate=future())
    assert err["ArgumentName"] == "x-amz-object-lock-mode"
    status, err = client_error(s3.put_object, Bucket=locked, Key="x", Body=b"x", ObjectLockMode="BAD-VALUE",
                        ObjectLockRetainUntilDate=future())
    assert (status, err["Message"], err["ArgumentValue"]) == (400, "Unknown wormMode directive.", "BAD-VALUE")
    status, err = client_error(s3.create_multipart_upload, Bucket=locked, Key="x", ObjectLockMode="BAD-VALUE",
                        ObjectLockRetainUntilDate=future())
    assert err["Message"] == "Unknown wormMode directive."

    # A multipart upload takes its lock from CreateMultipartUpload.
    up = s3.create_multipart_upload(Bucket=locked, Key="mpu", ObjectLockLegalHoldStatus="ON")
    part = s3.upload_part(Bucket=locked, Key="mpu", UploadId=up["UploadId"], PartNumber=1, Body=b"part")
    s3.complete_multipart_upload(Bucket=locked, Key="mpu", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=locked, Key="mpu")["ObjectLockLegalHoldStatus"] == "ON"

    # A copy does not inherit the source's lock (it gets the default).
    src = s3.put_object(Bucket=locked, Key="src", Body=b"x", ObjectLockLegalHoldStatus="ON")
    s3.copy_object(Bucket=locked, Key="dst", CopySource={"Bucket": locked, "Key": "src", "VersionId": src["VersionId"]})
    assert "ObjectLockLegalHoldStatus" not in s3.head_object(Bucket=locked, Key="dst")

    plain = name("plain")
    s3.create_bucket(Bucket=plain)
    status, err = client_error(s3.put_object, Bucket=plain, Key="x", Body=b"x", ObjectLockLegalHoldStatus="ON")
    assert (status, err["Code"], err["Message"]) == (400, "InvalidRequest", "Bucket is missing Object Lock Configuration")


def test_lock_survives_restart(fresh_stratus):
    server = fresh_stratus()
    s3 = client_for(server.endpoint, "s3")
    bucket = name("durable-lock")
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    v = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=future())["VersionId"]
    server.restart()
    s3 = client_for(server.endpoint, "s3")
    assert s3.get_object_retention(Bucket=bucket, Key="k")["Retention"]["Mode"] == "COMPLIANCE"
    status, err = client_error(s3.delete_object, Bucket=bucket, Key="k", VersionId=v)
    assert (status, err["Message"]) == (403, PROTECTED)


def test_get_object_attributes(s3):
    bucket = name("attrs")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data", Body=b"objects", ChecksumAlgorithm="CRC32")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="data",
                                     ObjectAttributes=["ETag", "Checksum", "ObjectSize", "StorageClass"])
    crc = base64.b64encode(zlib.crc32(b"objects").to_bytes(4, "big")).decode()
    assert attrs["ETag"] == hashlib.md5(b"objects").hexdigest()
    assert attrs["Checksum"] == {"ChecksumCRC32": crc, "ChecksumType": "FULL_OBJECT"}
    assert attrs["ObjectSize"] == 7 and attrs["StorageClass"] == "STANDARD"
    assert "LastModified" in attrs

    up = s3.create_multipart_upload(Bucket=bucket, Key="mpu")
    etags = []
    for n, body in ((1, b"a" * 5 * 1024 * 1024), (2, b"b" * 85)):
        etags.append(s3.upload_part(Bucket=bucket, Key="mpu", UploadId=up["UploadId"], PartNumber=n, Body=body)["ETag"])
    s3.complete_multipart_upload(Bucket=bucket, Key="mpu", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
    attrs = s3.get_object_attributes(Bucket=bucket, Key="mpu", ObjectAttributes=["ETag", "ObjectParts", "ObjectSize"])
    assert attrs["ETag"].endswith("-2") and attrs["ObjectSize"] == 5 * 1024 * 1024 + 85
    assert attrs["ObjectParts"]["TotalPartsCount"] == 2

    status, err = client_error(s3.get_object_attributes, Bucket=bucket, Key="missing", ObjectAttributes=["ETag"])
    assert (status, err["Code"]) == (404, "NoSuchKey")
    status, err = client_error(s3.get_object_attributes, Bucket=bucket, Key="data", ObjectAttributes=["Colour"])
    assert (status, err["Code"]) == (400, "InvalidArgument")


def test_get_object_attributes_versioned(s3):
    bucket = name("attrs-v")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"objects")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"objects-2")
    s3.delete_object(Bucket=bucket, Key="k")
    status, err = client_error(s3.get_object_attributes, Bucket=bucket, Key="k", ObjectAttributes=["ETag"])
    assert (status, err["Code"]) == (404, "NoSuchKey")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=v1, ObjectAttributes=["ObjectSize"])
    assert attrs["ObjectSize"] == 7 and attrs["VersionId"] == v1


def test_accelerate_and_request_payment(s3):
    bucket = name("accel")
    s3.create_bucket(Bucket=bucket)
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    status, err = client_error(s3.put_bucket_accelerate_configuration, Bucket=bucket,
                        AccelerateConfiguration={"Status": "Maybe"})
    assert (status, err["Code"]) == (400, "MalformedXML")
    dotted = f"{name('accel')}.dotted"
    s3.create_bucket(Bucket=dotted)
    status, err = client_error(s3.put_bucket_accelerate_configuration, Bucket=dotted,
                        AccelerateConfiguration={"Status": "Enabled"})
    assert (status, err["Code"]) == (400, "InvalidRequest")

    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    status, err = client_error(s3.get_bucket_request_payment, Bucket=name("missing"))
    assert (status, err["Code"]) == (404, "NoSuchBucket")


def test_bucket_logging_configuration(s3, client):
    source, target = name("logged"), name("logs")
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=target)
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "log"}})
    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"] == {"TargetBucket": target, "TargetPrefix": "log"}
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)

    missing = name("missing")
    status, err = client_error(s3.put_bucket_logging, Bucket=source,
                        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": missing, "TargetPrefix": "log"}})
    assert (status, err["Code"], err["Message"]) == (400, "InvalidTargetBucketForLogging",
                                                      "The target bucket for logging does not exist")
    assert err["TargetBucket"] == missing
    elsewhere = name("logs-eu")
    s3.create_bucket(Bucket=elsewhere, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    status, err = client_error(s3.put_bucket_logging, Bucket=source,
                        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": elsewhere, "TargetPrefix": "log"}})
    assert (status, err["Code"]) == (403, "CrossLocationLoggingProhibitted")
    assert err["Message"] == "Cross S3 location logging not allowed. "
    assert err["TargetBucketLocation"] == "eu-west-1" and "SourceBucketLocation" not in err


def test_access_logs_are_delivered(fresh_stratus):
    server = fresh_stratus("--reaper-interval", "1")
    s3 = client_for(server.endpoint, "s3")
    source, target = name("logged"), name("logs")
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=target)
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "access/"}})
    s3.put_object(Bucket=source, Key="a file.txt", Body=b"hello")
    assert s3.get_object(Bucket=source, Key="a file.txt")["Body"].read() == b"hello"
    with pytest.raises(ClientError):
        s3.get_object(Bucket=source, Key="missing")
    s3.delete_object(Bucket=source, Key="a file.txt")
    lines = []
    for _ in range(100):
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=target).get("Contents", [])]
        lines = [line for k in keys for line in s3.get_object(Bucket=target, Key=k)["Body"].read().decode().splitlines()]
        if len(lines) >= 4:
            break
        time.sleep(0.1)
    assert all(k.startswith("access/") and len(k) == len("access/2026-11-28-02-00-00-") + 16 for k in keys)
    by_op = {line.split()[7]: line.split() for line in lines if "missing" not in line}
    put, get, delete = by_op["REST.PUT.OBJECT"], by_op["REST.GET.OBJECT"], by_op["REST.DELETE.OBJECT"]
    assert put[1] == source and put[8] == "a+file.txt"
    assert (put[12], get[12], get[14], delete[12]) == ("200", "200", "5", "204")
    missing = next(line.split() for line in lines if "missing" in line)
    assert (missing[12], missing[13]) == ("404", "NoSuchKey")
    # The target's own deliveries are not logged, and logging off stops the records.
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    s3.put_object(Bucket=source, Key="quiet", Body=b"x")
    time.sleep(1.5)
    later = [o["Key"] for o in s3.list_objects_v2(Bucket=target).get("Contents", [])]
    assert len(later) == len(keys)
