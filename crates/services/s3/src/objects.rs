//! Objects: PutObject (streamed in), GetObject (streamed out, ranged,
//! conditional, `partNumber`, `response-*` overrides), HeadObject,
//! DeleteObject, and the ACL reads that always answer FULL_CONTROL.

use base64::Engine;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, BodyStream, RequestContext, Streamed};

use crate::buckets::owner;
use crate::conditions;
use crate::error::{invalid_request, no_such_key};
use crate::files::read_range;
use crate::ingest::ingest;
use crate::model::{Checksum, Version};
use crate::notify::{self, ObjectEvent};
use crate::object_lock;
use crate::output;
use crate::shared::{Shared, now, parse_version_id};
use crate::tagging::{self, method_not_allowed_marker};
use crate::versioning::{self, WriteCondition};

/// The storage classes an object can be written in (OUTPOSTS needs an Outpost).
const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
];

pub fn storage_class(input: &Value) -> Result<String, AwsError> {
    match input.str("StorageClass") {
        None => Ok("STANDARD".into()),
        Some(s) if STORAGE_CLASSES.contains(&s) => Ok(s.to_string()),
        Some(s) => Err(AwsError::bad_request("InvalidStorageClass", "The storage class you specified is not valid")
            .with_field("StorageClassRequested", Value::from(s))),
    }
}

/// `If-None-Match` on writes accepts only `*`.
pub fn write_condition(input: &Value) -> Result<WriteCondition, AwsError> {
    let if_none_match = input.str("IfNoneMatch").map(str::to_string);
    if let Some(v) = &if_none_match
        && v.trim() != "*"
    {
        return Err(AwsError::new(
            501,
            "NotImplemented",
            "A header you provided implies functionality that is not implemented",
        )
        .with_field("Header", Value::from("If-None-Match"))
        .with_field(
            "additionalMessage",
            Value::from("We don't accept the provided value of If-None-Match header for this API"),
        ));
    }
    Ok(WriteCondition { if_match: input.str("IfMatch").map(str::to_string), if_none_match, ..Default::default() })
}

/// Adds the checksum members of a write's answer.
pub fn checksum_output(out: &mut Value, c: &Checksum) {
    if let Some(a) = crate::checksums::Algo::parse(&c.algorithm) {
        out[a.member()] = Value::from(c.value.clone());
        out["ChecksumType"] = Value::from(c.kind.clone());
    }
}

pub async fn put(sh: &Shared, ctx: &RequestContext, input: &Value, body: BodyStream) -> Result<Value, AwsError> {
    put_event(sh, ctx, input, body, "ObjectCreated:Put").await
}

/// PutObject's work, notifying `event` (POST Object reports `ObjectCreated:Post`).
pub async fn put_event(
    sh: &Shared,
    ctx: &RequestContext,
    input: &Value,
    mut body: BodyStream,
    event: &'static str,
) -> Result<Value, AwsError> {
    let bucket_name = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let bucket = sh.bucket(bucket_name)?;
    let storage_class = storage_class(input)?;
    let tags = input.str("Tagging").map(tagging::parse_header).transpose()?.unwrap_or_default();
    let cond = write_condition(input)?;
    let lock = object_lock::for_write(&bucket, input)?;
    object_lock::check_integrity(input)?;
    let got = ingest(sh, input, &mut body, None, true).await?;
    sh.files.commit(&got.staged).await?;
    let (algo, value) = got.stored();
    let client_checksum = got.requested.is_some();
    let v = Version {
        key: key.to_string(),
        version_id: String::new(),
        seq: 0,
        delete_marker: false,
        last_modified: now(),
        owner: ctx.account_id.clone(),
        size: got.staged.len,
        etag: got.etag(),
        headers: output::content_headers(input),
        metadata: output::metadata(input),
        storage_class,
        tags,
        checksum: Some(Checksum { algorithm: algo.name().into(), value, kind: "FULL_OBJECT".into() }),
        files: vec![got.staged.segment()],
        multipart: false,
        sse: input.str("ServerSideEncryption").map(str::to_string),
        sse_kms_key: input.str("SSEKMSKeyId").map(str::to_string),
        restore: None,
        lock,
        replication: None,
    };
    let (v, removed) = match versioning::commit(sh, bucket_name, v, cond).await {
        Ok(r) => r,
        Err(e) => {
            sh.files.discard_committed(&got.staged).await;
            return Err(e);
        }
    };
    sh.files.remove(removed).await;
    notify::emit(sh, ctx, &bucket, ObjectEvent::created(event, &v)).await;
    let mut out = json!({"ETag": v.etag, "ServerSideEncryption": v.sse.clone().unwrap_or_else(|| "AES256".into())});
    // A suspended bucket stores the "null" version and names none (AWS).
    if bucket.versioning.is_some() && v.version_id != "null" {
        out["VersionId"] = Value::from(v.version_id.clone());
    }
    if client_checksum && let Some(c) = &v.checksum {
        checksum_output(&mut out, c);
    }
    Ok(out)
}

/// The version a GET/HEAD reads, with S3's answers for delete markers.
fn readable(sh: &Shared, input: &Value, method: &str) -> Result<(Version, bool), AwsError> {
    let bucket = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let b = sh.bucket(bucket)?;
    let version_id = input.str("VersionId");
    let v = sh.find(bucket, key, version_id)?;
    if v.delete_marker {
        let err = if version_id.is_some() {
            method_not_allowed_marker(method).with_header("Last-Modified", output::http_date(v.last_modified))
        } else {
            no_such_key(key)
        };
        return Err(err.with_header("x-amz-delete-marker", "true").with_header("x-amz-version-id", v.version_id));
    }
    Ok((v, b.versioning.is_some()))
}

