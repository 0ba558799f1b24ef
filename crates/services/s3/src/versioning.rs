//! Writing and removing versions: the transactions behind every write of an
//! object (PutObject, CopyObject, CompleteMultipartUpload) and every delete,
//! with S3's versioning rules: unversioned and suspended buckets keep one
//! `null` version per key that writes replace; enabled buckets add a
//! version (or a delete marker) with a fresh id. Also the versioning
//! configuration operations.

use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_store::Txn;

use crate::error::{malformed_xml, no_such_bucket, no_such_key, precondition_failed};
use crate::keys;
use crate::model::{Bucket, Version, decode, encode};
use crate::shared::{Sequence, Shared, version_id};

/// Conditions of a conditional write (`If-Match`, `If-None-Match: *`).
#[derive(Debug, Clone, Default)]
pub struct WriteCondition {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    /// A record that must still exist (a multipart upload being completed),
    /// and the error when it does not.
    pub require: Option<(Vec<u8>, AwsError)>,
    /// Records removed in the same transaction (the upload and its parts).
    pub delete_keys: Vec<Vec<u8>>,
}

/// Files of versions a transaction removed, to delete once it committed
/// (inline bytes go with the record).
pub type Removed = Vec<String>;

/// Removes version `v`'s record and inline bytes inside a transaction, and
/// notes its files for removal.
fn forget(txn: &mut Txn<'_>, bucket: &str, v: &Version, removed: &mut Removed) {
    txn.delete(keys::version(bucket, &v.key, v.seq));
    for s in &v.files {
        if s.inline {
            txn.delete(keys::inline(&s.file));
        } else {
            removed.push(s.file.clone());
        }
    }
}

fn txn_bucket(txn: &Txn<'_>, name: &str) -> Result<Bucket, AwsError> {
    match txn.get(keys::bucket(name))? {
        Some(b) => decode("bucket", &b),
        None => Err(no_such_bucket(name)),
    }
}

fn txn_versions(txn: &Txn<'_>, bucket: &str, key: &str) -> Result<Vec<Version>, AwsError> {
    txn.scan_prefix(keys::versions_of(bucket, key), false, None)?.iter().map(|(_, v)| decode("object", v)).collect()
}

/// Removes the `null` version of a key inside a transaction.
fn drop_null(txn: &mut Txn<'_>, bucket: &str, versions: &[Version], removed: &mut Removed) {
    for v in versions.iter().filter(|v| v.version_id == "null") {
        forget(txn, bucket, v, removed);
    }
}

fn check(cond: &WriteCondition, key: &str, latest: Option<&Version>) -> Result<(), AwsError> {
    let live = latest.filter(|v| !v.delete_marker);
    if let Some(m) = &cond.if_none_match
        && m.trim() == "*"
        && live.is_some()
    {
        return Err(precondition_failed("If-None-Match"));
    }
    if let Some(m) = &cond.if_match {
        match live {
            None => return Err(no_such_key(key)),
            Some(v) if !etag_matches(m, &v.etag) => return Err(precondition_failed("If-Match")),
            _ => {}
        }
    }
    Ok(())
}

/// Whether an `If-Match`-style list of ETags names `etag` (`*` matches).
pub fn etag_matches(list: &str, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    list.split(',').map(|s| s.trim().trim_start_matches("W/").trim_matches('"')).any(|e| e == "*" || e == bare)
}

/// Commits `v` as the newest version of its key; fills in its sequence
/// and version id. Returns it and the files of versions it replaced.
pub async fn commit(
    sh: &Shared,
    bucket: &str,
    v: Version,
    cond: WriteCondition,
) -> Result<(Version, Removed), AwsError> {
    let seq: Arc<Sequence> = sh.seq.clone();
    let bucket = bucket.to_string();
    sh.store
        .transact(move |txn| {
            let b = txn_bucket(txn, &bucket)?;
            if let Some((k, err)) = &cond.require
                && txn.get(k)?.is_none()
            {
                return Err(err.clone());
            }
            let versions = txn_versions(txn, &bucket, &v.key)?;
            check(&cond, &v.key, versions.first())?;
            for k in &cond.delete_keys {
                txn.delete(k.clone());
            }
            let mut v = v.clone();
            let mut removed = Vec::new();
            v.seq = seq.next();
            if b.versioning.as_deref() == Some("Enabled") {
                v.version_id = version_id(v.seq);
            } else {
                v.version_id = "null".into();
                drop_null(txn, &bucket, &versions, &mut removed);
            }
            for s in &v.files {
                if let Some(data) = &s.data {
                    txn.put(keys::inline(&s.file), data.to_vec());
                }
            }
            crate::replication::enqueue(txn, &b, &mut v);
            txn.put(keys::version(&bucket, &v.key, v.seq), encode(&v));
            Ok((v, removed))
        })
        .await
        .inspect(|(v, _)| {
            if v.replication.is_some() {
                sh.replication_wake.notify_one();
            }
        })
}

