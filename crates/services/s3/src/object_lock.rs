//! Object Lock: a bucket's configuration (enabled when the bucket is
//! created, or later on a bucket with versioning enabled; an optional
//! default retention), each version's retention (GOVERNANCE or COMPLIANCE
//! until a date) and legal hold, set on writes by the `x-amz-object-lock-*`
//! headers or the bucket's default, changed by Put*Retention/LegalHold, and
//! enforced when a version is deleted or its retention is weakened.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::buckets::update;
use crate::error::{invalid_argument, invalid_request, malformed_xml, no_such_key};
use crate::model::{Bucket, Lock, Version};
use crate::shared::{Shared, now};
use crate::tagging::method_not_allowed_marker;
use crate::versioning::update_version;

const MODES: [&str; 2] = ["GOVERNANCE", "COMPLIANCE"];

fn missing_configuration() -> AwsError {
    invalid_request("Bucket is missing Object Lock Configuration")
}

/// AWS's refusal to delete or weaken a locked version.
pub fn protected() -> AwsError {
    AwsError::new(403, "AccessDenied", "Access Denied because object protected by object lock.")
}

fn no_lock_of_object() -> AwsError {
    AwsError::new(404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
}

fn in_the_past() -> AwsError {
    invalid_argument("The retain until date must be in the future!", "RetainUntilDate", None)
}

/// Whether Object Lock is enabled on the bucket.
pub fn enabled(b: &Bucket) -> bool {
    b.object_lock.is_some()
}

/// `x-amz-bypass-governance-retention` is refused on buckets without Object Lock.
pub fn check_bypass(b: &Bucket, input: &Value) -> Result<bool, AwsError> {
    match input.bool("BypassGovernanceRetention") {
        Some(_) if !enabled(b) => Err(invalid_argument(
            "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.",
            "x-amz-bypass-governance-retention",
            None,
        )),
        bypass => Ok(bypass.unwrap_or(false)),
    }
}

/// Whether `v` may be deleted for good now (with `bypass` of GOVERNANCE).
pub fn check_delete(v: &Version, bypass: bool) -> Result<(), AwsError> {
    if v.lock.legal_hold.as_deref() == Some("ON") {
        return Err(protected());
    }
    match (v.lock.mode.as_deref(), v.lock.until) {
        (Some("COMPLIANCE"), Some(until)) if until > now() => Err(protected()),
        (Some("GOVERNANCE"), Some(until)) if until > now() && !bypass => Err(protected()),
        _ => Ok(()),
    }
}

/// The lock a new version written by `input` gets: the request's
/// `ObjectLockMode`/`ObjectLockRetainUntilDate`/`ObjectLockLegalHoldStatus`
/// headers, or else the bucket's default retention.
pub fn for_write(b: &Bucket, input: &Value) -> Result<Lock, AwsError> {
    let mode = input.str("ObjectLockMode");
    let until = input.get("ObjectLockRetainUntilDate").and_then(Value::as_f64);
    let hold = input.str("ObjectLockLegalHoldStatus");
    if let Some(m) = mode
        && !MODES.contains(&m)
    {
        return Err(invalid_argument("Unknown wormMode directive.", "x-amz-object-lock-mode", Some(m)));
    }
    let both = "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied";
    match (mode, until) {
        (Some(_), None) => return Err(invalid_argument(both, "x-amz-object-lock-retain-until-date", None)),
        (None, Some(_)) => return Err(invalid_argument(both, "x-amz-object-lock-mode", None)),
        _ => {}
    }
    if let Some(h) = hold
        && !["ON", "OFF"].contains(&h)
    {
        return Err(invalid_argument(
            "Legal Hold must be either of 'ON' or 'OFF'",
            "x-amz-object-lock-legal-hold",
            Some(h),
        ));
    }
    if (mode.is_some() || hold.is_some()) && !enabled(b) {
        return Err(missing_configuration());
    }
    if until.is_some_and(|u| u <= now()) {
        return Err(in_the_past());
    }
    let mut lock = Lock { mode: mode.map(str::to_string), until, legal_hold: hold.map(str::to_string) };
    if lock.mode.is_none()
        && let Some((m, seconds)) = default_retention(b)
    {
        lock.mode = Some(m);
        lock.until = Some(now() + seconds);
    }
    Ok(lock)
}

/// Object Lock parameters on a PutObject need an integrity check, as AWS
/// requires: `Content-MD5` or an `x-amz-checksum-*` value or algorithm.
pub fn check_integrity(input: &Value) -> Result<(), AwsError> {
    let lock = ["ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus"];
    if !lock.iter().any(|k| input.get(*k).is_some()) {
        return Ok(());
    }
    let checked = input.get("ContentMD5").is_some()
        || input.as_object().is_some_and(|o| o.keys().any(|k| k.starts_with("Checksum")));
    if checked {
        return Ok(());
    }
    Err(invalid_request(
        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
    ))
}

/// The bucket's default retention: mode and length in seconds.
fn default_retention(b: &Bucket) -> Option<(String, f64)> {
    let d = b.object_lock.as_ref()?.get("Rule")?.get("DefaultRetention")?;
    let mode = d.str("Mode")?.to_string();
    let days = match (d.i64("Days"), d.i64("Years")) {
        (Some(days), _) => days,
        (None, Some(years)) => years * 365,
        _ => return None,
    };
    Some((mode, days as f64 * 86_400.0))
}

/// The members GET/HEAD answer with for a locked version.
pub fn output(v: &Version, out: &mut Value) {
    if let (Some(m), Some(u)) = (&v.lock.mode, v.lock.until) {
        out["ObjectLockMode"] = Value::from(m.clone());
        out["ObjectLockRetainUntilDate"] = Value::from(u);
    }
    if let Some(h) = &v.lock.legal_hold {
        out["ObjectLockLegalHoldStatus"] = Value::from(h.clone());
    }
}

/// PutObjectLockConfiguration.
pub async fn put_configuration(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    let conf = input.get("ObjectLockConfiguration").cloned().ok_or_else(malformed_xml)?;
    if conf.str("ObjectLockEnabled") != Some("Enabled") {
        return Err(malformed_xml());
    }
    if let Some(rule) = conf.get("Rule") {
        let d = rule.get("DefaultRetention").ok_or_else(malformed_xml)?;
        if !d.str("Mode").is_some_and(|m| MODES.contains(&m)) {
            return Err(malformed_xml());
        }
        match (d.i64("Days"), d.i64("Years")) {
            (Some(n), None) | (None, Some(n)) if n > 0 => {}
            (Some(_), None) | (None, Some(_)) => {
                return Err(invalid_argument(
                    "Default retention period must be a positive integer value.",
                    "DefaultRetention",
                    None,
                ));
            }
            _ => return Err(malformed_xml()),
        }
    }
    update(sh, name, move |b| {
        if !enabled(b) && b.versioning.as_deref() != Some("Enabled") {
            return Err(AwsError::new(
                409,
                "InvalidBucketState",
                "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
            ));
        }
        b.object_lock = Some(conf.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// GetObjectLockConfiguration.
pub fn get_configuration(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.object_lock {
        Some(c) => Ok(json!({"ObjectLockConfiguration": c})),
        None => Err(crate::error::no_such_config(
            "ObjectLockConfigurationNotFoundError",
            "Object Lock configuration does not exist for this bucket",
            name,
        )),
    }
}

/// The version an Object Lock operation addresses, in a bucket with Object Lock.
fn target(sh: &Shared, input: &Value, method: &str) -> Result<Version, AwsError> {
    let bucket = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let b = sh.bucket(bucket)?;
    let version_id = input.str("VersionId");
    if !enabled(&b) {
        // AWS reports a missing key before the missing configuration on writes.
        if method == "PUT" {
            sh.find(bucket, key, version_id)?;
        }
        return Err(missing_configuration());
    }
    let v = sh.find(bucket, key, version_id)?;
    if v.delete_marker {
        return Err(if version_id.is_some() { method_not_allowed_marker(method) } else { no_such_key(key) });
    }
    Ok(v)
}

/// Whether replacing retention `old` by `new` weakens it: a shorter date,
/// COMPLIANCE to GOVERNANCE, or none at all.
fn weakens(old: &Lock, new: &Lock) -> bool {
    let (Some(mode), Some(until)) = (&old.mode, old.until) else { return false };
    if until <= now() {
        return false;
    }
    match (&new.mode, new.until) {
        (Some(m), Some(u)) => u < until || (mode == "COMPLIANCE" && m != "COMPLIANCE"),
        _ => true,
    }
}

/// PutObjectRetention.
pub async fn put_retention(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let v = target(sh, input, "PUT")?;
    let r = input.get("Retention").cloned().unwrap_or(Value::Null);
    let wanted = match (r.str("Mode"), r.get("RetainUntilDate").and_then(Value::as_f64)) {
        (Some(m), Some(u)) if MODES.contains(&m) => {
            if u <= now() {
                return Err(in_the_past());
            }
            Lock { mode: Some(m.to_string()), until: Some(u), legal_hold: None }
        }
        (None, None) => Lock::default(),
        _ => return Err(malformed_xml()),
    };
    let bypass = input.bool("BypassGovernanceRetention").unwrap_or(false);
    let (bucket, key) = (input.req_str("Bucket")?, input.req_str("Key")?);
    update_version(sh, bucket, key, v.seq, move |v| {
        if weakens(&v.lock, &wanted) && (v.lock.mode.as_deref() == Some("COMPLIANCE") || !bypass) {
            return Err(protected());
        }
        v.lock.mode = wanted.mode.clone();
        v.lock.until = wanted.until;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// GetObjectRetention.
pub fn get_retention(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let v = target(sh, input, "GET")?;
    match (v.lock.mode, v.lock.until) {
        (Some(m), Some(u)) => Ok(json!({"Retention": {"Mode": m, "RetainUntilDate": u}})),
        _ => Err(no_lock_of_object()),
    }
}

/// PutObjectLegalHold.
pub async fn put_legal_hold(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let v = target(sh, input, "PUT")?;
    let status = input.get("LegalHold").and_then(|h| h.str("Status")).map(str::to_string);
    let status = match status {
        Some(s) if s == "ON" || s == "OFF" => s,
        _ => return Err(malformed_xml()),
    };
    let (bucket, key) = (input.req_str("Bucket")?, input.req_str("Key")?);
    update_version(sh, bucket, key, v.seq, move |v| {
        v.lock.legal_hold = Some(status.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// GetObjectLegalHold.
pub fn get_legal_hold(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let v = target(sh, input, "GET")?;
    match v.lock.legal_hold {
        Some(s) => Ok(json!({"LegalHold": {"Status": s}})),
        None => Err(no_lock_of_object()),
    }
}

/// PutBucketVersioning may not suspend versioning of a bucket with Object Lock.
pub fn check_versioning_change(b: &Bucket, status: Option<&str>) -> Result<(), AwsError> {
    if enabled(b) && status.is_some_and(|s| s != "Enabled") {
        return Err(AwsError::new(
            409,
            "InvalidBucketState",
            "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
        ));
    }
    Ok(())
}
