//! Listings: ListObjects (Marker), ListObjectsV2 (StartAfter,
//! ContinuationToken, FetchOwner), ListObjectVersions (key and version-id
//! markers) and ListMultipartUploads, all with Prefix, Delimiter +
//! CommonPrefixes, MaxKeys and EncodingType=url. A walk over the version
//! records (keys in order, each key's versions newest first) feeds them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::ops::Bound;
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_store::{KeyRange, prefix_successor};

use crate::buckets::owner;
use crate::error::invalid_argument;
use crate::keys;
use crate::model::{Upload, Version, decode};
use crate::shared::Shared;

/// Records read per store scan.
const PAGE: usize = 1000;

/// What the walk yields: a key with its versions, or a rolled-up prefix.
pub enum Item {
    Key(String, Vec<Version>),
    Prefix(String),
}

/// Where a walk starts.
pub enum Start<'a> {
    Beginning,
    /// After this key and, with a delimiter, after its rolled-up prefix.
    After(&'a str),
    /// At this key (inclusive).
    At(&'a str),
}

/// The prefix `key` rolls up into under `prefix` and `delimiter`.
fn common_prefix<'k>(key: &'k str, prefix: &str, delimiter: &str) -> Option<&'k str> {
    if delimiter.is_empty() {
        return None;
    }
    let rest = key.get(prefix.len()..)?;
    rest.find(delimiter).map(|i| &key[..prefix.len() + i + delimiter.len()])
}

/// Walks the keys of `bucket` under `prefix` in order, calling `visit`
/// until it returns false. `live_only`: keys whose latest version is a
/// delete marker neither appear nor roll up into prefixes.
pub fn walk(
    sh: &Shared,
    bucket: &str,
    prefix: &str,
    delimiter: &str,
    start: Start<'_>,
    live_only: bool,
    mut visit: impl FnMut(Item) -> bool,
) -> Result<(), AwsError> {
    let base = keys::versions_prefix(bucket, prefix);
    let end: Bound<Vec<u8>> = match prefix_successor(&base) {
        Some(e) => Bound::Excluded(e),
        None => Bound::Unbounded,
    };
    let mut from = match start {
        Start::Beginning => base.clone(),
        Start::At(k) => keys::versions_of(bucket, k),
        Start::After(k) => match common_prefix(k, prefix, delimiter) {
            Some(cp) => prefix_successor(&keys::versions_prefix(bucket, cp)).unwrap_or_default(),
            None => keys::after_key(bucket, k),
        },
    };
    if from < base {
        from = base.clone();
    }
    let mut current: Option<(String, Vec<Version>)> = None;
    let mut last_prefix: Option<String> = None;
    loop {
        let range = KeyRange { start: Bound::Included(from.clone()), end: end.clone() };
        let page = sh.store.scan(range, false, Some(PAGE))?;
        let done = page.len() < PAGE;
        let mut skip_to: Option<Vec<u8>> = None;
        for (rk, raw) in &page {
            let Some(key) = keys::key_of_version(bucket, rk) else { continue };
            if current.as_ref().is_some_and(|(k, _)| *k != key)
                && let Some((k, vs)) = current.take()
                && !emit(k, vs, prefix, delimiter, live_only, &mut last_prefix, &mut visit, &mut skip_to, bucket)?
            {
                return Ok(());
            }
            if skip_to.is_some() {
                break;
            }
            let v: Version = decode("object", raw)?;
            match &mut current {
                Some((_, vs)) => vs.push(v),
                None => current = Some((key, vec![v])),
            }
        }
        if let Some(next) = skip_to {
            from = next;
            continue;
        }
        if done {
            if let Some((k, vs)) = current.take() {
                let mut ignore = None;
                emit(k, vs, prefix, delimiter, live_only, &mut last_prefix, &mut visit, &mut ignore, bucket)?;
            }
            return Ok(());
        }
        match page.last() {
            Some((rk, _)) => {
                from = rk.clone();
                from.push(0);
            }
            None => return Ok(()),
        }
    }
}

