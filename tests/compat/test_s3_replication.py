"""S3 replication through boto3: the configuration's rules and errors (as
recorded from AWS in aws-reference TestS3BucketReplication), and new
versions copied to the destination bucket under the same version id, with
ReplicationStatus PENDING/COMPLETED on the source and REPLICA on the copy;
prefix and tag filters; delete markers where the rule replicates them."""

import time
import uuid


from conftest import client_error

ROLE = "arn:aws:iam::000000000000:role/replication"




def versioned_bucket(s3, prefix):
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def rule(dest, **extra):
    r = {"ID": "r", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "docs/"},
         "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": f"arn:aws:s3:::{dest}"}}
    r.update(extra)
    return r


def wait_status(s3, bucket, key, version_id, want="COMPLETED"):
    status = None
    for _ in range(100):
        status = s3.head_object(Bucket=bucket, Key=key, VersionId=version_id).get("ReplicationStatus")
        if status == want:
            return
        time.sleep(0.05)
    raise AssertionError(f"replication status stayed {status}")


def test_configuration(s3):
    source = f"src-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=source)
    dest = versioned_bucket(s3, "dst")
    status, err = client_error(s3.get_bucket_replication, Bucket=source)
    assert (status, err["Code"], err["Message"]) == (404, "ReplicationConfigurationNotFoundError",
                                                      "The replication configuration was not found")
    conf = {"Role": ROLE, "Rules": [rule(dest)]}
    status, err = client_error(s3.put_bucket_replication, Bucket=source, ReplicationConfiguration=conf)
    assert (status, err["Code"], err["Message"]) == (400, "InvalidRequest",
                                                      "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
    s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
    status, err = client_error(s3.put_bucket_replication, Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": []})
    assert (status, err["Code"]) == (400, "MalformedXML")
    unversioned = f"plain-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=unversioned)
    for target in (unversioned, f"missing-{uuid.uuid4().hex[:8]}"):
        status, err = client_error(s3.put_bucket_replication, Bucket=source,
                            ReplicationConfiguration={"Role": ROLE, "Rules": [rule(target)]})
        assert (status, err["Message"]) == (400, "Destination bucket must have versioning enabled.")
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration=conf)
    got = s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]
    assert got["Role"] == ROLE and got["Rules"][0]["Filter"] == {"Prefix": "docs/"}
    for _ in range(2):
        assert s3.delete_bucket_replication(Bucket=source)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client_error(s3.get_bucket_replication, Bucket=source)[0] == 404


def test_new_versions_are_replicated(s3):
    source, dest = versioned_bucket(s3, "src"), versioned_bucket(s3, "dst")
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [
        rule(dest, DeleteMarkerReplication={"Status": "Enabled"})]})
    put = s3.put_object(Bucket=source, Key="docs/a.txt", Body=b"replicate me", ContentType="text/plain",
                        Metadata={"colour": "blue"})
    wait_status(s3, source, "docs/a.txt", put["VersionId"])
    copy = s3.get_object(Bucket=dest, Key="docs/a.txt", VersionId=put["VersionId"])
    assert copy["Body"].read() == b"replicate me"
    assert (copy["ReplicationStatus"], copy["ETag"], copy["ContentType"], copy["Metadata"]) == (
        "REPLICA", put["ETag"], "text/plain", {"colour": "blue"})

    other = s3.put_object(Bucket=source, Key="other/b.txt", Body=b"stay")
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="other/b.txt", VersionId=other["VersionId"])
    assert client_error(s3.head_object, Bucket=dest, Key="other/b.txt")[0] == 404

    up = s3.create_multipart_upload(Bucket=source, Key="docs/big.bin")
    etags = [s3.upload_part(Bucket=source, Key="docs/big.bin", UploadId=up["UploadId"], PartNumber=n,
                            Body=bytes([n]) * (5 * 1024 * 1024 if n == 1 else 10))["ETag"] for n in (1, 2)]
    done = s3.complete_multipart_upload(Bucket=source, Key="docs/big.bin", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
    wait_status(s3, source, "docs/big.bin", done["VersionId"])
    head = s3.head_object(Bucket=dest, Key="docs/big.bin", VersionId=done["VersionId"], PartNumber=2)
    assert (head["ETag"], head["ContentLength"], head["PartsCount"]) == (done["ETag"], 10, 2)

    marker = s3.delete_object(Bucket=source, Key="docs/a.txt")
    for _ in range(100):
        markers = s3.list_object_versions(Bucket=dest, Prefix="docs/a.txt").get("DeleteMarkers", [])
        if markers:
            break
        time.sleep(0.05)
    assert [m["VersionId"] for m in markers] == [marker["VersionId"]]
    # Deleting a version by id is not replicated.
    s3.delete_object(Bucket=source, Key="docs/a.txt", VersionId=put["VersionId"])
    assert s3.head_object(Bucket=dest, Key="docs/a.txt", VersionId=put["VersionId"])["ContentLength"] == 12


def test_tag_filters_and_disabled_rules(s3):
    source, dest, idle = versioned_bucket(s3, "src"), versioned_bucket(s3, "dst"), versioned_bucket(s3, "idle")
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [
        {"ID": "tagged", "Priority": 2, "Status": "Enabled",
         "Filter": {"And": {"Prefix": "", "Tags": [{"Key": "replicate", "Value": "yes"}]}},
         "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": f"arn:aws:s3:::{dest}"}},
        {"ID": "off", "Priority": 1, "Status": "Disabled", "Filter": {},
         "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": f"arn:aws:s3:::{idle}"}},
    ]})
    yes = s3.put_object(Bucket=source, Key="t1", Body=b"1", Tagging="replicate=yes")
    no = s3.put_object(Bucket=source, Key="t2", Body=b"2", Tagging="replicate=no")
    wait_status(s3, source, "t1", yes["VersionId"])
    assert s3.get_object_tagging(Bucket=dest, Key="t1")["TagSet"] == [{"Key": "replicate", "Value": "yes"}]
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="t2", VersionId=no["VersionId"])
    assert "Versions" not in s3.list_object_versions(Bucket=idle)
