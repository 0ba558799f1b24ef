//! On-demand backups: CreateBackup, DescribeBackup, ListBackups,
//! DeleteBackup and RestoreTableFromBackup. A backup is a copy of the
//! table's definition and items taken from one store snapshot, so later
//! changes to the table never reach it; it is kept until deleted, also
//! after its table is deleted.

use serde_json::{Value, json};
use stratus_core::input::Input;

use crate::backup::{Backup, capture};
use crate::db::Scope;
use crate::error::DdbError;
use crate::restore::{create_restored, restored_meta};

fn table_not_found(name: &str) -> DdbError {
    DdbError::bad_request("TableNotFoundException", format!("Table not found: {name}"))
}

fn backup_not_found(arn: &str) -> DdbError {
    DdbError::bad_request("BackupNotFoundException", format!("Backup not found: {arn}"))
}

/// The id an ARN (`…:table/{name}/backup/{id}`) names.
fn id_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or_default()
}

/// The backup `arn` names, or BackupNotFoundException.
fn load(scope: &Scope, arn: &str) -> Result<Backup, DdbError> {
    let raw = scope.store.get(scope.keys.backup(id_of(arn)))?.ok_or_else(|| backup_not_found(arn))?;
    let b = Backup::decode(&raw)?;
    if b.arn != arn {
        return Err(backup_not_found(arn));
    }
    Ok(b)
}

pub async fn create(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let table = input.req_str("TableName")?;
    let name = input.req_str("BackupName")?.to_string();
    let table = if table.starts_with("arn:") { table.rsplit('/').next().unwrap_or_default() } else { table };
    let cap = capture(scope, table)?.ok_or_else(|| table_not_found(table))?;
    let created = stratus_core::clock::now_epoch();
    let id = format!("{:014}-{:08x}", (created * 1000.0) as u64, rand::random::<u32>());
    let backup = Backup {
        arn: format!("{}/backup/{id}", cap.meta.arn),
        id: id.clone(),
        name,
        created,
        count: cap.count,
        size: cap.size,
        source: cap.meta,
    };
    let record = (scope.keys.backup(&id), backup.encode());
    let prefix = scope.keys.backup_items(&id).into_bytes();
    let items = cap.items;
    scope
        .store
        .transact(move |txn| {
            txn.put(record.0.clone(), record.1.clone());
            for (k, v) in &items {
                let mut key = prefix.clone();
                key.extend_from_slice(k);
                txn.put(key, v.clone());
            }
            Ok::<_, DdbError>(())
        })
        .await?;
    Ok(json!({ "BackupDetails": backup.details("CREATING") }))
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let b = load(scope, input.req_str("BackupArn")?)?;
    Ok(json!({ "BackupDescription": b.description("AVAILABLE") }))
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let b = load(scope, input.req_str("BackupArn")?)?;
    let record = scope.keys.backup(&b.id);
    let items = scope.keys.backup_items(&b.id);
    scope
        .store
        .transact(move |txn| {
            txn.delete(record.clone());
            txn.delete_prefix(items.as_bytes());
            Ok::<_, DdbError>(())
        })
        .await?;
    Ok(json!({ "BackupDescription": b.description("DELETED") }))
}

pub async fn list(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let limit = input.i64("Limit").unwrap_or(100).clamp(1, 100) as usize;
    let table = input.str("TableName");
    let after = input.str("ExclusiveStartBackupArn").map(id_of);
    let lower = input.get("TimeRangeLowerBound").and_then(Value::as_f64);
    let upper = input.get("TimeRangeUpperBound").and_then(Value::as_f64);
    // Every backup here is one a user made.
    let wanted_type = matches!(input.str("BackupType").unwrap_or("USER"), "USER" | "ALL");
    let prefix = scope.keys.backups_prefix();
    let mut found = Vec::new();
    let mut more = false;
    for (k, v) in scope.store.scan_prefix(prefix.as_bytes(), false, None)? {
        if after.is_some_and(|a| k[prefix.len()..] <= *a.as_bytes()) {
            continue;
        }
        let b = Backup::decode(&v)?;
        let in_table = table.is_none_or(|t| t == b.source.name || t == b.source.arn);
        let in_range = lower.is_none_or(|l| b.created >= l) && upper.is_none_or(|u| b.created < u);
        if !(wanted_type && in_table && in_range) {
            continue;
        }
        if found.len() == limit {
            more = true;
            break;
        }
        found.push(b);
    }
    let mut out = json!({ "BackupSummaries": found.iter().map(Backup::summary).collect::<Vec<_>>() });
    if more && let Some(last) = found.last() {
        out["LastEvaluatedBackupArn"] = json!(last.arn);
    }
    Ok(out)
}

pub async fn restore(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let target = input.req_str("TargetTableName")?;
    crate::ops::tables::check_name(target, "targetTableName")?;
    let b = load(scope, input.req_str("BackupArn")?)?;
    let meta = restored_meta(scope, &b.source, target, input)?;
    let items = scope
        .store
        .scan_prefix(scope.keys.backup_items(&b.id).as_bytes(), false, None)?
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    let summary = json!({
        "SourceBackupArn": b.arn,
        "SourceTableArn": b.source.arn,
        "RestoreDateTime": b.created,
        "RestoreInProgress": false,
    });
    let d = create_restored(scope, meta, items, summary).await?;
    Ok(json!({ "TableDescription": d }))
}