/// Hands one key (or its prefix) to `visit`; false when the walk must end.
#[allow(clippy::too_many_arguments)]
fn emit(
    key: String,
    versions: Vec<Version>,
    prefix: &str,
    delimiter: &str,
    live_only: bool,
    last_prefix: &mut Option<String>,
    visit: &mut impl FnMut(Item) -> bool,
    skip_to: &mut Option<Vec<u8>>,
    bucket: &str,
) -> Result<bool, AwsError> {
    if live_only && versions.first().is_none_or(|v| v.delete_marker) {
        return Ok(true);
    }
    if let Some(cp) = common_prefix(&key, prefix, delimiter) {
        if last_prefix.as_deref() == Some(cp) {
            return Ok(true);
        }
        *last_prefix = Some(cp.to_string());
        *skip_to = prefix_successor(&keys::versions_prefix(bucket, cp));
        return Ok(visit(Item::Prefix(cp.to_string())));
    }
    Ok(visit(Item::Key(key, versions)))
}

fn encoding(input: &Value) -> Result<bool, AwsError> {
    match input.str("EncodingType") {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(other) => {
            Err(invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", Some(other)))
        }
    }
}

fn enc(s: &str, url: bool) -> Value {
    if url { Value::from(form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()) } else { Value::from(s) }
}

fn max_keys(input: &Value, member: &str) -> usize {
    input.i64(member).unwrap_or(1000).clamp(0, 1000) as usize
}

fn content(v: &Version, url: bool, with_owner: bool) -> Value {
    let mut c = json!({
        "Key": enc(&v.key, url),
        "LastModified": v.last_modified.floor(),
        "ETag": v.etag,
        "Size": v.size,
        "StorageClass": if v.storage_class.is_empty() { "STANDARD" } else { v.storage_class.as_str() },
    });
    if let Some(cs) = &v.checksum {
        c["ChecksumAlgorithm"] = json!([cs.algorithm]);
        c["ChecksumType"] = Value::from(cs.kind.clone());
    }
    if with_owner {
        c["Owner"] = owner(&v.owner);
    }
    c
}

/// Keys and prefixes of a V1/V2 listing: (contents, prefixes, truncated, last item).
type Page = (Vec<Value>, Vec<Value>, bool, Option<String>);

fn list_page(
    sh: &Shared,
    bucket: &str,
    input: &Value,
    start: Start<'_>,
    max: usize,
    url: bool,
    with_owner: bool,
) -> Result<Page, AwsError> {
    let prefix = input.str("Prefix").unwrap_or("");
    let delimiter = input.str("Delimiter").unwrap_or("");
    let (mut contents, mut prefixes, mut truncated, mut last) = (Vec::new(), Vec::new(), false, None);
    if max > 0 {
        walk(sh, bucket, prefix, delimiter, start, true, |item| {
            if contents.len() + prefixes.len() >= max {
                truncated = true;
                return false;
            }
            match item {
                Item::Key(k, vs) => {
                    if let Some(v) = vs.first() {
                        contents.push(content(v, url, with_owner));
                    }
                    last = Some(k);
                }
                Item::Prefix(p) => {
                    prefixes.push(json!({"Prefix": enc(&p, url)}));
                    last = Some(p);
                }
            }
            true
        })?;
    }
    Ok((contents, prefixes, truncated, last))
}

fn common_fields(out: &mut Value, input: &Value, url: bool) {
    out["Prefix"] = enc(input.str("Prefix").unwrap_or(""), url);
    if let Some(d) = input.str("Delimiter") {
        out["Delimiter"] = enc(d, url);
    }
    if url {
        out["EncodingType"] = Value::from("url");
    }
}

pub fn list_v1(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    sh.bucket(bucket)?;
    let url = encoding(input)?;
    let max = max_keys(input, "MaxKeys");
    let marker = input.str("Marker").unwrap_or("");
    let start = if marker.is_empty() { Start::Beginning } else { Start::After(marker) };
    let (contents, prefixes, truncated, last) = list_page(sh, bucket, input, start, max, url, true)?;
    let mut out = json!({
        "Name": bucket, "Marker": enc(marker, url), "MaxKeys": max, "IsTruncated": truncated,
        "Contents": contents, "CommonPrefixes": prefixes,
    });
    common_fields(&mut out, input, url);
    if truncated && input.str("Delimiter").is_some() {
        out["NextMarker"] = enc(last.as_deref().unwrap_or(""), url);
    }
    Ok(out)
}

pub fn list_v2(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    sh.bucket(bucket)?;
    let url = encoding(input)?;
    let max = max_keys(input, "MaxKeys");
    let token = match input.str("ContinuationToken") {
        Some(t) => Some(
            B64.decode(t)
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|s| s.strip_prefix("stratus:").map(str::to_string))
                .ok_or_else(|| {
                    invalid_argument("The continuation token provided is incorrect", "continuation-token", None)
                })?,
        ),
        None => None,
    };
    let start_after = input.str("StartAfter").unwrap_or("");
    let from = match &token {
        Some(t) if t.as_str() >= start_after => t.as_str(),
        _ => start_after,
    };
    let start = if from.is_empty() { Start::Beginning } else { Start::After(from) };
    let with_owner = input.bool("FetchOwner").unwrap_or(false);
    let (contents, prefixes, truncated, last) = list_page(sh, bucket, input, start, max, url, with_owner)?;
    let mut out = json!({
        "Name": bucket, "MaxKeys": max, "IsTruncated": truncated,
        "KeyCount": contents.len() + prefixes.len(),
        "Contents": contents, "CommonPrefixes": prefixes,
    });
    common_fields(&mut out, input, url);
    if let Some(t) = input.str("ContinuationToken") {
        out["ContinuationToken"] = Value::from(t);
    }
    if let Some(s) = input.str("StartAfter") {
        out["StartAfter"] = enc(s, url);
    }
    if truncated && let Some(l) = last {
        out["NextContinuationToken"] = Value::from(B64.encode(format!("stratus:{l}")));
    }
    Ok(out)
}

