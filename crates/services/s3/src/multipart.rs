//! Multipart uploads: CreateMultipartUpload (checksum algorithm and
//! COMPOSITE/FULL_OBJECT type rules), UploadPart (streamed), UploadPartCopy
//! (ranges), CompleteMultipartUpload (part order, ETags, EntityTooSmall,
//! `md5-of-md5s-N` ETag, composite or combined checksums; the parts' files
//! become the object's), AbortMultipartUpload and ListParts.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, BodyStream, RequestContext};

use crate::buckets::owner;
use crate::checksums::{self, Algo, BodyDigest};
use crate::copy;
use crate::error::{invalid_argument, invalid_request, no_such_upload};
use crate::ingest::{ingest, unsupported_algorithm};
use crate::keys;
use crate::model::{Checksum, Part, Segment, Upload, Version, decode, encode};
use crate::notify::{self, ObjectEvent};
use crate::objects::{checksum_output, storage_class, write_condition};
use crate::output;
use crate::shared::{Shared, now};
use crate::tagging;
use crate::versioning;

/// The smallest part S3 accepts, except the last (5 MiB).
const MIN_PART: u64 = 5 * 1024 * 1024;

fn upload(sh: &Shared, input: &Value) -> Result<Upload, AwsError> {
    let bucket = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let id = input.req_str("UploadId")?;
    sh.bucket(bucket)?;
    match sh.store.get(keys::upload(bucket, key, id))? {
        Some(raw) => decode("upload", &raw),
        None => Err(no_such_upload(id)),
    }
}

fn upload_algo(u: &Upload) -> Option<Algo> {
    u.checksum_algorithm.as_deref().and_then(Algo::parse)
}

pub async fn create(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let lock = crate::object_lock::for_write(&sh.bucket(bucket)?, input)?;
    let algo = match input.str("ChecksumAlgorithm") {
        Some(a) => Some(Algo::parse(a).ok_or_else(unsupported_algorithm)?),
        None => None,
    };
    let kind = input.str("ChecksumType");
    let kind = match (algo, kind) {
        (None, Some(_)) => {
            return Err(invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
            ));
        }
        (None, None) => None,
        (Some(a), Some("FULL_OBJECT")) if !a.supports_full_object() => {
            return Err(invalid_request(format!(
                "The FULL_OBJECT checksum type cannot be used with the {} checksum algorithm.",
                a.lower()
            )));
        }
        (Some(a), Some("COMPOSITE")) if !a.supports_composite() => {
            return Err(invalid_request(format!(
                "The COMPOSITE checksum type cannot be used with the {} checksum algorithm.",
                a.lower()
            )));
        }
        (Some(_), Some(k)) => Some(k.to_string()),
        (Some(a), None) => Some(if a == Algo::Crc64Nvme { "FULL_OBJECT" } else { "COMPOSITE" }.to_string()),
    };
    let seq = sh.seq.next();
    let id = format!("{seq:016x}{}", crate::files::new_id());
    let u = Upload {
        upload_id: id.clone(),
        bucket: bucket.to_string(),
        key: key.to_string(),
        initiated: now(),
        owner: ctx.account_id.clone(),
        headers: output::content_headers(input),
        metadata: output::metadata(input),
        storage_class: storage_class(input)?,
        tags: input.str("Tagging").map(tagging::parse_header).transpose()?.unwrap_or_default(),
        checksum_algorithm: algo.map(|a| a.name().to_string()),
        checksum_type: kind.clone(),
        sse: input.str("ServerSideEncryption").map(str::to_string),
        sse_kms_key: input.str("SSEKMSKeyId").map(str::to_string),
        lock,
    };
    sh.store.put(keys::upload(bucket, key, &id), encode(&u)).await?;
    let mut out = json!({
        "Bucket": bucket, "Key": key, "UploadId": id,
        "ServerSideEncryption": u.sse.clone().unwrap_or_else(|| "AES256".into()),
    });
    if let (Some(a), Some(k)) = (algo, kind) {
        out["ChecksumAlgorithm"] = Value::from(a.name());
        out["ChecksumType"] = Value::from(k);
    }
    Ok(out)
}

