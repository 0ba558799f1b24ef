"""S3 archive storage classes through boto3: GetObject of a GLACIER or
DEEP_ARCHIVE object answers 403 InvalidObjectState with the storage class
(as recorded from AWS: test_s3 TestS3DeepArchive, test_put_object_storage_class)
while HEAD still works; RestoreObject answers 202, then 200 while the
restored copy lives; HEAD then shows `x-amz-restore` and GetObject reads;
the ObjectRestore:Post and ObjectRestore:Completed events (the latter with
glacierEventData); GLACIER_IR reads directly."""

import time
from email.utils import parsedate_to_datetime

import pytest
from botocore.exceptions import ClientError

from conftest import client_for
from test_s3_notifications import drain, make_queue, tag

ARCHIVE_MESSAGE = "The operation is not valid for the object's storage class"


def assert_archived(s3, bucket, key, storage_class):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key=key)
    r = e.value.response
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert r["Error"]["Code"] == "InvalidObjectState"
    assert r["Error"]["Message"] == ARCHIVE_MESSAGE
    assert r["Error"]["StorageClass"] == storage_class
    assert r["ResponseMetadata"]["HTTPHeaders"]["x-amz-storage-class"] == storage_class


def bucket_notifying_restores(s3, sqs):
    """A new bucket whose ObjectRestore events go to a new queue (its test event taken)."""
    t = tag()
    bucket = f"archive-{t}"
    s3.create_bucket(Bucket=bucket)
    url, queue_arn = make_queue(sqs, f"s3-restore-{t}")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "restores", "QueueArn": queue_arn, "Events": ["s3:ObjectRestore:*"]}]})
    assert drain(sqs, url, 1)[0]["Event"] == "s3:TestEvent"
    return bucket, url


def test_glacier_object_needs_a_restore_before_get(client):
    s3, sqs = client("s3"), client("sqs")
    bucket, url = bucket_notifying_restores(s3, sqs)

    s3.put_object(Bucket=bucket, Key="cold.txt", Body=b"frozen data", StorageClass="GLACIER")
    head = s3.head_object(Bucket=bucket, Key="cold.txt")
    assert head["StorageClass"] == "GLACIER"
    assert head["ContentLength"] == 11
    assert "Restore" not in head
    assert_archived(s3, bucket, "cold.txt", "GLACIER")

    before = time.time()
    first = s3.restore_object(Bucket=bucket, Key="cold.txt", RestoreRequest={"Days": 2})
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 202
    restore = s3.head_object(Bucket=bucket, Key="cold.txt")["Restore"]
    assert restore.startswith('ongoing-request="false", expiry-date="')
    expiry = parsedate_to_datetime(restore.split('expiry-date="')[1].rstrip('"')).timestamp()
    assert expiry % 86400 == 0  # midnight UTC
    assert before + 2 * 86400 <= expiry <= before + 3 * 86400 + 60

    got = s3.get_object(Bucket=bucket, Key="cold.txt")
    assert got["Body"].read() == b"frozen data"
    assert got["StorageClass"] == "GLACIER"
    again = s3.restore_object(Bucket=bucket, Key="cold.txt", RestoreRequest={"Days": 1})
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200

    post, completed = drain(sqs, url, 2)
    assert [post["Records"][0]["eventName"], completed["Records"][0]["eventName"]] == [
        "ObjectRestore:Post", "ObjectRestore:Completed"]
    for body in (post, completed):
        obj = body["Records"][0]["s3"]["object"]
        assert obj["key"] == "cold.txt" and obj["size"] == 11 and "sequencer" in obj
    assert "glacierEventData" not in post["Records"][0]
    data = completed["Records"][0]["glacierEventData"]["restoreEventData"]
    assert data["lifecycleRestoreStorageClass"] == "GLACIER"
    assert data["lifecycleRestorationExpiryTime"].endswith("T00:00:00.000Z")


