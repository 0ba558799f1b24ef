"""DynamoDB Streams and TTL through boto3 against a real server: every
iterator type, the view types' images, iterator expiry, a disabled stream
kept readable, and the background TTL reaper (`--reaper-interval`) whose
deletions reach the stream as the DynamoDB service."""

import base64
import json
import shutil
import tempfile
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import StratusProcess, client_for

SERVICE_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


@pytest.fixture(scope="module")
def reaping():
    """A server whose reapers run every second."""
    data_dir = tempfile.mkdtemp(prefix="stratus-compat-")
    server = StratusProcess(data_dir, ["--in-memory", "--reaper-interval", "1"]).start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def ddb(reaping):
    return client_for(reaping.endpoint, "dynamodb")


@pytest.fixture
def streams(reaping):
    return client_for(reaping.endpoint, "dynamodbstreams")


def make_table(ddb, view, ttl=False):
    name = f"st-{uuid.uuid4().hex[:8]}"
    out = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )
    if ttl:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    return name, out["TableDescription"]["LatestStreamArn"]


def shard_of(streams, arn):
    return streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]


def iterator(streams, arn, kind, **extra):
    return streams.get_shard_iterator(StreamArn=arn, ShardId=shard_of(streams, arn), ShardIteratorType=kind, **extra)[
        "ShardIterator"
    ]


def records(streams, arn, kind="TRIM_HORIZON", **extra):
    return streams.get_records(ShardIterator=iterator(streams, arn, kind, **extra))["Records"]


def pks(recs):
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in recs]


def error(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def write_read_delete(ddb, name):
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "2"}},
    )
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}})


def test_new_image_records_carry_only_the_item_after_the_change(ddb, streams):
    name, arn = make_table(ddb, "NEW_IMAGE")
    write_read_delete(ddb, name)
    recs = records(streams, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    assert [r["dynamodb"].get("NewImage") for r in recs] == [
        {"pk": {"S": "a"}, "v": {"N": "1"}},
        {"pk": {"S": "a"}, "v": {"N": "2"}},
        None,
    ]
    assert all("OldImage" not in r["dynamodb"] for r in recs)
    assert {r["dynamodb"]["StreamViewType"] for r in recs} == {"NEW_IMAGE"}
    assert all(r["dynamodb"]["Keys"] == {"pk": {"S": "a"}} for r in recs)


def test_old_image_records_carry_only_the_item_before_the_change(ddb, streams):
    name, arn = make_table(ddb, "OLD_IMAGE")
    write_read_delete(ddb, name)
    recs = records(streams, arn)
    assert [r["dynamodb"].get("OldImage") for r in recs] == [
        None,
        {"pk": {"S": "a"}, "v": {"N": "1"}},
        {"pk": {"S": "a"}, "v": {"N": "2"}},
    ]
    assert all("NewImage" not in r["dynamodb"] for r in recs)
    assert {r["dynamodb"]["StreamViewType"] for r in recs} == {"OLD_IMAGE"}


def test_latest_reads_only_what_is_written_after_it(ddb, streams):
    name, arn = make_table(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}})
    it = iterator(streams, arn, "LATEST")
    out = streams.get_records(ShardIterator=it)
    assert out["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    assert pks(streams.get_records(ShardIterator=out["NextShardIterator"])["Records"]) == ["after"]


def test_at_sequence_number_starts_at_that_record(ddb, streams):
    name, arn = make_table(ddb, "KEYS_ONLY")
    for pk in ["a", "b", "c"]:
        ddb.put_item(TableName=name, Item={"pk": {"S": pk}})
    seq = records(streams, arn)[1]["dynamodb"]["SequenceNumber"]
    assert pks(records(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=seq)) == ["b", "c"]
    assert pks(records(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=seq)) == ["c"]


def test_at_timestamp_starts_at_the_first_record_written_then_or_later(ddb, streams):
    name, arn = make_table(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "early"}})
    time.sleep(1.1)
    between = time.time()
    time.sleep(1.1)
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}})
    assert pks(records(streams, arn, "AT_TIMESTAMP", Timestamp=between)) == ["late"]
    assert pks(records(streams, arn, "AT_TIMESTAMP", Timestamp=between - 3600)) == ["early", "late"]
    code, _ = error(lambda: iterator(streams, arn, "AT_TIMESTAMP", Timestamp=time.time() + 3600))
    assert code == "ValidationException"