fn part_number(input: &Value) -> Result<u32, AwsError> {
    let n = input.i64("PartNumber").unwrap_or(0);
    if !(1..=10_000).contains(&n) {
        return Err(invalid_argument(
            "Part number must be an integer between 1 and 10000, inclusive",
            "partNumber",
            Some(&n.to_string()),
        ));
    }
    Ok(n as u32)
}

/// Stores a part record (replacing one with the same number) and removes
/// the replaced part's file.
async fn save_part(sh: &Shared, u: &Upload, part: Part) -> Result<(), AwsError> {
    let upload_key = keys::upload(&u.bucket, &u.key, &u.upload_id);
    let part_key = keys::part(&u.upload_id, part.number);
    let id = u.upload_id.clone();
    let file = part.file.clone();
    let replaced = sh
        .store
        .transact(move |txn| {
            if txn.get(&upload_key)?.is_none() {
                return Err(no_such_upload(&id));
            }
            let old = txn.get(&part_key)?.map(|raw| decode::<Part>("part", &raw)).transpose()?;
            txn.put(part_key.clone(), encode(&part));
            Ok(old.map(|p| p.file))
        })
        .await;
    match replaced {
        Ok(old) => {
            sh.files.remove(old.into_iter().collect()).await;
            Ok(())
        }
        Err(e) => {
            sh.files.remove(vec![file]).await;
            Err(e)
        }
    }
}

pub async fn upload_part(sh: &Shared, input: &Value, mut body: BodyStream) -> Result<Value, AwsError> {
    let u = upload(sh, input)?;
    let number = part_number(input)?;
    let algo = upload_algo(&u);
    if let (Some(expected), Some((given, _))) = (algo, checksums::declared(input)?)
        && expected != given
    {
        return Err(invalid_request(format!(
            "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
            expected.lower(),
            given.lower()
        )));
    }
    let got = ingest(sh, input, &mut body, algo, false).await?;
    sh.files.commit(&got.staged).await?;
    let checksum = match (algo, &got.requested) {
        (Some(a), Some((given, v))) if *given == a => Some((a.name().to_string(), v.clone())),
        (Some(a), Some((given, _))) => {
            sh.files.remove(vec![got.staged.id.clone()]).await;
            return Err(invalid_request(format!(
                "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                a.lower(),
                given.lower()
            )));
        }
        (Some(a), None) => got.extra.clone().map(|v| (a.name().to_string(), v)),
        (None, Some((given, v))) => Some((given.name().to_string(), v.clone())),
        (None, None) => None,
    };
    let part = Part {
        number,
        size: got.staged.len,
        etag: got.etag(),
        last_modified: now(),
        file: got.staged.id.clone(),
        checksum: checksum.clone(),
        crc64: got.crc64.clone(),
    };
    let etag = part.etag.clone();
    save_part(sh, &u, part).await?;
    let mut out = json!({"ETag": etag, "ServerSideEncryption": u.sse.clone().unwrap_or_else(|| "AES256".into())});
    if let Some((a, v)) = checksum
        && let Some(a) = Algo::parse(&a)
    {
        out[a.member()] = Value::from(v);
    }
    Ok(out)
}

/// `x-amz-copy-source-range: bytes=first-last` against a source size.
fn copy_range(header: Option<&str>, size: u64) -> Result<(u64, u64), AwsError> {
    let Some(h) = header else { return Ok((0, size)) };
    let bad = || {
        invalid_argument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
            "x-amz-copy-source-range",
            Some(h),
        )
    };
    let spec = h.strip_prefix("bytes=").ok_or_else(bad)?;
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(a) || !digits(b) {
        return Err(bad());
    }
    let (a, b): (u64, u64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if b < a {
        return Err(bad());
    }
    if b >= size {
        return Err(invalid_argument(
            &format!("Range specified is not valid for source object of size: {size}"),
            "x-amz-copy-source-range",
            Some(h),
        ));
    }
    Ok((a, b - a + 1))
}

