//! How a stored version reads back: the GetObject/HeadObject output members
//! (content headers, metadata, ETag, checksum, version id), and building a
//! version's content headers and metadata from a write's input.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use stratus_core::input::Input;

use crate::checksums::Algo;
use crate::model::{ContentHeaders, Version};

/// Output members describing `v`. `versioned`: the bucket has (had)
/// versioning, so the version id is shown; `checksum`: ChecksumMode=ENABLED.
pub fn object(v: &Version, versioned: bool, checksum: bool) -> Value {
    let mut out = Map::new();
    let mut put = |k: &str, val: Value| {
        out.insert(k.to_string(), val);
    };
    put("AcceptRanges", Value::from("bytes"));
    put("LastModified", Value::from(v.last_modified.floor()));
    put("ContentLength", Value::from(v.size));
    put("ETag", Value::from(v.etag.clone()));
    let h = &v.headers;
    for (member, val) in [
        ("ContentType", &h.content_type),
        ("ContentEncoding", &h.content_encoding),
        ("ContentDisposition", &h.content_disposition),
        ("ContentLanguage", &h.content_language),
        ("CacheControl", &h.cache_control),
        ("Expires", &h.expires),
        ("WebsiteRedirectLocation", &h.website_redirect),
    ] {
        if let Some(s) = val {
            put(member, Value::from(s.clone()));
        }
    }
    if !v.metadata.is_empty() {
        put("Metadata", Value::Object(v.metadata.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect()));
    }
    put("ServerSideEncryption", Value::from(v.sse.clone().unwrap_or_else(|| "AES256".into())));
    if let Some(k) = &v.sse_kms_key {
        put("SSEKMSKeyId", Value::from(k.clone()));
    }
    if !v.storage_class.is_empty() && v.storage_class != "STANDARD" {
        put("StorageClass", Value::from(v.storage_class.clone()));
    }
    if versioned {
        put("VersionId", Value::from(v.version_id.clone()));
    }
    if let Some(r) = crate::restore::header(v) {
        put("Restore", Value::from(r));
    }
    if !v.tags.is_empty() {
        put("TagCount", Value::from(v.tags.len()));
    }
    if let Some(r) = &v.replication {
        put("ReplicationStatus", Value::from(r.clone()));
    }
    if checksum
        && let Some(c) = &v.checksum
        && let Some(a) = Algo::parse(&c.algorithm)
    {
        put(a.member(), Value::from(c.value.clone()));
        put("ChecksumType", Value::from(c.kind.clone()));
    }
    Value::Object(out)
}

/// Content headers of a write (PutObject, CreateMultipartUpload, CopyObject
/// with REPLACE); S3's default type is `binary/octet-stream`.
pub fn content_headers(input: &Value) -> ContentHeaders {
    let s = |m: &str| input.str(m).map(str::to_string);
    ContentHeaders {
        content_type: Some(s("ContentType").unwrap_or_else(|| "binary/octet-stream".into())),
        content_encoding: s("ContentEncoding").filter(|e| e != "aws-chunked").map(|e| {
            // aws-chunked is transport framing, not a content coding.
            e.split(',').map(str::trim).filter(|p| *p != "aws-chunked").collect::<Vec<_>>().join(",")
        }),
        content_disposition: s("ContentDisposition"),
        content_language: s("ContentLanguage"),
        cache_control: s("CacheControl"),
        expires: s("Expires"),
        website_redirect: s("WebsiteRedirectLocation"),
    }
}

/// User metadata (`x-amz-meta-*`), keys lower-cased as S3 stores them.
pub fn metadata(input: &Value) -> BTreeMap<String, String> {
    input
        .get("Metadata")
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.to_ascii_lowercase(), s.to_string()))).collect())
        .unwrap_or_default()
}

/// Applies `response-*` query overrides to a GetObject output.
pub fn overrides(input: &Value, out: &mut Value) {
    for (param, member) in [
        ("ResponseContentType", "ContentType"),
        ("ResponseContentLanguage", "ContentLanguage"),
        ("ResponseContentDisposition", "ContentDisposition"),
        ("ResponseContentEncoding", "ContentEncoding"),
        ("ResponseCacheControl", "CacheControl"),
    ] {
        if let Some(v) = input.str(param) {
            out[member] = Value::from(v);
        }
    }
    if let Some(v) = input.get("ResponseExpires").and_then(Value::as_f64) {
        out["Expires"] = Value::from(http_date(v));
    }
}

/// RFC 7231 HTTP date: `Thu, 02 Jan 2025 03:04:05 GMT`.
pub fn http_date(epoch: f64) -> String {
    stratus_core::clock::http_date(epoch)
}
