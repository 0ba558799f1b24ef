//! Archived objects (storage classes GLACIER and DEEP_ARCHIVE): GetObject
//! refuses them with InvalidObjectState until RestoreObject makes a
//! temporary copy readable; the `x-amz-restore` header HeadObject shows
//! for it; RestoreObject itself. A restore takes `--s3-restore-seconds`
//! (0: done at once): the first request answers 202, one while it is in
//! progress 409 RestoreAlreadyInProgress, and one after it (which moves the
//! expiry) 200. A restore in progress is also kept under `r/`, ordered by
//! when it is ready, so the reaper sends its ObjectRestore:Completed event
//! then, after a restart too.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

use crate::error::{malformed_xml, no_such_key};
use crate::keys;
use crate::model::{Version, decode, encode};
use crate::notify::{self, ObjectEvent};
use crate::output::http_date;
use crate::shared::{Shared, now};
use crate::tagging::method_not_allowed_marker;

const DAY: f64 = 86_400.0;

/// A restored copy of an archived version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Restore {
    /// Epoch seconds when the copy goes away.
    pub expiry: f64,
    /// Epoch seconds when the copy is ready (the restore is in progress before).
    #[serde(default)]
    pub ready: f64,
}

/// A restore in progress, as its `r/` record keeps it.
#[derive(Serialize, Deserialize)]
struct Pending {
    bucket: String,
    key: String,
    seq: u64,
    /// Who asked for it (the Completed event's principal).
    account: String,
}

/// Whether GetObject must first restore `v`'s storage class.
fn archived(v: &Version) -> bool {
    matches!(v.storage_class.as_str(), "GLACIER" | "DEEP_ARCHIVE")
}

/// The restored copy of `v` alive at `at`, if any.
fn restored(v: &Version, at: f64) -> Option<&Restore> {
    v.restore.as_ref().filter(|r| r.ready <= at && r.expiry > at)
}

/// Whether a restore of `v` is in progress at `at`.
fn in_progress(v: &Version, at: f64) -> bool {
    v.restore.as_ref().is_some_and(|r| r.ready > at)
}

fn invalid_state(message: &str, storage_class: &str) -> AwsError {
    AwsError::new(403, "InvalidObjectState", message)
        .with_field("StorageClass", Value::from(storage_class))
        .with_header("x-amz-storage-class", storage_class)
}

/// GetObject's check: an archived version reads only while restored.
pub fn check_readable(v: &Version) -> Result<(), AwsError> {
    if archived(v) && restored(v, now()).is_none() {
        return Err(invalid_state("The operation is not valid for the object's storage class", &v.storage_class));
    }
    Ok(())
}

/// CopyObject's and UploadPartCopy's check of their source: an archived
/// version copies only while restored.
pub fn check_copyable(v: &Version) -> Result<(), AwsError> {
    if archived(v) && restored(v, now()).is_none() {
        return Err(invalid_state("Operation is not valid for the source object's storage class", &v.storage_class));
    }
    Ok(())
}

/// HeadObject's `Restore` member (`x-amz-restore`) for a version being or
/// having been restored.
pub fn header(v: &Version) -> Option<String> {
    let at = now();
    if in_progress(v, at) {
        return Some("ongoing-request=\"true\"".to_string());
    }
    let r = restored(v, at)?;
    Some(format!("ongoing-request=\"false\", expiry-date=\"{}\"", http_date(r.expiry)))
}

/// When a restore for `days` asked at `at` expires: S3 rounds up to the
/// next midnight UTC.
fn expiry(at: f64, days: i64) -> f64 {
    ((at + days as f64 * DAY) / DAY).ceil() * DAY
}

fn days(input: &Value) -> Result<i64, AwsError> {
    match input.get("RestoreRequest").and_then(|r| r.get("Days")) {
        None | Some(Value::Null) => Ok(1),
        Some(d) => d.as_i64().filter(|d| *d >= 1).ok_or_else(malformed_xml),
    }
}

