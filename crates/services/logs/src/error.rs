//! The errors CloudWatch Logs returns, with AWS's exact codes and texts, and
//! `AwsError`: the error type of store transactions (an `AwsError` or a store
//! failure), so a closure can abort with either.

use stratus_core::AwsError;
use stratus_store::StoreError;

pub fn group_not_found() -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", "The specified log group does not exist.")
}

pub fn stream_not_found() -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", "The specified log stream does not exist.")
}

pub fn group_exists() -> AwsError {
    AwsError::bad_request("ResourceAlreadyExistsException", "The specified log group already exists")
}

pub fn stream_exists() -> AwsError {
    AwsError::bad_request("ResourceAlreadyExistsException", "The specified log stream already exists")
}

pub fn subscription_not_found() -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", "The specified subscription filter does not exist.")
}

pub fn metric_filter_not_found() -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", "The specified metric filter does not exist.")
}

pub fn resource_not_found() -> AwsError {
    AwsError::bad_request("ResourceNotFoundException", "The specified resource does not exist.")
}

pub fn limit_exceeded() -> AwsError {
    AwsError::bad_request("LimitExceededException", "Resource limit exceeded.")
}

pub fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidParameterException", message)
}

pub fn invalid_token() -> AwsError {
    invalid("The specified nextToken is invalid.")
}

pub fn validation(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("ValidationException", message)
}

/// A store failure seen by a caller: Stratus's fault, not the client's.
pub fn store(e: StoreError) -> AwsError {
    AwsError::internal(format!("log store failure: {e}"))
}

/// Decoding a stored record failed: the store holds something we did not write.
pub fn corrupt(what: &str, e: serde_json::Error) -> AwsError {
    AwsError::internal(format!("corrupt {what} record in the log store: {e}"))
}
