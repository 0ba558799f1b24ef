//! CloudWatch Contributor Insights settings: DescribeContributorInsights,
//! UpdateContributorInsights and ListContributorInsights, per table and
//! per GSI. A change goes through ENABLING or DISABLING for
//! `TRANSITION_SECS` before it is ENABLED or DISABLED, as AWS's does; the
//! settings are stored with the table and go when it is deleted.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;

use crate::db::Scope;
use crate::error::{DdbError, table_not_found, validation};
use crate::table::TableMeta;

/// How long ENABLING and DISABLING last.
const TRANSITION_SECS: f64 = 1.0;

#[derive(Serialize, Deserialize)]
struct Setting {
    enabled: bool,
    /// When it was last changed.
    changed: f64,
    mode: String,
}

impl Setting {
    fn status(&self, now: f64) -> &'static str {
        match (self.enabled, now - self.changed < TRANSITION_SECS) {
            (true, true) => "ENABLING",
            (true, false) => "ENABLED",
            (false, true) => "DISABLING",
            (false, false) => "DISABLED",
        }
    }
}

/// The storage key of the setting of a table (`index` None) or one of its GSIs.
fn key(scope: &Scope, table: &str, index: Option<&str>) -> String {
    format!("{}{}", prefix(scope, table), index.unwrap_or_default())
}

fn prefix(scope: &Scope, table: &str) -> String {
    format!("{}ci/", scope.keys.table_prefix(table))
}

/// The table (and index, when named) a request names, or AWS's ResourceNotFoundException.
fn target(scope: &Scope, input: &Value) -> Result<(TableMeta, Option<String>), DdbError> {
    let table = input.req_str("TableName")?;
    let meta = scope.meta_opt(table)?.ok_or_else(|| table_not_found(table))?;
    let index = input.str("IndexName").map(str::to_string);
    if let Some(ix) = &index
        && !meta.gsis.iter().any(|g| &g.name == ix)
    {
        return Err(DdbError::bad_request(
            "ResourceNotFoundException",
            format!("Requested resource not found: Index: {ix} not found for Table: {table}"),
        ));
    }
    Ok(((*meta).clone(), index))
}

fn load(scope: &Scope, k: &str) -> Result<Option<Setting>, DdbError> {
    scope
        .store
        .get(k)?
        .map(|b| serde_json::from_slice(&b).map_err(|e| DdbError::internal(format!("corrupt insights setting: {e}"))))
        .transpose()
}

/// The CloudWatch rules AWS creates for enabled insights: partition keys
/// (and sort keys, when there are) accessed (PKC/SKC, unless only
/// throttled keys are tracked) and throttled (PKT/SKT).
fn rules(meta: &TableMeta, index: Option<&str>, s: &Setting) -> Vec<String> {
    let ranged = match index {
        Some(ix) => meta.gsis.iter().any(|g| g.name == ix && g.range.is_some()),
        None => meta.range.is_some(),
    };
    let resource = match index {
        Some(ix) => format!("{}-{ix}", meta.name),
        None => meta.name.clone(),
    };
    let stamp = (s.changed * 1000.0) as u64;
    let mut kinds = vec!["PKT"];
    if s.mode != "THROTTLED_KEYS" {
        kinds.insert(0, "PKC");
    }
    if ranged {
        kinds.extend(if s.mode != "THROTTLED_KEYS" { vec!["SKC", "SKT"] } else { vec!["SKT"] });
    }
    kinds.into_iter().map(|k| format!("DynamoDBContributorInsights-{k}-{resource}-{stamp}")).collect()
}

