//! The errors SQS returns, with AWS's codes (the JSON `__type` names; the
//! protocol layer adds the legacy Query codes) and texts.

use stratus_core::AwsError;

pub fn no_queue() -> AwsError {
    AwsError::bad_request("QueueDoesNotExist", "The specified queue does not exist.")
}

/// `InvalidParameterValue` with AWS's free-form text.
pub fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidParameterValueException", message)
}

/// "Value {v} for parameter {p} is invalid. Reason: {reason}"
pub fn invalid_param(value: impl std::fmt::Display, param: &str, reason: &str) -> AwsError {
    invalid(format!("Value {value} for parameter {param} is invalid. Reason: {reason}"))
}

pub fn missing(param: &str) -> AwsError {
    AwsError::bad_request(
        "MissingRequiredParameterException",
        format!("The request must contain the parameter {param}."),
    )
}

pub fn invalid_attr_name(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidAttributeName", message)
}

pub fn unknown_attr(name: &str) -> AwsError {
    invalid_attr_name(format!("Unknown Attribute {name}."))
}

pub fn invalid_attr_value(name: &str) -> AwsError {
    AwsError::bad_request("InvalidAttributeValue", format!("Invalid value for the parameter {name}."))
}

pub fn receipt_invalid(handle: &str) -> AwsError {
    AwsError::bad_request(
        "ReceiptHandleIsInvalid",
        format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
    )
}

pub fn not_in_flight() -> AwsError {
    AwsError::bad_request(
        "MessageNotInflight",
        "Message does not exist or is not available for visibility timeout change.",
    )
}

pub fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(404, "ResourceNotFoundException", message)
}

/// The legacy (Query) code of an error, as written into batch result entries.
pub fn legacy_code(code: &str) -> &str {
    match code {
        "InvalidParameterValueException" => "InvalidParameterValue",
        "MissingRequiredParameterException" => "MissingParameter",
        "QueueDoesNotExist" => "AWS.SimpleQueueService.NonExistentQueue",
        "MessageNotInflight" => "AWS.SimpleQueueService.MessageNotInflight",
        other => other,
    }
}
