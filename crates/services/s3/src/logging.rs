//! Server access logging's configuration: PutBucketLogging and
//! GetBucketLogging (the target bucket must exist, in the source bucket's
//! region). The records themselves are written by `access_log`.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::buckets::update;
use crate::shared::Shared;

pub async fn put(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    let source = sh.bucket(name)?;
    let enabled = input.get("BucketLoggingStatus").and_then(|s| s.get("LoggingEnabled")).cloned();
    if let Some(e) = &enabled {
        let target_name = e.str("TargetBucket").ok_or_else(crate::error::malformed_xml)?;
        let Some(target) = sh.bucket_opt(target_name)? else {
            return Err(AwsError::bad_request(
                "InvalidTargetBucketForLogging",
                "The target bucket for logging does not exist",
            )
            .with_field("TargetBucket", Value::from(target_name)));
        };
        if target.region != source.region {
            let mut err =
                AwsError::new(403, "CrossLocationLoggingProhibitted", "Cross S3 location logging not allowed. ");
            if source.region != "us-east-1" {
                err = err.with_field("SourceBucketLocation", Value::from(source.region.clone()));
            }
            return Err(err.with_field("TargetBucketLocation", Value::from(target.region)));
        }
        if e.get("TargetPrefix").is_none() {
            return Err(crate::error::malformed_xml());
        }
    }
    let b = update(sh, name, move |b| {
        b.logging = enabled.clone();
        Ok(())
    })
    .await?;
    sh.access_logs.set(name, b.logging.as_ref());
    Ok(json!({}))
}

/// GetBucketLogging: `LoggingEnabled`, or nothing while logging is off.
pub fn get(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    Ok(match b.logging {
        Some(e) => json!({"LoggingEnabled": e}),
        None => json!({}),
    })
}
