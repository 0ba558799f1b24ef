"""DynamoDB as boto3 (client and resource layer, boto3.dynamodb.conditions)
and the aws CLI meet it: tables, items, expressions, queries, batches,
transactions and AWS's error texts."""

import uuid
from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError


def table_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def resource(stratus):
    return boto3.resource(
        "dynamodb",
        endpoint_url=stratus.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def make_table(resource, name, sort=True):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort:
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    table = resource.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=keys, BillingMode="PAY_PER_REQUEST")
    table.wait_until_exists()
    return table


def test_resource_layer_items_and_conditions(resource):
    table = make_table(resource, table_name("res"))
    with table.batch_writer() as batch:
        for i in range(30):
            batch.put_item(Item={"pk": "user", "sk": i, "score": Decimal(i) / 2, "tags": {"a", "b"}, "doc": {"n": [1, 2]}})
    got = table.get_item(Key={"pk": "user", "sk": 3})["Item"]
    assert got["score"] == Decimal("1.5")
    assert got["tags"] == {"a", "b"}
    assert got["doc"] == {"n": [Decimal(1), Decimal(2)]}

    out = table.query(KeyConditionExpression=Key("pk").eq("user") & Key("sk").between(10, 19), FilterExpression=Attr("score").gte(7))
    assert [int(i["sk"]) for i in out["Items"]] == [14, 15, 16, 17, 18, 19]
    assert out["ScannedCount"] == 10

    out = table.query(KeyConditionExpression=Key("pk").eq("user"), ScanIndexForward=False, Limit=3)
    assert [int(i["sk"]) for i in out["Items"]] == [29, 28, 27]
    assert out["LastEvaluatedKey"] == {"pk": "user", "sk": Decimal(27)}

    out = table.scan(FilterExpression=Attr("sk").is_in([1, 2, 99]) | Attr("doc.n").size().eq(5))
    assert sorted(int(i["sk"]) for i in out["Items"]) == [1, 2]

    table.update_item(
        Key={"pk": "user", "sk": 1},
        UpdateExpression="SET score = score + :inc, #d.n[0] = :z REMOVE tags",
        ExpressionAttributeNames={"#d": "doc"},
        ExpressionAttributeValues={":inc": Decimal("0.25"), ":z": 0},
    )
    got = table.get_item(Key={"pk": "user", "sk": 1})["Item"]
    assert got["score"] == Decimal("0.75") and got["doc"]["n"][0] == 0 and "tags" not in got

    with pytest.raises(ClientError) as e:
        table.put_item(Item={"pk": "user", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
    assert e.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert e.value.response["Error"]["Message"] == "The conditional request failed"
    table.delete()


def test_client_errors_and_transactions(client):
    ddb = client("dynamodb")
    name = table_name("cli")
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=name, Item={"nope": {"S": "x"}})
    assert e.value.response["Error"]["Message"] == "One or more parameter values were invalid: Missing the key pk in the item"
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName="missing-table", Key={"pk": {"S": "x"}})
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "Cannot do operations on a non-existent table"

    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": {"pk": {"S": "b"}}}},
                {
                    "Update": {
                        "TableName": name,
                        "Key": {"pk": {"S": "a"}},
                        "UpdateExpression": "SET n = n + :one",
                        "ConditionExpression": "n = :two",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":two": {"N": "2"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    err = e.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    reasons = err["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}}
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "b"}})
    ddb.delete_table(TableName=name)


def test_cli_common_commands(cli):
    name = table_name("awscli")
    out = cli(
        "dynamodb", "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=pk,AttributeType=S",
        "--key-schema", "AttributeName=pk,KeyType=HASH",
        "--billing-mode", "PAY_PER_REQUEST",
    )
    assert out["TableDescription"]["TableName"] == name
    cli("dynamodb", "wait", "table-exists", "--table-name", name)
    cli("dynamodb", "put-item", "--table-name", name, "--item", '{"pk": {"S": "k"}, "v": {"N": "42"}}')
    out = cli("dynamodb", "get-item", "--table-name", name, "--key", '{"pk": {"S": "k"}}')
    assert out["Item"]["v"] == {"N": "42"}
    out = cli("dynamodb", "scan", "--table-name", name)
    assert out["Count"] == 1
    out = cli(
        "dynamodb", "query", "--table-name", name,
        "--key-condition-expression", "pk = :p",
        "--expression-attribute-values", '{":p": {"S": "k"}}',
    )
    assert out["Items"][0]["pk"] == {"S": "k"}
    out = cli("dynamodb", "list-tables")
    assert name in out["TableNames"]
    out = cli("dynamodb", "describe-table", "--table-name", name)
    assert out["Table"]["ItemCount"] == 1
    cli("dynamodb", "delete-table", "--table-name", name)
    out = cli("dynamodb", "describe-table", "--table-name", name, check=False)
    assert "ResourceNotFoundException" in out.stderr


def test_acknowledged_items_and_index_entries_survive_kill_9(fresh_stratus):
    import threading
    import time

    from conftest import client_for

    server = fresh_stratus()
    ddb = client_for(server.endpoint, "dynamodb")
    ddb.create_table(
        TableName="durable",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    acked, stop, lock = [], threading.Event(), threading.Lock()

    def writer(n):
        c = client_for(server.endpoint, "dynamodb")
        i = 0
        while not stop.is_set():
            pk = f"w{n}-{i}"
            try:
                c.put_item(TableName="durable", Item={"pk": {"S": pk}, "g": {"S": "all"}})
            except Exception:
                return
            with lock:
                acked.append(pk)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) > 20
    server.start()
    ddb = client_for(server.endpoint, "dynamodb")
    for pk in acked:
        assert "Item" in ddb.get_item(TableName="durable", Key={"pk": {"S": pk}}), pk
    in_index = set()
    kwargs = {}
    while True:
        out = ddb.query(TableName="durable", IndexName="by-g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "all"}}, **kwargs)
        in_index.update(i["pk"]["S"] for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            break
        kwargs = {"ExclusiveStartKey": out["LastEvaluatedKey"]}
    assert set(acked) <= in_index
    table_items = ddb.scan(TableName="durable", Select="COUNT")["Count"]
    assert table_items == len(in_index)


def test_streams_with_boto3(client):
    ddb = client("dynamodb")
    streams = client("dynamodbstreams")
    name = table_name("strm")
    out = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    arn = out["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}})
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "ENABLED" and desc["TableName"] == name
    shard = desc["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = streams.get_records(ShardIterator=it)["Records"]
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    assert recs[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert recs[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    seq = recs[0]["dynamodb"]["SequenceNumber"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=seq)["ShardIterator"]
    assert [r["eventName"] for r in streams.get_records(ShardIterator=it)["Records"]] == ["MODIFY", "REMOVE"]
    assert arn in [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]]