/// The `glacierEventData` of an ObjectRestore:Completed event.
fn glacier_data(v: &Version) -> Value {
    let expiry = v.restore.as_ref().map_or(0.0, |r| r.expiry);
    json!({"restoreEventData": {
        "lifecycleRestorationExpiryTime": stratus_core::clock::iso8601(expiry),
        "lifecycleRestoreStorageClass": v.storage_class,
    }})
}

/// RestoreObject (`POST /{Bucket}/{Key}?restore`).
pub async fn restore(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?.to_string();
    let key = input.req_str("Key")?.to_string();
    let days = days(input)?;
    let b = sh.bucket(&bucket)?;
    let v = sh.find(&bucket, &key, input.str("VersionId"))?;
    if v.delete_marker {
        return Err(method_not_allowed_marker("POST"));
    }
    if !archived(&v) {
        return Err(invalid_state("Restore is not allowed for the object's current storage class", &v.storage_class));
    }
    let at = now();
    let ready = at + sh.restore_secs;
    let seq = v.seq;
    let pending = Pending { bucket: bucket.clone(), key: key.clone(), seq, account: ctx.account_id.clone() };
    let (updated, first): (Version, bool) = sh
        .store
        .transact(move |txn| {
            let rk = keys::version(&pending.bucket, &pending.key, seq);
            let Some(raw) = txn.get(&rk)? else { return Err(no_such_key(&pending.key)) };
            let mut v: Version = decode("object", &raw)?;
            if in_progress(&v, at) {
                return Err(AwsError::new(409, "RestoreAlreadyInProgress", "Object restore is already in progress"));
            }
            let first = restored(&v, at).is_none();
            // A repeat moves the expiry of the copy that is already there.
            let ready = if first { ready } else { at };
            v.restore = Some(Restore { expiry: expiry(ready, days), ready });
            txn.put(rk, encode(&v));
            if first && ready > at {
                txn.put(keys::restore((ready * 1000.0) as u64, seq), encode(&pending));
            }
            Ok((v, first))
        })
        .await?;
    if !first {
        return Ok(json!({}));
    }
    notify::emit(sh, ctx, &b, ObjectEvent::created("ObjectRestore:Post", &updated)).await;
    if !in_progress(&updated, at) {
        completed(sh, ctx, &b, &updated).await;
    }
    Ok(json!({ "__Status": 202 }))
}

/// Sends the ObjectRestore:Completed event of `v`.
async fn completed(sh: &Shared, ctx: &RequestContext, b: &crate::model::Bucket, v: &Version) {
    let mut done = ObjectEvent::created("ObjectRestore:Completed", v);
    done.glacier = Some(glacier_data(v));
    notify::emit(sh, ctx, b, done).await;
}

/// Finishes the restores ready by `now` (the reaper's pass): each one's
/// Completed event, then its `r/` record goes.
pub async fn complete_due(sh: &Shared, now: f64) {
    let end = keys::restore((now * 1000.0) as u64 + 1, 0);
    let Ok(due) = sh.store.scan(keys::restores()..end, false, Some(1000)) else { return };
    for (record_key, raw) in due {
        if let Ok(p) = decode::<Pending>("restore", &raw) {
            let version = sh.store.get(keys::version(&p.bucket, &p.key, p.seq)).ok().flatten();
            let version = version.and_then(|raw| decode::<Version>("object", &raw).ok());
            if let (Some(v), Ok(Some(b))) = (version, sh.bucket_opt(&p.bucket)) {
                let mut ctx = RequestContext::internal("s3", "RestoreObject");
                ctx.account_id = p.account;
                completed(sh, &ctx, &b, &v).await;
            }
        }
        if let Err(e) = sh.store.delete(record_key).await {
            tracing::warn!("S3 could not clear a finished restore: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_rounds_up_to_midnight_utc() {
        let noon = 10.0 * DAY + DAY / 2.0;
        assert_eq!(expiry(noon, 1), 12.0 * DAY);
        assert_eq!(expiry(10.0 * DAY, 2), 12.0 * DAY);
    }
}
