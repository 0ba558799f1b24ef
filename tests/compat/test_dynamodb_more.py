"""DynamoDB features boto3 reaches that the other compat files do not: the
x-amz-crc32 header and error __type prefixes, SSESpecification, INCLUDE
projections, the legacy ConditionalOperator, ReturnValues, sort-key order
of N, S and B keys, PartiQL on an index and REMOVE, the 400 KB item limit
to the byte, and the lifecycle of a GSI added by UpdateTable (CREATING with
a backfill, ACTIVE, DELETING, gone; resumed after a kill)."""

import re
import time
import uuid
import zlib

import pytest
from botocore.exceptions import ClientError

from conftest import client_for


def table_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(ddb, name, sk_type=None, **extra):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}] + extra.pop("attrs", [])
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sk_type:
        attrs.append({"AttributeName": "sk", "AttributeType": sk_type})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    return ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=keys, BillingMode="PAY_PER_REQUEST", **extra)


def error(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response


@pytest.fixture
def ddb(client):
    return client("dynamodb")


def test_crc32_header_is_the_crc32_of_the_body_and_error_types_are_fully_qualified(ddb):
    seen = []
    ddb.meta.events.register("after-call.dynamodb.*", lambda http_response, **_: seen.append(http_response))
    name = table_name("crc")
    create(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "text": {"S": "é" * 100}})
    ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})
    ddb.scan(TableName=name)
    failures = {
        "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException": lambda: ddb.put_item(
            TableName=name, Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)"
        ),
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException": lambda: ddb.describe_table(TableName=name + "-x"),
        "com.amazonaws.dynamodb.v20120810#ResourceInUseException": lambda: create(ddb, name),
        "com.amazonaws.dynamodb.v20120810#TransactionCanceledException": lambda: ddb.transact_write_items(
            TransactItems=[{"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(pk)"}}]
        ),
        "com.amazon.coral.validate#ValidationException": lambda: ddb.get_item(TableName=name, Key={"nope": {"S": "a"}}),
    }
    for expected, call in failures.items():
        with pytest.raises(ClientError):
            call()
        body = seen[-1].content
        assert seen[-1].status_code == 400
        assert re.search(rb'"__type":\s*"([^"]+)"', body).group(1).decode() == expected
    assert len(seen) >= 9
    for response in seen:
        assert int(response.headers["x-amz-crc32"]) == zlib.crc32(response.content), response.content[:200]
    ddb.delete_table(TableName=name)


def test_sse_specification_becomes_an_sse_description(ddb):
    name = table_name("sse")
    out = create(ddb, name, SSESpecification={"Enabled": True})
    sse = out["TableDescription"]["SSEDescription"]
    # AWS-recorded (test_dynamodb_create_table_with_partial_sse_specification): the managed key's ARN.
    assert sse["Status"] == "ENABLED" and sse["SSEType"] == "KMS"
    assert re.fullmatch(r"arn:aws:kms:us-east-1:\d{12}:key/[0-9a-f-]{36}", sse["KMSMasterKeyArn"])
    assert ddb.describe_table(TableName=name)["Table"]["SSEDescription"] == sse
    # Changing something else leaves it as it was (test_dynamodb_update_table_without_sse_specification_change).
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert ddb.describe_table(TableName=name)["Table"]["SSEDescription"] == sse
    # Turning it off answers the description UPDATING (recorded: update-table-disable-sse-spec).
    out = ddb.update_table(TableName=name, SSESpecification={"Enabled": False})
    assert out["TableDescription"]["SSEDescription"] == {**sse, "Status": "UPDATING"}
    assert "SSEDescription" not in ddb.describe_table(TableName=name)["Table"]
    ddb.delete_table(TableName=name)

    key_arn = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"
    name = table_name("ssekey")
    out = create(ddb, name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn})
    assert out["TableDescription"]["SSEDescription"] == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key_arn}
    ddb.delete_table(TableName=name)

    name = table_name("ssenone")
    out = create(ddb, name, SSESpecification={"Enabled": False})
    assert "SSEDescription" not in out["TableDescription"]
    ddb.delete_table(TableName=name)


