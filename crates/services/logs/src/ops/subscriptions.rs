//! Subscription filters: PutSubscriptionFilter, DescribeSubscriptionFilters,
//! DeleteSubscriptionFilter. They are stored and validated as AWS does
//! (two per group, destination rules); delivering events to the
//! destination comes later.

use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::clock::now_millis;
use stratus_core::input::Input;

use crate::error::{group_not_found, invalid, limit_exceeded, store, subscription_not_found};
use crate::filter::FilterPattern;
use crate::model::{FilterRecord, decode, encode};
use crate::ops::{empty, put_opt};
use crate::page;
use crate::scope::Scope;
use crate::token;

/// Most subscription filters one log group may have.
const MAX_PER_GROUP: usize = 2;
const DEFAULT_LIMIT: usize = 50;

pub async fn put(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?.to_string();
    let name = input.req_str("filterName")?.to_string();
    let pattern = input.str("filterPattern").unwrap_or_default().to_string();
    let destination = input.req_str("destinationArn")?;
    let role = input.str("roleArn");
    check_destination(scope, destination, role)?;
    FilterPattern::parse(&pattern).map_err(|_| invalid("Invalid subscription filter pattern"))?;

    let mut view = Map::new();
    view.insert("filterName".into(), name.clone().into());
    view.insert("logGroupName".into(), group.clone().into());
    view.insert("filterPattern".into(), pattern.clone().into());
    view.insert("destinationArn".into(), destination.into());
    put_opt(&mut view, "roleArn", role);
    view.insert("distribution".into(), input.str("distribution").unwrap_or("ByLogStream").into());
    view.insert("applyOnTransformedLogs".into(), input.bool("applyOnTransformedLogs").unwrap_or(false).into());
    view.insert("creationTime".into(), now_millis().into());
    put_opt(&mut view, "fieldSelectionCriteria", input.str("fieldSelectionCriteria"));
    if let Some(fields) = input.get("emitSystemFields") {
        view.insert("emitSystemFields".into(), fields.clone());
    }
    let value = encode(
        "subscription filter",
        &FilterRecord { group: group.clone(), name: name.clone(), pattern, view: Value::Object(view) },
    )?;
    let group_key = scope.keys.group(&group);
    let key = scope.keys.subscription(&group, &name);
    let siblings = scope.keys.subscriptions(&group, "");
    scope
        .store
        .transact(move |txn| {
            if !txn.contains(&group_key)? {
                return Err(group_not_found());
            }
            if !txn.contains(&key)? && txn.scan_prefix(&siblings, false, Some(MAX_PER_GROUP))?.len() >= MAX_PER_GROUP {
                return Err(limit_exceeded());
            }
            txn.put(key.clone(), value.clone());
            Ok(())
        })
        .await?;
    Ok(empty())
}

/// AWS's checks on a destination: Lambda functions must be in the caller's
/// account, Kinesis and Firehose destinations need a role.
fn check_destination(scope: &Scope, destination: &str, role: Option<&str>) -> Result<(), AwsError> {
    let Some(arn) = stratus_core::arn::parse(destination) else {
        return Err(invalid(format!("Invalid destinationArn: {destination}")));
    };
    match arn.service {
        "lambda" if arn.account != scope.account => Err(AwsError::bad_request(
            "AccessDeniedException",
            "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers.",
        )),
        vendor @ ("kinesis" | "firehose") if role.is_none() => {
            Err(invalid(format!("destinationArn for vendor {vendor} cannot be used without roleArn")))
        }
        _ => Ok(()),
    }
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?;
    let prefix = input.str("filterNamePrefix").unwrap_or("");
    let limit = input.i64("limit").map_or(DEFAULT_LIMIT, |l| l.clamp(1, 1000) as usize);
    let snap = scope.store.snapshot().map_err(store)?;
    if snap.get(scope.keys.group(group)).map_err(store)?.is_none() {
        return Err(group_not_found());
    }
    let after = match input.str("nextToken") {
        Some(t) => Some(scope.keys.subscription(group, &token::decode(t, 1)?[0])),
        None => None,
    };
    let page = page::scan(&snap, &scope.keys.subscriptions(group, prefix), after, false, limit, |_, v| {
        decode::<FilterRecord>("subscription filter", v).map(Some)
    })?;
    let filters: Vec<Value> = page.items.iter().map(|r| r.view.clone()).collect();
    let mut out = json!({ "subscriptionFilters": filters });
    if let (Some(_), Some(last)) = (&page.last_key, page.items.last()) {
        out["nextToken"] = Value::String(token::encode(&[&last.name]));
    }
    Ok(out)
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?;
    let group_key = scope.keys.group(group);
    let key = scope.keys.subscription(group, input.req_str("filterName")?);
    scope
        .store
        .transact(move |txn| {
            if !txn.contains(&group_key)? {
                return Err(group_not_found());
            }
            if !txn.contains(&key)? {
                return Err(subscription_not_found());
            }
            txn.delete(key.clone());
            Ok(())
        })
        .await?;
    Ok(empty())
}