pub async fn upload_part_copy(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let u = upload(sh, input)?;
    let number = part_number(input)?;
    let (_, sv, src_versioned) = copy::source(sh, input)?;
    let (start, len) = copy_range(input.str("CopySourceRange"), sv.size)?;
    let algo = upload_algo(&u);
    let mut algos = vec![Algo::Crc64Nvme];
    algos.extend(algo);
    let mut digest = BodyDigest::new(&algos);
    let staged = sh.files.copy(sh.open(&sv.files)?, start, len, &mut digest, false).await?;
    sh.files.commit(&staged).await?;
    let checksum = algo.and_then(|a| digest.value(a).map(|v| (a.name().to_string(), v)));
    let part = Part {
        number,
        size: staged.len,
        etag: format!("\"{}\"", digest.md5_hex()),
        last_modified: now(),
        file: staged.id.clone(),
        checksum: checksum.clone(),
        crc64: digest.value(Algo::Crc64Nvme).unwrap_or_default(),
    };
    let mut result = json!({"ETag": part.etag, "LastModified": part.last_modified.floor()});
    if let Some((a, v)) = checksum
        && let Some(a) = Algo::parse(&a)
    {
        result[a.member()] = Value::from(v);
    }
    save_part(sh, &u, part).await?;
    let mut out =
        json!({"CopyPartResult": result, "ServerSideEncryption": u.sse.clone().unwrap_or_else(|| "AES256".into())});
    if src_versioned {
        out["CopySourceVersionId"] = Value::from(sv.version_id);
    }
    Ok(out)
}

fn parts_of(sh: &Shared, upload_id: &str) -> Result<Vec<Part>, AwsError> {
    sh.store.scan_prefix(keys::parts(upload_id), false, None)?.iter().map(|(_, v)| decode("part", v)).collect()
}

fn same_etag(a: &str, b: &str) -> bool {
    a.trim().trim_matches('"') == b.trim().trim_matches('"')
}

/// The object checksum of completed parts, per the upload's mode.
fn final_checksum(u: &Upload, input: &Value, requested: &[Value], parts: &[&Part]) -> Result<Checksum, AwsError> {
    let mode = u.checksum_type.as_deref();
    if let Some(given) = input.str("ChecksumType")
        && Some(given) != mode
    {
        return Err(invalid_request(format!(
            "The upload was created using the {} checksum mode. The complete request must use the same checksum mode.",
            mode.unwrap_or("null")
        )));
    }
    let Some(algo) = upload_algo(u) else {
        let crcs: Vec<(String, u64)> = parts.iter().map(|p| (p.crc64.clone(), p.size)).collect();
        let value = checksums::combine(Algo::Crc64Nvme, &crcs).unwrap_or_default();
        return Ok(Checksum { algorithm: "CRC64NVME".into(), value, kind: "FULL_OBJECT".into() });
    };
    let part_values: Vec<String> =
        parts.iter().map(|p| p.checksum.as_ref().map(|(_, v)| v.clone()).unwrap_or_default()).collect();
    if mode == Some("COMPOSITE") {
        for (req, p) in requested.iter().zip(parts) {
            let given = req.str(algo.member());
            match given {
                None => {
                    return Err(invalid_request(format!(
                        "The upload was created using a {} checksum. The complete request must include the checksum for each part. It was missing for part {} in the request.",
                        algo.lower(),
                        p.number
                    )));
                }
                Some(g) if p.checksum.as_ref().is_none_or(|(_, v)| v != g) => {
                    return Err(AwsError::bad_request(
                        "BadDigest",
                        format!(
                            "The {} you specified for part {} did not match what we received.",
                            algo.lower(),
                            p.number
                        ),
                    ));
                }
                _ => {}
            }
        }
        return Ok(Checksum {
            algorithm: algo.name().into(),
            value: checksums::composite(algo, &part_values),
            kind: "COMPOSITE".into(),
        });
    }
    let crcs: Vec<(String, u64)> = part_values.into_iter().zip(parts.iter().map(|p| p.size)).collect();
    let value = checksums::combine(algo, &crcs).unwrap_or_default();
    if let Some(given) = input.str(algo.member())
        && given != value
    {
        return Err(AwsError::bad_request(
            "BadDigest",
            format!("The {} you specified did not match the calculated checksum.", algo.lower()),
        ));
    }
    Ok(Checksum { algorithm: algo.name().into(), value, kind: "FULL_OBJECT".into() })
}