def test_include_projection_returns_keys_and_non_key_attributes_only(ddb):
    name = table_name("include")
    create(
        ddb, name, "N",
        attrs=[{"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]},
        }],
        LocalSecondaryIndexes=[{
            "IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["b"]},
        }],
    )
    item = {"pk": {"S": "p"}, "sk": {"N": "1"}, "g": {"S": "x"}, "l": {"N": "7"}, "a": {"S": "A"}, "b": {"S": "B"}, "c": {"S": "C"}}
    ddb.put_item(TableName=name, Item=item)
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}
    assert t["LocalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["b"]}
    q = ddb.query(TableName=name, IndexName="gsi", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "x"}})
    assert q["Items"] == [{k: item[k] for k in ("pk", "sk", "g", "a")}]
    q = ddb.query(TableName=name, IndexName="lsi", KeyConditionExpression="pk = :p AND l = :l", ExpressionAttributeValues={":p": {"S": "p"}, ":l": {"N": "7"}})
    assert q["Items"] == [{k: item[k] for k in ("pk", "sk", "l", "b")}]
    # A scan of the index sees the same projection.
    assert ddb.scan(TableName=name, IndexName="gsi")["Items"] == [{k: item[k] for k in ("pk", "sk", "g", "a")}]
    ddb.delete_table(TableName=name)


def test_legacy_conditional_operator(ddb):
    name = table_name("legacy")
    create(ddb, name, "N")
    for i in range(1, 6):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"N": str(i * 10)}, **({"tag": {"S": "t"}} if i % 2 else {})})
    key = {"pk": {"S": "p"}, "sk": {"N": "2"}}
    expected = {"v": {"Value": {"N": "999"}}, "tag": {"ComparisonOperator": "NULL"}}
    # OR: one of the two holds (item 2 has no tag).
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "20"}, "w": {"S": "or"}}, Expected=expected, ConditionalOperator="OR")
    # AND (and the default): both must hold.
    for op in ({"ConditionalOperator": "AND"}, {}):
        r = error(ddb.put_item, TableName=name, Item={**key, "w": {"S": "and"}}, Expected=expected, **op)
        assert r["Error"] == {"Code": "ConditionalCheckFailedException", "Message": "The conditional request failed"}
    assert ddb.get_item(TableName=name, Key=key)["Item"]["w"] == {"S": "or"}
    ddb.delete_item(TableName=name, Key=key, Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "100"}]}, "w": {"Value": {"S": "or"}}}, ConditionalOperator="OR")
    assert "Item" not in ddb.get_item(TableName=name, Key=key)

    key_conditions = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}
    query_filter = {"v": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "50"}]}, "tag": {"ComparisonOperator": "NULL"}}
    q = ddb.query(TableName=name, KeyConditions=key_conditions, QueryFilter=query_filter, ConditionalOperator="OR")
    assert [i["sk"]["N"] for i in q["Items"]] == ["4", "5"]
    assert q["ScannedCount"] == 4
    q = ddb.query(TableName=name, KeyConditions=key_conditions, QueryFilter=query_filter, ConditionalOperator="AND")
    assert q["Items"] == []
    scan_filter = {"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "20"}]}, "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "4"}, {"N": "5"}]}}
    s = ddb.scan(TableName=name, ScanFilter=scan_filter, ConditionalOperator="OR")
    assert sorted(i["sk"]["N"] for i in s["Items"]) == ["1", "4", "5"]
    s = ddb.scan(TableName=name, ScanFilter=scan_filter, ConditionalOperator="AND")
    assert s["Count"] == 0
    ddb.delete_table(TableName=name)


