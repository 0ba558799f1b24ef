//! Function and layer code kept in S3 (`S3Bucket`, `S3Key`,
//! `S3ObjectVersion`): read from the S3 service in process, answering with
//! the errors Lambda reports when the object cannot be read.

use crate::code::{self, MAX_UNZIPPED, Package};
use crate::errors;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, BodyStream, RequestContext};

/// Reads and checks the package `source` names in S3.
pub async fn fetch(s: &Shared, ctx: &RequestContext, source: &Value) -> Result<Package, AwsError> {
    let (Some(bucket), Some(key)) = (source.str("S3Bucket"), source.str("S3Key")) else {
        return Err(errors::invalid("Please provide a source for function code."));
    };
    let mut input = json!({"Bucket": bucket, "Key": key});
    if let Some(version) = source.str("S3ObjectVersion") {
        input["VersionId"] = Value::from(version);
    }
    let s3_error = |e: AwsError| {
        errors::invalid(format!(
            "Error occurred while GetObject. S3 Error Code: {}. S3 Error Message: {}",
            e.code, e.message
        ))
    };
    let out = s
        .settings
        .peers
        .call_streaming("s3", "GetObject", (&ctx.account_id, &ctx.region), input, BodyStream::from_bytes(Vec::new()))
        .await
        .map_err(s3_error)?;
    let mut zip = Vec::new();
    if let Some(mut chunks) = out.body {
        while let Some(chunk) = chunks.recv().await {
            zip.extend_from_slice(&chunk);
            if zip.len() as u64 > MAX_UNZIPPED {
                return Err(errors::invalid(format!("Unzipped size must be smaller than {MAX_UNZIPPED} bytes")));
            }
        }
    }
    code::accept_zip(zip)
}