pub fn list_versions(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    let b = sh.bucket(bucket)?;
    let url = encoding(input)?;
    let max = max_keys(input, "MaxKeys");
    let key_marker = input.str("KeyMarker").unwrap_or("");
    let vid_marker = input.str("VersionIdMarker").filter(|v| !v.is_empty());
    if vid_marker.is_some() && key_marker.is_empty() {
        return Err(invalid_argument(
            "A version-id marker cannot be specified without a key marker.",
            "version-id-marker",
            vid_marker,
        ));
    }
    let start = match (key_marker.is_empty(), vid_marker) {
        (true, _) => Start::Beginning,
        (false, Some(_)) => Start::At(key_marker),
        (false, None) => Start::After(key_marker),
    };
    let (mut versions, mut markers, mut prefixes) = (Vec::new(), Vec::new(), Vec::new());
    let (mut count, mut truncated) = (0usize, false);
    let mut next: Option<(String, Option<String>)> = None;
    let prefix = input.str("Prefix").unwrap_or("");
    let delimiter = input.str("Delimiter").unwrap_or("");
    let versioned = b.versioning.is_some();
    if max > 0 {
        walk(sh, bucket, prefix, delimiter, start, false, |item| match item {
            Item::Prefix(p) => {
                if count >= max {
                    truncated = true;
                    return false;
                }
                count += 1;
                prefixes.push(json!({"Prefix": enc(&p, url)}));
                next = Some((p, None));
                true
            }
            Item::Key(k, vs) => {
                let mut skipping = vid_marker.is_some() && k == key_marker;
                for (i, v) in vs.iter().enumerate() {
                    if skipping {
                        if Some(v.version_id.as_str()) == vid_marker {
                            skipping = false;
                        }
                        continue;
                    }
                    if count >= max {
                        truncated = true;
                        return false;
                    }
                    count += 1;
                    let id = if versioned { v.version_id.clone() } else { "null".into() };
                    let mut entry = json!({
                        "Key": enc(&v.key, url), "VersionId": id, "IsLatest": i == 0,
                        "LastModified": v.last_modified.floor(), "Owner": owner(&v.owner),
                    });
                    if v.delete_marker {
                        markers.push(entry);
                    } else {
                        entry["ETag"] = Value::from(v.etag.clone());
                        entry["Size"] = Value::from(v.size);
                        entry["StorageClass"] =
                            Value::from(if v.storage_class.is_empty() { "STANDARD" } else { v.storage_class.as_str() });
                        if let Some(cs) = &v.checksum {
                            entry["ChecksumAlgorithm"] = json!([cs.algorithm]);
                            entry["ChecksumType"] = Value::from(cs.kind.clone());
                        }
                        versions.push(entry);
                    }
                    next = Some((k.clone(), Some(v.version_id.clone())));
                }
                true
            }
        })?;
    }
    let mut out = json!({
        "Name": bucket, "KeyMarker": enc(key_marker, url), "VersionIdMarker": vid_marker.unwrap_or(""),
        "MaxKeys": max, "IsTruncated": truncated,
        "Versions": versions, "DeleteMarkers": markers, "CommonPrefixes": prefixes,
    });
    common_fields(&mut out, input, url);
    if truncated && let Some((k, v)) = next {
        out["NextKeyMarker"] = enc(&k, url);
        if let Some(v) = v {
            out["NextVersionIdMarker"] = Value::from(v);
        }
    }
    Ok(out)
}