def test_return_values(ddb):
    name = table_name("retval")
    create(ddb, name)
    key = {"pk": {"S": "id1"}}
    # AWS-recorded (test_return_values_in_put_item): nothing for a new item, the old one with ALL_OLD.
    out = ddb.put_item(TableName=name, Item={**key, "data": {"S": "foobar"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    out = ddb.put_item(TableName=name, Item={**key, "data": {"S": "foobar"}, "n": {"N": "1"}, "keep": {"S": "k"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**key, "data": {"S": "foobar"}}
    out = ddb.put_item(TableName=name, Item={**key, "data": {"S": "x"}, "n": {"N": "1"}, "keep": {"S": "k"}}, ReturnValues="NONE")
    assert "Attributes" not in out

    def update(rv):
        return ddb.update_item(
            TableName=name, Key=key, ReturnValues=rv,
            UpdateExpression="SET #d = :d, n = n + :one REMOVE gone", ExpressionAttributeNames={"#d": "data"},
            ExpressionAttributeValues={":d": {"S": rv}, ":one": {"N": "1"}},
        ).get("Attributes")

    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET gone = :g", ExpressionAttributeValues={":g": {"S": "g"}})
    assert update("ALL_OLD") == {**key, "data": {"S": "x"}, "n": {"N": "1"}, "keep": {"S": "k"}, "gone": {"S": "g"}}
    assert update("UPDATED_OLD") == {"data": {"S": "ALL_OLD"}, "n": {"N": "2"}}
    assert update("UPDATED_NEW") == {"data": {"S": "UPDATED_NEW"}, "n": {"N": "4"}}
    assert update("ALL_NEW") == {**key, "data": {"S": "ALL_NEW"}, "n": {"N": "5"}, "keep": {"S": "k"}}
    assert update("NONE") is None
    out = ddb.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**key, "data": {"S": "NONE"}, "n": {"N": "6"}, "keep": {"S": "k"}}
    assert "Attributes" not in ddb.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")

    # AWS-recorded (test_return_values_on_conditions_check_failure): the item rides on the error.
    item = {"id": {"S": "456"}, "price": {"N": "650"}, "product": {"S": "sporting goods"}}
    ddb.put_item(TableName=name, Item={"pk": {"S": "456"}, **item})
    for call, kwargs in [
        (ddb.put_item, {"Item": {"pk": {"S": "456"}}}),
        (ddb.update_item, {"Key": {"pk": {"S": "456"}}, "UpdateExpression": "SET price = :p", "ExpressionAttributeValues": {":p": {"N": "1"}, ":max": {"N": "500"}}}),
        (ddb.delete_item, {"Key": {"pk": {"S": "456"}}}),
    ]:
        values = kwargs.pop("ExpressionAttributeValues", {":max": {"N": "500"}})
        r = error(call, TableName=name, ConditionExpression="price < :max", ExpressionAttributeValues=values, ReturnValuesOnConditionCheckFailure="ALL_OLD", **kwargs)
        assert r["Error"] == {"Code": "ConditionalCheckFailedException", "Message": "The conditional request failed"}
        assert r["Item"] == {"pk": {"S": "456"}, **item}
        r = error(call, TableName=name, ConditionExpression="price < :max", ExpressionAttributeValues=values, ReturnValuesOnConditionCheckFailure="NONE", **kwargs)
        assert "Item" not in r
    ddb.delete_table(TableName=name)


def query_sk(ddb, name, cond, value, forward=True):
    out = ddb.query(
        TableName=name, KeyConditionExpression=f"pk = :p AND sk {cond} :v",
        ExpressionAttributeValues={":p": {"S": "p"}, ":v": value}, ScanIndexForward=forward,
    )
    return [next(iter(i["sk"].values())) for i in out["Items"]]


@pytest.mark.parametrize(
    "ty,values,probe,expected",
    [
        # Numbers by value (not by text).
        ("N", ["-10", "-1.5", "0", "2", "10", "100"], "2",
         {"<": ["-10", "-1.5", "0"], "<=": ["-10", "-1.5", "0", "2"], "=": ["2"], ">=": ["2", "10", "100"], ">": ["10", "100"]}),
        # Strings by their UTF-8 bytes: "\uffff" (EF BF BF) sorts before U+1D11E (F0 ...), unlike UTF-16.
        ("S", ["Z", "a", "aa", "é", "\uffff", "\U0001d11e"], "aa",
         {"<": ["Z", "a"], "<=": ["Z", "a", "aa"], "=": ["aa"], ">=": ["aa", "é", "\uffff", "\U0001d11e"], ">": ["é", "\uffff", "\U0001d11e"]}),
        # Binary by unsigned bytes, a prefix first.
        ("B", [b"\x00", b"\x00\x00", b"\x01", b"\x7f", b"\x80", b"\xff"], b"\x7f",
         {"<": [b"\x00", b"\x00\x00", b"\x01"], "<=": [b"\x00", b"\x00\x00", b"\x01", b"\x7f"], "=": [b"\x7f"], ">=": [b"\x7f", b"\x80", b"\xff"], ">": [b"\x80", b"\xff"]}),
    ],
)
def test_sort_key_conditions_and_order(ddb, ty, values, probe, expected):
    name = table_name("order" + ty.lower())
    create(ddb, name, ty)
    for v in reversed(values):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {ty: v}})
    assert query_sk(ddb, name, ">=", {ty: values[0]}) == values
    assert query_sk(ddb, name, ">=", {ty: values[0]}, forward=False) == values[::-1]
    for cond, want in expected.items():
        assert query_sk(ddb, name, cond, {ty: probe}) == want, cond
        assert query_sk(ddb, name, cond, {ty: probe}, forward=False) == want[::-1], cond
    ddb.delete_table(TableName=name)


def test_partiql_select_on_an_index_and_update_remove(ddb):
    name = table_name("pqlix")
    create(
        ddb, name, attrs=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "g": {"S": "even" if i % 2 == 0 else "odd"}, "a": {"N": str(i)}})
    out = ddb.execute_statement(Statement=f'SELECT * FROM "{name}"."byg" WHERE g = ?', Parameters=[{"S": "odd"}])
    assert sorted(i["pk"]["S"] for i in out["Items"]) == ["k1", "k3"]
    assert all(set(i) == {"pk", "g"} for i in out["Items"])  # KEYS_ONLY
    out = ddb.execute_statement(Statement=f'SELECT pk FROM "{name}"."byg" WHERE g = \'even\'')
    assert sorted(i["pk"]["S"] for i in out["Items"]) == ["k0", "k2"]
    r = error(ddb.execute_statement, Statement=f'SELECT * FROM "{name}"."nope" WHERE g = ?', Parameters=[{"S": "odd"}])
    assert r["Error"]["Code"] == "ValidationException"

    ddb.execute_statement(Statement=f'UPDATE "{name}" REMOVE a WHERE pk = ?', Parameters=[{"S": "k1"}])
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "k1"}})["Item"] == {"pk": {"S": "k1"}, "g": {"S": "odd"}}
    ddb.execute_statement(Statement=f'UPDATE "{name}" REMOVE g SET b = 5 WHERE pk = \'k3\'')
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "k3"}})["Item"] == {"pk": {"S": "k3"}, "a": {"N": "3"}, "b": {"N": "5"}}
    # k3 lost its index key, so it left the index.
    out = ddb.execute_statement(Statement=f'SELECT * FROM "{name}"."byg" WHERE g = ?', Parameters=[{"S": "odd"}])
    assert [i["pk"]["S"] for i in out["Items"]] == ["k1"]
    ddb.delete_table(TableName=name)