def forge(token, **changes):
    """The iterator is base64url JSON [stream arn, shard, next sequence, issued at]."""
    parts = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    if "issued" in changes:
        parts[3] = changes["issued"]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def test_an_iterator_expires_after_15_minutes(ddb, streams):
    name, arn = make_table(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    it = iterator(streams, arn, "TRIM_HORIZON")
    old = forge(it, issued=time.time() - 16 * 60)
    code, message = error(lambda: streams.get_records(ShardIterator=old))
    assert (code, message) == ("ExpiredIteratorException", "Iterator expired. The iterator was created over 15 minutes ago.")
    assert pks(streams.get_records(ShardIterator=forge(it, issued=time.time() - 14 * 60))["Records"]) == ["a"]


def test_a_disabled_stream_stays_listable_describable_and_readable(ddb, streams):
    name, first = make_table(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    desc = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert desc["StreamStatus"] == "DISABLED"
    assert desc["StreamViewType"] == "KEYS_ONLY"
    assert "EndingSequenceNumber" in desc["Shards"][0]["SequenceNumberRange"]
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    second = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    assert second != first
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}})
    listed = streams.list_streams(TableName=name)["Streams"]
    assert sorted(s["StreamArn"] for s in listed) == sorted([first, second])
    assert {s["StreamLabel"] for s in listed} == {first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]}
    assert streams.describe_stream(StreamArn=first)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert streams.describe_stream(StreamArn=second)["StreamDescription"]["StreamStatus"] == "ENABLED"
    out = streams.get_records(ShardIterator=iterator(streams, first, "TRIM_HORIZON"))
    assert pks(out["Records"]) == ["a"]
    assert "NextShardIterator" not in out  # the old shard is closed
    assert pks(records(streams, second)) == ["b"]


def test_the_reaper_deletes_expired_items_and_streams_the_removal_as_the_service(ddb, streams):
    name, arn = make_table(ddb, "NEW_AND_OLD_IMAGES", ttl=True)
    now = int(time.time())
    ddb.put_item(TableName=name, Item={"pk": {"S": "gone"}, "exp": {"N": str(now - 60)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "kept"}, "exp": {"N": str(now + 3600)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "user"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "user"}})
    deadline = time.time() + 10  # the reaper runs every second
    while "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "gone"}}) and time.time() < deadline:
        time.sleep(0.2)
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "gone"}})
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "kept"}})
    removes = [r for r in records(streams, arn) if r["eventName"] == "REMOVE"]
    by_pk = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in removes}
    assert by_pk["gone"]["userIdentity"] == SERVICE_IDENTITY
    assert by_pk["gone"]["dynamodb"]["OldImage"] == {"pk": {"S": "gone"}, "exp": {"N": str(now - 60)}}
    assert "NewImage" not in by_pk["gone"]["dynamodb"]
    assert "userIdentity" not in by_pk["user"]  # a client's own delete


def test_an_expired_item_is_returned_until_the_reaper_deletes_it(fresh_stratus):
    server = fresh_stratus("--in-memory", "--reaper-interval", "3600")
    ddb = client_for(server.endpoint, "dynamodb")
    name, _ = make_table(ddb, "KEYS_ONLY", ttl=True)
    past = str(int(time.time()) - 60)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "exp": {"N": past}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["exp"] == {"N": past}
    assert ddb.scan(TableName=name)["Count"] == 1