/// Changes the record of the version numbered `seq` of `key` in one
/// transaction (tags, retention, legal hold) and returns it as changed.
pub async fn update_version<F>(sh: &Shared, bucket: &str, key: &str, seq: u64, change: F) -> Result<Version, AwsError>
where
    F: Fn(&mut Version) -> Result<(), AwsError> + Send + 'static,
{
    let (bucket, key) = (bucket.to_string(), key.to_string());
    sh.store
        .transact(move |txn| {
            let rk = keys::version(&bucket, &key, seq);
            let Some(raw) = txn.get(&rk)? else { return Err(no_such_key(&key)) };
            let mut v: Version = decode("object", &raw)?;
            change(&mut v)?;
            txn.put(rk, encode(&v));
            Ok(v)
        })
        .await
}

/// What a delete did.
#[derive(Debug, Default)]
pub struct Deleted {
    /// The version removed or the delete marker created/removed.
    pub version_id: Option<String>,
    pub delete_marker: bool,
    /// Whether a delete marker was created (event `DeleteMarkerCreated`).
    pub marker_created: bool,
    /// Whether a version was removed or a marker created: the call has an
    /// `ObjectRemoved` event (files or inline bytes alike).
    pub existed: bool,
    pub removed: Removed,
    /// Whether the delete marker created was queued for replication.
    pub replicate: bool,
}

/// DeleteObject's semantics: a named version is removed for good (unless
/// Object Lock protects it; `bypass` lifts GOVERNANCE retention); without
/// one, unversioned buckets lose the `null` version and versioned buckets
/// get a delete marker (`null` when suspended).
pub async fn delete(
    sh: &Shared,
    bucket: &str,
    key: &str,
    version: Option<String>,
    owner: &str,
    bypass: bool,
) -> Result<Deleted, AwsError> {
    let seq = sh.seq.clone();
    let bucket = bucket.to_string();
    let key = key.to_string();
    let owner = owner.to_string();
    sh.store
        .transact(move |txn| {
            let b = txn_bucket(txn, &bucket)?;
            let versions = txn_versions(txn, &bucket, &key)?;
            let mut out = Deleted::default();
            if let Some(id) = &version {
                if let Some(v) = versions.iter().find(|v| &v.version_id == id) {
                    if crate::object_lock::enabled(&b) {
                        crate::object_lock::check_delete(v, bypass)?;
                    }
                    forget(txn, &bucket, v, &mut out.removed);
                    out.delete_marker = v.delete_marker;
                    out.existed = true;
                }
                out.version_id = Some(id.clone());
                return Ok(out);
            }
            match b.versioning.as_deref() {
                None => {
                    out.existed = versions.iter().any(|v| v.version_id == "null");
                    drop_null(txn, &bucket, &versions, &mut out.removed);
                }
                Some(state) => {
                    let s = seq.next();
                    let id = if state == "Enabled" { version_id(s) } else { "null".to_string() };
                    if state != "Enabled" {
                        drop_null(txn, &bucket, &versions, &mut out.removed);
                    }
                    let mut marker = delete_marker(&key, &id, s, &owner);
                    crate::replication::enqueue(txn, &b, &mut marker);
                    out.replicate = marker.replication.is_some();
                    txn.put(keys::version(&bucket, &key, s), encode(&marker));
                    out.version_id = Some(id);
                    out.delete_marker = true;
                    out.marker_created = true;
                    out.existed = true;
                }
            }
            Ok(out)
        })
        .await
        .inspect(|d| {
            if d.replicate {
                sh.replication_wake.notify_one();
            }
        })
}

pub fn delete_marker(key: &str, id: &str, seq: u64, owner: &str) -> Version {
    Version {
        key: key.to_string(),
        version_id: id.to_string(),
        seq,
        delete_marker: true,
        last_modified: crate::shared::now(),
        owner: owner.to_string(),
        size: 0,
        etag: String::new(),
        headers: Default::default(),
        metadata: Default::default(),
        storage_class: String::new(),
        tags: Vec::new(),
        checksum: None,
        files: Vec::new(),
        multipart: false,
        sse: None,
        sse_kms_key: None,
        restore: None,
        lock: Default::default(),
        replication: None,
    }
}

/// PutBucketVersioning.
pub async fn put_config(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?.to_string();
    let conf = input.get("VersioningConfiguration").cloned().unwrap_or(Value::Null);
    let status = conf.str("Status").map(str::to_string);
    let mfa = conf.str("MFADelete").map(str::to_string);
    match status.as_deref() {
        Some("Enabled") | Some("Suspended") => {}
        None if mfa.is_none() => {
            return Err(AwsError::bad_request(
                "IllegalVersioningConfigurationException",
                "The Versioning element must be specified",
            ));
        }
        _ => return Err(malformed_xml()),
    }
    crate::buckets::update(sh, &name, move |b| {
        crate::object_lock::check_versioning_change(b, status.as_deref())?;
        if let Some(s) = &status {
            b.versioning = Some(s.clone());
        }
        if let Some(m) = &mfa {
            b.mfa_delete = Some(m.clone());
        }
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// GetBucketVersioning.
pub fn get_config(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    let mut out = json!({});
    if let Some(s) = b.versioning {
        out["Status"] = Value::from(s);
    }
    if let Some(m) = b.mfa_delete {
        out["MFADelete"] = Value::from(m);
    }
    Ok(out)
}
