//! Point-in-time recovery: DescribeContinuousBackups,
//! UpdateContinuousBackups and RestoreTableToPointInTime. The settings
//! live in the table's metadata; while they are enabled every item change
//! is journaled (`journal`), so a table restores to any time of the
//! recovery window: its items now, with the later changes undone. The
//! definition restored is the table's current one.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_store::KeyRange;

use crate::backup::capture;
use crate::db::{Scope, decode_meta, encode_meta};
use crate::error::{DdbError, validation};
use crate::restore::{create_restored, restored_meta};
use crate::table::Pitr;

const DEFAULT_DAYS: i64 = 35;

fn table_not_found(name: &str) -> DdbError {
    DdbError::bad_request("TableNotFoundException", format!("Table not found: {name}"))
}

/// The table a TableName/SourceTableName member names (a name or an ARN).
fn table_name(v: &str) -> &str {
    if v.starts_with("arn:") { v.rsplit('/').next().unwrap_or_default() } else { v }
}

/// (EarliestRestorableDateTime, LatestRestorableDateTime) of enabled settings.
fn window(p: &Pitr, now: f64) -> (f64, f64) {
    (p.since.max(now - p.days as f64 * 86400.0), now)
}

fn description(p: Option<&Pitr>) -> Value {
    let pitr = match p {
        Some(p) => {
            let (earliest, latest) = window(p, stratus_core::clock::now_epoch());
            json!({
                "PointInTimeRecoveryStatus": "ENABLED",
                "RecoveryPeriodInDays": p.days,
                "EarliestRestorableDateTime": earliest,
                "LatestRestorableDateTime": latest,
            })
        }
        None => json!({"PointInTimeRecoveryStatus": "DISABLED"}),
    };
    json!({ "ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr} })
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let table = table_name(input.req_str("TableName")?);
    let meta = scope.meta_opt(table)?.ok_or_else(|| table_not_found(table))?;
    Ok(description(meta.pitr.as_ref()))
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
    let journal = scope.keys.journal_prefix(&table);
    let now = stratus_core::clock::now_epoch();
    let saved = scope
        .store
        .transact(move |txn| {
            let Some(b) = txn.get(&meta_key)? else { return Err(table_not_found(&table)) };
            let mut meta = decode_meta(&b)?;
            meta.pitr = match (enabled, meta.pitr.take()) {
                (false, _) => None,
                (true, Some(old)) => Some(Pitr { days: days.unwrap_or(old.days), ..old }),
                (true, None) => Some(Pitr { since: now, days: days.unwrap_or(DEFAULT_DAYS) }),
            };
            if meta.pitr.is_none() {
                // The history goes with the settings: a later enable starts afresh.
                txn.delete_range(KeyRange::prefix(&journal));
            }
            txn.put(meta_key.clone(), encode_meta(&meta));
            Ok(meta.pitr)
        })
        .await?;
    Ok(description(saved.as_ref()))
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
    let Some(p) = cap.meta.pitr.clone() else {
        return Err(DdbError::bad_request(
            "PointInTimeRecoveryUnavailableException",
            format!("Point in time recovery is not enabled for table '{source}'"),
        ));
    };
    let now = stratus_core::clock::now_epoch();
    let (earliest, latest_time) = window(&p, now);
    let when = at.unwrap_or(latest_time);
    // Clients carry times to the millisecond or microsecond: a time that
    // rounding put just outside the window is its edge.
    if when < earliest - 0.001 || when > latest_time + 0.001 {
        return Err(invalid_time(format!(
            "RestoreDateTime must be between {} and {}",
            iso(earliest),
            iso(latest_time)
        )));
    }
    let when = when.clamp(earliest, latest_time);
    let meta = restored_meta(scope, &cap.meta, target, input)?;
    let summary = json!({ "SourceTableArn": cap.meta.arn, "RestoreDateTime": when, "RestoreInProgress": false });
    let mut items: BTreeMap<Vec<u8>, Vec<u8>> = cap.items.into_iter().collect();
    crate::journal::rewind(&cap.snap, &scope.keys, &cap.meta, &mut items, when)?;
    let items = items.into_values().collect();
    let d = create_restored(scope, meta, items, summary).await?;
    Ok(json!({ "TableDescription": d }))
}

fn invalid_time(msg: String) -> DdbError {
    DdbError::bad_request("InvalidRestoreTimeException", msg)
}

/// A time as ISO 8601 (UTC, milliseconds), for messages.
fn iso(t: f64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos((t * 1e9) as i128)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
