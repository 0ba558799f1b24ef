//! Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups,
//! PutRetentionPolicy and DeleteRetentionPolicy.

use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::clock::now_millis;
use stratus_core::input::Input;
use stratus_store::Snapshot;

use crate::error::{group_exists, group_not_found, invalid, store};
use crate::expire;
use crate::model::{Group, Stream, decode, encode};
use crate::names::group_from_identifier;
use crate::ops::tags::tag_map;
use crate::ops::{empty, put_opt};
use crate::page;
use crate::retention;
use crate::scope::Scope;
use crate::token;

/// DescribeLogGroups' default page size.
const DEFAULT_LIMIT: usize = 50;

pub async fn create(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("logGroupName")?.to_string();
    let record = Group {
        creation_time: now_millis(),
        retention_in_days: None,
        kms_key_id: input.str("kmsKeyId").map(str::to_string),
        log_group_class: input.str("logGroupClass").unwrap_or("STANDARD").to_string(),
        deletion_protection_enabled: input.bool("deletionProtectionEnabled").unwrap_or(false),
        tags: tag_map(input.get("tags")),
        metric_filter_count: 0,
        name,
    };
    let key = scope.keys.group(&record.name);
    let value = encode("log group", &record)?;
    scope
        .store
        .transact(move |txn| {
            if txn.contains(&key)? {
                return Err(group_exists());
            }
            txn.put(key.clone(), value.clone());
            Ok(())
        })
        .await?;
    Ok(empty())
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("logGroupName")?;
    let keys = scope.keys.clone();
    let name = name.to_string();
    scope
        .store
        .transact(move |txn| {
            let group = keys.group(&name);
            if !txn.contains(&group)? {
                return Err(group_not_found());
            }
            txn.delete(group);
            txn.delete_prefix(keys.streams(&name, ""));
            txn.delete_prefix(keys.group_events(&name));
            txn.delete_prefix(keys.metric_filters(Some(&name), ""));
            txn.delete_prefix(keys.subscriptions(&name, ""));
            Ok(())
        })
        .await?;
    Ok(empty())
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let prefix = input.str("logGroupNamePrefix");
    let pattern = input.str("logGroupNamePattern");
    if prefix.is_some() && pattern.is_some() {
        return Err(invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."));
    }
    let class = input.str("logGroupClass");
    let limit = input.i64("limit").map_or(DEFAULT_LIMIT, |l| l.clamp(1, 1000) as usize);
    let snap = scope.store.snapshot().map_err(store)?;
    let brief = pattern.is_some();
    let keep_class = |g: &Group| class.is_none_or(|c| c == g.log_group_class);

    let identifiers = input.str_list("logGroupIdentifiers");
    if !identifiers.is_empty() {
        let mut groups = Vec::new();
        for id in &identifiers {
            if let Some(bytes) = snap.get(scope.keys.group(group_from_identifier(id))).map_err(store)? {
                let g: Group = decode("log group", &bytes)?;
                if keep_class(&g) {
                    groups.push(view(scope, &snap, &g, brief)?);
                }
            }
        }
        return Ok(json!({ "logGroups": groups }));
    }

    let after = match input.str("nextToken") {
        Some(t) => Some(scope.keys.group(&token::decode(t, 1)?.remove(0))),
        None => None,
    };
    let page = page::scan(&snap, &scope.keys.groups(prefix.unwrap_or("")), after, false, limit, |_, v| {
        let g: Group = decode("log group", v)?;
        let wanted = pattern.is_none_or(|p| g.name.contains(p)) && keep_class(&g);
        Ok(wanted.then_some(g))
    })?;
    let groups = page.items.iter().map(|g| view(scope, &snap, g, brief)).collect::<Result<Vec<_>, _>>()?;
    let mut out = json!({ "logGroups": groups });
    if let (Some(_), Some(last)) = (&page.last_key, page.items.last()) {
        out["nextToken"] = Value::String(token::encode(&[&last.name]));
    }
    Ok(out)
}

/// A `LogGroup` as DescribeLogGroups shows it. With `logGroupNamePattern`
/// AWS leaves out `storedBytes` and `deletionProtectionEnabled`.
fn view(scope: &Scope, snap: &Snapshot, g: &Group, brief: bool) -> Result<Value, AwsError> {
    let mut o = Map::new();
    o.insert("logGroupName".into(), g.name.clone().into());
    o.insert("creationTime".into(), g.creation_time.into());
    put_opt(&mut o, "retentionInDays", g.retention_in_days);
    o.insert("metricFilterCount".into(), g.metric_filter_count.into());
    o.insert("arn".into(), scope.group_arn_star(&g.name).into());
    if !brief {
        o.insert("storedBytes".into(), stored_bytes(scope, snap, &g.name)?.into());
    }
    put_opt(&mut o, "kmsKeyId", g.kms_key_id.clone());
    o.insert("logGroupClass".into(), g.log_group_class.clone().into());
    o.insert("logGroupArn".into(), scope.group_arn(&g.name).into());
    if !brief {
        o.insert("deletionProtectionEnabled".into(), g.deletion_protection_enabled.into());
    }
    Ok(Value::Object(o))
}

/// The bytes held by a group: the sum over its streams.
fn stored_bytes(scope: &Scope, snap: &Snapshot, group: &str) -> Result<i64, AwsError> {
    let mut total = 0;
    for (_, v) in snap.scan_prefix(scope.keys.streams(group, ""), false, None).map_err(store)? {
        total += decode::<Stream>("log stream", &v)?.stored_bytes;
    }
    Ok(total)
}

pub async fn put_retention(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("logGroupName")?.to_string();
    let days = input.i64("retentionInDays").unwrap_or(0);
    retention::validate(days)?;
    let keys = scope.keys.clone();
    let cutoff = retention::cutoff(Some(days), now_millis());
    scope
        .store
        .transact(move |txn| {
            let key = keys.group(&name);
            let bytes = txn.get(&key)?.ok_or_else(group_not_found)?;
            let mut group: Group = decode("log group", &bytes)?;
            group.retention_in_days = Some(days);
            txn.put(key, encode("log group", &group)?);
            // Expire what the new period no longer keeps.
            for (skey, sbytes) in txn.scan_prefix(keys.streams(&name, ""), false, None)? {
                let mut stream: Stream = decode("log stream", &sbytes)?;
                let before = stream.stored_bytes;
                expire::purge(txn, &keys.events(&name, &stream.name), &mut stream, cutoff)?;
                if stream.stored_bytes != before {
                    txn.put(skey, encode("log stream", &stream)?);
                }
            }
            Ok::<(), AwsError>(())
        })
        .await?;
    Ok(empty())
}

pub async fn delete_retention(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let key = scope.keys.group(input.req_str("logGroupName")?);
    scope
        .store
        .transact(move |txn| {
            let bytes = txn.get(&key)?.ok_or_else(group_not_found)?;
            let mut group: Group = decode("log group", &bytes)?;
            group.retention_in_days = None;
            txn.put(key.clone(), encode("log group", &group)?);
            Ok::<(), AwsError>(())
        })
        .await?;
    Ok(empty())
}
