"""DynamoDB backups through boto3: point-in-time recovery settings
(DescribeContinuousBackups / UpdateContinuousBackups), on-demand backups
(create, describe, list with filters and paging, delete, restore with
overrides) that are snapshots and survive a restart, and
RestoreTableToPointInTime."""

import datetime
import time

import pytest

from conftest import client_for
from test_dynamodb_more import ddb, error, table_name  # noqa: F401 (ddb is a fixture)
from test_dynamodb_validation import make_client


def make_table(ddb, name, **extra):
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-g-local",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "g", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 4},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        **extra,
    )
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": str(i)}, "g": {"S": f"g{i}"}, "v": {"S": "old"}})


def items(ddb, name):
    got = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
    return sorted(got, key=lambda i: (i["pk"]["S"], int(i["sk"]["N"])))


# --- point-in-time recovery settings ---------------------------------------


def test_continuous_backups_start_with_pitr_disabled(ddb):
    name = table_name("pitr")
    make_table(ddb, name)
    d = ddb.describe_continuous_backups(TableName=name)
    assert d["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }


def test_enabling_pitr_reports_the_window_and_35_days_by_default(ddb):
    name = table_name("pitr")
    make_table(ddb, name)
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    out = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]
    assert out["ContinuousBackupsStatus"] == "ENABLED"
    p = out["PointInTimeRecoveryDescription"]
    assert p["PointInTimeRecoveryStatus"] == "ENABLED"
    assert p["RecoveryPeriodInDays"] == 35
    assert before <= p["EarliestRestorableDateTime"] <= p["LatestRestorableDateTime"]
    assert ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]["RecoveryPeriodInDays"] == 35
    p = ddb.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7},
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert p["RecoveryPeriodInDays"] == 7
    off = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert off == {"PointInTimeRecoveryStatus": "DISABLED"}


