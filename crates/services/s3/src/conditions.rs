//! Preconditions and ranges of reads: `If-Match`, `If-None-Match`,
//! `If-Modified-Since`, `If-Unmodified-Since` (412 / 304 with S3's
//! precedence rules), their `x-amz-copy-source-if-*` twins, and `Range`.

use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::{invalid_range, not_modified, precondition_failed};
use crate::model::Version;
use crate::versioning::etag_matches;

fn ts(input: &Value, member: &str) -> Option<f64> {
    input.get(member).and_then(Value::as_f64)
}

/// Checks a GET/HEAD's conditions against the version read.
pub fn check_read(input: &Value, v: &Version) -> Result<(), AwsError> {
    let modified = v.last_modified.floor();
    let if_match = input.str("IfMatch");
    if let Some(m) = if_match {
        if !etag_matches(m, &v.etag) {
            return Err(precondition_failed("If-Match"));
        }
    } else if let Some(t) = ts(input, "IfUnmodifiedSince")
        && modified > t
    {
        return Err(precondition_failed("If-Unmodified-Since"));
    }
    if let Some(m) = input.str("IfNoneMatch") {
        if etag_matches(m, &v.etag) {
            return Err(not_modified().with_header("ETag", v.etag.clone()));
        }
    } else if let Some(t) = ts(input, "IfModifiedSince")
        && modified <= t
        && t <= crate::shared::now()
    {
        return Err(not_modified().with_header("ETag", v.etag.clone()));
    }
    Ok(())
}

/// Checks CopyObject/UploadPartCopy's source conditions (all fail as 412;
/// a modified-since date in the future is ignored, as for reads).
pub fn check_copy_source(input: &Value, v: &Version) -> Result<(), AwsError> {
    let modified = v.last_modified.floor();
    let if_match = input.str("CopySourceIfMatch");
    if let Some(m) = if_match {
        if !etag_matches(m, &v.etag) {
            return Err(precondition_failed("x-amz-copy-source-If-Match"));
        }
    } else if let Some(t) = ts(input, "CopySourceIfUnmodifiedSince")
        && modified > t
    {
        return Err(precondition_failed("x-amz-copy-source-If-Unmodified-Since"));
    }
    if let Some(m) = input.str("CopySourceIfNoneMatch") {
        if etag_matches(m, &v.etag) {
            return Err(precondition_failed("x-amz-copy-source-If-None-Match"));
        }
    } else if let Some(t) = ts(input, "CopySourceIfModifiedSince")
        && modified <= t
        && t <= crate::shared::now()
    {
        return Err(precondition_failed("x-amz-copy-source-If-Modified-Since"));
    }
    Ok(())
}

/// A `Range: bytes=…` header against an object of `size` bytes: the
/// inclusive byte span to send, None for the whole object (no range, or
/// one S3 ignores), or InvalidRange.
pub fn range(header: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, AwsError> {
    let Some(h) = header else { return Ok(None) };
    let Some(spec) = h.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else { return Ok(None) };
    let (a, b) = (a.trim(), b.trim());
    let unsatisfiable = || invalid_range(size, h);
    match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(start), Some(end)) if !b.is_empty() => {
            if end < start {
                return Ok(None);
            }
            if start >= size {
                return Err(unsatisfiable());
            }
            Ok(Some((start, end.min(size - 1))))
        }
        (Some(start), None) if b.is_empty() => {
            if start >= size {
                return Err(unsatisfiable());
            }
            Ok(Some((start, size - 1)))
        }
        (None, Some(n)) if a.is_empty() => {
            if n == 0 || size == 0 {
                return Err(unsatisfiable());
            }
            Ok(Some((size.saturating_sub(n), size - 1)))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn ranges() {
        assert_eq!(range(Some("bytes=0-3"), 10).ok(), Some(Some((0, 3))));
        assert_eq!(range(Some("bytes=5-"), 10).ok(), Some(Some((5, 9))));
        assert_eq!(range(Some("bytes=-4"), 10).ok(), Some(Some((6, 9))));
        assert_eq!(range(Some("bytes=-40"), 10).ok(), Some(Some((0, 9))));
        assert_eq!(range(Some("bytes=2-100"), 10).ok(), Some(Some((2, 9))));
        assert_eq!(range(Some("bytes=5-2"), 10).ok(), Some(None));
        assert_eq!(range(Some("bytes=10-20"), 10).map_err(|e| e.status).err(), Some(416));
        assert_eq!(range(None, 10).ok(), Some(None));
    }
}