def test_item_size_limit_to_the_byte(ddb):
    name = table_name("size")
    create(ddb, name)
    limit = 400 * 1024
    # Size = each attribute's name plus value in UTF-8: "pk"+"a" is 3, "d" is 1 plus its value.
    fits = {"pk": {"S": "a"}, "d": {"S": "x" * (limit - 4)}}
    ddb.put_item(TableName=name, Item=fits)
    assert len(ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["d"]["S"]) == limit - 4
    r = error(ddb.put_item, TableName=name, Item={"pk": {"S": "b"}, "d": {"S": "x" * (limit - 3)}})
    assert r["Error"] == {"Code": "ValidationException", "Message": "Item size has exceeded the maximum allowed size"}
    # Multi-byte characters count by their UTF-8 bytes ("é" is 2).
    r = error(ddb.put_item, TableName=name, Item={"pk": {"S": "b"}, "d": {"S": "é" + "x" * (limit - 5)}})
    assert r["Error"]["Message"] == "Item size has exceeded the maximum allowed size"
    r = error(ddb.update_item, TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET e = :e", ExpressionAttributeValues={":e": {"S": ""}})
    assert r["Error"] == {"Code": "ValidationException", "Message": "Item size to update has exceeded the maximum allowed size"}
    ddb.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET d = :d", ExpressionAttributeValues={":d": {"S": "y" * (limit - 4)}})
    ddb.delete_table(TableName=name)


def fill(ddb, name, n):
    for start in range(0, n, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "g": {"S": f"g{i % 4}"}}}} for i in range(start, min(n, start + 25))
        ]})


