//! Lambda's error responses, with AWS's codes, statuses and texts.

use stratus_core::AwsError;

pub fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidParameterValueException", message)
}

pub fn validation(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("ValidationException", message)
}

pub fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(404, "ResourceNotFoundException", message)
}

pub fn function_not_found(arn: &str) -> AwsError {
    not_found(format!("Function not found: {arn}"))
}

pub fn conflict(message: impl Into<String>) -> AwsError {
    AwsError::new(409, "ResourceConflictException", message)
}

pub fn too_large(message: impl Into<String>) -> AwsError {
    AwsError::new(413, "RequestEntityTooLargeException", message)
}

pub fn precondition(what: &str) -> AwsError {
    AwsError::new(
        412,
        "PreconditionFailedException",
        format!(
            "The Revision Id provided does not match the latest Revision Id. Call the {what} API to retrieve the latest Revision Id"
        ),
    )
}

/// 429 with AWS's `Reason`.
pub fn throttled(reason: &str) -> AwsError {
    AwsError::new(429, "TooManyRequestsException", "Rate Exceeded.").with_field("Reason", reason.into())
}
