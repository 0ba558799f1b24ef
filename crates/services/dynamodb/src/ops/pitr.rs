//! Point-in-time recovery: DescribeContinuousBackups,
//! UpdateContinuousBackups and RestoreTableToPointInTime. While PITR is
//! enabled a table can be restored to any time from its last item change
//! on (the table then was what it is now), which includes the latest
//! restorable time; an earlier time would need the table's history, which
//! Stratus does not keep, so it is refused with InvalidRestoreTimeException.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::input::Input;

use crate::backup::capture;
use crate::db::Scope;
use crate::error::{DdbError, validation};
use crate::restore::{create_restored, restored_meta};

/// A table's PITR settings as stored.
#[derive(Serialize, Deserialize, Default)]
struct Pitr {
    enabled: bool,
    /// When PITR was (last) enabled.
    since: f64,
    days: i64,
}

const DEFAULT_DAYS: i64 = 35;

fn table_not_found(name: &str) -> DdbError {
    DdbError::bad_request("TableNotFoundException", format!("Table not found: {name}"))
}

/// The table a TableName/SourceTableName member names (a name or an ARN).
fn table_name(v: &str) -> &str {
    if v.starts_with("arn:") { v.rsplit('/').next().unwrap_or_default() } else { v }
}

fn load(scope: &Scope, table: &str) -> Result<Pitr, DdbError> {
    match scope.store.get(scope.keys.pitr(table))? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| DdbError::internal(format!("corrupt PITR settings: {e}"))),
        None => Ok(Pitr::default()),
    }
}

/// (EarliestRestorableDateTime, LatestRestorableDateTime) of enabled settings.
fn window(p: &Pitr, now: f64) -> (f64, f64) {
    (p.since.max(now - p.days as f64 * 86400.0), now)
}

fn description(p: &Pitr) -> Value {
    let pitr = if p.enabled {
        let (earliest, latest) = window(p, stratus_core::clock::now_epoch());
        json!({
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": p.days,
            "EarliestRestorableDateTime": earliest,
            "LatestRestorableDateTime": latest,
        })
    } else {
        json!({"PointInTimeRecoveryStatus": "DISABLED"})
    };
    json!({ "ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr} })
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let table = table_name(input.req_str("TableName")?);
    scope.meta_opt(table)?.ok_or_else(|| table_not_found(table))?;
    Ok(description(&load(scope, table)?))
}

pub async fn update(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let table = table_name(input.req_str("TableName")?).to_string();
    let spec = input.get("PointInTimeRecoverySpecification").cloned().unwrap_or(Value::Null);
    let enabled = spec.bool("PointInTimeRecoveryEnabled").ok_or_else(|| {
        validation("1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null")
    })?;
    let days = spec.i64("RecoveryPeriodInDays");
    if let Some(d) = days
        && !(1..=35).contains(&d)
    {
        return Err(validation(format!(
            "1 validation error detected: Value '{d}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value {}",
            if d < 1 { "greater than or equal to 1" } else { "less than or equal to 35" }
        )));
    }
    if !enabled && days.is_some() {
        return Err(validation("RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true"));
    }
    let meta_key = scope.keys.meta(&table);
    let key = scope.keys.pitr(&table);
    let now = stratus_core::clock::now_epoch();
    let saved = scope
        .store
        .transact(move |txn| {
            if txn.get(&meta_key)?.is_none() {
                return Err(table_not_found(&table));
            }
            let old: Pitr = match txn.get(&key)? {
                Some(b) => serde_json::from_slice(&b).unwrap_or_default(),
                None => Pitr::default(),
            };
            let p = match (enabled, old.enabled) {
                (false, _) => Pitr::default(),
                (true, true) => Pitr { days: days.unwrap_or(old.days), ..old },
                (true, false) => Pitr { enabled: true, since: now, days: days.unwrap_or(DEFAULT_DAYS) },
            };
            txn.put(key.clone(), serde_json::to_vec(&p).unwrap_or_default());
            Ok(p)
        })
        .await?;
    Ok(description(&saved))
}

pub async fn restore(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let source = match (input.str("SourceTableName"), input.str("SourceTableArn")) {
        (Some(n), None) => n.to_string(),
        (None, Some(a)) => table_name(a).to_string(),
        _ => return Err(validation("Exactly one of SourceTableName or SourceTableArn must be specified")),
    };
    let target = input.req_str("TargetTableName")?;
    crate::ops::tables::check_name(target, "targetTableName")?;
    let latest = input.bool("UseLatestRestorableTime").unwrap_or(false);
    let at = input.get("RestoreDateTime").and_then(Value::as_f64);
    if latest && at.is_some() {
        return Err(validation("Only one of RestoreDateTime or UseLatestRestorableTime can be specified"));
    }
    if !latest && at.is_none() {
        return Err(validation("Either RestoreDateTime or UseLatestRestorableTime must be specified"));
    }
    let cap = capture(scope, &source)?.ok_or_else(|| {
        DdbError::bad_request("SourceTableNotFoundException", format!("Source table not found: {source}"))
    })?;
    let p = load(scope, &source)?;
    if !p.enabled {
        return Err(DdbError::bad_request(
            "PointInTimeRecoveryUnavailableException",
            format!("Point in time recovery is not enabled for table '{source}'"),
        ));
    }
    let now = stratus_core::clock::now_epoch();
    let (earliest, latest_time) = window(&p, now);
    let when = at.unwrap_or(latest_time);
    if when < earliest || when > latest_time {
        return Err(invalid_time(format!(
            "RestoreDateTime must be between {} and {}",
            iso(earliest),
            iso(latest_time)
        )));
    }
    let last_change = last_change(scope, &source)?.max(p.since);
    if when < last_change {
        return Err(invalid_time(format!(
            "Stratus can restore this table only to {} or later: it keeps no history of earlier states",
            iso(last_change)
        )));
    }
    let meta = restored_meta(scope, &cap.meta, target, input)?;
    let summary = json!({ "SourceTableArn": cap.meta.arn, "RestoreDateTime": when, "RestoreInProgress": false });
    let items = cap.items.into_iter().map(|(_, v)| v).collect();
    let d = create_restored(scope, meta, items, summary).await?;
    Ok(json!({ "TableDescription": d }))
}

fn invalid_time(msg: String) -> DdbError {
    DdbError::bad_request("InvalidRestoreTimeException", msg)
}

/// When an item of the table last changed (0 when never).
fn last_change(scope: &Scope, table: &str) -> Result<f64, DdbError> {
    let raw = scope.store.get(scope.keys.last_change(table))?;
    Ok(raw.and_then(|b| String::from_utf8_lossy(&b).parse().ok()).unwrap_or(0.0))
}

/// A time as ISO 8601 (UTC, milliseconds), for messages.
fn iso(t: f64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos((t * 1e9) as i128)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