/// The fields Describe, Update and List share.
fn summary(meta: &TableMeta, index: Option<&str>, s: Option<&Setting>, now: f64) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("TableName".into(), json!(meta.name));
    if let Some(ix) = index {
        o.insert("IndexName".into(), json!(ix));
    }
    o.insert("ContributorInsightsStatus".into(), json!(s.map_or("DISABLED", |s| s.status(now))));
    if let Some(s) = s.filter(|s| s.enabled) {
        o.insert("ContributorInsightsMode".into(), json!(s.mode));
    }
    o
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let (meta, index) = target(scope, input)?;
    let s = load(scope, &key(scope, &meta.name, index.as_deref()))?;
    let now = stratus_core::clock::now_epoch();
    let mut o = summary(&meta, index.as_deref(), s.as_ref(), now);
    if let Some(s) = &s {
        if s.status(now) == "ENABLED" {
            o.insert("ContributorInsightsRuleList".into(), json!(rules(&meta, index.as_deref(), s)));
        }
        o.insert("LastUpdateDateTime".into(), json!(s.changed));
    }
    Ok(Value::Object(o))
}

pub async fn update(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let (meta, index) = target(scope, input)?;
    let enabled = match input.str("ContributorInsightsAction") {
        Some("ENABLE") => true,
        Some("DISABLE") => false,
        _ => {
            return Err(validation(
                "1 validation error detected: Value null at 'contributorInsightsAction' failed to satisfy constraint: Member must not be null",
            ));
        }
    };
    let k = key(scope, &meta.name, index.as_deref());
    let now = stratus_core::clock::now_epoch();
    let old = load(scope, &k)?;
    let mode = input
        .str("ContributorInsightsMode")
        .map(str::to_string)
        .or_else(|| old.as_ref().map(|o| o.mode.clone()))
        .unwrap_or_else(|| "ACCESSED_AND_THROTTLED_KEYS".into());
    let s = Setting { enabled, changed: now, mode };
    let meta_key = scope.keys.meta(&meta.name);
    let bytes = serde_json::to_vec(&s).unwrap_or_default();
    let name = meta.name.clone();
    scope
        .store
        .transact(move |txn| {
            if txn.get(&meta_key)?.is_none() {
                return Err(table_not_found(&name));
            }
            txn.put(k.clone(), bytes.clone());
            Ok(())
        })
        .await?;
    let mut o = summary(&meta, index.as_deref(), Some(&s), now);
    o.insert("ContributorInsightsMode".into(), json!(s.mode));
    Ok(Value::Object(o))
}

pub async fn list(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let max = input.i64("MaxResults").unwrap_or(100).clamp(1, 100) as usize;
    let tables: Vec<String> = match input.str("TableName") {
        Some(t) => vec![scope.meta_opt(t)?.ok_or_else(|| table_not_found(t))?.name.clone()],
        None => {
            let p = scope.keys.meta_prefix();
            let rows = scope.store.scan_prefix(p.as_bytes(), false, None)?;
            rows.into_iter().map(|(k, _)| String::from_utf8_lossy(&k[p.len()..]).to_string()).collect()
        }
    };
    let now = stratus_core::clock::now_epoch();
    // A NextToken is "{table}/{index}" of the last entry listed (table
    // names have no '/'); entries are listed by (table, index).
    let after = input.str("NextToken").map(|t| t.split_once('/').unwrap_or((t, "")));
    let mut out = Vec::new();
    let mut next = None;
    'tables: for t in tables {
        let Some(meta) = scope.meta_opt(&t)? else { continue };
        let p = prefix(scope, &t);
        for (k, v) in scope.store.scan_prefix(p.as_bytes(), false, None)? {
            let index = String::from_utf8_lossy(&k[p.len()..]).to_string();
            if after.is_some_and(|a| (t.as_str(), index.as_str()) <= a) {
                continue;
            }
            if out.len() == max {
                next = out.last().map(|(p, _): &(String, Value)| p.clone());
                break 'tables;
            }
            let pos = format!("{t}/{index}");
            let s: Setting =
                serde_json::from_slice(&v).map_err(|e| DdbError::internal(format!("corrupt insights setting: {e}")))?;
            let index = (!index.is_empty()).then_some(index);
            let mut o = summary(&meta, index.as_deref(), Some(&s), now);
            o.insert("ContributorInsightsMode".into(), json!(s.mode));
            out.push((pos, Value::Object(o)));
        }
    }
    let mut res = json!({ "ContributorInsightsSummaries": out.into_iter().map(|(_, v)| v).collect::<Vec<_>>() });
    if let Some(n) = next {
        res["NextToken"] = json!(n);
    }
    Ok(res)
}