def gsi_update(index, action="Create"):
    if action == "Delete":
        return {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": index}}]}
    return {
        "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {
            "IndexName": index, "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
        }}],
    }


def query_g(ddb, name, g):
    return ddb.query(TableName=name, IndexName="byg", Select="COUNT", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": g}})


def wait_settled(ddb, name, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        t = ddb.describe_table(TableName=name)["Table"]
        if t["TableStatus"] == "ACTIVE":
            return t
        time.sleep(0.05)
    raise AssertionError(f"{name} still {t['TableStatus']}")


def test_gsi_created_and_deleted_by_update_table(ddb):
    name = table_name("gsilife")
    create(ddb, name)
    fill(ddb, name, 3000)
    out = ddb.update_table(TableName=name, **gsi_update("byg"))["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    assert out["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    t = ddb.describe_table(TableName=name)["Table"]
    gsi = t["GlobalSecondaryIndexes"][0]
    if gsi["IndexStatus"] == "CREATING":
        assert t["TableStatus"] == "UPDATING" and gsi["Backfilling"] is True
        r = error(query_g, ddb=ddb, name=name, g="g0")
        assert r["Error"] == {"Code": "ValidationException", "Message": "Cannot read from backfilling global secondary index: byg"}
    else:
        assert gsi["IndexStatus"] == "ACTIVE" and t["TableStatus"] == "ACTIVE"
    # Writes keep working meanwhile and end up in the index.
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}, "g": {"S": "g0"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k0"}})
    t = wait_settled(ddb, name)
    gsi = t["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "ACTIVE" and "Backfilling" not in gsi
    assert gsi["ItemCount"] == 3000
    assert query_g(ddb, name, "g0")["Count"] == 750
    assert query_g(ddb, name, "g1")["Count"] == 750

    # Two index changes in one request (AWS's text, as dynalite's tests record it).
    both = {"GlobalSecondaryIndexUpdates": gsi_update("other")["GlobalSecondaryIndexUpdates"] + gsi_update("byg", "Delete")["GlobalSecondaryIndexUpdates"]}
    r = error(ddb.update_table, TableName=name, AttributeDefinitions=gsi_update("other")["AttributeDefinitions"], **both)
    assert r["Error"] == {"Code": "LimitExceededException", "Message": "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"}
    out = ddb.update_table(TableName=name, **gsi_update("byg", "Delete"))["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    assert out["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    t = ddb.describe_table(TableName=name)["Table"]
    assert [g["IndexStatus"] for g in t.get("GlobalSecondaryIndexes", [])] in ([], ["DELETING"])
    r = error(query_g, ddb=ddb, name=name, g="g0")
    assert r["Error"] == {"Code": "ValidationException", "Message": "The table does not have the specified index: byg"}
    t = wait_settled(ddb, name)
    assert "GlobalSecondaryIndexes" not in t
    ddb.get_waiter("table_exists").wait(TableName=name)
    ddb.delete_table(TableName=name)


def test_gsi_backfill_cut_short_by_a_kill_finishes_after_restart(fresh_stratus):
    server = fresh_stratus()
    ddb = client_for(server.endpoint, "dynamodb")
    create(ddb, "resumed")
    fill(ddb, "resumed", 6000)
    ddb.update_table(TableName="resumed", **gsi_update("byg"))
    server.kill()
    server.start()
    ddb = client_for(server.endpoint, "dynamodb")
    t = wait_settled(ddb, "resumed")
    assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == 6000
    assert sum(query_g(ddb, "resumed", f"g{i}")["Count"] for i in range(4)) == 6000
