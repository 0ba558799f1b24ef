//! CopyObject: the `x-amz-copy-source` header, source conditions and
//! versions, METADATA/TAGGING directives, the in-place copy rule, and a
//! streamed copy of the bytes into a new file. `source` is shared with
//! UploadPartCopy.

use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

use crate::checksums::{Algo, BodyDigest};
use crate::conditions;
use crate::error::{invalid_argument, invalid_request, no_such_key};
use crate::ingest::sdk_algorithm;
use crate::model::{Checksum, Version};
use crate::notify::{self, ObjectEvent};
use crate::objects::{checksum_output, storage_class, write_condition};
use crate::output;
use crate::shared::{Shared, now};
use crate::tagging;
use crate::versioning;

/// The source of a copy: bucket, key and version, as the header names them.
pub struct Source {
    pub bucket: String,
    pub key: String,
    pub version_id: Option<String>,
}

pub fn parse_source(header: &str) -> Result<Source, AwsError> {
    let bad = || invalid_argument("Invalid copy source object key", "x-amz-copy-source", Some("x-amz-copy-source"));
    let (path, query) = match header.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (header, None),
    };
    let path = percent_decode_str(path).decode_utf8().map_err(|_| bad())?;
    let path = path.trim_start_matches('/');
    let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(bad());
    }
    let version_id = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "versionId").map(|(_, v)| v.into_owned())
    });
    Ok(Source { bucket: bucket.to_string(), key: key.to_string(), version_id })
}

/// The source version of a copy (after its conditions), and whether its
/// bucket is versioned.
pub fn source(sh: &Shared, input: &Value) -> Result<(Source, Version, bool), AwsError> {
    let src = parse_source(input.req_str("CopySource")?)?;
    let b = sh.bucket(&src.bucket)?;
    let v = sh.find(&src.bucket, &src.key, src.version_id.as_deref())?;
    if v.delete_marker {
        return Err(if src.version_id.is_some() {
            invalid_request("The source of a copy request may not specifically refer to a delete marker by version id.")
        } else {
            no_such_key(&src.key)
        });
    }
    conditions::check_copy_source(input, &v)?;
    crate::restore::check_copyable(&v)?;
    Ok((src, v, b.versioning.is_some()))
}

pub async fn copy_object(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let bucket_name = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let bucket = sh.bucket(bucket_name)?;
    let (src, sv, src_versioned) = source(sh, input)?;
    let directive = input.str("MetadataDirective").unwrap_or("COPY");
    if !["COPY", "REPLACE"].contains(&directive) {
        return Err(invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", Some(directive)));
    }
    let tagging_directive = input.str("TaggingDirective").unwrap_or("COPY");
    if !["COPY", "REPLACE"].contains(&tagging_directive) {
        return Err(invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", Some(tagging_directive)));
    }
    let same = src.bucket == bucket_name && src.key == key;
    if same
        && directive == "COPY"
        && input.str("StorageClass").is_none()
        && input.str("WebsiteRedirectLocation").is_none()
        && input.str("ServerSideEncryption").is_none()
        && input.str("SSEKMSKeyId").is_none()
    {
        return Err(invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let cond = write_condition(input)?;
    let sdk = sdk_algorithm(input)?;
    let keep = sv.checksum.as_ref().filter(|c| c.kind == "FULL_OBJECT").and_then(|c| Algo::parse(&c.algorithm));
    let mut algos = vec![Algo::Crc64Nvme];
    algos.extend(sdk);
    algos.extend(keep);
    let mut digest = BodyDigest::new(&algos);
    let staged = sh.files.copy(sh.open(&sv.files)?, 0, sv.size, &mut digest, true).await?;
    sh.files.commit(&staged).await?;
    let algo = sdk.or(keep).unwrap_or(Algo::Crc64Nvme);
    let (headers, metadata) = if directive == "REPLACE" {
        (output::content_headers(input), output::metadata(input))
    } else {
        (sv.headers.clone(), sv.metadata.clone())
    };
    let tags = if tagging_directive == "REPLACE" {
        input.str("Tagging").map(tagging::parse_header).transpose()?.unwrap_or_default()
    } else {
        sv.tags.clone()
    };
    let v = Version {
        key: key.to_string(),
        version_id: String::new(),
        seq: 0,
        delete_marker: false,
        last_modified: now(),
        owner: ctx.account_id.clone(),
        size: staged.len,
        etag: format!("\"{}\"", digest.md5_hex()),
        headers: if directive == "REPLACE" {
            headers
        } else {
            let mut h = headers;
            if let Some(w) = input.str("WebsiteRedirectLocation") {
                h.website_redirect = Some(w.to_string());
            }
            h
        },
        metadata,
        // A copy is STANDARD unless the request names a class (AWS does not
        // keep the source's, even for a copy onto itself).
        storage_class: storage_class(input)?,
        tags,
        checksum: digest.value(algo).map(|value| Checksum {
            algorithm: algo.name().into(),
            value,
            kind: "FULL_OBJECT".into(),
        }),
        files: vec![staged.segment()],
        multipart: false,
        sse: input.str("ServerSideEncryption").map(str::to_string),
        sse_kms_key: input.str("SSEKMSKeyId").map(str::to_string),
        restore: None,
        lock: crate::object_lock::for_write(&bucket, input)?,
        replication: None,
    };
    let (v, removed) = match versioning::commit(sh, bucket_name, v, cond).await {
        Ok(r) => r,
        Err(e) => {
            sh.files.discard_committed(&staged).await;
            return Err(e);
        }
    };
    sh.files.remove(removed).await;
    notify::emit(sh, ctx, &bucket, ObjectEvent::created("ObjectCreated:Copy", &v)).await;
    let mut result = json!({"ETag": v.etag, "LastModified": v.last_modified.floor()});
    if (sdk.is_some() || keep.is_some())
        && let Some(c) = &v.checksum
    {
        checksum_output(&mut result, c);
    }
    let mut out = json!({
        "CopyObjectResult": result,
        "ServerSideEncryption": v.sse.clone().unwrap_or_else(|| "AES256".into()),
    });
    if bucket.versioning.is_some() {
        out["VersionId"] = Value::from(v.version_id.clone());
    }
    if src_versioned {
        out["CopySourceVersionId"] = Value::from(sv.version_id.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_source;

    #[test]
    fn sources() {
        let s = parse_source("/b/dir/a%20b.txt?versionId=abc").ok().map(|s| (s.bucket, s.key, s.version_id));
        assert_eq!(s, Some(("b".into(), "dir/a b.txt".into(), Some("abc".into()))));
        assert!(parse_source("bucket").is_err());
        assert!(parse_source("bucket/").is_err());
    }
}
