"""S3 bucket policies are enforced as AWS evaluates them: an explicit Deny
wins (the owner can always get, put and delete the policy itself), another
account or an anonymous caller needs an Allow naming it, and
PutBucketPolicy refuses policies AWS refuses."""

import json
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import STRICT_KEY, STRICT_SECRET, client_for
# A strict server with KEY_A of account 111111111111 and KEY_B of 222222222222.
from test_lambda_urls import KEY_A, KEY_B, SECRET_A, SECRET_B, strict_two_accounts  # noqa: F401
DENIED = (403, "AccessDenied", "Access Denied")


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    r = e.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"].get("Message")


def bucket_name():
    return f"policy-{uuid.uuid4().hex[:12]}"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def lock_deletes_under_locked(s3, bucket):
    """A bucket with `locked/a.txt` and `open/a.txt`, denying deletes under `locked/`."""
    s3.create_bucket(Bucket=bucket)
    for key in ("locked/a.txt", "open/a.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
        "Resource": f"arn:aws:s3:::{bucket}/locked/*"}))


def test_deny_delete_under_a_prefix(client):
    s3, bucket = client("s3"), bucket_name()
    lock_deletes_under_locked(s3, bucket)

    assert error_of(s3.delete_object, Bucket=bucket, Key="locked/a.txt") == DENIED
    s3.delete_object(Bucket=bucket, Key="open/a.txt")
    assert s3.get_object(Bucket=bucket, Key="locked/a.txt")["Body"].read() == b"x"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["locked/a.txt"]


