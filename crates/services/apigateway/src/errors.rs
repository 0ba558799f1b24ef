//! API Gateway's errors, with the codes, statuses and messages AWS sends.

use stratus_core::{AwsError, RequestContext};

pub fn bad_request(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "BadRequestException", message)
}

pub fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(404, "NotFoundException", message)
}

pub fn conflict(message: impl Into<String>) -> AwsError {
    AwsError::new(409, "ConflictException", message)
}

/// An API id that names no REST API of the caller's account and region.
pub fn no_api(ctx: &RequestContext, id: &str) -> AwsError {
    not_found(format!("Invalid API identifier specified {}:{id}", ctx.account_id))
}

pub fn no_resource() -> AwsError {
    not_found("Invalid Resource identifier specified")
}

pub fn no_method() -> AwsError {
    not_found("Invalid Method identifier specified")
}

pub fn no_integration() -> AwsError {
    not_found("Invalid Integration identifier specified")
}

pub fn no_status_code() -> AwsError {
    not_found("Invalid Response status code specified")
}
