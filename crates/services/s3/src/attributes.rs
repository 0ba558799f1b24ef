//! GetObjectAttributes: the attributes a client asks for in
//! `x-amz-object-attributes` (ETag, Checksum, ObjectParts, StorageClass,
//! ObjectSize) of the current or a named version, without its body; a
//! multipart object's parts are paged by `MaxParts`/`PartNumberMarker`.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::checksums::Algo;
use crate::error::{invalid_argument, no_such_key};
use crate::model::Version;
use crate::shared::Shared;
use crate::tagging::method_not_allowed_marker;

const ATTRIBUTES: [&str; 5] = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

pub fn get(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let b = sh.bucket(bucket)?;
    let wanted = input.str_list("ObjectAttributes");
    let wanted: Vec<&str> = wanted.iter().flat_map(|a| a.split(',')).map(str::trim).collect();
    if wanted.is_empty() || wanted.iter().any(|a| !ATTRIBUTES.contains(a)) {
        return Err(invalid_argument("Invalid attribute name specified.", "x-amz-object-attributes", None));
    }
    let version_id = input.str("VersionId");
    let v = sh.find(bucket, key, version_id)?;
    if v.delete_marker {
        let err = if version_id.is_some() { method_not_allowed_marker("GET") } else { no_such_key(key) };
        return Err(err.with_header("x-amz-delete-marker", "true").with_header("x-amz-version-id", v.version_id));
    }
    let mut out = json!({"LastModified": v.last_modified.floor()});
    if b.versioning.is_some() {
        out["VersionId"] = Value::from(v.version_id.clone());
    }
    for a in wanted {
        match a {
            "ETag" => out["ETag"] = Value::from(v.etag.trim_matches('"')),
            "StorageClass" => {
                let class = if v.storage_class.is_empty() { "STANDARD" } else { v.storage_class.as_str() };
                out["StorageClass"] = Value::from(class);
            }
            "ObjectSize" => out["ObjectSize"] = Value::from(v.size),
            "Checksum" => {
                if let Some(c) = &v.checksum
                    && let Some(algo) = Algo::parse(&c.algorithm)
                {
                    out["Checksum"] = json!({algo.member(): c.value, "ChecksumType": c.kind});
                }
            }
            _ => {
                if v.multipart {
                    out["ObjectParts"] = parts(&v, input)?;
                }
            }
        }
    }
    Ok(out)
}

/// The ObjectParts member: the count, and the parts' sizes and checksums
/// (listed when the parts carry checksums), one page of them.
fn parts(v: &Version, input: &Value) -> Result<Value, AwsError> {
    let total = v.files.len();
    let mut out = json!({"TotalPartsCount": total});
    let algo = v.checksum.as_ref().filter(|c| c.kind == "COMPOSITE").and_then(|c| Algo::parse(&c.algorithm));
    let Some(algo) = algo.filter(|_| v.files.iter().all(|s| s.checksum.is_some())) else {
        return Ok(out);
    };
    let max = input.i64("MaxParts").unwrap_or(1000).clamp(0, 1000) as usize;
    let marker = input.i64("PartNumberMarker").unwrap_or(0).max(0) as usize;
    let page: Vec<Value> = v
        .files
        .iter()
        .enumerate()
        .skip(marker)
        .take(max)
        .map(|(i, s)| json!({"PartNumber": i + 1, "Size": s.len, algo.member(): s.checksum}))
        .collect();
    let next = marker + page.len();
    out["PartNumberMarker"] = Value::from(marker);
    out["NextPartNumberMarker"] = Value::from(next);
    out["MaxParts"] = Value::from(max);
    out["IsTruncated"] = Value::Bool(next < total);
    out["Parts"] = Value::Array(page);
    Ok(out)
}
