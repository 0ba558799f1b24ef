//! S3's errors with AWS's codes, statuses, messages and the extra members
//! real S3 puts in its `<Error>` body (`BucketName`, `Key`, `UploadId`...).

use serde_json::Value;
use stratus_core::AwsError;

fn with(err: AwsError, fields: &[(&str, &str)]) -> AwsError {
    fields.iter().fold(err, |e, (k, v)| e.with_field(k, Value::from(*v)))
}

pub fn no_such_bucket(bucket: &str) -> AwsError {
    with(AwsError::new(404, "NoSuchBucket", "The specified bucket does not exist"), &[("BucketName", bucket)])
}

pub fn no_such_key(key: &str) -> AwsError {
    with(AwsError::new(404, "NoSuchKey", "The specified key does not exist."), &[("Key", key)])
}

pub fn no_such_version(key: &str, version: &str) -> AwsError {
    with(
        AwsError::new(404, "NoSuchVersion", "The specified version does not exist."),
        &[("Key", key), ("VersionId", version)],
    )
}

pub fn no_such_upload(upload_id: &str) -> AwsError {
    with(
        AwsError::new(
            404,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        ),
        &[("UploadId", upload_id)],
    )
}

pub fn invalid_version_id(value: &str) -> AwsError {
    invalid_argument("Invalid version id specified", "versionId", Some(value))
}

pub fn invalid_argument(message: &str, name: &str, value: Option<&str>) -> AwsError {
    let mut e = with(AwsError::bad_request("InvalidArgument", message), &[("ArgumentName", name)]);
    if let Some(v) = value {
        e = e.with_field("ArgumentValue", Value::from(v));
    }
    e
}

pub fn invalid_request(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidRequest", message)
}

pub fn malformed_xml() -> AwsError {
    AwsError::bad_request(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

pub fn precondition_failed(condition: &str) -> AwsError {
    with(
        AwsError::new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
        &[("Condition", condition)],
    )
}

pub fn not_modified() -> AwsError {
    AwsError::new(304, "NotModified", "Not Modified")
}

pub fn invalid_range(size: u64, range: &str) -> AwsError {
    with(
        AwsError::new(416, "InvalidRange", "The requested range is not satisfiable"),
        &[("ActualObjectSize", &size.to_string()), ("RangeRequested", range)],
    )
}

pub fn bad_digest_checksum(algorithm: &str) -> AwsError {
    AwsError::bad_request("BadDigest", format!("The {algorithm} you specified did not match the calculated checksum."))
}

pub fn no_such_config(code: &str, message: &str, bucket: &str) -> AwsError {
    with(AwsError::new(404, code, message), &[("BucketName", bucket)])
}

pub fn invalid_tag(message: &str, key: Option<&str>) -> AwsError {
    let e = AwsError::bad_request("InvalidTag", message);
    match key {
        Some(k) => e.with_field("TagKey", Value::from(k)),
        None => e,
    }
}

/// Store failures are Stratus's, never the caller's.
pub fn internal(message: impl std::fmt::Display) -> AwsError {
    AwsError::new(500, "InternalError", format!("We encountered an internal error. Please try again. ({message})"))
}