pub fn list_uploads(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    sh.bucket(bucket)?;
    let url = encoding(input)?;
    let max = max_keys(input, "MaxUploads");
    let prefix = input.str("Prefix").unwrap_or("");
    let delimiter = input.str("Delimiter").unwrap_or("");
    let key_marker = input.str("KeyMarker").unwrap_or("");
    let id_marker = input.str("UploadIdMarker").unwrap_or("");
    let (mut uploads, mut prefixes, mut truncated) = (Vec::new(), Vec::new(), false);
    let mut last: Option<(String, Option<String>)> = None;
    let mut seen_prefix: Option<String> = None;
    for (_, raw) in sh.store.scan_prefix(keys::uploads_prefix(bucket, prefix), false, None)? {
        let u: Upload = decode("upload", &raw)?;
        if !key_marker.is_empty() {
            let after = if id_marker.is_empty() {
                u.key.as_str() > key_marker
            } else {
                u.key.as_str() > key_marker || (u.key == key_marker && u.upload_id.as_str() > id_marker)
            };
            if !after {
                continue;
            }
        }
        if let Some(cp) = common_prefix(&u.key, prefix, delimiter) {
            if seen_prefix.as_deref() == Some(cp) {
                continue;
            }
            if uploads.len() + prefixes.len() >= max {
                truncated = true;
                break;
            }
            seen_prefix = Some(cp.to_string());
            prefixes.push(json!({"Prefix": enc(cp, url)}));
            last = Some((cp.to_string(), None));
            continue;
        }
        if uploads.len() + prefixes.len() >= max {
            truncated = true;
            break;
        }
        let mut entry = json!({
            "UploadId": u.upload_id, "Key": enc(&u.key, url), "Initiated": u.initiated.floor(),
            "StorageClass": u.storage_class, "Owner": owner(&u.owner), "Initiator": owner(&u.owner),
        });
        if let Some(a) = &u.checksum_algorithm {
            entry["ChecksumAlgorithm"] = Value::from(a.clone());
        }
        if let Some(t) = &u.checksum_type {
            entry["ChecksumType"] = Value::from(t.clone());
        }
        uploads.push(entry);
        last = Some((u.key.clone(), Some(u.upload_id.clone())));
    }
    let mut out = json!({
        "Bucket": bucket, "KeyMarker": enc(key_marker, url), "UploadIdMarker": id_marker,
        "MaxUploads": max, "IsTruncated": truncated, "Uploads": uploads, "CommonPrefixes": prefixes,
    });
    common_fields(&mut out, input, url);
    if let Some((k, id)) = last.filter(|_| truncated) {
        out["NextKeyMarker"] = enc(&k, url);
        out["NextUploadIdMarker"] = Value::from(id.unwrap_or_default());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn prefixes() {
        assert_eq!(common_prefix("a/b/c", "", "/"), Some("a/"));
        assert_eq!(common_prefix("a/b/c", "a/", "/"), Some("a/b/"));
        assert_eq!(common_prefix("a/b", "a/b", "/"), None);
        assert_eq!(common_prefix("a/b", "", ""), None);
    }
}
