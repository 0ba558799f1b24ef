//! `Shared`: what every operation works with (the store, the object files,
//! the version sequence, peers for notifications, the CORS cache, access
//! logging, the outbox's wake-up), and the record loads operations share.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use stratus_core::{AwsError, Peers};
use stratus_store::Store;

use crate::error::{invalid_version_id, no_such_bucket, no_such_key, no_such_version};
use crate::files::{Files, Source};
use crate::keys;
use crate::model::{Bucket, Segment, Version, decode};

pub struct Shared {
    pub store: Store,
    pub files: Files,
    pub seq: Arc<Sequence>,
    pub peers: Peers,
    pub endpoint: String,
    /// The front door's signature checks (POST forms).
    pub signatures: stratus_core::settings::Signatures,
    /// Bucket → CORS rules, so CORS lookups stay cheap.
    pub cors: RwLock<HashMap<String, Value>>,
    /// Wakes the notification sender when the outbox gets records.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// Wakes the replication worker when a version is queued.
    pub replication_wake: Arc<tokio::sync::Notify>,
    /// Seconds a restore of an archived object takes.
    pub restore_secs: f64,
    /// Server access logging's targets and undelivered records.
    pub access_logs: crate::access_log::AccessLogs,
}

/// Monotonic sequence numbers: version order, upload ids, sequencers.
pub struct Sequence(AtomicU64);

impl Sequence {
    pub fn new() -> Sequence {
        Sequence(AtomicU64::new(now_nanos()))
    }

    /// The next number: never below the clock, never repeating.
    pub fn next(&self) -> u64 {
        let now = now_nanos();
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let next = (cur + 1).max(now);
            match self.0.compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return next,
                Err(seen) => cur = seen,
            }
        }
    }
}

impl Default for Sequence {
    fn default() -> Self {
        Sequence::new()
    }
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

/// Milliseconds precision, as S3 keeps Last-Modified.
pub fn now() -> f64 {
    (stratus_core::clock::now_millis() as f64) / 1000.0
}

const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

/// A version id: the sequence (hex, so the record can be found) and
/// randomness, 32 characters like AWS's.
pub fn version_id(seq: u64) -> String {
    format!("{seq:016x}{}", stratus_core::ids::random_from(ID_ALPHABET, 16))
}

/// The sequence inside a version id, or AWS's "Invalid version id".
pub fn parse_version_id(id: &str) -> Result<u64, AwsError> {
    if id.len() != 32 {
        return Err(invalid_version_id(id));
    }
    id.get(..16).and_then(|h| u64::from_str_radix(h, 16).ok()).ok_or_else(|| invalid_version_id(id))
}

impl Shared {
    /// Where each of a version's segments is read from: inline bytes from
    /// the store, files opened.
    pub fn open(&self, segments: &[Segment]) -> Result<Vec<Source>, AwsError> {
        segments
            .iter()
            .map(|s| match s.inline {
                true => match self.store.get(keys::inline(&s.file))? {
                    Some(bytes) => Ok(Source::Inline(bytes.into())),
                    None => Err(crate::error::internal("inline object bytes are missing")),
                },
                false => self.files.open(s),
            })
            .collect()
    }

    pub fn bucket_opt(&self, name: &str) -> Result<Option<Bucket>, AwsError> {
        match self.store.get(keys::bucket(name))? {
            Some(bytes) => Ok(Some(decode("bucket", &bytes)?)),
            None => Ok(None),
        }
    }

    /// The bucket record, or NoSuchBucket.
    pub fn bucket(&self, name: &str) -> Result<Bucket, AwsError> {
        self.bucket_opt(name)?.ok_or_else(|| no_such_bucket(name))
    }

    /// Every version of `key`, newest first.
    pub fn versions(&self, bucket: &str, key: &str) -> Result<Vec<Version>, AwsError> {
        self.store
            .scan_prefix(keys::versions_of(bucket, key), false, None)?
            .iter()
            .map(|(_, v)| decode("object", v))
            .collect()
    }

    /// The version a read names: `version_id` (or `null`), else the latest.
    /// A latest version that is a delete marker is returned as is; callers
    /// decide what that means.
    pub fn find(&self, bucket: &str, key: &str, version_id: Option<&str>) -> Result<Version, AwsError> {
        match version_id {
            None => self.versions_latest(bucket, key)?.ok_or_else(|| no_such_key(key)),
            Some("null") => self
                .versions(bucket, key)?
                .into_iter()
                .find(|v| v.version_id == "null")
                .ok_or_else(|| no_such_version(key, "null")),
            Some(id) => {
                let seq = parse_version_id(id)?;
                match self.store.get(keys::version(bucket, key, seq))? {
                    Some(bytes) => {
                        let v: Version = decode("object", &bytes)?;
                        if v.version_id == id { Ok(v) } else { Err(no_such_version(key, id)) }
                    }
                    None => Err(no_such_version(key, id)),
                }
            }
        }
    }

    pub fn versions_latest(&self, bucket: &str, key: &str) -> Result<Option<Version>, AwsError> {
        match self.store.scan_prefix(keys::versions_of(bucket, key), false, Some(1))?.first() {
            Some((_, v)) => Ok(Some(decode("object", v)?)),
            None => Ok(None),
        }
    }

    pub fn set_cors(&self, bucket: &str, rules: Option<Value>) {
        if let Ok(mut map) = self.cors.write() {
            match rules {
                Some(r) => map.insert(bucket.to_string(), r),
                None => map.remove(bucket),
            };
        }
    }
}
