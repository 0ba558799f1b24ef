//! Metric filters: PutMetricFilter, DescribeMetricFilters,
//! DeleteMetricFilter, and TestMetricFilter (the same matcher that
//! FilterLogEvents uses). Metrics themselves are not published yet.

use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::clock::now_millis;
use stratus_core::input::Input;

use crate::error::{group_not_found, invalid, limit_exceeded, metric_filter_not_found, store};
use crate::filter::FilterPattern;
use crate::model::{FilterRecord, Group, decode, encode};
use crate::ops::{empty, put_opt};
use crate::page;
use crate::scope::Scope;
use crate::token;

/// Most metric filters one log group may have.
const MAX_PER_GROUP: i64 = 100;
const DEFAULT_LIMIT: usize = 50;

fn parse_pattern(pattern: &str) -> Result<FilterPattern, AwsError> {
    FilterPattern::parse(pattern).map_err(|_| invalid("Invalid metric filter pattern"))
}

pub async fn put(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?.to_string();
    let name = input.req_str("filterName")?.to_string();
    let pattern = input.str("filterPattern").unwrap_or_default().to_string();
    let parsed = parse_pattern(&pattern)?;
    let transformations = input.list("metricTransformations").to_vec();
    let has_dimensions =
        transformations.iter().any(|t| t.get("dimensions").and_then(Value::as_object).is_some_and(|d| !d.is_empty()));
    if has_dimensions && !parsed.is_structured() {
        return Err(invalid("The specified filter pattern does not support dimensions"));
    }
    let mut view = Map::new();
    view.insert("filterName".into(), name.clone().into());
    view.insert("filterPattern".into(), pattern.clone().into());
    view.insert("metricTransformations".into(), Value::Array(transformations));
    view.insert("creationTime".into(), now_millis().into());
    view.insert("logGroupName".into(), group.clone().into());
    view.insert("applyOnTransformedLogs".into(), input.bool("applyOnTransformedLogs").unwrap_or(false).into());
    put_opt(&mut view, "fieldSelectionCriteria", input.str("fieldSelectionCriteria"));
    if let Some(fields) = input.get("emitSystemFieldDimensions") {
        view.insert("emitSystemFieldDimensions".into(), fields.clone());
    }
    let record = FilterRecord { group: group.clone(), name: name.clone(), pattern, view: Value::Object(view) };
    let group_key = scope.keys.group(&group);
    let key = scope.keys.metric_filter(&group, &name);
    scope
        .store
        .transact(move |txn| {
            let mut g: Group = decode("log group", &txn.get(&group_key)?.ok_or_else(group_not_found)?)?;
            let mut record = record.clone();
            match txn.get(&key)? {
                Some(old) => {
                    // An update keeps the filter's creation time.
                    let old: FilterRecord = decode("metric filter", &old)?;
                    if let (Some(t), Value::Object(v)) = (old.view.get("creationTime"), &mut record.view) {
                        v.insert("creationTime".into(), t.clone());
                    }
                }
                None => {
                    if g.metric_filter_count >= MAX_PER_GROUP {
                        return Err(limit_exceeded());
                    }
                    g.metric_filter_count += 1;
                    txn.put(group_key.clone(), encode("log group", &g)?);
                }
            }
            txn.put(key.clone(), encode("metric filter", &record)?);
            Ok(())
        })
        .await?;
    Ok(empty())
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.str("logGroupName");
    let prefix = input.str("filterNamePrefix").unwrap_or("");
    let metric_name = input.str("metricName");
    let namespace = input.str("metricNamespace");
    let limit = input.i64("limit").map_or(DEFAULT_LIMIT, |l| l.clamp(1, 1000) as usize);
    let snap = scope.store.snapshot().map_err(store)?;
    if let Some(g) = group
        && snap.get(scope.keys.group(g)).map_err(store)?.is_none()
    {
        return Err(group_not_found());
    }
    let after = match input.str("nextToken") {
        Some(t) => {
            let f = token::decode(t, 2)?;
            Some(scope.keys.metric_filter(&f[0], &f[1]))
        }
        None => None,
    };
    let scan_prefix = scope.keys.metric_filters(group, if group.is_some() { prefix } else { "" });
    let page = page::scan(&snap, &scan_prefix, after, false, limit, |_, v| {
        let r: FilterRecord = decode("metric filter", v)?;
        let transforms = r.view.get("metricTransformations").and_then(Value::as_array);
        let has = |field: &str, want: Option<&str>| {
            want.is_none_or(|w| {
                transforms.is_some_and(|ts| ts.iter().any(|t| t.get(field).and_then(Value::as_str) == Some(w)))
            })
        };
        let keep = r.name.starts_with(prefix) && has("metricName", metric_name) && has("metricNamespace", namespace);
        Ok(keep.then_some(r))
    })?;
    let filters: Vec<Value> = page.items.iter().map(|r| r.view.clone()).collect();
    let mut out = json!({ "metricFilters": filters });
    if let (Some(_), Some(last)) = (&page.last_key, page.items.last()) {
        out["nextToken"] = Value::String(token::encode(&[&last.group, &last.name]));
    }
    Ok(out)
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let group = input.req_str("logGroupName")?;
    let name = input.req_str("filterName")?;
    let group_key = scope.keys.group(group);
    let key = scope.keys.metric_filter(group, name);
    scope
        .store
        .transact(move |txn| {
            let mut g: Group = decode("log group", &txn.get(&group_key)?.ok_or_else(group_not_found)?)?;
            if !txn.contains(&key)? {
                return Err(metric_filter_not_found());
            }
            txn.delete(key.clone());
            g.metric_filter_count = (g.metric_filter_count - 1).max(0);
            txn.put(group_key.clone(), encode("log group", &g)?);
            Ok(())
        })
        .await?;
    Ok(empty())
}

pub async fn test(_scope: &Scope, input: &Value) -> Result<Value, AwsError> {
    let pattern = parse_pattern(input.str("filterPattern").unwrap_or_default())?;
    let matches: Vec<Value> = input
        .str_list("logEventMessages")
        .iter()
        .enumerate()
        .filter_map(|(i, message)| {
            let values = pattern.extract(message)?;
            Some(json!({ "eventNumber": i + 1, "eventMessage": message, "extractedValues": values }))
        })
        .collect();
    Ok(json!({ "matches": matches }))
}
