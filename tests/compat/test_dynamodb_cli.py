"""The aws CLI's DynamoDB commands beyond the common ones (those are in
test_dynamodb.py): update-item, delete-item, batch-write-item,
batch-get-item, transact-write-items, transact-get-items, update-table,
update-time-to-live / describe-time-to-live and tag-resource /
list-tags-of-resource, with AWS's answers."""

import json
import time
import uuid

import pytest


@pytest.fixture
def table(cli):
    name = f"cli-{uuid.uuid4().hex[:8]}"
    cli(
        "dynamodb", "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=pk,AttributeType=S",
        "--key-schema", "AttributeName=pk,KeyType=HASH",
        "--billing-mode", "PAY_PER_REQUEST",
    )
    cli("dynamodb", "wait", "table-exists", "--table-name", name)
    yield name
    cli("dynamodb", "delete-table", "--table-name", name, check=False)


def key(pk):
    return json.dumps({"pk": {"S": pk}})


def get(cli, table, pk):
    out = cli("dynamodb", "get-item", "--table-name", table, "--key", key(pk))
    # A miss is an empty response, which the CLI prints as nothing.
    return out.get("Item") if isinstance(out, dict) else None


def test_update_and_delete_item(cli, table):
    cli("dynamodb", "put-item", "--table-name", table, "--item", '{"pk": {"S": "a"}, "n": {"N": "1"}, "s": {"SS": ["x"]}}')
    out = cli(
        "dynamodb", "update-item", "--table-name", table, "--key", key("a"),
        "--update-expression", "SET n = n + :inc ADD s :more REMOVE gone",
        "--expression-attribute-values", '{":inc": {"N": "41"}, ":more": {"SS": ["y"]}}',
        "--return-values", "UPDATED_NEW",
    )
    assert out["Attributes"]["n"] == {"N": "42"}
    assert sorted(out["Attributes"]["s"]["SS"]) == ["x", "y"]
    failed = cli(
        "dynamodb", "update-item", "--table-name", table, "--key", key("a"),
        "--update-expression", "SET n = :z", "--condition-expression", "n < :z",
        "--expression-attribute-values", '{":z": {"N": "0"}}', check=False,
    )
    assert "ConditionalCheckFailedException" in failed.stderr and "The conditional request failed" in failed.stderr
    out = cli("dynamodb", "delete-item", "--table-name", table, "--key", key("a"), "--return-values", "ALL_OLD")
    assert out["Attributes"]["n"] == {"N": "42"}
    assert get(cli, table, "a") is None
    failed = cli(
        "dynamodb", "delete-item", "--table-name", table, "--key", key("a"),
        "--condition-expression", "attribute_exists(pk)", check=False,
    )
    assert "ConditionalCheckFailedException" in failed.stderr


def test_batch_write_and_batch_get(cli, table):
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"N": str(i)}}}} for i in range(5)]
    out = cli("dynamodb", "batch-write-item", "--request-items", json.dumps({table: puts}))
    assert out["UnprocessedItems"] == {}
    deletes = [{"DeleteRequest": {"Key": {"pk": {"S": "k4"}}}}]
    cli("dynamodb", "batch-write-item", "--request-items", json.dumps({table: deletes}))
    wanted = {table: {"Keys": [{"pk": {"S": f"k{i}"}} for i in (0, 3, 4)], "ProjectionExpression": "v"}}
    out = cli("dynamodb", "batch-get-item", "--request-items", json.dumps(wanted))
    assert sorted(i["v"]["N"] for i in out["Responses"][table]) == ["0", "3"]
    assert out["UnprocessedKeys"] == {}
    failed = cli("dynamodb", "batch-write-item", "--request-items", json.dumps({table: [{"PutRequest": {"Item": {"nope": {"S": "x"}}}}]}), check=False)
    # AWS-recorded (test_batch_write_not_matching_schema).
    assert "ValidationException" in failed.stderr and "The provided key element does not match the schema" in failed.stderr


