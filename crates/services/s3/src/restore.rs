//! Archived objects (storage classes GLACIER and DEEP_ARCHIVE): GetObject
//! refuses them with InvalidObjectState until RestoreObject makes a
//! temporary copy readable; the `x-amz-restore` header HeadObject shows
//! for it; RestoreObject itself. Stratus completes a restore at once: the
//! first request answers 202 and a repeat (which moves the expiry) 200.

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
}

/// Whether GetObject must first restore `v`'s storage class.
fn archived(v: &Version) -> bool {
    matches!(v.storage_class.as_str(), "GLACIER" | "DEEP_ARCHIVE")
}

/// The restored copy of `v` alive at `at`, if any.
fn restored(v: &Version, at: f64) -> Option<&Restore> {
    v.restore.as_ref().filter(|r| r.expiry > at)
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

/// HeadObject's `Restore` member (`x-amz-restore`) for a restored version.
pub fn header(v: &Version) -> Option<String> {
    let r = restored(v, now())?;
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
    let seq = v.seq;
    let (b2, k2) = (bucket.clone(), key.clone());
    let (updated, first): (Version, bool) = sh
        .store
        .transact(move |txn| {
            let rk = keys::version(&b2, &k2, seq);
            let Some(raw) = txn.get(&rk)? else { return Err(no_such_key(&k2)) };
            let mut v: Version = decode("object", &raw)?;
            let first = restored(&v, at).is_none();
            v.restore = Some(Restore { expiry: expiry(at, days) });
            txn.put(rk, encode(&v));
            Ok((v, first))
        })
        .await?;
    if !first {
        return Ok(json!({}));
    }
    notify::emit(sh, ctx, &b, ObjectEvent::created("ObjectRestore:Post", &updated)).await;
    let mut done = ObjectEvent::created("ObjectRestore:Completed", &updated);
    done.glacier = Some(glacier_data(&updated));
    notify::emit(sh, ctx, &b, done).await;
    Ok(json!({ "__Status": 202 }))
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
