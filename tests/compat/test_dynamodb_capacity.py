"""DynamoDB capacity through boto3: ConsumedCapacity of transactions,
batches and PartiQL with AWS's unit arithmetic around the 1 KB and 4 KB
boundaries and per-index breakdowns, ItemCollectionMetrics of batch and
transaction writes, and `--enforce-capacity` throttling of batches,
transactions and PartiQL on a server of the test's own."""

import pytest
from botocore.exceptions import ClientError

from conftest import client_for

TABLE_EXCEEDED = (
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API."
)


def S(v):
    return {"S": v}


def xs(n):
    return {"S": "x" * n}


def indexed_table(ddb, name):
    """pk/sk with a KEYS_ONLY GSI on g and an ALL LSI on (pk, l)."""
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        LocalSecondaryIndexes=[{"IndexName": "lix", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                  {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
    )


def test_transactions_batches_and_partiql_report_units(client):
    ddb = client("dynamodb")
    indexed_table(ddb, "cap-compat")
    # pk 3 + sk 3 + g 2 + l 2 + b 1015 = 1025 bytes: two write units; the GSI entry (pk, sk, g) one.
    indexed = {"pk": S("a"), "sk": S("1"), "g": S("G"), "l": S("L"), "b": xs(1014)}
    plain = {"pk": S("a"), "sk": S("2"), "b": xs(1017)}  # 1024 bytes: one
    out = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "cap-compat", "Item": indexed}},
                       {"Put": {"TableName": "cap-compat", "Item": plain}}],
        ReturnConsumedCapacity="INDEXES", ReturnItemCollectionMetrics="SIZE")
    assert out["ConsumedCapacity"] == [{
        "TableName": "cap-compat", "CapacityUnits": 9.0, "WriteCapacityUnits": 9.0,
        "Table": {"CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
        "GlobalSecondaryIndexes": {"gix": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
        "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}},
    }]
    assert out["ItemCollectionMetrics"] == {
        "cap-compat": [{"ItemCollectionKey": {"pk": S("a")}, "SizeEstimateRangeGB": [0.0, 1.0]}]}

    out = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": "cap-compat", "Key": {"pk": S("a"), "sk": S("1")}}},
                       {"Get": {"TableName": "cap-compat", "Key": {"pk": S("none"), "sk": S("1")}}}],
        ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": "cap-compat", "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]

    # A single-item write reports CapacityUnits alone; moving the GSI key is a delete plus a put.
    out = ddb.update_item(TableName="cap-compat", Key={"pk": S("a"), "sk": S("1")}, UpdateExpression="SET g = :g",
                          ExpressionAttributeValues={":g": S("H")}, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {
        "TableName": "cap-compat", "CapacityUnits": 6.0, "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"gix": {"CapacityUnits": 2.0}},
        "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 2.0}}}

    out = ddb.batch_write_item(
        RequestItems={"cap-compat": [{"PutRequest": {"Item": {"pk": S("b"), "sk": S("1"), "g": S("G"), "l": S("L"), "b": xs(1014)}}},
                                     {"DeleteRequest": {"Key": {"pk": S("a"), "sk": S("2")}}}]},
        ReturnConsumedCapacity="INDEXES", ReturnItemCollectionMetrics="SIZE")
    assert out["ConsumedCapacity"] == [{
        "TableName": "cap-compat", "CapacityUnits": 6.0, "Table": {"CapacityUnits": 3.0},
        "GlobalSecondaryIndexes": {"gix": {"CapacityUnits": 1.0}},
        "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 2.0}}}]
    assert out["ItemCollectionMetrics"] == {"cap-compat": [
        {"ItemCollectionKey": {"pk": S("b")}, "SizeEstimateRangeGB": [0.0, 1.0]},
        {"ItemCollectionKey": {"pk": S("a")}, "SizeEstimateRangeGB": [0.0, 1.0]}]}

    # 4096 bytes read: half a unit eventually consistent; 4097: one.
    for n, units in ((4089, 0.5), (4090, 1.0)):
        ddb.put_item(TableName="cap-compat", Item={"pk": S("r"), "sk": S("1"), "b": xs(n)})
        out = ddb.batch_get_item(RequestItems={"cap-compat": {"Keys": [{"pk": S("r"), "sk": S("1")}]}},
                                 ReturnConsumedCapacity="TOTAL")
        assert out["ConsumedCapacity"] == [{"TableName": "cap-compat", "CapacityUnits": units}]
        out = ddb.execute_statement(Statement="SELECT * FROM \"cap-compat\" WHERE pk = 'r' AND sk = '1'",
                                    ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
        assert out["ConsumedCapacity"] == {"TableName": "cap-compat", "CapacityUnits": units * 2}

    out = ddb.execute_transaction(
        TransactStatements=[{"Statement": "UPDATE \"cap-compat\" SET z = 'q' WHERE pk = 'r' AND sk = '1'"}],
        ReturnConsumedCapacity="TOTAL")
    # 4097 bytes before, 4099 after: 5 units, doubled.
    assert out["ConsumedCapacity"] == [{"TableName": "cap-compat", "CapacityUnits": 10.0, "WriteCapacityUnits": 10.0}]
    out = ddb.batch_execute_statement(
        Statements=[{"Statement": "INSERT INTO \"cap-compat\" VALUE {'pk': 'n', 'sk': '1'}"}],
        ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": "cap-compat", "CapacityUnits": 1.0}]


def test_enforced_capacity_throttles_batches_transactions_and_partiql(fresh_stratus):
    server = fresh_stratus("--enforce-capacity")
    ddb = client_for(server.endpoint, "dynamodb")
    for name, billing in (("thin", "PROVISIONED"), ("free", "PAY_PER_REQUEST")):
        extra = {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}} if billing == "PROVISIONED" else {}
        ddb.create_table(TableName=name, BillingMode=billing,
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **extra)
    # A 399 KB write through a batch spends the 300-unit burst and leaves
    # ~99 units owed: at 1 WCU/s, writes stay throttled for well over a
    # minute however slowly the machine runs the steps below.
    ddb.batch_write_item(RequestItems={"thin": [{"PutRequest": {"Item": {"pk": S("big"), "b": xs(399 * 1024)}}}]})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="thin", Item={"pk": S("after")})
    assert e.value.response["Error"] == {"Code": "ProvisionedThroughputExceededException", "Message": TABLE_EXCEEDED}

    thin_requests = [{"PutRequest": {"Item": {"pk": S("x")}}}]
    out = ddb.batch_write_item(RequestItems={"thin": thin_requests, "free": [{"PutRequest": {"Item": {"pk": S("x")}}}]})
    assert out["UnprocessedItems"] == {"thin": thin_requests}
    assert "Item" in ddb.get_item(TableName="free", Key={"pk": S("x")})
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={"thin": thin_requests})
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"

    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "free", "Item": {"pk": S("y")}}},
                                                {"Put": {"TableName": "thin", "Item": {"pk": S("y")}}}])
    err = e.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    assert err["Error"]["Message"] == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                                       "[None, ProvisionedThroughputExceeded]")
    assert err["CancellationReasons"] == [{"Code": "None"},
                                          {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_EXCEEDED}]
    assert "Item" not in ddb.get_item(TableName="free", Key={"pk": S("y")})

    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="INSERT INTO thin VALUE {'pk': 'z'}")
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    out = ddb.batch_execute_statement(Statements=[{"Statement": "INSERT INTO thin VALUE {'pk': 'z'}"}])
    assert out["Responses"][0]["Error"] == {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_EXCEEDED}
    # Reads have a bucket of their own, and on-demand tables never throttle.
    assert ddb.get_item(TableName="thin", Key={"pk": S("big")})["Item"]["pk"] == S("big")
    for i in range(5):
        ddb.put_item(TableName="free", Item={"pk": S(f"k{i}"), "b": xs(100 * 1024)})