def test_transact_write_and_get(cli, table):
    cli("dynamodb", "put-item", "--table-name", table, "--item", '{"pk": {"S": "acct"}, "bal": {"N": "10"}}')
    items = [
        {"Put": {"TableName": table, "Item": {"pk": {"S": "new"}, "bal": {"N": "5"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": "acct"}}, "UpdateExpression": "SET bal = bal - :d", "ExpressionAttributeValues": {":d": {"N": "5"}}}},
    ]
    cli("dynamodb", "transact-write-items", "--transact-items", json.dumps(items))
    out = cli("dynamodb", "transact-get-items", "--transact-items", json.dumps([
        {"Get": {"TableName": table, "Key": {"pk": {"S": "acct"}}}},
        {"Get": {"TableName": table, "Key": {"pk": {"S": "missing"}}}},
        {"Get": {"TableName": table, "Key": {"pk": {"S": "new"}}, "ProjectionExpression": "bal"}},
    ]))
    assert out["Responses"] == [{"Item": {"pk": {"S": "acct"}, "bal": {"N": "5"}}}, {}, {"Item": {"bal": {"N": "5"}}}]
    failed = cli("dynamodb", "transact-write-items", "--transact-items", json.dumps(items), check=False)
    assert "TransactionCanceledException" in failed.stderr
    assert "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]" in failed.stderr
    assert get(cli, table, "acct")["bal"] == {"N": "5"}


def test_update_table_adds_and_drops_a_gsi(cli, table):
    cli("dynamodb", "put-item", "--table-name", table, "--item", '{"pk": {"S": "a"}, "g": {"S": "x"}}')
    out = cli(
        "dynamodb", "update-table", "--table-name", table,
        "--attribute-definitions", "AttributeName=g,AttributeType=S",
        "--global-secondary-index-updates",
        '[{"Create": {"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}}]',
    )
    assert out["TableDescription"]["TableStatus"] == "UPDATING"
    assert out["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    cli("dynamodb", "wait", "table-exists", "--table-name", table)
    deadline = time.time() + 20
    while cli("dynamodb", "describe-table", "--table-name", table)["Table"]["TableStatus"] != "ACTIVE":
        assert time.time() < deadline
        time.sleep(0.1)
    out = cli(
        "dynamodb", "query", "--table-name", table, "--index-name", "byg",
        "--key-condition-expression", "g = :g", "--expression-attribute-values", '{":g": {"S": "x"}}',
    )
    assert out["Items"] == [{"pk": {"S": "a"}, "g": {"S": "x"}}]
    out = cli("dynamodb", "update-table", "--table-name", table, "--global-secondary-index-updates", '[{"Delete": {"IndexName": "byg"}}]')
    assert out["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    failed = cli(
        "dynamodb", "query", "--table-name", table, "--index-name", "byg",
        "--key-condition-expression", "g = :g", "--expression-attribute-values", '{":g": {"S": "x"}}', check=False,
    )
    assert "The table does not have the specified index: byg" in failed.stderr
    out = cli("dynamodb", "update-table", "--table-name", table, "--deletion-protection-enabled")
    assert out["TableDescription"]["DeletionProtectionEnabled"] is True
    failed = cli("dynamodb", "delete-table", "--table-name", table, check=False)
    assert "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first." in failed.stderr
    cli("dynamodb", "update-table", "--table-name", table, "--no-deletion-protection-enabled")


def test_time_to_live(cli, table):
    out = cli("dynamodb", "describe-time-to-live", "--table-name", table)
    assert out["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    out = cli("dynamodb", "update-time-to-live", "--table-name", table, "--time-to-live-specification", "Enabled=true,AttributeName=expires")
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    out = cli("dynamodb", "describe-time-to-live", "--table-name", table)
    assert out["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    failed = cli("dynamodb", "update-time-to-live", "--table-name", table, "--time-to-live-specification", "Enabled=true,AttributeName=expires", check=False)
    assert "ValidationException" in failed.stderr and "TimeToLive is already enabled" in failed.stderr


def test_tags(cli, table):
    arn = cli("dynamodb", "describe-table", "--table-name", table)["Table"]["TableArn"]
    cli("dynamodb", "tag-resource", "--resource-arn", arn, "--tags", "Key=team,Value=core", "Key=env,Value=dev")
    out = cli("dynamodb", "list-tags-of-resource", "--resource-arn", arn)
    assert sorted((t["Key"], t["Value"]) for t in out["Tags"]) == [("env", "dev"), ("team", "core")]
    cli("dynamodb", "untag-resource", "--resource-arn", arn, "--tag-keys", "env")
    out = cli("dynamodb", "list-tags-of-resource", "--resource-arn", arn)
    assert out["Tags"] == [{"Key": "team", "Value": "core"}]
    failed = cli("dynamodb", "list-tags-of-resource", "--resource-arn", arn + "-gone", check=False)
    assert "ResourceNotFoundException" in failed.stderr