@pytest.mark.parametrize("days", [0, 36])
def test_recovery_period_must_be_1_to_35_days(ddb, stratus, days):
    name = table_name("pitr")
    make_table(ddb, name)
    # boto3 itself refuses 0; the server must too.
    raw = make_client(stratus, "dynamodb")
    r = error(
        raw.update_continuous_backups,
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": days},
    )
    assert r["Error"]["Code"] == "ValidationException"
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_continuous_backups_of_a_missing_table(ddb):
    for call, extra in [
        (ddb.describe_continuous_backups, {}),
        (ddb.update_continuous_backups, {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}),
    ]:
        r = error(call, TableName="no-such-table", **extra)
        assert r["Error"]["Code"] == "TableNotFoundException"
        assert r["Error"]["Message"] == "Table not found: no-such-table"
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_pitr_settings_survive_a_restart_and_go_with_the_table(fresh_stratus):
    server = fresh_stratus()
    ddb = client_for(server.endpoint, "dynamodb")
    make_table(ddb, "kept")
    ddb.update_continuous_backups(
        TableName="kept",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 3},
    )
    server.restart()
    ddb = client_for(server.endpoint, "dynamodb")
    p = ddb.describe_continuous_backups(TableName="kept")["ContinuousBackupsDescription"]
    assert p["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 3
    ddb.delete_table(TableName="kept")
    make_table(ddb, "kept")
    p = ddb.describe_continuous_backups(TableName="kept")["ContinuousBackupsDescription"]
    assert p["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


# --- on-demand backups -------------------------------------------------------


def test_create_and_describe_a_backup(ddb):
    name = table_name("bk")
    make_table(ddb, name)
    table = ddb.describe_table(TableName=name)["Table"]
    d = ddb.create_backup(TableName=name, BackupName="first")["BackupDetails"]
    arn = d["BackupArn"]
    assert arn.startswith(f"{table['TableArn']}/backup/")
    assert d["BackupName"] == "first"
    assert d["BackupType"] == "USER"
    assert d["BackupStatus"] in ("CREATING", "AVAILABLE")
    assert d["BackupSizeBytes"] == table["TableSizeBytes"] > 0
    desc = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert desc["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    src = desc["SourceTableDetails"]
    assert src["TableName"] == name
    assert src["TableArn"] == table["TableArn"]
    assert src["TableId"] == table["TableId"]
    assert src["ItemCount"] == 3
    assert src["KeySchema"] == table["KeySchema"]
    assert src["BillingMode"] == "PROVISIONED"
    assert src["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 4}
    f = desc["SourceTableFeatureDetails"]
    assert f["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        }
    ]
    assert f["LocalSecondaryIndexes"][0]["IndexName"] == "by-g-local"
    assert f["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}


def test_backup_errors(ddb):
    r = error(ddb.create_backup, TableName="no-such-table", BackupName="bk-1")
    assert r["Error"]["Code"] == "TableNotFoundException"
    assert r["Error"]["Message"] == "Table not found: no-such-table"
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/x/backup/01700000000000-deadbeef"
    for call in (ddb.describe_backup, ddb.delete_backup):
        r = error(call, BackupArn=arn)
        assert r["Error"]["Code"] == "BackupNotFoundException"
        assert r["Error"]["Message"] == f"Backup not found: {arn}"
    r = error(ddb.restore_table_from_backup, BackupArn=arn, TargetTableName="target")
    assert r["Error"]["Code"] == "BackupNotFoundException"


def test_a_backup_is_a_snapshot_and_restores_into_a_new_table(ddb):
    name = table_name("snap")
    make_table(ddb, name)
    before = items(ddb, name)
    arn = ddb.create_backup(TableName=name, BackupName="snap")["BackupDetails"]["BackupArn"]
    # Change the table after the backup: none of it may reach the backup.
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "0"}, "g": {"S": "g0"}, "v": {"S": "new"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"N": "9"}, "g": {"S": "g9"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "2"}})
    target = name + "-restored"
    out = ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=target)["TableDescription"]
    assert out["TableName"] == target
    assert out["RestoreSummary"]["SourceBackupArn"] == arn
    assert out["RestoreSummary"]["RestoreInProgress"] is False
    assert items(ddb, target) == before
    t = ddb.describe_table(TableName=target)["Table"]
    assert t["TableStatus"] == "ACTIVE"
    assert t["ItemCount"] == 3
    assert [g["IndexName"] for g in t["GlobalSecondaryIndexes"]] == ["by-g"]
    assert "StreamSpecification" not in t
    # The restored indexes hold the restored items.
    q = ddb.query(
        TableName=target, IndexName="by-g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "g2"}}
    )
    assert [i["sk"]["N"] for i in q["Items"]] == ["2"]
    r = error(ddb.restore_table_from_backup, BackupArn=arn, TargetTableName=target)
    assert r["Error"]["Code"] == "TableAlreadyExistsException"
    assert r["Error"]["Message"] == f"Table already exists: {target}"


def test_restore_overrides(ddb):
    name = table_name("ovr")
    make_table(ddb, name)
    arn = ddb.create_backup(TableName=name, BackupName="ovr")["BackupDetails"]["BackupArn"]
    target = name + "-od"
    ddb.restore_table_from_backup(
        BackupArn=arn,
        TargetTableName=target,
        BillingModeOverride="PAY_PER_REQUEST",
        GlobalSecondaryIndexOverride=[],
        LocalSecondaryIndexOverride=[],
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/mine"},
    )
    t = ddb.describe_table(TableName=target)["Table"]
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "GlobalSecondaryIndexes" not in t and "LocalSecondaryIndexes" not in t
    assert {a["AttributeName"] for a in t["AttributeDefinitions"]} == {"pk", "sk"}
    assert t["SSEDescription"]["KMSMasterKeyArn"].endswith(":alias/mine")
    assert t["ItemCount"] == 3
    target2 = name + "-pt"
    ddb.restore_table_from_backup(
        BackupArn=arn,
        TargetTableName=target2,
        ProvisionedThroughputOverride={"ReadCapacityUnits": 11, "WriteCapacityUnits": 12},
    )
    pt = ddb.describe_table(TableName=target2)["Table"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (11, 12)


def test_list_backups_filters_and_pages(ddb):
    a, b = table_name("lista"), table_name("listb")
    make_table(ddb, a)
    make_table(ddb, b)
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    arns_a = [ddb.create_backup(TableName=a, BackupName=f"bk-a{i}")["BackupDetails"]["BackupArn"] for i in range(3)]
    arn_b = ddb.create_backup(TableName=b, BackupName="bk-b0")["BackupDetails"]["BackupArn"]
    listed = ddb.list_backups(TableName=a)["BackupSummaries"]
    assert [s["BackupArn"] for s in listed] == arns_a
    s = listed[0]
    assert s["TableName"] == a and s["BackupName"] == "bk-a0"
    assert s["BackupStatus"] == "AVAILABLE" and s["BackupType"] == "USER"
    # Paging.
    page = ddb.list_backups(TableName=a, Limit=2)
    assert [s["BackupArn"] for s in page["BackupSummaries"]] == arns_a[:2]
    assert page["LastEvaluatedBackupArn"] == arns_a[1]
    rest = ddb.list_backups(TableName=a, Limit=2, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [s["BackupArn"] for s in rest["BackupSummaries"]] == arns_a[2:]
    assert "LastEvaluatedBackupArn" not in rest
    # Time range and type.
    since = ddb.list_backups(TimeRangeLowerBound=start)["BackupSummaries"]
    assert {s["BackupArn"] for s in since} >= set(arns_a + [arn_b])
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    assert ddb.list_backups(TimeRangeLowerBound=future)["BackupSummaries"] == []
    assert ddb.list_backups(TableName=b, TimeRangeUpperBound=start)["BackupSummaries"] == []
    assert ddb.list_backups(TableName=b, BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(ddb.list_backups(TableName=b, BackupType="ALL")["BackupSummaries"]) == 1


def test_delete_backup(ddb):
    name = table_name("del")
    make_table(ddb, name)
    arn = ddb.create_backup(TableName=name, BackupName="gone")["BackupDetails"]["BackupArn"]
    out = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert out["BackupDetails"]["BackupStatus"] == "DELETED"
    assert out["SourceTableDetails"]["TableName"] == name
    assert error(ddb.describe_backup, BackupArn=arn)["Error"]["Code"] == "BackupNotFoundException"
    assert ddb.list_backups(TableName=name)["BackupSummaries"] == []


def test_backups_survive_a_restart_and_their_table(fresh_stratus):
    server = fresh_stratus()
    ddb = client_for(server.endpoint, "dynamodb")
    make_table(ddb, "src")
    before = items(ddb, "src")
    arn = ddb.create_backup(TableName="src", BackupName="durable")["BackupDetails"]["BackupArn"]
    ddb.delete_table(TableName="src")
    server.restart()
    ddb = client_for(server.endpoint, "dynamodb")
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupName"] == "durable"
    assert [s["BackupArn"] for s in ddb.list_backups()["BackupSummaries"]] == [arn]
    ddb.restore_table_from_backup(BackupArn=arn, TargetTableName="src")
    assert items(ddb, "src") == before


# --- restore to a point in time ---------------------------------------------


def test_restore_to_point_in_time_needs_pitr(ddb):
    name = table_name("nopitr")
    make_table(ddb, name)
    r = error(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=name + "-r", UseLatestRestorableTime=True)
    assert r["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"
    r = error(ddb.restore_table_to_point_in_time, SourceTableName="no-such-table", TargetTableName="x-r", UseLatestRestorableTime=True)
    assert r["Error"]["Code"] == "SourceTableNotFoundException"


def test_restore_to_the_latest_restorable_time(ddb):
    name = table_name("pitr")
    make_table(ddb, name)
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.put_item(TableName=name, Item={"pk": {"S": "z"}, "sk": {"N": "1"}, "g": {"S": "gz"}})
    now = items(ddb, name)
    out = ddb.restore_table_to_point_in_time(
        SourceTableName=name, TargetTableName=name + "-latest", UseLatestRestorableTime=True
    )["TableDescription"]
    assert out["RestoreSummary"]["SourceTableArn"].endswith(f"table/{name}")
    assert items(ddb, name + "-latest") == now
    # A time after the last change is the same state, by ARN as well.
    time.sleep(0.05)
    at = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]["LatestRestorableDateTime"]
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=name + "-at", RestoreDateTime=at)
    assert items(ddb, name + "-at") == now
    r = error(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=name + "-at", UseLatestRestorableTime=True)
    assert r["Error"]["Code"] == "TableAlreadyExistsException"


def latest_restorable(ddb, name):
    d = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    return d["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"]


def test_restore_to_an_earlier_time_undoes_the_later_changes(ddb):
    name = table_name("pitr")
    make_table(ddb, name)
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    time.sleep(0.05)
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "g": {"S": "gb"}})
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "first"}},
    )
    time.sleep(0.05)
    mid, at_mid = latest_restorable(ddb, name), items(ddb, name)
    time.sleep(0.05)
    # Later: an overwrite, a delete, a new item, a batch write and a transaction.
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "second"}},
    )
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    ddb.batch_write_item(
        RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "c"}, "sk": {"N": "1"}, "g": {"S": "gc"}}}}]}
    )
    ddb.transact_write_items(
        TransactItems=[{"Delete": {"TableName": name, "Key": {"pk": {"S": "b"}, "sk": {"N": "1"}}}}]
    )
    assert items(ddb, name) != at_mid
    ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=name + "-mid", RestoreDateTime=mid)
    assert items(ddb, name + "-mid") == at_mid
    t = ddb.describe_table(TableName=name + "-mid")["Table"]
    assert t["ItemCount"] == len(at_mid)
    assert t["RestoreSummary"]["RestoreDateTime"] == mid
    # The restored index holds the restored items.
    q = ddb.query(
        TableName=name + "-mid",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "gb"}},
    )
    assert [i["pk"]["S"] for i in q["Items"]] == ["b"]
    # From when PITR was enabled: the table as it was then.
    enabled_at = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]["EarliestRestorableDateTime"]
    ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=name + "-start", RestoreDateTime=enabled_at)
    assert [(i["pk"]["S"], i["sk"]["N"], i["v"]["S"]) for i in items(ddb, name + "-start")] == [
        ("a", "0", "old"),
        ("a", "1", "old"),
        ("a", "2", "old"),
    ]


def test_restore_times_outside_the_window_are_refused(ddb):
    name = table_name("pitr")
    make_table(ddb, name)
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    for when in (long_ago, future):
        r = error(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=name + "-r", RestoreDateTime=when)
        assert r["Error"]["Code"] == "InvalidRestoreTimeException"
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_disabling_pitr_drops_the_history(ddb):
    name = table_name("pitr")
    make_table(ddb, name)
    spec = {"PointInTimeRecoveryEnabled": True}
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=spec)
    first = latest_restorable(ddb, name)
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    time.sleep(0.05)
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=spec)
    r = error(ddb.restore_table_to_point_in_time, SourceTableName=name, TargetTableName=name + "-r", RestoreDateTime=first)
    assert r["Error"]["Code"] == "InvalidRestoreTimeException"
