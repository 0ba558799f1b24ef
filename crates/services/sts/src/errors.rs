//! STS's error codes with their HTTP statuses. Messages are written by the
//! callers, in AWS's words.

use stratus_core::AwsError;

/// `AccessDenied` (403).
pub fn access_denied(message: impl Into<String>) -> AwsError {
    AwsError::new(403, "AccessDenied", message)
}

/// `ValidationError` (400).
pub fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "ValidationError", message)
}

/// `InvalidParameterValue` (400).
pub fn invalid_parameter(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidParameterValue", message)
}

/// `MalformedPolicyDocument` (400).
pub fn malformed_policy(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "MalformedPolicyDocument", message)
}

/// `PackedPolicyTooLarge` (400).
pub fn packed_policy_too_large(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "PackedPolicyTooLarge", message)
}

/// `InvalidIdentityToken` (400).
pub fn invalid_identity_token(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidIdentityToken", message)
}