def test_deep_archive_glacier_ir_and_standard(client):
    s3 = client("s3")
    bucket = f"archive-classes-{tag()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="deep", Body=b"d", StorageClass="DEEP_ARCHIVE")
    assert s3.head_object(Bucket=bucket, Key="deep")["StorageClass"] == "DEEP_ARCHIVE"
    assert_archived(s3, bucket, "deep", "DEEP_ARCHIVE")
    assert s3.restore_object(Bucket=bucket, Key="deep", RestoreRequest={"Days": 1})[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.get_object(Bucket=bucket, Key="deep")["Body"].read() == b"d"

    s3.put_object(Bucket=bucket, Key="instant", Body=b"ir", StorageClass="GLACIER_IR")
    got = s3.get_object(Bucket=bucket, Key="instant")
    assert got["Body"].read() == b"ir"
    assert got["StorageClass"] == "GLACIER_IR"

    for key, cls in (("instant", "GLACIER_IR"), ("plain", None)):
        if cls is None:
            s3.put_object(Bucket=bucket, Key=key, Body=b"p")
        with pytest.raises(ClientError) as e:
            s3.restore_object(Bucket=bucket, Key=key, RestoreRequest={"Days": 1})
        err = e.value.response["Error"]
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert err["Code"] == "InvalidObjectState"
        assert err["Message"] == "Restore is not allowed for the object's current storage class"
    with pytest.raises(ClientError) as e:
        s3.restore_object(Bucket=bucket, Key="missing", RestoreRequest={"Days": 1})
    assert e.value.response["Error"]["Code"] == "NoSuchKey"


def test_copying_an_archived_object_needs_a_restore(client):
    s3 = client("s3")
    bucket = f"archive-copy-{tag()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="DEEP_ARCHIVE")
    for copy in (
        lambda: s3.copy_object(Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"}),
        lambda: s3.upload_part_copy(
            Bucket=bucket, Key="parts", PartNumber=1, CopySource={"Bucket": bucket, "Key": "cold"},
            UploadId=s3.create_multipart_upload(Bucket=bucket, Key="parts")["UploadId"]),
    ):
        with pytest.raises(ClientError) as e:
            copy()
        r = e.value.response
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert r["Error"]["Code"] == "InvalidObjectState"
        assert r["Error"]["Message"] == "Operation is not valid for the source object's storage class"
        assert r["Error"]["StorageClass"] == "DEEP_ARCHIVE"
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    s3.copy_object(Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"})
    warm = s3.get_object(Bucket=bucket, Key="warm")
    assert warm["Body"].read() == b"frozen"
    assert warm.get("StorageClass", "STANDARD") == "STANDARD"  # a copy is STANDARD unless told otherwise


def test_a_restore_in_progress_until_it_is_ready(fresh_stratus):
    """With `--s3-restore-seconds 2`, the restore takes two seconds: HEAD
    says ongoing-request="true", GetObject still refuses, and a second
    RestoreObject answers 409 RestoreAlreadyInProgress; the Completed event
    comes when it is ready, and the restart in between loses nothing."""
    server = fresh_stratus("--s3-restore-seconds", "2", "--reaper-interval", "1")
    s3, sqs = client_for(server.endpoint, "s3"), client_for(server.endpoint, "sqs")
    bucket, url = bucket_notifying_restores(s3, sqs)
    s3.put_object(Bucket=bucket, Key="cold.txt", Body=b"frozen data", StorageClass="DEEP_ARCHIVE")

    assert s3.restore_object(Bucket=bucket, Key="cold.txt")["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="cold.txt")["Restore"] == 'ongoing-request="true"'
    assert_archived(s3, bucket, "cold.txt", "DEEP_ARCHIVE")
    with pytest.raises(ClientError) as e:
        s3.restore_object(Bucket=bucket, Key="cold.txt")
    r = e.value.response
    assert (r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]) == (
        409, "RestoreAlreadyInProgress", "Object restore is already in progress")
    assert [b["Records"][0]["eventName"] for b in drain(sqs, url, 1, settle=0.1)] == ["ObjectRestore:Post"]

    server.stop()
    server = fresh_stratus("--s3-restore-seconds", "2", "--reaper-interval", "1")
    s3, sqs = client_for(server.endpoint, "s3"), client_for(server.endpoint, "sqs")
    completed = drain(sqs, url, 1)[0]["Records"][0]
    assert completed["eventName"] == "ObjectRestore:Completed"
    assert completed["glacierEventData"]["restoreEventData"]["lifecycleRestoreStorageClass"] == "DEEP_ARCHIVE"
    assert s3.head_object(Bucket=bucket, Key="cold.txt")["Restore"].startswith('ongoing-request="false", expiry-date="')
    assert s3.get_object(Bucket=bucket, Key="cold.txt")["Body"].read() == b"frozen data"
