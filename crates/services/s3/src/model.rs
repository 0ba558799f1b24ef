//! The records S3 keeps in the store: buckets (with their configurations as
//! model-keyed values), object versions, multipart uploads and parts. Object
//! bytes are not here: a version names the files that hold them (`files`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::AwsError;

use crate::error::internal;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub account: String,
    pub region: String,
    pub created: f64,
    /// `Enabled` or `Suspended`; None while versioning was never set.
    #[serde(default)]
    pub versioning: Option<String>,
    #[serde(default)]
    pub mfa_delete: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<(String, String)>>,
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub cors: Option<Value>,
    #[serde(default)]
    pub lifecycle: Option<Value>,
    #[serde(default)]
    pub notification: Option<Value>,
    #[serde(default)]
    pub encryption: Option<Value>,
    /// `Some(Null)` once deleted (S3 then answers NotFound), None while never set.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "kept_null")]
    pub ownership: Option<Value>,
    /// As `ownership`: deleted is not the same as never set (AWS's defaults).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "kept_null")]
    pub public_access_block: Option<Value>,
    #[serde(default)]
    pub acl: Option<String>,
    /// The Object Lock configuration (`ObjectLockEnabled`, and a default
    /// retention `Rule`); set, the bucket's versions can be locked.
    #[serde(default)]
    pub object_lock: Option<Value>,
    /// Transfer Acceleration: `Enabled` or `Suspended`; None while never set.
    #[serde(default)]
    pub accelerate: Option<String>,
    /// Who pays for requests: `Requester`, or the owner while None.
    #[serde(default)]
    pub request_payer: Option<String>,
    /// Server access logging (`LoggingEnabled`), None while off.
    #[serde(default)]
    pub logging: Option<Value>,
    /// The static website configuration, None while the bucket is no website.
    #[serde(default)]
    pub website: Option<Value>,
    /// The replication configuration (`Role`, `Rules`).
    #[serde(default)]
    pub replication: Option<Value>,
}

/// Reads a present field as `Some`, JSON null included, so that a deleted
/// configuration (`Some(Null)`) survives the store.
fn kept_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// A version's Object Lock: its retention (mode and the epoch second it
/// lasts until) and its legal hold (`ON`/`OFF`, None while never set).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_hold: Option<String>,
}

impl Lock {
    pub fn is_empty(&self) -> bool {
        *self == Lock::default()
    }
}

/// One stored piece of an object's bytes: a file and its length. A small
/// object's bytes are instead kept `inline`, in the store under the
/// segment's id, written and removed in the same transaction as the
/// version record (no file to create, fsync and unlink). A multipart
/// object keeps its parts' files as they were uploaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Segment {
    pub file: String,
    pub len: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inline: bool,
    /// An inline segment's bytes on their way to the store (never part of
    /// the record).
    #[serde(skip)]
    pub data: Option<bytes::Bytes>,
    /// Part ETag and checksum (multipart objects only).
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub checksum: Option<String>,
}

/// Object checksum as stored and returned with `ChecksumMode=ENABLED`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checksum {
    /// `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`.
    pub algorithm: String,
    pub value: String,
    /// `FULL_OBJECT` or `COMPOSITE`.
    pub kind: String,
}

/// Content headers stored with an object and returned on GET/HEAD.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContentHeaders {
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub content_language: Option<String>,
    pub cache_control: Option<String>,
    pub expires: Option<String>,
    pub website_redirect: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    pub key: String,
    pub version_id: String,
    pub seq: u64,
    #[serde(default)]
    pub delete_marker: bool,
    pub last_modified: f64,
    pub owner: String,
    #[serde(default)]
    pub size: u64,
    /// Quoted, as S3 returns it.
    #[serde(default)]
    pub etag: String,
    #[serde(default)]
    pub headers: ContentHeaders,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub storage_class: String,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    #[serde(default)]
    pub checksum: Option<Checksum>,
    #[serde(default)]
    pub files: Vec<Segment>,
    /// Set when the object was assembled by CompleteMultipartUpload.
    #[serde(default)]
    pub multipart: bool,
    #[serde(default)]
    pub sse: Option<String>,
    #[serde(default)]
    pub sse_kms_key: Option<String>,
    /// The restored copy of an archived version (`restore`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<crate::restore::Restore>,
    #[serde(default, skip_serializing_if = "Lock::is_empty")]
    pub lock: Lock,
    /// `PENDING`, `COMPLETED` or `FAILED` on a replicated source version,
    /// `REPLICA` on its copy (`replication`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub initiated: f64,
    pub owner: String,
    pub headers: ContentHeaders,
    pub metadata: BTreeMap<String, String>,
    pub storage_class: String,
    pub tags: Vec<(String, String)>,
    pub checksum_algorithm: Option<String>,
    pub checksum_type: Option<String>,
    pub sse: Option<String>,
    pub sse_kms_key: Option<String>,
    /// The lock the completed object gets (CreateMultipartUpload's headers
    /// or the bucket's default retention).
    #[serde(default, skip_serializing_if = "Lock::is_empty")]
    pub lock: Lock,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    pub number: u32,
    pub size: u64,
    pub etag: String,
    pub last_modified: f64,
    pub file: String,
    /// (algorithm, base64 value) when the part carried a checksum.
    pub checksum: Option<(String, String)>,
    /// The part's CRC64NVME, for the object's default full-object checksum.
    #[serde(default)]
    pub crc64: String,
}

pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

pub fn decode<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| internal(format!("corrupt {what} record: {e}")))
}