def test_deny_insecure_transport_spares_the_policy_operations(client):
    s3, bucket = client("s3"), bucket_name()
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    deny_http = policy({
        "Sid": "HttpsOnly", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_http)

    assert error_of(s3.get_object, Bucket=bucket, Key="k") == DENIED
    assert error_of(s3.put_object, Bucket=bucket, Key="k2", Body=b"y") == DENIED
    assert error_of(s3.list_objects_v2, Bucket=bucket) == DENIED
    assert error_of(s3.get_bucket_tagging, Bucket=bucket) == DENIED
    assert error_of(s3.head_object, Bucket=bucket, Key="k")[0] == 403
    # The owner still reads, rewrites and removes the policy.
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(deny_http)
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_http)
    s3.delete_bucket_policy(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_conditions_on_request_members(client):
    s3, bucket = client("s3"), bucket_name()
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringLike": {"s3:prefix": "secret/*"}}}))

    assert error_of(s3.put_object, Bucket=bucket, Key="plain", Body=b"x") == DENIED
    s3.put_object(Bucket=bucket, Key="sealed", Body=b"x", ServerSideEncryption="AES256")
    assert error_of(s3.list_objects_v2, Bucket=bucket, Prefix="secret/a") == DENIED
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["sealed"]


def test_put_bucket_policy_validation(client):
    s3, bucket = client("s3"), bucket_name()
    s3.create_bucket(Bucket=bucket)
    cases = [
        ("not json", "Policies must be valid JSON and the first byte must be '{'"),
        (policy({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                 "Resource": f"arn:aws:s3:::{bucket}/*"}), "Policy has invalid action"),
        (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::some-other-bucket/*"}), "Policy has invalid resource"),
        (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}),
         "Policy has invalid resource"),
    ]
    for text, message in cases:
        assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=text) == (400, "MalformedPolicy", message)
    assert error_of(s3.get_bucket_policy, Bucket=bucket)[1] == "NoSuchBucketPolicy"


def test_other_account_needs_an_allow(strict_two_accounts):
    endpoint = strict_two_accounts.endpoint
    owner = client_for(endpoint, "s3", key=KEY_A, secret=SECRET_A)
    other = client_for(endpoint, "s3", key=KEY_B, secret=SECRET_B)
    bucket = bucket_name()
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="shared/a.txt", Body=b"a")

    assert error_of(other.get_object, Bucket=bucket, Key="shared/a.txt") == DENIED
    assert error_of(other.put_object, Bucket=bucket, Key="shared/b.txt", Body=b"b") == DENIED
    assert error_of(other.get_bucket_policy, Bucket=bucket) == DENIED
    assert error_of(other.put_bucket_policy, Bucket=bucket, Policy=policy({
        "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{bucket}/*"})) == DENIED

    owner.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/shared/*"]}))
    assert other.get_object(Bucket=bucket, Key="shared/a.txt")["Body"].read() == b"a"
    assert [o["Key"] for o in other.list_objects_v2(Bucket=bucket)["Contents"]] == ["shared/a.txt"]
    assert error_of(other.put_object, Bucket=bucket, Key="shared/b.txt", Body=b"b") == DENIED
    owner.put_object(Bucket=bucket, Key="private.txt", Body=b"p")
    assert error_of(other.get_object, Bucket=bucket, Key="private.txt") == DENIED
    # An unsigned request is anonymous: this policy names account 222222222222 only.
    assert requests.get(f"{endpoint}/{bucket}/shared/a.txt", timeout=30).status_code == 403


def test_anonymous_read_needs_a_public_policy(strict):
    owner = client_for(strict.endpoint, "s3", key=STRICT_KEY, secret=STRICT_SECRET)
    bucket = bucket_name()
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="site/index.html", Body=b"<h1>hi</h1>")
    url = f"{strict.endpoint}/{bucket}/site/index.html"

    refused = requests.get(url, timeout=30)
    assert refused.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Access Denied</Message>" in refused.text
    assert requests.get(strict.endpoint + "/", timeout=30).status_code == 403  # ListBuckets
    assert requests.put(f"{strict.endpoint}/{bucket_name()}", timeout=30).status_code == 403  # CreateBucket

    owner.delete_public_access_block(Bucket=bucket)  # public policies are blocked until then, as on AWS
    owner.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/site/*"}))
    public = requests.get(url, timeout=30)
    assert public.status_code == 200
    assert public.content == b"<h1>hi</h1>"
    assert requests.put(f"{strict.endpoint}/{bucket}/site/new.html", data=b"x", timeout=30).status_code == 403
    assert requests.get(f"{strict.endpoint}/{bucket}?list-type=2", timeout=30).status_code == 403
    # A missing bucket is NoSuchBucket for anyone, as on AWS.
    assert requests.get(f"{strict.endpoint}/{bucket_name()}/k", timeout=30).status_code == 404


def test_delete_objects_reports_each_denied_key(client):
    s3, bucket = client("s3"), bucket_name()
    lock_deletes_under_locked(s3, bucket)

    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "locked/a.txt"}, {"Key": "open/a.txt"}]})
    assert out["Deleted"] == [{"Key": "open/a.txt"}]
    assert out["Errors"] == [{"Key": "locked/a.txt", "Code": "AccessDenied", "Message": "Access Denied"}]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["locked/a.txt"]


def test_copy_needs_leave_to_read_the_source(strict_two_accounts):
    endpoint = strict_two_accounts.endpoint
    owner = client_for(endpoint, "s3", key=KEY_A, secret=SECRET_A)
    other = client_for(endpoint, "s3", key=KEY_B, secret=SECRET_B)
    source, target = bucket_name(), bucket_name()
    owner.create_bucket(Bucket=source)
    owner.put_object(Bucket=source, Key="shared/a.txt", Body=b"a" * 10)
    other.create_bucket(Bucket=target)
    copy_source = {"Bucket": source, "Key": "shared/a.txt"}

    assert error_of(other.copy_object, Bucket=target, Key="copy.txt", CopySource=copy_source) == DENIED
    upload = other.create_multipart_upload(Bucket=target, Key="parts.txt")["UploadId"]
    assert error_of(other.upload_part_copy, Bucket=target, Key="parts.txt", UploadId=upload, PartNumber=1,
                    CopySource=copy_source) == DENIED

    owner.put_bucket_policy(Bucket=source, Policy=policy({
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{source}/shared/*"}))
    other.copy_object(Bucket=target, Key="copy.txt", CopySource=copy_source)
    assert other.get_object(Bucket=target, Key="copy.txt")["Body"].read() == b"a" * 10
    part = other.upload_part_copy(Bucket=target, Key="parts.txt", UploadId=upload, PartNumber=1,
                                  CopySource=copy_source)
    assert part["CopyPartResult"]["ETag"]
    # The source's owner may not write into the other account's bucket.
    assert error_of(owner.copy_object, Bucket=target, Key="back.txt", CopySource=copy_source) == DENIED


def test_post_form_is_the_uploaders_put_object(strict):
    owner = client_for(strict.endpoint, "s3", key=STRICT_KEY, secret=STRICT_SECRET)
    bucket = bucket_name()
    owner.create_bucket(Bucket=bucket)

    def post(key):
        return requests.post(f"{strict.endpoint}/{bucket}", data={"key": key},
                             files={"file": ("a.txt", b"hello")}, timeout=30)

    refused = post("uploads/a.txt")
    assert refused.status_code == 403
    assert "<Code>AccessDenied</Code>" in refused.text

    owner.delete_public_access_block(Bucket=bucket)  # public policies are blocked until then, as on AWS
    owner.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Sid": "PublicUploads", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/uploads/*"}))
    assert post("uploads/a.txt").status_code == 204
    assert owner.get_object(Bucket=bucket, Key="uploads/a.txt")["Body"].read() == b"hello"
    assert post("private/a.txt").status_code == 403
    # A signed form is its signer's PutObject: the owner may post anywhere.
    form = owner.generate_presigned_post(bucket, "private/b.txt")
    signed = requests.post(form["url"], data=form["fields"], files={"file": ("b.txt", b"b")}, timeout=30)
    assert signed.status_code == 204, signed.text


def test_policy_status(client):
    s3 = client("s3")
    bucket = f"status-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy_status(Bucket=bucket)
    assert e.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    read = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    public = json.dumps({"Version": "2012-10-17", "Statement": [read]})
    # New buckets block public policies until BlockPublicPolicy is turned off.
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert (e.value.response["ResponseMetadata"]["HTTPStatusCode"], e.value.response["Error"]["Code"]) == (403, "AccessDenied")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    narrowed = {**read, "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [narrowed]}))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False


def test_deleted_configurations_stay_deleted(client):
    s3 = client("s3")
    bucket = f"deleted-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    for call, code in ((s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration"),
                       (s3.get_bucket_ownership_controls, "OwnershipControlsNotFoundError")):
        with pytest.raises(ClientError) as e:
            call(Bucket=bucket)
        assert (e.value.response["ResponseMetadata"]["HTTPStatusCode"], e.value.response["Error"]["Code"]) == (404, code)