/// An inclusive byte span, and the part count when `partNumber` was asked.
type Span = (Option<(u64, u64)>, Option<usize>);

/// The byte span a GET/HEAD answers with, and `partNumber`'s part count.
fn span(input: &Value, v: &Version) -> Result<Span, AwsError> {
    let part = input.i64("PartNumber");
    if part.is_some() && input.str("Range").is_some() {
        return Err(invalid_request("Cannot specify both Range header and partNumber query parameter"));
    }
    if let Some(n) = part {
        let count = if v.multipart { v.files.len() } else { 1 };
        if n < 1 || n as usize > count {
            return Err(AwsError::new(416, "InvalidPartNumber", "The requested partnumber is not satisfiable")
                .with_field("ActualPartCount", Value::from(count.to_string()))
                .with_field("PartNumberRequested", Value::from(n.to_string())));
        }
        if !v.multipart {
            return Ok((None, Some(1)));
        }
        let start: u64 = v.files[..(n - 1) as usize].iter().map(|s| s.len).sum();
        let len = v.files[(n - 1) as usize].len;
        if len == 0 {
            return Ok((None, Some(count)));
        }
        return Ok((Some((start, start + len - 1)), Some(count)));
    }
    Ok((conditions::range(input.str("Range"), v.size)?, None))
}

/// GetObject and HeadObject: the output and, for GET, the body stream.
pub fn read(sh: &Shared, input: &Value, with_body: bool) -> Result<Streamed, AwsError> {
    let (v, versioned) = readable(sh, input, if with_body { "GET" } else { "HEAD" })?;
    if with_body {
        crate::restore::check_readable(&v)?;
    }
    conditions::check_read(input, &v)?;
    let (range, parts) = span(input, &v)?;
    let checksum = input.str("ChecksumMode") == Some("ENABLED") && range.is_none();
    let mut out = output::object(&v, versioned, checksum);
    object_lock::output(&v, &mut out);
    let (start, len) = match range {
        Some((s, e)) => {
            out["ContentRange"] = Value::from(format!("bytes {s}-{e}/{}", v.size));
            (s, e - s + 1)
        }
        None => (0, v.size),
    };
    out["ContentLength"] = Value::from(len);
    if let Some(p) = parts {
        out["PartsCount"] = Value::from(p);
    }
    output::overrides(input, &mut out);
    let body = if with_body {
        let files = sh.open(&v.files)?;
        Some(read_range(files, start, len))
    } else {
        None
    };
    Ok(Streamed { output: out, body })
}

/// A streamed body gathered into the output's `Body` (non-streaming callers).
pub async fn gather(mut s: Streamed) -> Value {
    let mut out = s.output;
    if let Some(rx) = s.body.as_mut() {
        let mut buf = Vec::new();
        while let Some(chunk) = rx.recv().await {
            buf.extend_from_slice(&chunk);
        }
        out["Body"] = Value::from(base64::engine::general_purpose::STANDARD.encode(buf));
    }
    out
}

pub async fn delete(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let bucket_name = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let bucket = sh.bucket(bucket_name)?;
    let version = input.str("VersionId").map(str::to_string);
    if let Some(v) = &version
        && v != "null"
    {
        parse_version_id(v)?;
    }
    let bypass = object_lock::check_bypass(&bucket, input)?;
    let d = versioning::delete(sh, bucket_name, key, version, &ctx.account_id, bypass).await?;
    sh.files.remove(d.removed).await;
    if d.existed {
        let name = if d.marker_created { "ObjectRemoved:DeleteMarkerCreated" } else { "ObjectRemoved:Delete" };
        notify::emit(sh, ctx, &bucket, ObjectEvent::removed(name, key, d.version_id.as_deref())).await;
    }
    let mut out = json!({});
    if d.delete_marker {
        out["DeleteMarker"] = Value::Bool(true);
    }
    if let Some(id) = d.version_id {
        out["VersionId"] = Value::from(id);
    }
    Ok(out)
}

fn full_control(account: &str) -> Value {
    json!({
        "Owner": owner(account),
        "Grants": [{
            "Grantee": {"Type": "CanonicalUser", "ID": owner(account)["ID"], "DisplayName": "webfile"},
            "Permission": "FULL_CONTROL",
        }],
    })
}

pub fn get_bucket_acl(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    Ok(full_control(&b.account))
}

pub fn get_object_acl(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (v, _) = readable(sh, input, "GET")?;
    Ok(full_control(&v.owner))
}

/// PutBucketAcl / PutObjectAcl: canned ACLs are accepted (and the target
/// must exist); grants are not modelled.
/// PutBucketAcl, and PutObjectAcl (`object`: the request, for its
/// `ObjectAcl:Put` event).
pub async fn put_acl(sh: &Shared, object: Option<&RequestContext>, input: &Value) -> Result<Value, AwsError> {
    if let Some(acl) = input.str("ACL")
        && ![
            "private",
            "public-read",
            "public-read-write",
            "authenticated-read",
            "aws-exec-read",
            "bucket-owner-read",
            "bucket-owner-full-control",
            "log-delivery-write",
        ]
        .contains(&acl)
    {
        return Err(crate::error::invalid_argument("", "x-amz-acl", Some(acl)));
    }
    let bucket = sh.bucket(input.req_str("Bucket")?)?;
    if let Some(ctx) = object {
        let (v, _) = readable(sh, input, "PUT")?;
        notify::emit(sh, ctx, &bucket, ObjectEvent::attribute("ObjectAcl:Put", &v)).await;
    }
    Ok(json!({}))
}