pub async fn complete(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let u = upload(sh, input)?;
    let bucket = sh.bucket(&u.bucket)?;
    let requested = input.get("MultipartUpload").map(|m| m.list("Parts")).unwrap_or(&[]);
    if requested.is_empty() {
        return Err(invalid_request("You must specify at least one part"));
    }
    let stored = parts_of(sh, &u.upload_id)?;
    let mut chosen: Vec<&Part> = Vec::new();
    let mut last = 0;
    for r in requested {
        let n = r.i64("PartNumber").unwrap_or(0);
        if n <= last {
            return Err(AwsError::bad_request(
                "InvalidPartOrder",
                "The list of parts was not in ascending order. Parts must be ordered by part number.",
            )
            .with_field("UploadId", Value::from(u.upload_id.clone())));
        }
        last = n;
        let etag = r.str("ETag").unwrap_or("");
        match stored.iter().find(|p| p.number as i64 == n && same_etag(&p.etag, etag)) {
            Some(p) => chosen.push(p),
            None => {
                return Err(AwsError::bad_request(
                    "InvalidPart",
                    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                )
                .with_field("ETag", Value::from(etag.trim_matches('"')))
                .with_field("PartNumber", Value::from(n.to_string()))
                .with_field("UploadId", Value::from(u.upload_id.clone())));
            }
        }
    }
    for p in &chosen[..chosen.len() - 1] {
        if p.size < MIN_PART {
            return Err(AwsError::bad_request(
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
            )
            .with_field("ETag", Value::from(p.etag.trim_matches('"')))
            .with_field("MinSizeAllowed", Value::from(MIN_PART.to_string()))
            .with_field("PartNumber", Value::from(p.number.to_string()))
            .with_field("ProposedSize", Value::from(p.size.to_string())));
        }
    }
    let size: u64 = chosen.iter().map(|p| p.size).sum();
    if let Some(declared) = input.i64("MpuObjectSize")
        && declared as u64 != size
    {
        return Err(invalid_request(format!(
            "The provided 'x-amz-mp-object-size' header value {declared} does not match what was computed: {size}"
        )));
    }
    let checksum = final_checksum(&u, input, requested, &chosen)?;
    let etags: Vec<String> = chosen.iter().map(|p| p.etag.clone()).collect();
    let v = Version {
        key: u.key.clone(),
        version_id: String::new(),
        seq: 0,
        delete_marker: false,
        last_modified: now(),
        owner: u.owner.clone(),
        size,
        etag: checksums::multipart_etag(&etags),
        headers: u.headers.clone(),
        metadata: u.metadata.clone(),
        storage_class: u.storage_class.clone(),
        tags: u.tags.clone(),
        checksum: Some(checksum),
        files: chosen
            .iter()
            .map(|p| Segment {
                file: p.file.clone(),
                len: p.size,
                inline: false,
                data: None,
                etag: Some(p.etag.clone()),
                checksum: p.checksum.as_ref().map(|(_, v)| v.clone()),
            })
            .collect(),
        multipart: true,
        sse: u.sse.clone(),
        sse_kms_key: u.sse_kms_key.clone(),
        restore: None,
        lock: u.lock.clone(),
        replication: None,
    };
    let mut cond = write_condition(input)?;
    let upload_key = keys::upload(&u.bucket, &u.key, &u.upload_id);
    cond.require = Some((upload_key.clone(), no_such_upload(&u.upload_id)));
    cond.delete_keys = stored.iter().map(|p| keys::part(&u.upload_id, p.number)).collect();
    cond.delete_keys.push(upload_key);
    let unused: Vec<String> =
        stored.iter().filter(|p| !chosen.iter().any(|c| c.number == p.number)).map(|p| p.file.clone()).collect();
    let (v, removed) = versioning::commit(sh, &u.bucket, v, cond).await?;
    sh.files.remove(removed.into_iter().chain(unused).collect()).await;
    notify::emit(sh, ctx, &bucket, ObjectEvent::created("ObjectCreated:CompleteMultipartUpload", &v)).await;
    let mut out = json!({
        "Location": format!("{}/{}/{}", sh.endpoint.trim_end_matches('/'), u.bucket, u.key),
        "Bucket": u.bucket,
        "Key": u.key,
        "ETag": v.etag,
        "ServerSideEncryption": v.sse.clone().unwrap_or_else(|| "AES256".into()),
    });
    if bucket.versioning.is_some() {
        out["VersionId"] = Value::from(v.version_id.clone());
    }
    if u.checksum_algorithm.is_some()
        && let Some(c) = &v.checksum
    {
        checksum_output(&mut out, c);
    }
    Ok(out)
}

