//! Service-level tests of backups and point-in-time recovery: a backup is
//! a snapshot that outlives its table and a reopen of the store, a PITR
//! restore to an earlier time undoes the later changes, and bad input is
//! answered with AWS's errors.

use serde_json::{Value, json};
use stratus_core::Settings;
use stratus_store::Store;

use crate::DynamoDb;
use crate::tests::{call, create, mem, msg, ok};

/// The service on the store in `dir` (opened again by each call).
fn open(dir: &std::path::Path) -> DynamoDb {
    DynamoDb::new(Store::open(dir).expect("open"), &Settings::default())
}

async fn put(d: &DynamoDb, table: &str, pk: &str, v: &str) {
    ok(d, "PutItem", json!({"TableName": table, "Item": {"pk": {"S": pk}, "v": {"S": v}}})).await;
}

/// The table's items as (pk, v), sorted.
async fn contents(d: &DynamoDb, table: &str) -> Vec<(String, String)> {
    let out = ok(d, "Scan", json!({"TableName": table})).await;
    let mut v: Vec<(String, String)> = out["Items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| (i["pk"]["S"].as_str().unwrap_or("").into(), i["v"]["S"].as_str().unwrap_or("").into()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn code(d: &DynamoDb, op: &'static str, input: Value) -> String {
    match call(d, op, input).await {
        Ok(v) => panic!("{op} should fail, got {v}"),
        Err(e) => e.code.to_string(),
    }
}

#[tokio::test]
async fn a_backup_is_a_snapshot_that_outlives_its_table_and_a_reopen() {
    let dir = tempfile::tempdir().expect("dir");
    let arn;
    {
        let d = open(dir.path());
        create(&d, "src", false).await;
        put(&d, "src", "a", "1").await;
        put(&d, "src", "b", "2").await;
        let out = ok(&d, "CreateBackup", json!({"TableName": "src", "BackupName": "snap"})).await;
        arn = out["BackupDetails"]["BackupArn"].as_str().unwrap_or_default().to_string();
        put(&d, "src", "a", "changed").await;
        put(&d, "src", "c", "3").await;
        ok(&d, "DeleteTable", json!({"TableName": "src"})).await;
    }
    let d = open(dir.path());
    let desc = ok(&d, "DescribeBackup", json!({"BackupArn": arn})).await;
    assert_eq!(desc["BackupDescription"]["SourceTableDetails"]["ItemCount"], json!(2));
    ok(&d, "RestoreTableFromBackup", json!({"BackupArn": arn, "TargetTableName": "back"})).await;
    assert_eq!(contents(&d, "back").await, vec![("a".into(), "1".into()), ("b".into(), "2".into())]);
    let t = ok(&d, "DescribeTable", json!({"TableName": "back"})).await;
    assert_eq!(t["Table"]["RestoreSummary"]["SourceBackupArn"], json!(arn));
    assert_eq!(t["Table"]["ItemCount"], json!(2));
}

#[tokio::test]
async fn pitr_restores_earlier_times_by_undoing_later_changes_and_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("dir");
    let mid;
    {
        let d = open(dir.path());
        create(&d, "tbl", false).await;
        put(&d, "tbl", "a", "1").await;
        let spec =
            json!({"TableName": "tbl", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}});
        ok(&d, "UpdateContinuousBackups", spec).await;
        put(&d, "tbl", "b", "2").await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        mid = stratus_core::clock::now_epoch();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        put(&d, "tbl", "a", "changed").await;
        ok(&d, "DeleteItem", json!({"TableName": "tbl", "Key": {"pk": {"S": "b"}}})).await;
        put(&d, "tbl", "c", "3").await;
        // Several changes in one write: each journaled with its own number.
        let puts: Vec<Value> = ["d", "e", "b"]
            .iter()
            .map(|pk| json!({"PutRequest": {"Item": {"pk": {"S": pk}, "v": {"S": "batch"}}}}))
            .collect();
        ok(&d, "BatchWriteItem", json!({"RequestItems": {"tbl": puts}})).await;
    }
    let d = open(dir.path());
    let at =
        |when: f64, target: &str| json!({"SourceTableName": "tbl", "TargetTableName": target, "RestoreDateTime": when});
    ok(&d, "RestoreTableToPointInTime", at(mid, "mid")).await;
    assert_eq!(contents(&d, "mid").await, vec![("a".into(), "1".into()), ("b".into(), "2".into())]);
    assert_eq!(code(&d, "RestoreTableToPointInTime", at(mid - 86400.0, "rr1")).await, "InvalidRestoreTimeException");
    let latest = json!({"SourceTableName": "tbl", "TargetTableName": "rr2", "UseLatestRestorableTime": true});
    ok(&d, "RestoreTableToPointInTime", latest).await;
    assert_eq!(contents(&d, "rr2").await, contents(&d, "tbl").await);
    // The restored table does not inherit PITR.
    let pitr = ok(&d, "DescribeContinuousBackups", json!({"TableName": "rr2"})).await;
    let status = &pitr["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"];
    assert_eq!(status, &json!("DISABLED"));
}

#[tokio::test]
async fn bad_input_gets_aws_errors() {
    let d = mem();
    create(&d, "tbl", false).await;
    assert!(
        msg(&d, "UpdateContinuousBackups", json!({"TableName": "tbl"})).await.contains("pointInTimeRecoveryEnabled")
    );
    let both = json!({"SourceTableName": "tbl", "TargetTableName": "xxx", "UseLatestRestorableTime": true, "RestoreDateTime": 1.0});
    assert_eq!(code(&d, "RestoreTableToPointInTime", both).await, "ValidationException");
    let neither = json!({"SourceTableName": "tbl", "TargetTableName": "xxx"});
    assert_eq!(code(&d, "RestoreTableToPointInTime", neither).await, "ValidationException");
    let no_pitr = json!({"SourceTableName": "tbl", "TargetTableName": "xxx", "UseLatestRestorableTime": true});
    assert_eq!(code(&d, "RestoreTableToPointInTime", no_pitr).await, "PointInTimeRecoveryUnavailableException");
    for arn in ["x", "", "arn:aws:dynamodb:us-east-1:000000000000:table/tbl/backup/"] {
        assert_eq!(code(&d, "DescribeBackup", json!({"BackupArn": arn})).await, "BackupNotFoundException");
    }
    assert_eq!(code(&d, "CreateBackup", json!({"TableName": "tbl"})).await, "ValidationException");
    assert_eq!(code(&d, "GetResourcePolicy", json!({"ResourceArn": "arn:x"})).await, "ValidationException");
    let bad_policy = json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/tbl", "Policy": "[1"});
    assert_eq!(code(&d, "PutResourcePolicy", bad_policy).await, "ValidationException");
    assert_eq!(code(&d, "UpdateContributorInsights", json!({"TableName": "tbl"})).await, "ValidationException");
}
