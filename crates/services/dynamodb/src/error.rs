//! The errors DynamoDB answers with, as constructors carrying AWS's codes
//! and texts. `DdbError` is the core `AwsError`.

pub use stratus_core::AwsError as DdbError;

pub fn validation(msg: impl Into<String>) -> DdbError {
    DdbError::bad_request("ValidationException", msg)
}

/// Data-plane operations on a missing table.
pub fn no_table() -> DdbError {
    DdbError::bad_request("ResourceNotFoundException", "Cannot do operations on a non-existent table")
}

/// Control-plane operations (DescribeTable, DeleteTable, UpdateTable) on a missing table.
pub fn table_not_found(name: &str) -> DdbError {
    DdbError::bad_request("ResourceNotFoundException", format!("Requested resource not found: Table: {name} not found"))
}

pub fn resource_not_found() -> DdbError {
    DdbError::bad_request("ResourceNotFoundException", "Requested resource not found")
}

pub fn in_use(msg: impl Into<String>) -> DdbError {
    DdbError::bad_request("ResourceInUseException", msg)
}

pub fn condition_failed() -> DdbError {
    DdbError::bad_request("ConditionalCheckFailedException", "The conditional request failed")
}

pub fn invalid(msg: impl std::fmt::Display) -> DdbError {
    validation(format!("One or more parameter values were invalid: {msg}"))
}