pub async fn abort(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let id = input.req_str("UploadId")?.to_string();
    sh.bucket(bucket)?;
    let upload_key = keys::upload(bucket, key, &id);
    let files = abort_upload(sh, upload_key, id).await?;
    sh.files.remove(files).await;
    Ok(json!({}))
}

/// Removes an upload and its parts; returns the parts' files.
pub async fn abort_upload(sh: &Shared, upload_key: Vec<u8>, id: String) -> Result<Vec<String>, AwsError> {
    sh.store
        .transact(move |txn| {
            if txn.get(&upload_key)?.is_none() {
                return Err(no_such_upload(&id));
            }
            let mut files = Vec::new();
            for (k, v) in txn.scan_prefix(keys::parts(&id), false, None)? {
                files.push(decode::<Part>("part", &v)?.file);
                txn.delete(k);
            }
            txn.delete(upload_key.clone());
            Ok(files)
        })
        .await
}

pub fn list_parts(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let u = upload(sh, input)?;
    let marker = input.i64("PartNumberMarker").unwrap_or(0);
    let max = input.i64("MaxParts").unwrap_or(1000).clamp(0, 1000) as usize;
    let all: Vec<Part> = parts_of(sh, &u.upload_id)?.into_iter().filter(|p| p.number as i64 > marker).collect();
    let truncated = all.len() > max;
    let page = &all[..all.len().min(max)];
    let parts: Vec<Value> = page
        .iter()
        .map(|p| {
            let mut v = json!({"PartNumber": p.number, "LastModified": p.last_modified.floor(), "ETag": p.etag, "Size": p.size});
            if let Some((a, val)) = &p.checksum
                && let Some(a) = Algo::parse(a)
            {
                v[a.member()] = Value::from(val.clone());
            }
            v
        })
        .collect();
    let mut out = json!({
        "Bucket": u.bucket, "Key": u.key, "UploadId": u.upload_id,
        "PartNumberMarker": marker, "MaxParts": max, "IsTruncated": truncated,
        "Parts": parts,
        "Initiator": owner(&u.owner), "Owner": owner(&u.owner),
        "StorageClass": u.storage_class,
    });
    if let Some(last) = page.last() {
        out["NextPartNumberMarker"] = Value::from(last.number);
    }
    if let Some(a) = &u.checksum_algorithm {
        out["ChecksumAlgorithm"] = Value::from(a.clone());
    }
    if let Some(t) = &u.checksum_type {
        out["ChecksumType"] = Value::from(t.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::copy_range;

    #[test]
    fn copy_ranges() {
        assert_eq!(copy_range(Some("bytes=0-8"), 10).ok(), Some((0, 9)));
        assert_eq!(copy_range(None, 10).ok(), Some((0, 10)));
        for bad in ["0-8", "bytes=1-0", "bytes=-1-", "bytes=0--1", "bytes=0-1,3-4"] {
            assert_eq!(
                copy_range(Some(bad), 10).map_err(|e| e.code).err().as_deref(),
                Some("InvalidArgument"),
                "{bad}"
            );
        }
        assert!(copy_range(Some("bytes=0-100"), 10).is_err());
    }
}
