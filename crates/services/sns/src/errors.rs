//! SNS's error shapes: `InvalidParameter` with AWS's "Invalid parameter:"
//! prefix, `NotFound` (404), `ParameterValueInvalid` for message attributes,
//! and the batch errors of PublishBatch.

use stratus_core::AwsError;

/// `InvalidParameter` with AWS's `Invalid parameter: {what}` message.
pub fn invalid(what: impl AsRef<str>) -> AwsError {
    AwsError::bad_request("InvalidParameter", format!("Invalid parameter: {}", what.as_ref()))
}

/// `InvalidParameter` whose message is `message` exactly.
pub fn invalid_raw(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidParameter", message)
}

/// `ParameterValueInvalid` (message attribute checks).
pub fn value_invalid(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("ParameterValueInvalid", message)
}

/// 404 `NotFound`.
pub fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(404, "NotFound", message)
}

pub fn topic_not_found() -> AwsError {
    not_found("Topic does not exist")
}

pub fn subscription_not_found() -> AwsError {
    not_found("Subscription does not exist")
}

/// `ResourceNotFound` (tagging a resource that does not exist).
pub fn resource_not_found() -> AwsError {
    AwsError::new(404, "ResourceNotFound", "Resource does not exist")
}

/// A batch-level error of PublishBatch.
pub fn batch(code: &str, message: impl Into<String>) -> AwsError {
    AwsError::bad_request(code, message)
}
