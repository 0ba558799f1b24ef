//! Lifecycle: Put/Get/DeleteBucketLifecycleConfiguration with AWS's
//! validation, and the sweep the background reaper runs: Expiration (Days,
//! Date, ExpiredObjectDeleteMarker), NoncurrentVersionExpiration and
//! AbortIncompleteMultipartUpload, for rules filtered by prefix, tags and
//! object size; each expiration notifies `LifecycleExpiration` events.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::buckets::update;
use crate::error::{invalid_argument, invalid_request, malformed_xml, no_such_config};
use crate::keys;
use crate::listing::{Item, Start, walk};
use crate::model::{Bucket, Upload, Version, decode};
use crate::multipart::abort_upload;
use crate::notify::{self, ObjectEvent};
use crate::shared::Shared;
use crate::versioning;

const DAY: f64 = 86_400.0;
const TRANSITION_DEFAULT: &str = "all_storage_classes_128K";

pub async fn put(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?.to_string();
    let conf = input.get("LifecycleConfiguration").cloned().ok_or_else(malformed_xml)?;
    let rules = conf.list("Rules");
    if rules.is_empty() || rules.len() > 1000 {
        return Err(malformed_xml());
    }
    let mut ids: Vec<&str> = Vec::new();
    for r in rules {
        if let Some(id) = r.str("ID") {
            if id.len() > 255 {
                return Err(invalid_argument("ID length should not exceed allowed limit of 255", "ID", Some(id)));
            }
            if ids.contains(&id) {
                return Err(invalid_argument(
                    "Rule ID must be unique. Found same ID for more than one rule",
                    "ID",
                    Some(id),
                ));
            }
            ids.push(id);
        }
        if let Some(exp) = r.get("Expiration") {
            if let Some(d) = exp.get("Date").and_then(Value::as_f64)
                && d.rem_euclid(DAY) != 0.0
            {
                let shown = stratus_core::clock::iso8601(d);
                return Err(invalid_argument("'Date' must be at midnight GMT", "Date", Some(&shown)));
            }
            if let Some(days) = exp.i64("Days")
                && days <= 0
            {
                return Err(invalid_argument(
                    "'Days' for Expiration action must be a positive integer",
                    "Days",
                    Some(&days.to_string()),
                ));
            }
        }
        let tags = r.get("Filter").and_then(|f| f.get("And")).map(|a| a.list("Tags")).unwrap_or(&[]);
        for (i, t) in tags.iter().enumerate() {
            if tags[..i].iter().any(|o| o.str("Key") == t.str("Key")) {
                return Err(invalid_request("Duplicate Tag Keys are not allowed."));
            }
        }
    }
    let min_size = input.str("TransitionDefaultMinimumObjectSize").unwrap_or(TRANSITION_DEFAULT).to_string();
    if !["all_storage_classes_128K", "varies_by_storage_class"].contains(&min_size.as_str()) {
        return Err(invalid_request(format!("Invalid TransitionDefaultMinimumObjectSize found: {min_size}")));
    }
    let mut stored = json!({"Rules": rules});
    stored["TransitionDefaultMinimumObjectSize"] = Value::from(min_size.clone());
    update(sh, &name, move |b| {
        b.lifecycle = Some(stored.clone());
        Ok(())
    })
    .await?;
    Ok(json!({"TransitionDefaultMinimumObjectSize": min_size}))
}

pub fn get(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.lifecycle {
        Some(c) => Ok(c),
        None => Err(no_such_config("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", name)),
    }
}

pub async fn delete(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    update(sh, input.req_str("Bucket")?, |b| {
        b.lifecycle = None;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// A rule's filter: prefix, tags, size bounds.
struct Filter {
    prefix: String,
    tags: Vec<(String, String)>,
    greater: Option<u64>,
    less: Option<u64>,
}

impl Filter {
    fn of(rule: &Value) -> Filter {
        let f = rule.get("Filter").cloned().unwrap_or(Value::Null);
        let and = f.get("And").cloned().unwrap_or(Value::Null);
        let tag = |t: &Value| Some((t.str("Key")?.to_string(), t.str("Value").unwrap_or("").to_string()));
        let mut tags: Vec<(String, String)> = and.list("Tags").iter().filter_map(tag).collect();
        tags.extend(f.get("Tag").and_then(tag));
        let num = |v: &Value, m: &str| v.i64(m).map(|n| n.max(0) as u64);
        Filter {
            prefix: rule.str("Prefix").or(f.str("Prefix")).or(and.str("Prefix")).unwrap_or("").to_string(),
            tags,
            greater: num(&f, "ObjectSizeGreaterThan").or(num(&and, "ObjectSizeGreaterThan")),
            less: num(&f, "ObjectSizeLessThan").or(num(&and, "ObjectSizeLessThan")),
        }
    }

    fn matches(&self, v: &Version) -> bool {
        v.key.starts_with(&self.prefix)
            && self.tags.iter().all(|t| v.tags.contains(t))
            && self.greater.is_none_or(|g| v.size > g)
            && self.less.is_none_or(|l| v.size < l)
    }
}

/// S3 expires objects at the midnight (UTC) after `start + days`.
fn after_days(start: f64, days: i64) -> f64 {
    ((start + days as f64 * DAY) / DAY).ceil() * DAY
}

/// One action the sweep takes.
enum Action {
    /// Delete without a version: removes, or adds a delete marker.
    Expire(String),
    /// Removes one version for good.
    Remove(String, String),
}

/// Runs every enabled rule of every bucket once, as of `now`; returns the
/// number of objects, versions and uploads it removed or expired.
pub async fn sweep(sh: &Shared, now: f64) -> usize {
    let buckets: Vec<Bucket> = match sh.store.scan_prefix(keys::buckets(), false, None) {
        Ok(rows) => rows.iter().filter_map(|(_, v)| decode("bucket", v).ok()).collect(),
        Err(_) => return 0,
    };
    let mut count = 0;
    for b in buckets.iter().filter(|b| b.lifecycle.is_some()) {
        count += sweep_bucket(sh, b, now).await;
    }
    count
}

async fn sweep_bucket(sh: &Shared, b: &Bucket, now: f64) -> usize {
    let conf = b.lifecycle.clone().unwrap_or(Value::Null);
    let rules: Vec<Value> = conf.list("Rules").iter().filter(|r| r.str("Status") == Some("Enabled")).cloned().collect();
    let mut actions = Vec::new();
    let mut aborts = Vec::new();
    for rule in &rules {
        let filter = Filter::of(rule);
        let exp = rule.get("Expiration");
        let days = exp.and_then(|e| e.i64("Days"));
        let date = exp.and_then(|e| e.get("Date")).and_then(Value::as_f64);
        let expire_markers = exp.and_then(|e| e.bool("ExpiredObjectDeleteMarker")).unwrap_or(false);
        let nc = rule.get("NoncurrentVersionExpiration");
        let nc_days = nc.and_then(|n| n.i64("NoncurrentDays"));
        let nc_keep = nc.and_then(|n| n.i64("NewerNoncurrentVersions")).unwrap_or(0).max(0) as usize;
        let _ = walk(sh, &b.name, &filter.prefix, "", Start::Beginning, false, |item| {
            let Item::Key(key, versions) = item else { return true };
            let Some(current) = versions.first() else { return true };
            if current.delete_marker {
                if (expire_markers || days.is_some() || date.is_some()) && versions.len() == 1 {
                    actions.push(Action::Remove(key.clone(), current.version_id.clone()));
                }
            } else if filter.matches(current) {
                let due = days.map(|d| after_days(current.last_modified, d) <= now).unwrap_or(false)
                    || date.is_some_and(|d| d <= now);
                if due {
                    actions.push(Action::Expire(key.clone()));
                }
            }
            if let Some(d) = nc_days {
                let mut noncurrent = 0;
                for pair in versions.windows(2) {
                    let (newer, v) = (&pair[0], &pair[1]);
                    if v.delete_marker || filter.matches(v) {
                        noncurrent += 1;
                        if noncurrent > nc_keep && after_days(newer.last_modified, d) <= now {
                            actions.push(Action::Remove(key.clone(), v.version_id.clone()));
                        }
                    }
                }
            }
            true
        });
        if let Some(d) = rule.get("AbortIncompleteMultipartUpload").and_then(|a| a.i64("DaysAfterInitiation")) {
            let uploads = sh.store.scan_prefix(keys::uploads_prefix(&b.name, &filter.prefix), false, None);
            for (k, raw) in uploads.unwrap_or_default() {
                if let Ok(u) = decode::<Upload>("upload", &raw)
                    && after_days(u.initiated, d) <= now
                {
                    aborts.push((k, u.upload_id));
                }
            }
        }
    }
    let mut count = 0;
    for a in actions {
        let (key, version) = match a {
            Action::Expire(k) => (k, None),
            Action::Remove(k, v) => (k, Some(v)),
        };
        if let Ok(d) = versioning::delete(sh, &b.name, &key, version, &b.account, false).await {
            sh.files.remove(d.removed).await;
            if d.existed {
                let name = if d.marker_created {
                    "LifecycleExpiration:DeleteMarkerCreated"
                } else {
                    "LifecycleExpiration:Delete"
                };
                notify::emit_lifecycle(sh, b, ObjectEvent::removed(name, &key, d.version_id.as_deref())).await;
            }
            count += 1;
        }
    }
    for (k, id) in aborts {
        if let Ok(files) = abort_upload(sh, k, id).await {
            sh.files.remove(files).await;
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::after_days;

    #[test]
    fn midnight_rounding() {
        assert_eq!(after_days(10.0, 1), 2.0 * 86_400.0);
        assert_eq!(after_days(0.0, 1), 86_400.0);
    }
}
